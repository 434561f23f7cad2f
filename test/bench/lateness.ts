/**
 * @module bench/lateness
 * DESIGN.md §8: "10,000 concurrent runs (interval 10 s) on one worker: measurement start lateness
 * p99 ≤ 100 ms" and "10,000 runs with measurementRetention 10 hold ≤ 200 MB RSS in the worker".
 *
 * One worker process (test/bench/worker-child.ts, default settings: concurrency 50, plan cache,
 * sweeper, metrics) serves 10,000 runs of one metric each (interval 10 s, count 3, retention 10,
 * provider answering at once). The runs' start times are spread evenly over one interval, as
 * 10,000 runs started at random moments would be, so the worker sees the steady 1,000
 * measurements/s such a fleet produces rather than one 10,000-job burst at t=0.
 *
 * Setup goes through the store and the run service directly (`store.create` + `scheduleAll`, the
 * writes `RunService.submit` makes) with one plan computed for the shared spec — submit would
 * re-validate the identical spec 10,000 times, which costs setup time and measures nothing here.
 * Setup ends before the first run is due, so it never competes with the worker.
 *
 * Lateness = measurement `startedAt` − when it was due (run start for the first measurement,
 * previous `finishedAt` + interval after that — Argo's rule, the one the worker applies), read
 * back from every stored run. The baseline is a plain BullMQ worker in the same kind of process
 * chaining the same 30,000 jobs on the same schedule: lateness of BullMQ's delayed jobs on this
 * Redis, and the RSS of a worker process that holds nothing.
 */
import { randomUUID } from 'node:crypto';
import { iso, initialStatus, planRun, type RunPlan } from '../../src/engine/index.js';
import { ANNOTATIONS, type AnalysisRun } from '../../src/model/index.js';
import { BullScheduler, connectRedis } from '../../src/queue/index.js';
import { benchRun, forkBenchChild, nextMessage, pool, sleep, stopChild, wire } from './fixtures.js';
import { isWorkerChildMessage, type StopMessage, type WorkerChildMessage } from './protocol.js';
import { printResult, progress, type BenchResult } from './report.js';
import { round, rounded, summarize, type Summary } from './stats.js';

export interface LatenessOptions {
  readonly redisUrl: string;
  readonly runs?: number;
  readonly count?: number;
  readonly intervalMs?: number;
}

type Mode = 'bullmq' | 'metricgate';
type Final = Extract<WorkerChildMessage, { type: 'final' }>;

interface ModeResult {
  readonly lateness: Summary;
  /** Worst lateness in each second since the first run was due (candidate only): when stalls happen. */
  readonly worstBySecond: readonly number[];
  /** Per measurement index: the first (after setup) vs the steady state. */
  readonly byIndex: Summary[];
  readonly final: Final;
  readonly setupSeconds: number;
  /** Runs whose first job was written after it was already due (setup overran its lead). */
  readonly createdLate: number;
  readonly anomalies: readonly string[];
}

const MB = 1024 * 1024;

/**
 * Setup speed assumed when choosing how far ahead the first run is due: measured 12,000–25,000
 * runs/s on a 2-core machine; assumed 3,000 so a slower machine still finishes setup in time.
 */
const ASSUMED_SETUP_RUNS_PER_SECOND = 3000;

