/**
 * @module engine/runner
 * Runs an analysis to completion in-process (the one-shot CLI and tests): reconcile, sleep until
 * the next measurement is due, repeat. With a virtual clock nothing waits, so a 30-minute
 * analysis over history replays in milliseconds with exactly the timing a live run would have.
 */
import { isCompleted, type AnalysisRun } from '../model/index.js';
import { nextWakeAt } from './assess.js';
import type { MeasureOptions } from './measure.js';
import type { RunPlan } from './plan.js';
import { reconcile } from './reconcile.js';

export interface RunToCompletionOptions extends Omit<MeasureOptions, 'at'> {
  /** Terminate an open-ended run this long (ms) after it starts; undefined runs until done. */
  readonly durationMs?: number;
  /** Called after every reconcile, e.g. to print progress. */
  readonly onUpdate?: (run: AnalysisRun) => void;
}

/** Drives `run` until it reaches a final phase; an aborted `signal` terminates it (Argo terminate). */
export async function runToCompletion(run: AnalysisRun, plan: RunPlan, options: RunToCompletionOptions): Promise<AnalysisRun> {
  const { clock, signal } = options;
  const deadline = options.durationMs !== undefined ? clock.now() + options.durationMs : undefined;
  let current = run;
  for (;;) {
    current = await reconcile(current, plan, options);
    options.onUpdate?.(current);
    if (isCompleted(current.status?.phase)) return current;
    const wake = nextWakeAt(current, plan);
    const terminateAt = signal?.aborted ? clock.now() : deadline;
    if (terminateAt !== undefined && (wake === undefined || wake >= terminateAt)) {
      await clock.sleepUntil(terminateAt, signal);
      current = { ...current, spec: { ...current.spec, terminate: true } };
      continue;
    }
    if (wake === undefined) {
      // Nothing is scheduled yet nothing is complete: only an in-flight asynchronous measurement
      // could cause this, which the synchronous providers never leave behind. Stop rather than spin.
      current = { ...current, spec: { ...current.spec, terminate: true } };
      continue;
    }
    await clock.sleepUntil(wake, signal);
  }
}
