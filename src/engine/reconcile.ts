/**
 * @module engine/reconcile
 * One step of a run, Argo's reconcileAnalysisRun: measure what is due (in parallel), record,
 * assess, trim. The pure functions decide; this only sequences them around the provider calls.
 */
import { isCompleted, type AnalysisRun } from '../model/index.js';
import { assessRun, dueMetrics, initialStatus, recordMeasurement, trimMeasurements } from './assess.js';
import { takeMeasurement, type MeasureOptions } from './measure.js';
import type { RunPlan } from './plan.js';

/** Runs one reconcile at `options.clock.now()` and returns the updated run. Never throws. */
export async function reconcile(run: AnalysisRun, plan: RunPlan, options: Omit<MeasureOptions, 'at'>): Promise<AnalysisRun> {
  const now = options.clock.now();
  let current: AnalysisRun = run.status ? run : { ...run, status: initialStatus(now) };
  if (isCompleted(current.status?.phase)) return current;
  const due = dueMetrics(current, plan, now);
  const measurements = await Promise.all(due.map((metric) => takeMeasurement(metric, plan, { ...options, at: now })));
  let status = current.status ?? initialStatus(now);
  due.forEach((metric, i) => {
    const m = measurements[i];
    if (m) status = recordMeasurement(status, metric, m);
  });
  current = assessRun({ ...current, status }, plan, options.clock.now());
  return { ...current, status: trimMeasurements(current.status ?? status, plan) };
}
