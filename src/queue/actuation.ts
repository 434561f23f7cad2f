/**
 * @module queue/actuation
 * Applies a finished run's verdict to its target (the `actuate` job). The decision is the verdict
 * policy's; the write is the target's, guarded by the state the analysis ran at. The outcome is
 * recorded on the run (annotation `metricgate.io/actuation`), so the API and dashboard show what
 * was done and why.
 *
 * Exactly-once comes from the target, not from this job: a worker killed between the patch and
 * the bookkeeping re-runs the job, the target re-reads the rollout, finds it already aborted (or
 * no longer paused at the judged step) and writes nothing.
 */
import { ArgoRolloutTarget, actOn, decideAction, resolveVerdictPolicy, type ActionResult, type KubeObjects } from '../actuators/index.js';
import { mutateRun, type RunStore } from '../engine/index.js';
import { isCompleted, type AnalysisRun } from '../model/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { ServiceMetrics } from '../telemetry/metrics.js';
import { targetSchema } from './run-request.js';
import { TARGET_SPEC_ANNOTATION } from './run-service.js';

/** Annotation holding the recorded actuation result (JSON). */
export const ACTUATION_ANNOTATION = 'metricgate.io/actuation';

/** What is stored on the run: enough to explain the action without the full patch bodies. */
export interface ActuationRecord {
  readonly action: ActionResult['action'];
  readonly outcome: ActionResult['outcome'];
  readonly reason: string;
  /** Why this action: the policy decision. */
  readonly decision: string;
  readonly patches: readonly string[];
  readonly at: string;
}

/** Reads the actuation recorded on a run, if any. */
export function actuationOf(run: AnalysisRun): ActuationRecord | undefined {
  const raw = run.metadata.annotations?.[ACTUATION_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as ActuationRecord;
  } catch {
    return undefined;
  }
}

export class Actuator {
  constructor(
    private readonly deps: { store: RunStore; kube: KubeObjects; logger: Logger; metrics?: ServiceMetrics; now?: () => number },
  ) {}

  /** Applies the verdict of run `uid`. Throws (so the job retries) only when the cluster is unreachable. */
  async apply(uid: string): Promise<ActuationRecord | undefined> {
    const stored = await this.deps.store.get(uid);
    const run = stored?.run;
    if (!run || !isCompleted(run.status?.phase)) return undefined;
    const existing = actuationOf(run);
    if (existing) return existing;
    const spec = targetSchema.safeParse(JSON.parse(run.metadata.annotations?.[TARGET_SPEC_ANNOTATION] ?? 'null'));
    if (!spec.success) {
      this.deps.logger.warn({ run: uid }, 'run has no valid target; nothing to actuate');
      return undefined;
    }
    const target = spec.data;
    const decision = decideAction(run.status?.phase, resolveVerdictPolicy(target.policy));
    const rollout = new ArgoRolloutTarget(this.deps.kube, target.namespace, target.name);
    const result = await actOn(rollout, decision.action, {
      expect: {
        ...(target.podHash !== undefined ? { podHash: target.podHash } : {}),
        ...(target.stepIndex !== undefined ? { stepIndex: target.stepIndex, paused: true } : {}),
      },
      cause: { runName: run.metadata.name, phase: run.status?.phase, message: run.status?.message },
    });
    // Unreachable or a 5xx is worth retrying (the job backs off); anything else is recorded as final.
    if (result.outcome === 'failed' && (result.error?.code === 'Unreachable' || result.error?.code === 'Server')) {
      throw new Error(`cannot reach the Kubernetes API to ${decision.action} ${target.namespace}/${target.name}: ${result.reason}`);
    }
    const record: ActuationRecord = {
      action: result.action,
      outcome: result.outcome,
      reason: result.reason,
      decision: decision.reason,
      patches: result.patches.map((p) => p.name),
      at: new Date(this.deps.now?.() ?? Date.now()).toISOString(),
    };
    this.deps.metrics?.actuations.inc({ action: result.action, outcome: result.outcome });
    this.deps.logger.info({ run: uid, target: `${target.namespace}/${target.name}`, ...record }, 'actuation');
    await mutateRun(this.deps.store, uid, ({ run: current }) =>
      actuationOf(current) ? undefined : { ...current, metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, [ACTUATION_ANNOTATION]: JSON.stringify(record) } } },
    );
    return record;
  }
}