async function runMode(mode: Mode, options: Required<LatenessOptions>): Promise<ModeResult> {
  const { redisUrl, runs, count, intervalMs } = options;
  const prefix = `{bench-late-${mode}}`;
  const child = forkBenchChild('worker-child.ts', [], {
    BENCH_MODE: mode,
    BENCH_REDIS_URL: redisUrl,
    BENCH_PREFIX: prefix,
    BENCH_COUNT: String(count),
    BENCH_INTERVAL_MS: String(intervalMs),
  });
  try {
    const ready = await nextMessage(child, (m) => (isWorkerChildMessage(m) && m.type === 'ready' ? m : undefined), 'the worker was ready');
    progress(`lateness [${mode}]: worker process ${child.pid ?? '?'} ready, RSS ${(ready.rss / MB).toFixed(1)} MB; creating ${runs} runs`);
    const w = wire(redisUrl, prefix);
    const template = benchRun({ name: 'lateness', count, interval: `${intervalMs / 1000}s` });
    const { plan, issues } = await planRun(template, { secrets: 'resolve' });
    if (!plan) throw new Error(`bench run does not plan: ${JSON.stringify(issues)}`);
    const setupStart = Date.now();
    const firstDue = setupStart + 2000 + Math.ceil((runs / ASSUMED_SETUP_RUNS_PER_SECOND) * 1000);
    const dueOf = (i: number): number => firstDue + Math.floor((i * intervalMs) / runs);
    const uids: string[] = [];
    let createdLate = 0;
    const scheduler = new BullScheduler(w.queue);
    // In due order, so if setup ever overran, only the last runs would be affected (and counted).
    await pool(runs, 100, async (i) => {
      const uid = randomUUID();
      uids[i] = uid;
      const due = dueOf(i);
      if (mode === 'metricgate') await createRun(w, template, plan, uid, i, due);
      else await scheduler.measure({ uid, metric: 'error-ratio', metricIndex: 0, index: 0, dueAt: due }, due - Date.now());
      if (Date.now() > due) createdLate++;
    });
    const setupSeconds = (Date.now() - setupStart) / 1000;
    progress(`lateness [${mode}]: ${runs} runs set up in ${setupSeconds.toFixed(1)} s; first due in ${((firstDue - Date.now()) / 1000).toFixed(1)} s, last ${((dueOf(runs - 1) - Date.now()) / 1000).toFixed(1)} s`);

    const expected = runs * count;
    const cap = dueOf(runs - 1) + count * intervalMs + 60_000;
    let completed = 0;
    const onProgress = (m: unknown): void => {
      if (isWorkerChildMessage(m) && m.type === 'progress') completed = m.completed;
    };
    child.on('message', onProgress);
    let lastReport = 0;
    while (completed < expected && Date.now() < cap) {
      await sleep(250);
      if (Date.now() - lastReport >= 5000) {
        lastReport = Date.now();
        progress(`lateness [${mode}]: ${completed}/${expected} measurements taken`);
      }
    }
    child.off('message', onProgress);
    const finalP = nextMessage(child, (m) => (isWorkerChildMessage(m) && m.type === 'final' ? m : undefined), 'the final report');
    const stop: StopMessage = { type: 'stop' };
    child.send(stop);
    const final = await finalP;
    const anomalies: string[] = [];
    if (final.completed < expected) anomalies.push(`only ${final.completed}/${expected} measurements taken before the ${Math.round((cap - firstDue) / 1000)} s cap`);
    let samples: number[][];
    const worstBySecond: number[] = [];
    if (mode === 'metricgate') samples = await latenessFromRuns(w, uids, intervalMs, count, anomalies, firstDue, worstBySecond);
    else samples = [final.lateness.slice()];
    await w.close();
    const all = samples.flat();
    return {
      lateness: summarize(all),
      worstBySecond,
      byIndex: mode === 'metricgate' ? samples.map((s) => summarize(s)) : [],
      final,
      setupSeconds,
      createdLate,
      anomalies,
    };
  } finally {
    await stopChild(child);
  }
}

async function createRun(w: ReturnType<typeof wire>, template: AnalysisRun, plan: RunPlan, uid: string, i: number, due: number): Promise<void> {
  // What submit stores: the metric's effective scope recorded, status Running from its start.
  const scopes: Record<string, string> = {};
  for (const m of plan.metrics) scopes[`${ANNOTATIONS.scopePrefix}${m.name}`] = m.scope;
  const run: AnalysisRun = {
    ...template,
    metadata: { ...template.metadata, name: `lateness-${i}`, uid, creationTimestamp: iso(Date.now()), annotations: { ...template.metadata.annotations, ...scopes } },
    status: initialStatus(due),
  };
  const { stored } = await w.store.create(run);
  await w.service.scheduleAll(stored.run, plan);
}

