/**
 * @module actuators/rollout
 * The `argo` RolloutTarget: acts on an Argo Rollout by sending exactly the patches
 * `kubectl argo rollouts` sends (rollout-patches.ts), so the Argo controller does the rest —
 * traffic, scaling, analysis cancellation — as it would for a human.
 *
 * Unlike the plugin, every write is guarded and idempotent, because a verdict is applied by a
 * queue worker that may crash and be retried, or may arrive after a human already acted:
 * - the rollout is re-read before writing; if it moved on from the state the analysis ran at
 *   (new revision, step index moved, already aborted or fully promoted) nothing is written;
 * - a write that would change nothing is not sent, so applying an action twice writes once;
 * - each write carries the resourceVersion it was decided on; a 409 means someone wrote in
 *   between, so the rollout is re-read and the action re-decided (bounded attempts);
 * - each applied action is recorded as an Event on the Rollout naming its cause.
 */
import { NotFoundError, ConflictError, KubeError } from './kube-errors.js';
import { RESOURCES, type KubeObject, type KubeObjects } from './kube.js';
import { applyMergePatch, jsonEqual } from './merge-patch.js';
import { planPromote, ROLLOUT_PATCHES, type NamedPatch } from './rollout-patches.js';
import { readRolloutState, type RolloutState } from './rollout-state.js';
import type { ActionRequest, ActionResult, AppliedPatch, Expectation, RolloutAction, RolloutTarget } from './target.js';

/** Options of {@link ArgoRolloutTarget}. */
export interface ArgoRolloutTargetOptions {
  /** Reads (and re-decisions) before giving up on repeated 409 Conflicts. @defaultValue 5 */
  readonly maxAttempts?: number;
  /** Record an Event on the Rollout for each applied action. @defaultValue true */
  readonly recordEvents?: boolean;
}

/** One write of a plan. */
interface Step {
  readonly patch: NamedPatch;
  readonly subresource?: 'status';
  /**
   * Sent to the main resource when the status subresource answers 404 (a Rollout CRD without
   * one), as the plugin does; it then replaces every later step.
   */
  readonly fallback?: NamedPatch;
}

/** What an action would write, decided from one read. */
interface Plan {
  readonly steps: readonly Step[];
  /** Names the decision for the result and the Event, e.g. `clear-pause-conditions`. */
  readonly detail: string;
  /** Why nothing needs writing when the steps would change nothing. */
  readonly noop: string;
}

const PAST_TENSE: Readonly<Record<RolloutAction, string>> = { advance: 'promoted', pause: 'paused', abort: 'aborted', retry: 'retried' };
const EVENT_REASON: Readonly<Record<RolloutAction, string>> = { advance: 'MetricgatePromoted', pause: 'MetricgatePaused', abort: 'MetricgateAborted', retry: 'MetricgateRetried' };

/** The Argo Rollout target. */
export class ArgoRolloutTarget implements RolloutTarget {
  readonly kind = 'argo' as const;
  private readonly maxAttempts: number;
  private readonly recordEvents: boolean;

