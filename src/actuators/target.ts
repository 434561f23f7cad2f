/**
 * @module actuators/target
 * The RolloutTarget contract (DESIGN.md §3, §4): the four actions a verdict can take on a
 * rollout and the state they are decided on. Two kinds implement it — `argo` (patch the Argo
 * Rollout as `kubectl argo rollouts` does) and, later, `router` (metricgate drives the traffic
 * router itself). Every action is guarded by the state the analysis ran at and returns a result
 * object that callers store on the run, so a retried job can see what was done and why.
 */
import type { AnalysisPhase } from '../model/index.js';
import type { KubeErrorData } from './kube-errors.js';
import type { PatchStrategyName } from './kube.js';
import type { RolloutState } from './rollout-state.js';
import type { VerdictAction } from './verdict.js';

/** What a target can be asked to do. */
export type RolloutAction = 'advance' | 'pause' | 'abort' | 'retry';

/**
 * The rollout state a decision was made at. Before writing, the target re-reads the rollout; if
 * it no longer matches (a new revision, a step moved by a human, already aborted or promoted),
 * nothing is written and the result says why. Omitted fields are not checked; an omitted
 * expectation (a human at the CLI) checks nothing.
 */
export interface Expectation {
  /** `status.currentPodHash` the analysis measured (the canary's `rollouts-pod-template-hash`). */
  readonly podHash?: string;
  /** `rollout.argoproj.io/revision` the analysis measured. */
  readonly revision?: string;
  /** `status.currentStepIndex` the analysis ran at (the step-index label of a step run). */
  readonly stepIndex?: number;
  /**
   * Whether the rollout was paused (pause conditions or `spec.paused`) when the analysis judged
   * it. Clearing a pause step's conditions does not move the step index until the controller
   * reconciles, so the index alone cannot tell "not yet advanced" from "already advanced":
   * with `true`, an advance that finds the rollout no longer paused at the same step writes
   * nothing (an earlier attempt or a human already resumed it). `false` lets an advance skip a
   * running step instead (the plugin's mid-analysis promote). @defaultValue true
   */
  readonly paused?: boolean;
}

/** Why an action is taken; named in the Event recorded on the rollout. */
export interface ActionCause {
  /** The AnalysisRun whose verdict this is. */
  readonly runName?: string;
  /** Its final phase. */
  readonly phase?: AnalysisPhase;
  /** Its verdict message (which metric, which value, which limit). */
  readonly message?: string;
  /** For manual actions: who asked, e.g. `metricgate CLI`. */
  readonly requestedBy?: string;
}

/** Input of every action. */
export interface ActionRequest {
  readonly expect?: Expectation;
  readonly cause?: ActionCause;
  /** `advance` only: promote fully (skip remaining steps, pauses and analyses). @defaultValue false */
  readonly full?: boolean;
}

/** One write that was made. */
export interface AppliedPatch {
  /** Named patch, e.g. `clear-pause-conditions` (see rollout-patches.ts). */
  readonly name: string;
  readonly strategy: PatchStrategyName;
  readonly subresource?: 'status';
  readonly body: unknown;
  /** resourceVersion of the object after the write. */
  readonly resourceVersion: string;
}

/** `applied`: written now; `skipped`: nothing to do or the rollout moved on; `failed`: could not write. */
export type ActionOutcome = 'applied' | 'skipped' | 'failed';

/** What an action did; plain data, stored on the run. */
export interface ActionResult {
  readonly action: RolloutAction | 'none';
  readonly outcome: ActionOutcome;
  /** Why, in one sentence: what was written, or why nothing was. */
  readonly reason: string;
  /** The writes made, in order; empty unless applied (or partly applied before a failure). */
  readonly patches: readonly AppliedPatch[];
  readonly target: { readonly kind: 'argo' | 'router'; readonly namespace: string; readonly name: string };
  /** Reads of the rollout it took (1 + one per conflict). */
  readonly attempts: number;
  /** The Kubernetes failure, when failed. */
  readonly error?: KubeErrorData;
  /** The Event recorded for an applied action; `error` when recording it failed (the action still stands). */
  readonly event?: { readonly name?: string; readonly error?: string };
}

/** A rollout metricgate can act on. */
export interface RolloutTarget {
  readonly kind: 'argo' | 'router';
  readonly namespace: string;
  readonly name: string;
  /** Reads the rollout; fails with NotFoundError when it does not exist. */
  state(): Promise<RolloutState>;
  /** Moves the rollout on: skip the current pause or step, or promote fully with `full`. */
  advance(request?: ActionRequest): Promise<ActionResult>;
  /** Stops progress where it is, until a human promotes. */
  pause(request?: ActionRequest): Promise<ActionResult>;
  /** Sends all traffic back to stable. */
  abort(request?: ActionRequest): Promise<ActionResult>;
  /** Restarts an aborted rollout from the first step. */
  retry(request?: ActionRequest): Promise<ActionResult>;
}

/** Applies a verdict's action to a target; `none` writes nothing and says so. */
export async function actOn(target: RolloutTarget, action: VerdictAction, request: ActionRequest = {}): Promise<ActionResult> {
  switch (action) {
    case 'advance':
      return target.advance(request);
    case 'pause':
      return target.pause(request);
    case 'abort':
      return target.abort(request);
    case 'none':
      return {
        action: 'none',
        outcome: 'skipped',
        reason: 'the verdict policy asks for no action',
        patches: [],
        target: { kind: target.kind, namespace: target.namespace, name: target.name },
        attempts: 0,
      };
  }
}
