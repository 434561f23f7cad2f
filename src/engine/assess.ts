/**
 * @module engine/assess
 * The pure decision core: Argo Rollouts' analysis semantics (analysis/analysis.go
 * generateMetricTasks, assessMetricStatus, assessMetricFailureInconclusiveOrError,
 * assessRunStatus, calculateNextReconcileTime, garbageCollectMeasurements) as functions of
 * (run, plan, now). No I/O, no timers, no Date.now(): the same inputs always give the same run.
 *
 * The traps are kept because they are the semantics users' templates rely on — a metric fails
 * only when failed > failureLimit; errors do not count toward `count`; terminate means
 * Successful unless a limit was already violated — but every message says which rule decided.
 */
import { formatDuration, isCompleted, type AnalysisPhase, type AnalysisRun, type AnalysisRunStatus, type Measurement, type MetricResult, type RunSummary } from '../model/index.js';
import { iso, parseIso } from './clock.js';
import type { PlannedMetric, RunPlan } from './plan.js';

/** Argo's DefaultErrorRetryInterval: an errored measurement is retried after 10 s, whatever the interval. */
export const ERROR_RETRY_INTERVAL_MS = 10_000;

/** Best to worst (Argo's analysisStatusOrder); the run takes the worst completed metric phase. */
const PHASE_ORDER: readonly AnalysisPhase[] = ['Successful', 'Running', 'Pending', 'Inconclusive', 'Error', 'Failed'];

/** True when `candidate` is strictly worse than `current`. */
export function isWorse(current: AnalysisPhase, candidate: AnalysisPhase): boolean {
  return PHASE_ORDER.indexOf(candidate) > PHASE_ORDER.indexOf(current);
}

/** A fresh status for a run starting at `now`. */
export function initialStatus(now: number): AnalysisRunStatus {
  return { phase: 'Running', metricResults: [], startedAt: iso(now) };
}

/** Argo's IsTerminating: terminate was requested, or a non-dry-run metric ended badly. */
export function isTerminating(run: AnalysisRun): boolean {
  if (run.spec.terminate) return true;
  return (run.status?.metricResults ?? []).some((r) => !r.dryRun && (r.phase === 'Failed' || r.phase === 'Error' || r.phase === 'Inconclusive'));
}

function resultOf(status: AnalysisRunStatus | undefined, name: string): MetricResult | undefined {
  return status?.metricResults.find((r) => r.name === name);
}

function lastOf(result: MetricResult | undefined): Measurement | undefined {
  return result?.measurements[result.measurements.length - 1];
}

/** Total measurements ever taken for a metric, errors included; trimming does not change it. */
export function measurementsTaken(result: MetricResult | undefined): number {
  return result ? result.count + result.error : 0;
}

/**
 * When a metric is next due, or undefined when it needs no more measurements. A value <= now
 * means "due now". Mirrors generateMetricTasks + calculateNextReconcileTime (errors retry after
 * 10 s; `initialDelay` counts from the run's start).
 */
export function dueAt(run: AnalysisRun, metric: PlannedMetric): number | undefined {
  const result = resultOf(run.status, metric.name);
  if (result && isCompleted(result.phase)) return undefined;
  const last = lastOf(result);
  if (!last) {
    const started = parseIso(run.status?.startedAt);
    if (Number.isNaN(started)) return undefined;
    return started + (metric.initialDelayMs ?? 0);
  }
  if (last.finishedAt === undefined) return undefined; // in flight (asynchronous providers)
  if (metric.count !== undefined && (result?.count ?? 0) >= metric.count) return undefined;
  const finished = parseIso(last.finishedAt);
  if (last.phase === 'Error') {
    // A rate-limited backend said when to come back; hammering it every 10 s only extends the ban.
    const asked = Number(last.metadata?.['retryAfterMs'] ?? 0);
    return finished + Math.max(ERROR_RETRY_INTERVAL_MS, Number.isFinite(asked) ? asked : 0);
  }
  if (metric.intervalMs === undefined) return undefined;
  return finished + metric.intervalMs;
}

/** Metrics to measure at `now` (none while terminating). */
export function dueMetrics(run: AnalysisRun, plan: RunPlan, now: number): PlannedMetric[] {
  if (isTerminating(run) || isCompleted(run.status?.phase)) return [];
  return plan.metrics.filter((m) => {
    const at = dueAt(run, m);
    return at !== undefined && at <= now;
  });
}