/** Lateness of every measurement, grouped by measurement index, from the stored runs. */
async function latenessFromRuns(
  w: ReturnType<typeof wire>,
  uids: readonly string[],
  intervalMs: number,
  count: number,
  anomalies: string[],
  firstDue: number,
  worstBySecond: number[],
): Promise<number[][]> {
  const byIndex: number[][] = Array.from({ length: count }, () => []);
  const phases = new Map<string, number>();
  for (let start = 0; start < uids.length; start += 1000) {
    const batch = uids.slice(start, start + 1000);
    const stored = await Promise.all(batch.map((uid) => w.store.get(uid)));
    for (const s of stored) {
      const status = s?.run.status;
      phases.set(status?.phase ?? 'missing', (phases.get(status?.phase ?? 'missing') ?? 0) + 1);
      const ms = status?.metricResults[0]?.measurements ?? [];
      if (ms.length !== count) anomalies.push(`run ${s?.run.metadata.uid ?? '?'} has ${ms.length} measurements`);
      ms.forEach((m, i) => {
        const prev = ms[i - 1];
        const due = i === 0 ? Date.parse(status?.startedAt ?? '') : Date.parse(prev?.finishedAt ?? '') + intervalMs;
        const late = Date.parse(m.startedAt ?? '') - due;
        byIndex[i]?.push(late);
        const second = Math.max(0, Math.floor((due - firstDue) / 1000));
        worstBySecond[second] = Math.max(worstBySecond[second] ?? 0, late);
      });
    }
  }
  if (phases.get('Successful') !== uids.length) anomalies.push(`run phases ${JSON.stringify(Object.fromEntries(phases))}`);
  return byIndex;
}

function roundAll(o: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v, 1)]));
}

