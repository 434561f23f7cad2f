/**
 * @module actuators/rollout-state
 * What metricgate reads from an Argo `Rollout` (reference §4, "Rollout status fields"), parsed
 * from the API server's JSON without trusting its shape: a missing or mistyped field reads as
 * absent, never as an exception, because a half-reconciled Rollout is normal.
 */
import { isJsonObject, type JsonObject } from './merge-patch.js';
import type { KubeObject } from './kube.js';

/** Annotation the Argo controller puts on a Rollout (and its runs) with the revision number. */
export const REVISION_ANNOTATION = 'rollout.argoproj.io/revision';

/** One entry of `status.pauseConditions`. */
export interface PauseCondition {
  /** `CanaryPauseStep`, `InconclusiveAnalysisRun`, `BlueGreenPause`, `InconclusiveExperiment`. */
  readonly reason: string;
  readonly startTime?: string;
}

/** A Rollout as the actuator sees it. */
export interface RolloutState {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  /** resourceVersion the state was read at; writes are conditional on it. */
  readonly resourceVersion: string;
  readonly generation?: number;
  /** `rollout.argoproj.io/revision`. */
  readonly revision?: string;
  readonly strategy: 'canary' | 'blueGreen' | 'unknown';
  /** `len(spec.strategy.canary.steps)`; 0 for blue-green or a canary without steps. */
  readonly stepCount: number;
  /** `spec.paused`: a user pause. */
  readonly paused: boolean;
  readonly pauseConditions: readonly PauseCondition[];
  /** `status.controllerPause`: the controller paused (pause step, inconclusive analysis). */
  readonly controllerPause: boolean;
  /** `status.currentStepIndex`; absent before the controller set it. */
  readonly currentStepIndex?: number;
  /** `status.currentPodHash`: the newest revision's pod-template hash. */
  readonly currentPodHash?: string;
  /** `status.stableRS`: the stable revision's pod-template hash. */
  readonly stableRS?: string;
  readonly abort: boolean;
  readonly abortedAt?: string;
  readonly promoteFull: boolean;
  /** `status.phase`: Progressing, Paused, Healthy, Degraded. */
  readonly phase?: string;
  readonly message?: string;
  /** `status.canary.currentStepAnalysisRunStatus`. */
  readonly currentStepAnalysisRun?: { readonly name?: string; readonly status?: string; readonly message?: string };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): JsonObject => (isJsonObject(v) ? v : {});

/** Reads a Rollout object; never throws. */
export function readRolloutState(rollout: KubeObject): RolloutState {
  const meta = obj(rollout.metadata);
  const spec = obj(rollout['spec']);
  const status = obj(rollout['status']);
  const strategy = obj(spec['strategy']);
  const canary = isJsonObject(strategy['canary']) ? strategy['canary'] : undefined;
  const steps = canary !== undefined && Array.isArray(canary['steps']) ? canary['steps'] : [];
  const stepRun = obj(status['canary'])['currentStepAnalysisRunStatus'];
  const conditions = Array.isArray(status['pauseConditions']) ? status['pauseConditions'].filter(isJsonObject) : [];
  const index = status['currentStepIndex'];
  const generation = meta['generation'];
  const annotations = obj(meta['annotations']);
  return {
    namespace: str(meta['namespace']) ?? 'default',
    name: str(meta['name']) ?? '',
    uid: str(meta['uid']),
    resourceVersion: str(meta['resourceVersion']) ?? '',
    generation: typeof generation === 'number' ? generation : undefined,
    revision: str(annotations[REVISION_ANNOTATION]),
    strategy: canary !== undefined ? 'canary' : isJsonObject(strategy['blueGreen']) ? 'blueGreen' : 'unknown',
    stepCount: steps.length,
    paused: spec['paused'] === true,
    pauseConditions: conditions.map((c) => ({ reason: str(c['reason']) ?? '', ...(str(c['startTime']) ? { startTime: str(c['startTime']) } : {}) })),
    controllerPause: status['controllerPause'] === true,
    currentStepIndex: typeof index === 'number' && Number.isInteger(index) && index >= 0 ? index : undefined,
    currentPodHash: str(status['currentPodHash']),
    stableRS: str(status['stableRS']),
    abort: status['abort'] === true,
    abortedAt: str(status['abortedAt']),
    promoteFull: status['promoteFull'] === true,
    phase: str(status['phase']),
    message: str(status['message']),
    currentStepAnalysisRun: isJsonObject(stepRun) ? { name: str(stepRun['name']), status: str(stepRun['status']), message: str(stepRun['message']) } : undefined,
  };
}