  /**
   * @param kube the cluster
   * @param namespace the Rollout's namespace
   * @param name the Rollout's name
   */
  constructor(
    private readonly kube: KubeObjects,
    readonly namespace: string,
    readonly name: string,
    options: ArgoRolloutTargetOptions = {},
  ) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.recordEvents = options.recordEvents ?? true;
  }

  async state(): Promise<RolloutState> {
    return readRolloutState(await this.read());
  }

  advance(request: ActionRequest = {}): Promise<ActionResult> {
    return this.act('advance', request);
  }

  pause(request: ActionRequest = {}): Promise<ActionResult> {
    return this.act('pause', request);
  }

  abort(request: ActionRequest = {}): Promise<ActionResult> {
    return this.act('abort', request);
  }

  retry(request: ActionRequest = {}): Promise<ActionResult> {
    return this.act('retry', request);
  }

  private async read(): Promise<KubeObject> {
    const object = await this.kube.get(RESOURCES.rollouts, this.name, { namespace: this.namespace });
    if (object === undefined) {
      throw new NotFoundError({ message: `Rollout ${this.namespace}/${this.name} not found`, target: `rollouts.argoproj.io ${this.namespace}/${this.name}` });
    }
    return object;
  }

  private async act(action: RolloutAction, request: ActionRequest): Promise<ActionResult> {
    const applied: AppliedPatch[] = [];
    let pending: Step[] = [];
    let detail = '';
    let attempts = 0;
    const result = (outcome: ActionResult['outcome'], reason: string, extra: Partial<ActionResult> = {}): ActionResult => ({
      action,
      outcome,
      reason,
      patches: [...applied],
      target: { kind: this.kind, namespace: this.namespace, name: this.name },
      attempts,
      ...extra,
    });
    const failed = (err: unknown): ActionResult => {
      if (!(err instanceof KubeError)) throw err;
      const partly = applied.length > 0 ? ` after writing ${namesOf(applied)}` : '';
      return result('failed', `${action} failed${partly}: ${err.message}`, { error: err.toJSON() });
    };
    const done = async (rollout: KubeObject, reason: string): Promise<ActionResult> =>
      result('applied', reason, this.recordEvents ? { event: await this.recordEvent(action, rollout, detail, request) } : {});

    while (attempts < this.maxAttempts) {
      attempts++;
      let object: KubeObject;
      try {
        object = await this.read();
      } catch (err) {
        return failed(err);
      }
      const state = readRolloutState(object);
      if (applied.length === 0) {
        const plan = planFor(action, state, request);
        detail = plan.detail;
        // "Already done" first: it is the most precise reason a repeated action has.
        if (!changes(object, plan.steps)) return result('skipped', plan.noop);
        const skip = guard(action, state, request.expect, request.full === true);
        if (skip !== undefined) return result('skipped', skip);
        pending = [...plan.steps];
      } else {
        // Part of the plan landed before a conflict: only finish it, never re-decide (a fresh
        // promote decision on the moved rollout would skip a second step).
        const moved = identityMoved(state, request.expect);
        if (moved !== undefined) return done(object, `${PAST_TENSE[action]} partly (${namesOf(applied)}); stopped: ${moved}`);
        pending = pending.filter((step) => changes(object, [step]));
      }
      try {
        let resourceVersion = state.resourceVersion;
        while (pending.length > 0) {
          const [step, ...rest] = pending;
          if (step === undefined) break;
          const written = await this.write(step, resourceVersion);
          applied.push(written.patch);
          resourceVersion = written.patch.resourceVersion;
          object = written.object;
          pending = written.fellBack ? [] : rest;
        }
      } catch (err) {
        if (err instanceof ConflictError) continue;
        return failed(err);
      }
      return done(object, `${PAST_TENSE[action]} (${detail}): ${namesOf(applied)}`);
    }
    return result('failed', `${action} gave up after ${attempts} attempts: the Rollout kept changing between read and write (409 Conflict each time)`, {
      error: { code: 'Conflict', status: 409, reason: 'Conflict', message: `${attempts} consecutive conflicts`, target: `rollouts.argoproj.io ${this.namespace}/${this.name}` },
    });
  }

  /** Sends one step conditional on `resourceVersion`, falling back as the plugin does. */
  private async write(step: Step, resourceVersion: string): Promise<{ object: KubeObject; patch: AppliedPatch; fellBack: boolean }> {
    const send = async (patch: NamedPatch, subresource: 'status' | undefined): Promise<{ object: KubeObject; patch: AppliedPatch }> => {
      const object = await this.kube.patch(RESOURCES.rollouts, this.name, { strategy: patch.strategy, body: patch.body }, {
        namespace: this.namespace,
        resourceVersion,
        ...(subresource ? { subresource } : {}),
      });
      return {
        object,
        patch: { name: patch.name, strategy: patch.strategy, ...(subresource ? { subresource } : {}), body: patch.body, resourceVersion: object.metadata?.resourceVersion ?? '' },
      };
    };
    try {
      return { ...(await send(step.patch, step.subresource)), fellBack: false };
    } catch (err) {
      // A Rollout CRD without a status subresource (Argo < v0.10) answers 404 on /status.
      if (!(err instanceof NotFoundError) || step.subresource !== 'status' || step.fallback === undefined) throw err;
      return { ...(await send(step.fallback, undefined)), fellBack: true };
    }
  }

  private async recordEvent(action: RolloutAction, rollout: KubeObject, detail: string, request: ActionRequest): Promise<{ name?: string; error?: string }> {
    const cause = request.cause ?? {};
    const why =
      cause.runName !== undefined
        ? `AnalysisRun "${cause.runName}"${cause.phase ? ` ended ${cause.phase}` : ''}${cause.message ? `: ${cause.message}` : ''}`
        : cause.requestedBy !== undefined
          ? `requested by ${cause.requestedBy}`
          : 'no cause given';
    const warning = action === 'abort' || (cause.phase !== undefined && cause.phase !== 'Successful');
    const verb = PAST_TENSE[action];
    try {
      const event = await this.kube.recordEvent({
        involvedObject: rollout,
        reason: request.full && action === 'advance' ? 'MetricgatePromotedFull' : EVENT_REASON[action],
        message: `${verb.charAt(0).toUpperCase()}${verb.slice(1)} by metricgate (${detail}) because ${why}`,
        type: warning ? 'Warning' : 'Normal',
        action: action.charAt(0).toUpperCase() + action.slice(1),
      });
      return { name: event.metadata?.name };
    } catch (err) {
      if (err instanceof KubeError) return { error: err.message };
      throw err;
    }
  }
}

