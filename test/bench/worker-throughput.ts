/**
 * @module bench/worker-throughput
 * DESIGN.md §8: "worker throughput with a fast provider ≥ 0.7 × BullMQ's own no-op job throughput
 * on the same Redis". Both sides process the same number of jobs with the same concurrency, queue
 * name, hash-tagged prefix style, connection handling, worker settings and job options
 * (deterministic ids, attempts/backoff, KEEP_JOBS retention); only the processor differs.
 *
 * Baseline: K no-op jobs, all enqueued before the worker starts.
 * Candidate: metricgate's worker (`startWorker`, provider answering instantly) taking K
 * measurements: R runs × C measurements each, interval 1ms. Every measurement job reads the run,
 * assesses it, writes it with the Lua compare-and-set and enqueues the run's next measurement —
 * that chaining is inherent (it is how a run advances), so it is counted as part of metricgate's
 * work. The R first jobs are enqueued (by `RunService.submit`) before the worker starts; R ≫
 * concurrency keeps every worker slot busy although each run's chain is sequential.
 *
 * Throughput on both sides = (K − 1) / (last completion − first completion).
 */
import { Queue, Worker, type Job } from 'bullmq';
import { systemClock } from '../../src/engine/index.js';
import { JOB, KEEP_JOBS, RUN_QUEUE, connectRedis, measureJobId, parseRunRequest, startWorker } from '../../src/queue/index.js';
import { createMetrics } from '../../src/telemetry/metrics.js';
import { benchRun, fastProviders, pool, wire } from './fixtures.js';
import { printResult, progress, type BenchResult } from './report.js';
import { round } from './stats.js';

export interface WorkerThroughputOptions {
  readonly redisUrl: string;
  readonly concurrency?: number;
  /** Runs in the candidate (each a sequential chain of `count` jobs). */
  readonly runs?: number;
  readonly count?: number;
  /** Measured rounds per side, alternated (A B A B) so drift hits both. */
  readonly rounds?: number;
}

/** The job options BullScheduler.measure uses, so both sides pay the same BullMQ bookkeeping. */
const MEASURE_JOB_OPTS = { attempts: 20, backoff: { type: 'exponential', delay: 250 }, ...KEEP_JOBS } as const;

/** Same settings startWorker gives BullMQ (lock 10 s, stalled check every 5 s). */
const WORKER_SETTINGS = { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 10 } as const;

interface Round {
  readonly jobs: number;
  readonly seconds: number;
  readonly jobsPerSecond: number;
  /** CPU per job in this process and in redis-server, µs: where the time goes. */
  readonly nodeCpuUsPerJob: number;
  readonly redisCpuUsPerJob: number;
}

/** CPU seconds redis-server has used so far (INFO cpu), to split a job's cost between client and server. */
async function redisCpuSeconds(redisUrl: string): Promise<number> {
  const client = connectRedis(redisUrl);
  try {
    const info = await client.info('cpu');
    const field = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
    return field('used_cpu_user') + field('used_cpu_sys');
  } finally {
    await client.quit();
  }
}

interface CpuMark {
  readonly node: NodeJS.CpuUsage;
  readonly redis: number;
}

async function cpuMark(redisUrl: string): Promise<CpuMark> {
  return { node: process.cpuUsage(), redis: await redisCpuSeconds(redisUrl) };
}

async function rate(times: readonly bigint[], redisUrl: string, since: CpuMark): Promise<Round> {
  const node = process.cpuUsage(since.node);
  const redis = (await redisCpuSeconds(redisUrl)) - since.redis;
  const first = times[0];
  const last = times[times.length - 1];
  if (first === undefined || last === undefined || times.length < 2) throw new Error('too few completions to time');
  const seconds = Number(last - first) / 1e9;
  return {
    jobs: times.length,
    seconds,
    jobsPerSecond: (times.length - 1) / seconds,
    nodeCpuUsPerJob: (node.user + node.system) / times.length,
    redisCpuUsPerJob: (redis * 1e6) / times.length,
  };
}