export async function benchLateness(options: LatenessOptions): Promise<BenchResult[]> {
  const opts: Required<LatenessOptions> = { runs: 10_000, count: 3, intervalMs: 10_000, ...options };
  const results: Partial<Record<Mode, ModeResult>> = {};
  for (const mode of ['bullmq', 'metricgate'] as const) {
    results[mode] = await runMode(mode, opts);
    const r = results[mode];
    progress(
      `lateness [${mode}]: p50 ${r.lateness.p50} ms, p99 ${r.lateness.p99} ms, max ${r.lateness.max} ms over ${r.lateness.n} measurements; ` +
        `peak RSS ${(r.final.peakRss / MB).toFixed(1)} MB; worker CPU ${r.final.cpuSeconds.toFixed(1)} s; event-loop delay p99 ${r.final.loopDelay.p99.toFixed(1)} ms, max ${r.final.loopDelay.max.toFixed(0)} ms` +
        `${r.anomalies.length ? `; anomalies: ${r.anomalies.slice(0, 3).join('; ')}` : ''}`,
    );
    if (r.worstBySecond.length > 0) progress(`lateness [${mode}]: worst lateness per second since the first due (ms): ${Array.from(r.worstBySecond, (v) => v ?? 0).join(' ')}`);
    // A clean Redis for the next mode, so neither pays for the other's leftovers.
    const redis = connectRedis(opts.redisUrl);
    await redis.flushall();
    await redis.quit();
  }
  const b = results.bullmq;
  const c = results.metricgate;
  if (!b || !c) throw new Error('a lateness mode did not run');
  const method =
    `${opts.runs} runs x ${opts.count} measurements, interval ${opts.intervalMs / 1000}s, starts spread evenly over one interval ` +
    `(≈${Math.round(opts.runs / (opts.intervalMs / 1000))} measurements/s), one worker child process at default settings, provider answering at once, Redis --hz 100; ` +
    'setup via store.create + RunService.scheduleAll, finished before the first run is due; lateness = startedAt - due (run start, then previous finishedAt + interval) from every stored run; ' +
    'baseline = plain BullMQ worker child (same concurrency/lock settings and job options) chaining the same jobs on the same schedule, lateness = processor start - dueAt. RSS sampled every 100 ms in the child.';
  const common = {
    method,
    setupSeconds: { baseline: round(b.setupSeconds, 1), candidate: round(c.setupSeconds, 1) },
    jobsWrittenAfterDue: { baseline: b.createdLate, candidate: c.createdLate },
    anomalies: { baseline: b.anomalies.slice(0, 10), candidate: c.anomalies.slice(0, 10) },
  };
  const lateness: BenchResult = {
    name: '10k runs: measurement start lateness p99',
    target: 'candidate p99 <= 100 ms (DESIGN.md §8)',
    baseline: b.lateness.p99,
    candidate: c.lateness.p99,
    ratio: c.lateness.p99 / b.lateness.p99,
    unit: 'ms',
    pass: c.lateness.p99 <= 100 && c.anomalies.length === 0,
    details: {
      ...common,
      baselineMs: rounded(b.lateness),
      candidateMs: rounded(c.lateness),
      candidateByMeasurementIndex: c.byIndex.map((s) => rounded(s)),
      workerCpuSeconds: { baseline: round(b.final.cpuSeconds, 2), candidate: round(c.final.cpuSeconds, 2) },
      eventLoopDelayMs: { baseline: roundAll(b.final.loopDelay), candidate: roundAll(c.final.loopDelay) },
      candidateWorstLatenessBySecondMs: Array.from(c.worstBySecond, (v) => v ?? 0),
      candidateOutcomes: c.final.outcomes,
      baselineOutcomes: b.final.outcomes,
    },
  };
  const rss: BenchResult = {
    name: '10k runs: worker peak RSS',
    target: 'candidate peak RSS <= 200 MB (DESIGN.md §8)',
    baseline: b.final.peakRss / MB,
    candidate: c.final.peakRss / MB,
    ratio: c.final.peakRss / b.final.peakRss,
    unit: 'MB',
    pass: c.final.peakRss / MB <= 200,
    details: {
      ...common,
      rssAtReadyMB: { baseline: round(b.final.rssAtReady / MB, 1), candidate: round(c.final.rssAtReady / MB, 1) },
      rssGrowthMB: { baseline: round((b.final.peakRss - b.final.rssAtReady) / MB, 1), candidate: round((c.final.peakRss - c.final.rssAtReady) / MB, 1) },
      rssNote:
        'both children run TypeScript through tsx, which adds RSS (≈30 MB for a BullMQ-only process, ≈80 MB for the metricgate worker) over `node dist/`; ' +
        'rssGrowthMB (peak - idle after start) is what serving the runs costs, independent of how the code was loaded',
      peakHeapUsedMB: { baseline: round(b.final.peakHeapUsed / MB, 1), candidate: round(c.final.peakHeapUsed / MB, 1) },
    },
  };
  printResult(lateness);
  progress(`  baseline p50/p99/max ${b.lateness.p50}/${b.lateness.p99}/${b.lateness.max} ms; metricgate p50/p99/max ${c.lateness.p50}/${c.lateness.p99}/${c.lateness.max} ms`);
  printResult(rss);
  progress(
    `  RSS idle after start: baseline ${(b.final.rssAtReady / MB).toFixed(0)} MB, metricgate ${(c.final.rssAtReady / MB).toFixed(0)} MB; ` +
      `growth under load: baseline ${((b.final.peakRss - b.final.rssAtReady) / MB).toFixed(0)} MB, metricgate ${((c.final.peakRss - c.final.rssAtReady) / MB).toFixed(0)} MB (children run through tsx)`,
  );
  return [lateness, rss];
}
