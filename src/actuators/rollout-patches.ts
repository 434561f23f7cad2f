/**
 * @module actuators/rollout-patches
 * The patches `kubectl argo rollouts` sends (reference §4), as named data, and the plugin's
 * promote decision tree (`promote.go` `getPatches`) as a pure function. Keeping them here, apart
 * from the code that sends them, makes "exactly as the plugin does" a table a test can check row
 * by row, and gives every write a name that shows up in results and Events.
 */
import type { RolloutState } from './rollout-state.js';

/** A JSON merge patch with a stable name. Every Rollout patch the plugin sends is a merge patch. */
export interface NamedPatch {
  readonly name: string;
  readonly strategy: 'merge';
  readonly body: Readonly<Record<string, unknown>>;
}

const merge = (name: string, body: Record<string, unknown>): NamedPatch => Object.freeze({ name, strategy: 'merge', body: Object.freeze(body) });

/** The fixed patches (pause.go, abort.go, retry.go, promote.go). */
export const ROLLOUT_PATCHES = {
  /** `pause`: a user pause on the main resource. */
  pause: merge('pause', { spec: { paused: true } }),
  /** `abort`: on the status subresource. */
  abort: merge('abort', { status: { abort: true } }),
  /** `retry rollout`: on the status subresource. */
  retry: merge('retry', { status: { abort: false } }),
  /** `promote` spec half when `spec.paused`. */
  unpause: merge('unpause', { spec: { paused: false } }),
  /** `promote` status half when pause conditions are set. */
  clearPauseConditions: merge('clear-pause-conditions', { status: { pauseConditions: null } }),
  /** Unified fallback of a default promote (no status subresource). */
  unpauseAndClearPauseConditions: merge('unpause-and-clear-pause-conditions', { spec: { paused: false }, status: { pauseConditions: null } }),
  /** `promote --full` status half. */
  promoteFull: merge('promote-full', { status: { promoteFull: true } }),
  /** Unified fallback of `promote --full`. */
  unpauseAndPromoteFull: merge('unpause-and-promote-full', { spec: { paused: false }, status: { promoteFull: true } }),
} as const;

/** `promote` status half after an Inconclusive step analysis (fix for argoproj/argo-rollouts #3015). */
export function clearPauseConditionsAndControllerPause(stepIndex: number): NamedPatch {
  return merge('clear-pause-conditions-and-controller-pause', { status: { pauseConditions: null, controllerPause: false, currentStepIndex: stepIndex } });
}

/** `promote` status half that skips the current (analysis or experiment) step. */
export function clearPauseConditionsWithStep(stepIndex: number): NamedPatch {
  return merge('clear-pause-conditions-and-skip-step', { status: { pauseConditions: null, currentStepIndex: stepIndex } });
}

/** Unified fallback of a step-skipping promote. */
export function unpauseAndClearPauseConditionsWithStep(stepIndex: number): NamedPatch {
  return merge('unpause-clear-pause-conditions-and-skip-step', { spec: { paused: false }, status: { pauseConditions: null, currentStepIndex: stepIndex } });
}

/** Which row of the decision tree applied. */
export type PromoteBranch =
  /** `--full`. */
  | 'full'
  /** (a) canary, Inconclusive step analysis, pause conditions and controllerPause: clear both and move past the step. */
  | 'inconclusive-step'
  /** (b) pause conditions set: clear them and let the controller move on. */
  | 'clear-pause-conditions'
  /** (c) canary with steps, nothing paused by the controller: skip the current step (a running analysis, say). */
  | 'skip-step'
  /** None of the above (blue-green not paused by the controller, canary without steps): at most unpause. */
  | 'unpause-only';

/**
 * What one promote sends, in the plugin's order: `status` on the status subresource first, then
 * `spec` on the main resource. When the status subresource answers 404 (a CRD without it), the
 * plugin sends `unified` to the main resource instead of both.
 */
export interface PromotePlan {
  readonly branch: PromoteBranch;
  readonly status?: NamedPatch;
  readonly spec?: NamedPatch;
  readonly unified: NamedPatch;
  /** The step index the status patch sets, when it sets one. */
  readonly nextStepIndex?: number;
}

/** The fields the decision tree reads. */
export type PromoteInput = Pick<RolloutState, 'strategy' | 'stepCount' | 'paused' | 'pauseConditions' | 'controllerPause' | 'currentStepIndex' | 'currentPodHash' | 'stableRS' | 'currentStepAnalysisRun'>;

/**
 * The plugin's current step index: 0 when unset, none for a rollout without canary steps
 * (utils/replicaset `GetCurrentCanaryStep`), and the next one capped at `len(steps)`.
 */
function nextStep(rollout: PromoteInput): number | undefined {
  if (rollout.strategy !== 'canary' || rollout.stepCount === 0) return undefined;
  const index = rollout.currentStepIndex ?? 0;
  return index < rollout.stepCount ? index + 1 : index;
}

/**
 * `kubectl argo rollouts promote [--full]` (promote.go `getPatches`). The deprecated
 * `--skip-current-step` / `--skip-all-steps` flags are not offered.
 */
export function planPromote(rollout: PromoteInput, options: { readonly full?: boolean } = {}): PromotePlan {
  const spec = rollout.paused ? ROLLOUT_PATCHES.unpause : undefined;
  if (options.full) {
    return {
      branch: 'full',
      ...(spec ? { spec } : {}),
      ...(rollout.currentPodHash !== rollout.stableRS ? { status: ROLLOUT_PATCHES.promoteFull } : {}),
      unified: ROLLOUT_PATCHES.unpauseAndPromoteFull,
    };
  }
  const base = { ...(spec ? { spec } : {}), unified: ROLLOUT_PATCHES.unpauseAndClearPauseConditions };
  const inconclusive = rollout.strategy === 'canary' && rollout.currentStepAnalysisRun?.status === 'Inconclusive';
  if (inconclusive && rollout.pauseConditions.length > 0 && rollout.controllerPause) {
    // Without moving the index the rollout would stay stuck if the next step is a pause (#3015).
    const next = nextStep(rollout);
    return next === undefined ? { branch: 'inconclusive-step', ...base } : { branch: 'inconclusive-step', ...base, status: clearPauseConditionsAndControllerPause(next), nextStepIndex: next };
  }
  if (rollout.pauseConditions.length > 0) return { branch: 'clear-pause-conditions', ...base, status: ROLLOUT_PATCHES.clearPauseConditions };
  if (rollout.strategy === 'canary') {
    // Clear pause conditions or move the index, never both: this is the mid-analysis promote.
    const next = nextStep(rollout);
    if (next !== undefined) {
      return { branch: 'skip-step', ...base, status: clearPauseConditionsWithStep(next), unified: unpauseAndClearPauseConditionsWithStep(next), nextStepIndex: next };
    }
  }
  return { branch: 'unpause-only', ...base };
}