/** What an action writes from a given state. */
function planFor(action: RolloutAction, state: RolloutState, request: ActionRequest): Plan {
  switch (action) {
    case 'pause':
      return { steps: [{ patch: ROLLOUT_PATCHES.pause }], detail: 'spec.paused=true', noop: 'already paused (spec.paused is true)' };
    case 'abort':
      return { steps: [{ patch: ROLLOUT_PATCHES.abort, subresource: 'status', fallback: ROLLOUT_PATCHES.abort }], detail: 'status.abort=true', noop: 'already aborted (status.abort is true)' };
    case 'retry':
      return {
        steps: [{ patch: ROLLOUT_PATCHES.retry, subresource: 'status', fallback: ROLLOUT_PATCHES.retry }],
        detail: 'status.abort=false',
        noop: 'not aborted (status.abort is not true); nothing to retry',
      };
    case 'advance': {
      const plan = planPromote(state, { full: request.full === true });
      const steps: Step[] = [];
      if (plan.status) steps.push({ patch: plan.status, subresource: 'status', fallback: plan.unified });
      if (plan.spec) steps.push({ patch: plan.spec });
      const detail = plan.nextStepIndex !== undefined ? `${plan.branch} → step ${plan.nextStepIndex}` : plan.branch;
      return { steps, detail, noop: request.full ? 'already fully promoted: nothing to promote' : `nothing to promote (${plan.branch}: not paused, no step to skip)` };
    }
  }
}

/** `clear-pause-conditions on /status, unpause`. */
function namesOf(applied: readonly AppliedPatch[]): string {
  return applied.map((p) => `${p.name}${p.subresource ? ` on /${p.subresource}` : ''}`).join(', ');
}

/** True when sending `steps` to `object` would change it. */
function changes(object: KubeObject, steps: readonly Step[]): boolean {
  let after: unknown = object;
  for (const step of steps) after = applyMergePatch(after, step.patch.body);
  return !jsonEqual(after, object);
}

/** Why the rollout is no longer the one the analysis judged (new revision / pod hash). */
function identityMoved(state: RolloutState, expect: Expectation | undefined): string | undefined {
  if (expect?.podHash !== undefined && state.currentPodHash !== expect.podHash) {
    return `the rollout moved on to pod hash ${state.currentPodHash ?? '(none)'}; the analysis judged ${expect.podHash}`;
  }
  if (expect?.revision !== undefined && state.revision !== expect.revision) {
    return `the rollout moved on to revision ${state.revision ?? '(none)'}; the analysis judged revision ${expect.revision}`;
  }
  return undefined;
}

/** Why a verdict decided at `expect` must not be applied to `state`; undefined when it may. */
function guard(action: RolloutAction, state: RolloutState, expect: Expectation | undefined, full: boolean): string | undefined {
  if (expect === undefined) return undefined;
  const moved = identityMoved(state, expect);
  if (moved !== undefined) return moved;
  if (action === 'retry') return undefined;
  if (expect.stepIndex !== undefined && (state.currentStepIndex ?? 0) !== expect.stepIndex) {
    return `the rollout is at step ${state.currentStepIndex ?? 0}, the analysis judged step ${expect.stepIndex}: someone already moved it`;
  }
  if (state.stableRS !== undefined && state.stableRS === state.currentPodHash) {
    return `the rollout is already fully promoted (stable pod hash ${state.stableRS})`;
  }
  if (state.abort && action !== 'abort') return 'the rollout is aborted; retry it first';
  if (action === 'advance' && (expect.paused ?? true) && !state.paused && state.pauseConditions.length === 0 && !full) {
    return `the rollout is no longer paused at step ${state.currentStepIndex ?? 0}: the pause was already cleared (by an earlier attempt or a human)`;
  }
  return undefined;
}