/** Waits for `n` matching completions on `worker`, recording when each happened. */
function completions(worker: Worker, n: number, matches: (job: Job, result: unknown) => boolean, outcomes: Map<string, number>): Promise<bigint[]> {
  return new Promise((resolve, reject) => {
    const times: bigint[] = [];
    worker.on('completed', (job, result) => {
      const key = `${job.name}: ${String(result).split(';')[0] ?? ''}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      if (!matches(job, result)) return;
      times.push(process.hrtime.bigint());
      if (times.length === n) resolve(times);
    });
    worker.on('failed', (job, err) => reject(new Error(`job ${job?.id ?? '?'} failed: ${err.message}`)));
  });
}

interface ChainJob {
  readonly uid: string;
  readonly metric: string;
  readonly metricIndex: number;
  readonly index: number;
  readonly dueAt: number;
}

/**
 * BullMQ alone. `chain` > 1 makes each no-op job enqueue its successor 1 ms later, as a measurement
 * does (diagnostic: the cost of chaining on BullMQ, without metricgate's store work).
 */
async function baselineRound(redisUrl: string, prefix: string, jobs: number, concurrency: number, chain = 1): Promise<Round> {
  const connection = connectRedis(redisUrl, { forWorker: true });
  const queue = new Queue(RUN_QUEUE, { connection, prefix });
  const now = Date.now();
  const heads = Math.ceil(jobs / chain);
  for (let start = 0; start < heads; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, heads - start) }, (_, k) => {
      const uid = `00000000-0000-4000-8000-${String(start + k).padStart(12, '0')}`;
      return { name: JOB.measure, data: { uid, metric: 'error-ratio', metricIndex: 0, index: 0, dueAt: now }, opts: { jobId: measureJobId(uid, 0, 0), ...MEASURE_JOB_OPTS } };
    });
    await queue.addBulk(batch);
  }
  const processor = async (job: Job<ChainJob>): Promise<string> => {
    const next = { ...job.data, index: job.data.index + 1, dueAt: Date.now() + 1 };
    if (next.index < chain) await queue.add(JOB.measure, next, { jobId: measureJobId(next.uid, 0, next.index), delay: 1, ...MEASURE_JOB_OPTS });
    return 'ok';
  };
  const worker = new Worker(RUN_QUEUE, processor, { connection, prefix, concurrency, ...WORKER_SETTINGS, autorun: false });
  const done = completions(worker, heads * chain, () => true, new Map());
  const mark = await cpuMark(redisUrl);
  void worker.run();
  const times = await done;
  const round_ = await rate(times, redisUrl, mark);
  await worker.close();
  await queue.close();
  await connection.quit().catch(() => undefined);
  return round_;
}

async function candidateRound(redisUrl: string, prefix: string, runs: number, count: number, concurrency: number, outcomes: Map<string, number>): Promise<Round> {
  const w = wire(redisUrl, prefix);
  const body = parseRunRequest({ analysisRun: benchRun({ name: 'throughput', count, interval: '1ms' }) });
  if (!body.request) throw new Error(`bench run request invalid: ${JSON.stringify(body.issues)}`);
  const request = body.request;
  await pool(runs, 50, async () => {
    await w.service.submit(request, 'bench');
  });
  const mark = await cpuMark(redisUrl);
  const worker = startWorker(w.blocking, { store: w.store, service: w.service, providers: fastProviders, clock: systemClock, logger: w.logger, metrics: createMetrics() }, { prefix, concurrency });
  const times = await completions(worker, runs * count, (job, result) => job.name === JOB.measure && String(result).startsWith('recorded'), outcomes);
  const round_ = await rate(times, redisUrl, mark);
  await worker.close();
  const phases = await w.store.countByPhase();
  await w.close();
  if (phases.Successful !== runs) throw new Error(`expected ${runs} Successful runs, got ${JSON.stringify(phases)}`);
  return round_;
}

export async function benchWorkerThroughput(options: WorkerThroughputOptions): Promise<BenchResult[]> {
  const concurrency = options.concurrency ?? 50;
  const runs = options.runs ?? 500;
  const count = options.count ?? 20;
  const rounds = options.rounds ?? 3;
  const jobs = runs * count;
  // Warm-up big enough that every code path (store scripts, delayed-job promotion, the engine) is
  // JIT-compiled before anything is timed; a small one left the first measured round 2x slower.
  progress(`worker throughput: warm-up (4000 no-op jobs, 4000 chained; 200 runs x 20 measurements)`);
  await baselineRound(options.redisUrl, '{bench-bullmq-warm}', 4000, concurrency);
  await baselineRound(options.redisUrl, '{bench-chain-warm}', 4000, concurrency, 20);
  await candidateRound(options.redisUrl, '{bench-mg-warm}', 200, 20, concurrency, new Map());

  const baseline: Round[] = [];
  const chained: Round[] = [];
  const candidate: Round[] = [];
  const outcomes = new Map<string, number>();
  const line = (what: string, r: Round): string =>
    `${what} ${r.jobsPerSecond.toFixed(0)} jobs/s (${r.jobs} in ${r.seconds.toFixed(2)} s; CPU/job: node ${r.nodeCpuUsPerJob.toFixed(0)} µs, redis ${r.redisCpuUsPerJob.toFixed(0)} µs)`;
  for (let r = 0; r < rounds; r++) {
    // Order rotates so no side always runs on a Redis warmed (or fragmented) by the other.
    const order = r % 2 === 0 ? (['b', 'x', 'c'] as const) : (['c', 'x', 'b'] as const);
    for (const side of order) {
      if (side === 'b') {
        const b = await baselineRound(options.redisUrl, `{bench-bullmq-${r}}`, jobs, concurrency);
        baseline.push(b);
        progress(`worker throughput round ${r + 1}/${rounds}: ${line('BullMQ no-op', b)}`);
      } else if (side === 'x') {
        const x = await baselineRound(options.redisUrl, `{bench-chain-${r}}`, jobs, concurrency, count);
        chained.push(x);
        progress(`worker throughput round ${r + 1}/${rounds}: ${line('BullMQ no-op chained (diagnostic)', x)}`);
      } else {
        const c = await candidateRound(options.redisUrl, `{bench-mg-${r}}`, runs, count, concurrency, outcomes);
        candidate.push(c);
        progress(`worker throughput round ${r + 1}/${rounds}: ${line('metricgate', c)}`);
      }
    }
  }
  // Totals over all rounds: one slow round is averaged in, not dropped.
  const total = (rs: readonly Round[]): number => rs.reduce((a, r) => a + r.jobs - 1, 0) / rs.reduce((a, r) => a + r.seconds, 0);
  const cpu = (rs: readonly Round[]): { nodeUsPerJob: number; redisUsPerJob: number } => ({
    nodeUsPerJob: round(rs.reduce((a, r) => a + r.nodeCpuUsPerJob, 0) / rs.length, 1),
    redisUsPerJob: round(rs.reduce((a, r) => a + r.redisCpuUsPerJob, 0) / rs.length, 1),
  });
  const show = (rs: readonly Round[]): unknown[] => rs.map((r) => ({ jobs: r.jobs, seconds: round(r.seconds), jobsPerSecond: round(r.jobsPerSecond, 1) }));
  const b = total(baseline);
  const x = total(chained);
  const c = total(candidate);
  const result: BenchResult = {
    name: 'worker throughput, fast provider',
    target: 'candidate >= 0.7 x BullMQ no-op jobs/s (DESIGN.md §8)',
    baseline: b,
    candidate: c,
    ratio: c / b,
    unit: 'jobs/s',
    pass: c / b >= 0.7,
    details: {
      method:
        `same Redis (--hz 100), concurrency ${concurrency}, queue "${RUN_QUEUE}" under a hash-tagged prefix, BullScheduler's job options, startWorker's lock/stall settings; ` +
        `baseline = ${jobs} no-op jobs enqueued before the worker starts; candidate = startWorker() with a provider answering [0.1] at once, ` +
        `${runs} runs x ${count} measurements (interval 1ms), first jobs enqueued by RunService.submit before the worker starts; ` +
        'each candidate job = read run, measure, assess, Lua CAS write, enqueue next measurement 1 ms later (or complete the run). ' +
        `throughput = (jobs - 1) / (last - first completion), summed over ${rounds} rounds (order rotated) after a warm-up of each side.`,
      chaining:
        'enqueueing the next measurement is inherent to metricgate (it is how a run advances); the diagnostic "chained" baseline is BullMQ no-op jobs that each enqueue ' +
        'their successor 1 ms later exactly like that, so candidate/chained isolates what the store work (read, CAS write) costs.',
      baselineRounds: show(baseline),
      candidateRounds: show(candidate),
      chainedBaselineJobsPerSecond: round(x, 1),
      chainedBaselineRounds: show(chained),
      candidateVsChainedRatio: round(c / x),
      perRoundRatios: candidate.map((cr, i) => round(cr.jobsPerSecond / (baseline[i]?.jobsPerSecond ?? Number.NaN))),
      cpuPerJobMicros: { baseline: cpu(baseline), chained: cpu(chained), candidate: cpu(candidate) },
      candidateJobOutcomes: Object.fromEntries(outcomes),
    },
  };
  printResult(result);
  progress(`  chained BullMQ (diagnostic): ${x.toFixed(0)} jobs/s; metricgate / chained = ${(c / x).toFixed(3)}`);
  return [result];
}
