/**
 * @module bench/worker-child
 * One worker process for the 10,000-runs benchmark, so its RSS is its own and its event loop is
 * not shared with the harness. `BENCH_MODE=metricgate` wires the worker role exactly as
 * `startService` does (two connections, queue, Redis store, run service, sweeper, metrics,
 * `startWorker` at default settings) with a provider that answers at once. `BENCH_MODE=bullmq`
 * is the baseline: a plain BullMQ worker with the same settings that only chains each job to its
 * next one `interval` later — the least a scheduler of measurements must do.
 *
 * The metricgate modules are imported only in metricgate mode, so the baseline's memory is
 * BullMQ's and Node's, not metricgate's code.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Queue, Worker, type Job } from 'bullmq';
import { connectRedis } from '../../src/queue/connection.js';
import { JOB, RUN_QUEUE, measureJobId } from '../../src/queue/names.js';
import { KEEP_JOBS } from '../../src/queue/producer.js';
import { isStop, type WorkerChildMessage } from './protocol.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined) throw new Error(`${name} is required`);
  return v;
};

const mode = env('BENCH_MODE');
const redisUrl = env('BENCH_REDIS_URL');
const prefix = env('BENCH_PREFIX');
const count = Number(env('BENCH_COUNT'));
const intervalMs = Number(env('BENCH_INTERVAL_MS'));

function send(message: WorkerChildMessage, then?: () => void): void {
  process.send?.(message, undefined, {}, () => then?.());
}

let peakRss = 0;
let peakHeapUsed = 0;
function sampleMemory(): number {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeapUsed = Math.max(peakHeapUsed, m.heapUsed);
  return m.rss;
}
const memoryTimer = setInterval(sampleMemory, 100);

interface Started {
  readonly worker: Worker;
  /** Whether a completed job counts as one measurement taken. */
  readonly counts: (job: Job, result: unknown) => boolean;
  readonly lateness: number[];
  close(): Promise<void>;
}

async function startMetricgate(): Promise<Started> {
  const [{ systemClock }, queueModule, { createLogger }, { createMetrics }, { fastProviders }] = await Promise.all([
    import('../../src/engine/index.js'),
    import('../../src/queue/index.js'),
    import('../../src/telemetry/logger.js'),
    import('../../src/telemetry/metrics.js'),
    import('./fixtures.js'),
  ]);
  const { BullScheduler, RedisRunStore, RedisTemplateStore, RunService, Sweeper, startWorker } = queueModule;
  const logger = createLogger({ level: 'warn' });
  const redis = connectRedis(redisUrl);
  const blocking = connectRedis(redisUrl, { forWorker: true });
  const metrics = createMetrics();
  const queue = new Queue(RUN_QUEUE, { connection: blocking, prefix });
  const store = new RedisRunStore(redis, { prefix });
  const templates = new RedisTemplateStore(redis, { prefix });
  const service = new RunService({ store, templates, scheduler: new BullScheduler(queue), clock: systemClock, logger, metrics });
  const sweeper = new Sweeper({ store, queue, service, clock: systemClock, logger });
  sweeper.start();
  const worker = startWorker(blocking, { store, service, providers: fastProviders, clock: systemClock, logger, metrics }, { prefix });
  return {
    worker,
    counts: (job, result) => job.name === JOB.measure && String(result).startsWith('recorded'),
    lateness: [],
    close: async () => {
      await sweeper.stop();
      await worker.close();
      await queue.close();
      await Promise.all([redis.quit().catch(() => undefined), blocking.quit().catch(() => undefined)]);
    },
  };
}

async function startBaseline(): Promise<Started> {
  const connection = connectRedis(redisUrl, { forWorker: true });
  const queue = new Queue(RUN_QUEUE, { connection, prefix });
  const lateness: number[] = [];
  const worker = new Worker(
    RUN_QUEUE,
    async (job: Job<{ uid: string; metric: string; metricIndex: number; index: number; dueAt: number }>) => {
      const started = Date.now();
      const data = job.data;
      lateness.push(started - data.dueAt);
      if (data.index + 1 < count) {
        const next = { ...data, index: data.index + 1, dueAt: Date.now() + intervalMs };
        await queue.add(JOB.measure, next, {
          jobId: measureJobId(next.uid, next.metricIndex, next.index),
          delay: intervalMs,
          attempts: 20,
          backoff: { type: 'exponential', delay: 250 },
          ...KEEP_JOBS,
        });
      }
      return 'ok';
    },
    { connection, prefix, concurrency: 50, lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 10 },
  );
  return {
    worker,
    counts: (job) => job.name === JOB.measure,
    lateness,
    close: async () => {
      await worker.close();
      await queue.close();
      await connection.quit().catch(() => undefined);
    },
  };
}

async function main(): Promise<void> {
  const started = mode === 'metricgate' ? await startMetricgate() : mode === 'bullmq' ? await startBaseline() : undefined;
  if (!started) throw new Error(`BENCH_MODE must be metricgate or bullmq, got ${mode}`);
  let completed = 0;
  const outcomes: Record<string, number> = {};
  started.worker.on('completed', (job, result) => {
    const key = `${job.name}: ${String(result).split(';')[0] ?? ''}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    if (started.counts(job, result)) completed++;
  });
  started.worker.on('failed', (job, err) => {
    const key = `failed: ${err.message.slice(0, 80)}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    process.stderr.write(`worker-child: job ${job?.id ?? '?'} failed: ${err.message}\n`);
  });
  await started.worker.waitUntilReady();
  const rssAtReady = sampleMemory();
  const cpuAtReady = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  send({ type: 'ready', rss: rssAtReady });
  const progressTimer = setInterval(() => send({ type: 'progress', completed, rss: sampleMemory() }), 500);
  process.on('message', (message: unknown) => {
    if (!isStop(message)) return;
    clearInterval(progressTimer);
    loop.disable();
    const cpu = process.cpuUsage(cpuAtReady);
    const loopDelay = { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
    void started.close().then(() => {
      clearInterval(memoryTimer);
      // Exit once the message is flushed; a lingering handle must not keep the benchmark waiting.
      send({ type: 'final', completed, rssAtReady, peakRss, peakHeapUsed, cpuSeconds: (cpu.user + cpu.system) / 1e6, loopDelay, lateness: started.lateness, outcomes }, () =>
        process.exit(0),
      );
    });
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`worker-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
