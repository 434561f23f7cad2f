/**
 * @module triggers/rollout-step
 * Watches Argo Rollouts that opt in with `metricgate.io/analysis: <template>[,<template>]` and
 * starts runs when analysis is due:
 *
 * - **step mode**: the rollout stops at a canary pause step (`pauseConditions` reason
 *   `CanaryPauseStep`) for revision R → one run for (rollout, R, step index), scoped to the canary;
 *   its verdict then promotes, pauses or aborts the rollout through the actuator.
 * - **background mode** (`metricgate.io/background: "true"`): one open run per revision from the
 *   first canary step until the rollout is promoted or aborted; a Failed verdict aborts at once
 *   instead of waiting for a step to end (argo-rollouts #222, #1411).
 *
 * A new revision, an abort, a promotion or a step moved by a human terminates runs that lost
 * their purpose. Run ids are deterministic (rollout uid, revision hash, step), so duplicated watch
 * events or two replicas never start two runs for the same step.
 */
import { RESOURCES, readKubeTemplate, readRolloutState, type KubeObject, type KubeObjects, type RolloutState } from '../actuators/index.js';
import type { TemplateStore } from '../engine/index.js';
import { libraryOf, readFieldPath, runFromTemplates, type AnalysisRun, type AnalysisTemplate, type Argument } from '../model/index.js';
import { targetKey, uidFromKey, type RunRequest, type RunTarget } from '../queue/index.js';
import type { Trigger, TriggerContext } from './trigger.js';

/** Annotations a Rollout opts in with. */
export const ROLLOUT_ANNOTATIONS = {
  /** Templates to run: `name` (AnalysisTemplate in the Rollout's namespace, else metricgate's store) or `cluster:name`. */
  analysis: 'metricgate.io/analysis',
  /** `metricgate.io/args.<name>: <value>` supplies template args. */
  argPrefix: 'metricgate.io/args.',
  /** `"true"`: analyse continuously from the first canary step, abort on failure at once. */
  background: 'metricgate.io/background',
  /** Verdict policy overrides, e.g. `Failed=pause,Inconclusive=pause`. */
  policy: 'metricgate.io/policy',
} as const;

/** Label on every run this trigger starts: which purpose it serves (`step-<hash>-<index>` or `bg-<hash>`). */
export const RUN_KEY_LABEL = 'metricgate.io/run-key';

/** A run the rollout's current state calls for. */
export interface DesiredRun {
  readonly key: string;
  readonly mode: 'step' | 'background';
  readonly podHash: string;
  readonly stableHash?: string;
  readonly stepIndex?: number;
  readonly revision?: string;
}

/** Why a rollout needs nothing now; `undefined` means it needs `runs`. */
export type RolloutDecision = { readonly skip: string; readonly runs?: undefined } | { readonly skip?: undefined; readonly runs: readonly DesiredRun[] };

/**
 * Pure: which runs this rollout needs right now. Each rule returns the first reason it has to
 * skip (the adjudicator pattern), so a log line can say why nothing happened.
 */
export function desiredRuns(rollout: KubeObject, state: RolloutState = readRolloutState(rollout)): RolloutDecision {
  const annotations = rollout.metadata?.annotations ?? {};
  if (!annotations[ROLLOUT_ANNOTATIONS.analysis]) return { skip: `no ${ROLLOUT_ANNOTATIONS.analysis} annotation` };
  if (state.strategy !== 'canary') return { skip: `strategy is ${state.strategy}, not canary` };
  if (state.abort) return { skip: 'rollout is aborted' };
  if (!state.currentPodHash) return { skip: 'no status.currentPodHash yet' };
  if (state.stableRS === state.currentPodHash) return { skip: 'fully promoted: the current revision is stable' };
  const runs: DesiredRun[] = [];
  const base = { podHash: state.currentPodHash, stableHash: state.stableRS, revision: state.revision };
  if (annotations[ROLLOUT_ANNOTATIONS.background] === 'true') runs.push({ ...base, key: `bg-${state.currentPodHash}`, mode: 'background' });
  const atPauseStep = state.pauseConditions.some((c) => c.reason === 'CanaryPauseStep');
  if (atPauseStep && state.currentStepIndex !== undefined) {
    runs.push({ ...base, key: `step-${state.currentPodHash}-${state.currentStepIndex}`, mode: 'step', stepIndex: state.currentStepIndex });
  }
  return runs.length > 0 ? { runs } : { skip: 'not at a canary pause step' };
}