/** Earliest time anything is due, for the next wake-up; undefined when nothing is scheduled. */
export function nextWakeAt(run: AnalysisRun, plan: RunPlan): number | undefined {
  if (isCompleted(run.status?.phase)) return undefined;
  let earliest: number | undefined;
  for (const m of plan.metrics) {
    const at = dueAt(run, m);
    if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
  }
  return earliest;
}

/**
 * Measurement metadata that is the same for every measurement of a metric (the resolved query,
 * the scope) is kept once on the metric result, where Argo keeps its ResolvedPrometheusQuery, and
 * only on a measurement when it differs. Runs stay small, which is most of what a worker moves
 * through Redis per measurement.
 */
export const METRIC_LEVEL_METADATA = ['query', 'scope', 'scopeLabel'] as const;

function hoistMetricMetadata(
  current: Readonly<Record<string, string>> | undefined,
  m: Measurement,
): { measurement: Measurement; metadata?: Record<string, string> } {
  if (!m.metadata) return { measurement: m };
  const own: Record<string, string> = { ...m.metadata };
  let metadata: Record<string, string> | undefined;
  for (const key of METRIC_LEVEL_METADATA) {
    const value = own[key];
    if (value === undefined) continue;
    if (current?.[key] === undefined && metadata?.[key] === undefined) {
      metadata = { ...(metadata ?? current), [key]: value };
      delete own[key];
    } else if (current?.[key] === value) delete own[key];
  }
  const rest = Object.keys(own).length > 0 ? { metadata: own } : {};
  const { metadata: _dropped, ...base } = m;
  return { measurement: { ...base, ...rest }, ...(metadata ? { metadata } : {}) };
}

/** Appends a completed measurement and updates the counters exactly as Argo's runMeasurements does. */
export function recordMeasurement(status: AnalysisRunStatus, metric: PlannedMetric, measurement: Measurement): AnalysisRunStatus {
  const prev: MetricResult = resultOf(status, metric.name) ?? {
    name: metric.name,
    phase: 'Running',
    measurements: [],
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    consecutiveError: 0,
    consecutiveSuccess: 0,
    ...(metric.dryRun ? { dryRun: true } : {}),
  };
  const { measurement: slim, metadata } = hoistMetricMetadata(prev.metadata, measurement);
  const next = { ...prev, ...(metadata ? { metadata } : {}), measurements: [...prev.measurements, slim] };
  switch (measurement.phase) {
    case 'Successful':
      Object.assign(next, { successful: prev.successful + 1, count: prev.count + 1, consecutiveError: 0, consecutiveSuccess: prev.consecutiveSuccess + 1 });
      break;
    case 'Failed':
      Object.assign(next, { failed: prev.failed + 1, count: prev.count + 1, consecutiveError: 0, consecutiveSuccess: 0 });
      break;
    case 'Inconclusive':
      Object.assign(next, { inconclusive: prev.inconclusive + 1, count: prev.count + 1, consecutiveError: 0, consecutiveSuccess: 0 });
      break;
    case 'Error':
      Object.assign(next, { error: prev.error + 1, consecutiveError: prev.consecutiveError + 1, consecutiveSuccess: 0 });
      break;
    default:
      break;
  }
  return { ...status, metricResults: upsert(status.metricResults, next) };
}

function upsert(results: readonly MetricResult[], result: MetricResult): MetricResult[] {
  const i = results.findIndex((r) => r.name === result.name);
  if (i < 0) return [...results, result];
  const copy = [...results];
  copy[i] = result;
  return copy;
}

/** Why a limit ended a metric: Argo's wording, kept so existing alerts and greps still match. */
interface LimitVerdict {
  readonly phase: AnalysisPhase;
  readonly reason: string;
}

/** Argo's assessMetricFailureInconclusiveOrError: later checks override earlier ones. */
export function limitVerdict(metric: PlannedMetric, r: MetricResult): LimitVerdict | undefined {
  let verdict: LimitVerdict | undefined;
  if (metric.failureLimit >= 0 && r.failed > metric.failureLimit) {
    verdict = { phase: 'Failed', reason: `failed (${r.failed}) > failureLimit (${metric.failureLimit})` };
  }
  if (r.inconclusive > metric.inconclusiveLimit) {
    verdict = { phase: 'Inconclusive', reason: `inconclusive (${r.inconclusive}) > inconclusiveLimit (${metric.inconclusiveLimit})` };
  }
  if (r.consecutiveError > metric.consecutiveErrorLimit) {
    verdict = { phase: 'Error', reason: `consecutiveErrors (${r.consecutiveError}) > consecutiveErrorLimit (${metric.consecutiveErrorLimit})` };
  }
  return verdict;
}

