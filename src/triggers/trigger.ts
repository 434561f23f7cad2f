/**
 * @module triggers/trigger
 * The Trigger contract: something that notices when analysis is due and asks for runs. Triggers
 * never measure and never patch a rollout — they enqueue run requests (and may ask for runs that
 * lost their purpose to be terminated) — which keeps them stateless and safe to restart.
 */
import type { AnalysisRun } from '../model/index.js';
import type { RunRequest } from '../queue/index.js';
import type { Logger } from '../telemetry/logger.js';

/** What a trigger may do. */
export interface TriggerContext {
  /** Starts a run (idempotent when the request carries an idempotencyKey). */
  submit(request: RunRequest): Promise<{ run: AnalysisRun; created: boolean }>;
  /** Ends a run that is no longer wanted (Successful unless a limit was already violated). */
  terminate(uid: string, reason: string): Promise<void>;
  /** Whether a run for this idempotency key already exists (lets a trigger skip re-reading templates). */
  exists(idempotencyKey: string): Promise<boolean>;
  /** Running runs acting on a target (`argo:<namespace>/<name>`). */
  runningFor(target: string): Promise<readonly AnalysisRun[]>;
  readonly logger: Logger;
}

export interface Trigger {
  readonly kind: string;
  /** Starts watching; resolves to a function that stops it. */
  start(ctx: TriggerContext): Promise<() => Promise<void>>;
}