/** `Failed=pause,Inconclusive=pause` → `{ Failed: 'pause', … }`; invalid entries are reported. */
export function parsePolicyAnnotation(text: string | undefined): { policy: NonNullable<RunTarget['policy']>; problems: string[] } {
  const policy: Record<string, string> = {};
  const problems: string[] = [];
  for (const part of (text ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [phase = '', action = ''] = part.split('=').map((x) => x.trim());
    if (!['Successful', 'Failed', 'Error', 'Inconclusive'].includes(phase) || !['advance', 'pause', 'abort', 'none'].includes(action)) {
      problems.push(`${JSON.stringify(part)}: expected <Successful|Failed|Error|Inconclusive>=<advance|pause|abort|none>`);
      continue;
    }
    policy[phase] = action;
  }
  return { policy: policy as NonNullable<RunTarget['policy']>, problems };
}

export interface RolloutStepTriggerOptions {
  /** Namespaces to watch; empty means all. */
  readonly namespaces?: readonly string[];
  /** metricgate's own template store, consulted when the cluster has no template of that name. */
  readonly templates?: TemplateStore;
  /** Full re-list period, ms (catches anything a watch missed). @defaultValue 60000 */
  readonly resyncMs?: number;
}

export class RolloutStepTrigger implements Trigger {
  readonly kind = 'rollout-step';

  constructor(
    private readonly kube: KubeObjects,
    private readonly options: RolloutStepTriggerOptions = {},
  ) {}

  async start(ctx: TriggerContext): Promise<() => Promise<void>> {
    const controller = new AbortController();
    const namespaces = this.options.namespaces?.length ? this.options.namespaces : [undefined];
    const loops = namespaces.map((ns) => this.watchLoop(ctx, ns, controller.signal));
    const resync = setInterval(() => {
      for (const ns of namespaces) void this.relist(ctx, ns).catch((err: unknown) => ctx.logger.warn({ err: (err as Error).message }, 'rollout resync failed'));
    }, this.options.resyncMs ?? 60_000);
    resync.unref();
    return async () => {
      clearInterval(resync);
      controller.abort();
      await Promise.allSettled(loops);
    };
  }

  /** Lists then watches, reconnecting from the last resourceVersion and re-listing on 410 Gone. */
  private async watchLoop(ctx: TriggerContext, namespace: string | undefined, signal: AbortSignal): Promise<void> {
    let resourceVersion: string | undefined;
    while (!signal.aborted) {
      try {
        if (resourceVersion === undefined) resourceVersion = await this.relist(ctx, namespace);
        for await (const event of this.kube.watch(RESOURCES.rollouts, { namespace, resourceVersion, allowBookmarks: true, timeoutSeconds: 300, signal })) {
          resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
          if (event.type === 'ADDED' || event.type === 'MODIFIED') await this.handle(ctx, event.object);
        }
      } catch (err) {
        if (signal.aborted) return;
        const gone = (err as { code?: string }).code === 'Gone';
        if (gone) resourceVersion = undefined;
        ctx.logger.warn({ err: (err as Error).message, namespace: namespace ?? '(all)' }, gone ? 'rollout watch expired; re-listing' : 'rollout watch failed; retrying');
        await new Promise((r) => setTimeout(r, gone ? 0 : 1000));
      }
    }
  }

  private async relist(ctx: TriggerContext, namespace: string | undefined): Promise<string> {
    const list = await this.kube.list(RESOURCES.rollouts, { namespace });
    for (const rollout of list.items) await this.handle(ctx, rollout);
    return list.resourceVersion;
  }

  /** Reconciles one rollout: start the runs it needs, terminate the ones it no longer needs. */
  async handle(ctx: TriggerContext, rollout: KubeObject): Promise<void> {
    const state = readRolloutState(rollout);
    const target = targetKey({ kind: 'argo', namespace: state.namespace, name: state.name });
    const annotated = Boolean(rollout.metadata?.annotations?.[ROLLOUT_ANNOTATIONS.analysis]);
    const decision = desiredRuns(rollout, state);
    const wanted = new Set((decision.runs ?? []).map((r) => r.key));
    if (annotated) {
      // Runs that lost their purpose: new revision, abort, promotion, or a step moved on.
      for (const run of await ctx.runningFor(target)) {
        const key = run.metadata.labels?.[RUN_KEY_LABEL];
        if (key !== undefined && !wanted.has(key)) await ctx.terminate(run.metadata.uid ?? '', `rollout moved on (${decision.skip ?? `now ${[...wanted].join(', ')}`})`);
      }
    }
    if (!decision.runs) {
      if (annotated) ctx.logger.debug({ rollout: `${state.namespace}/${state.name}`, reason: decision.skip }, 'no analysis due');
      return;
    }
    for (const desired of decision.runs) {
      try {
        // Every status change of the rollout is an event; most find their run already started.
        if (await ctx.exists(this.key(state, desired))) continue;
        const request = await this.request(rollout, state, desired);
        const { created, run } = await ctx.submit(request);
        if (created) ctx.logger.info({ rollout: `${state.namespace}/${state.name}`, run: run.metadata.uid, key: desired.key, mode: desired.mode }, 'analysis started');
      } catch (err) {
        const issues = (err as { issues?: readonly { path: string; message: string }[] }).issues;
        ctx.logger.error({ rollout: `${state.namespace}/${state.name}`, key: desired.key, err: (err as Error).message, issues }, 'cannot start analysis');
      }
    }
  }

  /** Builds the run request for a desired run: templates from the cluster (or the store), args from the rollout. */
  private async request(rollout: KubeObject, state: RolloutState, desired: DesiredRun): Promise<RunRequest> {
    const annotations = rollout.metadata?.annotations ?? {};
    const names = (annotations[ROLLOUT_ANNOTATIONS.analysis] ?? '').split(',').map((n) => n.trim()).filter(Boolean);
    const templates: AnalysisTemplate[] = [];
    for (const entry of names) {
      const clusterScope = entry.startsWith('cluster:');
      const name = clusterScope ? entry.slice('cluster:'.length) : entry;
      const template =
        (await readKubeTemplate(this.kube, name, { namespace: state.namespace, clusterScope })) ??
        (await this.options.templates?.get(clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate', name));
      if (!template) throw Object.assign(new Error(`template ${entry} not found in namespace ${state.namespace}, the cluster, or metricgate's store`), { issues: [] });
      templates.push(template);
    }
    const args = this.args(rollout, state, templates);
    const policy = parsePolicyAnnotation(annotations[ROLLOUT_ANNOTATIONS.policy]);
    const idempotencyKey = this.key(state, desired);
    const built = runFromTemplates(templates, libraryOf(templates), {
      name: `${state.name}-${desired.podHash}-${state.revision ?? '0'}${desired.mode === 'step' ? `-${desired.stepIndex}` : ''}`,
      namespace: state.namespace,
      uid: uidFromKey(idempotencyKey),
      args,
      labels: {
        'rollouts-pod-template-hash': desired.podHash,
        'rollout-type': desired.mode === 'step' ? 'Step' : 'Background',
        ...(desired.stepIndex !== undefined ? { 'step-index': String(desired.stepIndex) } : {}),
        'metricgate.io/rollout': state.name,
        [RUN_KEY_LABEL]: desired.key,
      },
      annotations: state.revision ? { 'rollout.argoproj.io/revision': state.revision } : {},
    });
    if (!built.run) throw Object.assign(new Error(`templates ${names.join(', ')} do not combine into a run`), { issues: built.issues });
    const run: AnalysisRun = built.run;
    return {
      analysisRun: run as unknown as Record<string, unknown>,
      scope: 'canary',
      idempotencyKey,
      target: {
        kind: 'argo',
        namespace: state.namespace,
        name: state.name,
        podHash: desired.podHash,
        ...(desired.stepIndex !== undefined ? { stepIndex: desired.stepIndex } : {}),
        // A background run never promotes: success just means "nothing wrong so far".
        policy: desired.mode === 'background' ? { Successful: 'none', ...policy.policy } : policy.policy,
      },
    };
  }

  /** The idempotency key of a desired run: one run per (rollout, revision, step or background). */
  private key(state: RolloutState, desired: DesiredRun): string {
    return `rollout:${state.uid ?? `${state.namespace}/${state.name}`}:${desired.key}`;
  }

  /** canary-hash / stable-hash from status, `metricgate.io/args.*` annotations, fieldRef args read from the rollout. */
  private args(rollout: KubeObject, state: RolloutState, templates: readonly AnalysisTemplate[]): Argument[] {
    const args = new Map<string, string>();
    if (state.currentPodHash) args.set('canary-hash', state.currentPodHash);
    if (state.stableRS) args.set('stable-hash', state.stableRS);
    for (const [k, v] of Object.entries(rollout.metadata?.annotations ?? {})) {
      if (k.startsWith(ROLLOUT_ANNOTATIONS.argPrefix)) args.set(k.slice(ROLLOUT_ANNOTATIONS.argPrefix.length), v);
    }
    for (const t of templates) {
      for (const a of t.spec.args ?? []) {
        if (args.has(a.name)) continue;
        const from = a.valueFrom;
        const value = from?.fieldRef
          ? readFieldPath(rollout, from.fieldRef.fieldPath)
          : from?.podTemplateHashValue
            ? from.podTemplateHashValue === 'Stable'
              ? state.stableRS
              : state.currentPodHash
            : undefined;
        if (value !== undefined) args.set(a.name, value);
      }
    }
    return [...args].map(([name, value]) => ({ name, value }));
  }
}