/** Argo's assessMetricStatus, returning also the rule that decided. */
export function assessMetric(metric: PlannedMetric, r: MetricResult, terminating: boolean): { phase: AnalysisPhase; rule?: string } {
  if (isCompleted(r.phase)) return { phase: r.phase };
  if (r.measurements.length === 0) return terminating ? { phase: 'Successful', rule: 'terminated' } : { phase: 'Pending' };
  const last = lastOf(r);
  if (last && !isCompleted(last.phase)) return { phase: 'Running' };
  const limit = limitVerdict(metric, r);
  if (limit) return { phase: limit.phase, rule: limit.reason };
  const csl = metric.consecutiveSuccessLimit;
  if (csl > 0 && r.consecutiveSuccess >= csl) return { phase: 'Successful', rule: `consecutiveSuccess (${r.consecutiveSuccess}) >= consecutiveSuccessLimit (${csl})` };
  if (metric.count !== undefined && r.count >= metric.count) {
    const failureApplicable = metric.failureLimit >= 0;
    if (csl > 0) {
      const rule = `consecutiveSuccessLimit (${csl}) not reached in ${r.count} measurements (count ${metric.count})`;
      return { phase: failureApplicable ? 'Inconclusive' : 'Failed', rule };
    }
    return { phase: 'Successful', rule: `count (${metric.count}) reached` };
  }
  if (terminating) return { phase: 'Successful', rule: 'terminated' };
  return { phase: 'Running' };
}

/**
 * Reassesses every metric and the run (Argo's assessRunStatus). If a metric just ended badly the
 * run becomes terminating, and — as Argo's controller does on the status update that follows —
 * it is assessed once more right away, so the run completes in the same step.
 */
export function assessRun(run: AnalysisRun, plan: RunPlan, now: number): AnalysisRun {
  let next = assessOnce(run, plan, now);
  if (!isCompleted(next.status?.phase) && !isTerminating(run) && isTerminating(next)) next = assessOnce(next, plan, now);
  return next;
}

function assessOnce(run: AnalysisRun, plan: RunPlan, now: number): AnalysisRun {
  const status = run.status ?? initialStatus(now);
  if (isCompleted(status.phase)) return run;
  const terminating = isTerminating(run);
  let results = [...status.metricResults];
  let worst: AnalysisPhase | undefined;
  let worstMessage = run.spec.terminate ? 'Run Terminated' : '';
  let everythingCompleted = true;
  const summary = emptySummary();
  const drySummary = emptySummary();

  for (const metric of plan.metrics) {
    (metric.dryRun ? drySummary : summary).count++;
    const r = results.find((x) => x.name === metric.name);
    if (!r) {
      everythingCompleted = false;
      continue;
    }
    const { phase, rule } = assessMetric(metric, r, terminating);
    let current = r;
    if (phase !== r.phase) {
      current = { ...r, phase, message: isCompleted(phase) ? metricMessage(metric, r, phase, rule) : lastOf(r)?.message };
      results = upsert(results, current);
    }
    if (!isCompleted(phase)) {
      everythingCompleted = false;
      continue;
    }
    tally(metric.dryRun ? drySummary : summary, phase);
    if (metric.dryRun) {
      // Dry-run metrics are measured and reported but never decide the run.
      if (worst === undefined) worst = 'Successful';
      continue;
    }
    if (worst === undefined || isWorse(worst, phase)) {
      worst = phase;
      const limit = limitVerdict(metric, current);
      if (limit) worstMessage = `Metric "${metric.name}" assessed ${phase} due to ${limit.reason}: ${current.message ?? ''}`.trim();
      else if (phase !== 'Successful') worstMessage = `Metric "${metric.name}" assessed ${phase}: ${current.message ?? ''}`.trim();
    }
  }

  let phase: AnalysisPhase;
  let message = worstMessage.trim();
  if (terminating) phase = worst ?? 'Successful';
  else if (!everythingCompleted || worst === undefined) {
    phase = 'Running';
    message = '';
  } else phase = worst;

  const nextStatus: AnalysisRunStatus = {
    ...status,
    phase,
    message: message || undefined,
    metricResults: results,
    runSummary: summary,
    dryRunSummary: drySummary,
    ...(isCompleted(phase) && !status.completedAt ? { completedAt: iso(now) } : {}),
  };
  return { ...run, status: nextStatus };
}

function emptySummary(): { count: number; successful: number; failed: number; inconclusive: number; error: number } {
  return { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
}

function tally(summary: { -readonly [K in keyof RunSummary]: number }, phase: AnalysisPhase): void {
  if (phase === 'Failed') summary.failed++;
  else if (phase === 'Error') summary.error++;
  else if (phase === 'Inconclusive') summary.inconclusive++;
  else summary.successful++;
}

/** Keeps the newest `retention` measurements of each metric (Argo's garbageCollectMeasurements). */
export function trimMeasurements(status: AnalysisRunStatus, plan: RunPlan): AnalysisRunStatus {
  let changed = false;
  const results = status.metricResults.map((r) => {
    const keep = plan.metrics.find((m) => m.name === r.name)?.retention;
    if (keep === undefined || r.measurements.length <= keep) return r;
    changed = true;
    return { ...r, measurements: r.measurements.slice(r.measurements.length - keep) };
  });
  return changed ? { ...status, metricResults: results } : status;
}

/**
 * The metric's final message: which rule decided, the counts, and the last relevant measurement
 * (value, condition, query) — the cause Argo's messages leave out (argo-rollouts #2741, #404).
 */
function metricMessage(metric: PlannedMetric, r: MetricResult, phase: AnalysisPhase, rule: string | undefined): string {
  const taken = r.count;
  const lastWith = (p: AnalysisPhase): Measurement | undefined => [...r.measurements].reverse().find((m) => m.phase === p);
  const cause = (m: Measurement | undefined): string => {
    if (!m) return '';
    const query = (m.metadata?.['query'] ?? r.metadata?.['query'])?.replace(/\s+/g, ' ').trim();
    return `${m.message ?? `value ${m.value ?? '?'}`}${query ? ` (query: ${query})` : ''}`;
  };
  switch (phase) {
    case 'Failed':
      if (rule?.startsWith('consecutiveSuccessLimit')) {
        return `${rule}; longest streak ended by: ${cause(lastWith('Failed') ?? lastWith('Inconclusive'))}`.replace(/; longest streak ended by: $/, '');
      }
      return `${r.failed} of ${taken} measurements failed (failureLimit ${metric.failureLimit}); last: ${cause(lastWith('Failed'))}`;
    case 'Inconclusive':
      if (rule?.startsWith('consecutiveSuccessLimit')) return `${rule} and failureLimit (${metric.failureLimit}) not exceeded`;
      return `${r.inconclusive} of ${taken} measurements inconclusive (inconclusiveLimit ${metric.inconclusiveLimit}); last: ${cause(lastWith('Inconclusive'))}`;
    case 'Error':
      return `${r.consecutiveError} consecutive errors (consecutiveErrorLimit ${metric.consecutiveErrorLimit}, retried every ${formatDuration(ERROR_RETRY_INTERVAL_MS)}); last: ${cause(lastWith('Error'))}`;
    case 'Successful': {
      if (rule === 'terminated') {
        return taken === 0 ? 'run terminated before any measurement' : `run terminated after ${taken} measurement${taken === 1 ? '' : 's'}; no limit was violated`;
      }
      const notes: string[] = [];
      // Argo's most reported surprise (#2026, #4479): failures within the limit still pass.
      if (r.failed > 0) notes.push(`${r.failed} failed, allowed by failureLimit ${metric.failureLimit}`);
      if (r.inconclusive > 0) notes.push(`${r.inconclusive} inconclusive, allowed by inconclusiveLimit ${metric.inconclusiveLimit}`);
      if (r.error > 0) notes.push(`${r.error} errored (not counted)`);
      const head = rule?.startsWith('consecutiveSuccess (') ? rule : `${r.successful} of ${taken} measurements successful`;
      return notes.length ? `${head}; ${notes.join('; ')}` : head;
    }
    default:
      return lastOf(r)?.message ?? '';
  }
}
