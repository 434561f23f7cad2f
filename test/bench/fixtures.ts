/**
 * @module bench/fixtures
 * What the benchmarks share: the provider that answers instantly (so the queue path, not a
 * backend, is what gets measured), the AnalysisRuns they submit, the Redis wiring the service
 * itself uses, and starting helper processes. Kept in one place so the benchmarks cannot drift
 * apart on what "a measurement" or "a run" is.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { systemClock, type ProviderSet } from '../../src/engine/index.js';
import type { AnalysisRun } from '../../src/model/index.js';
import type { MetricProvider, RawResult } from '../../src/providers/index.js';
import { BullScheduler, RUN_QUEUE, RedisRunStore, RedisTemplateStore, RunService, connectRedis, type RedisClient } from '../../src/queue/index.js';
import { createLogger, type Logger } from '../../src/telemetry/logger.js';

export const BENCH_DIR = import.meta.dirname;
export const ROOT = join(BENCH_DIR, '../..');

/** The realistic query of the benchmarks: a 5xx ratio, as in queries/prometheus/http.yaml. */
export const ERROR_RATIO_QUERY = 'sum(rate(http_requests_total{service="checkout",code=~"5.."}[5m])) / sum(rate(http_requests_total{service="checkout"}[5m]))';

const FAST_RESULT: RawResult = { value: [0.1], display: '[0.1]' };

/** A provider that answers at once, so the benchmark measures metricgate, not a backend. */
export const fastProvider: MetricProvider<unknown> = {
  measure: async () => FAST_RESULT,
  describe: () => ({}),
};

/** Every metric names kind `prometheus` (so planning validates and scopes a real query), but this answers. */
export const fastProviders: ProviderSet = new Map([['prometheus', fastProvider]]);

export interface RunShape {
  readonly name: string;
  readonly count: number;
  readonly interval: string;
  readonly initialDelay?: string;
  /** Where the prometheus block points; unused by the fast provider. @defaultValue an unreachable address */
  readonly address?: string;
  readonly query?: string;
}

/** A one-metric AnalysisRun, scoped to the canary like the queries/ templates are. */
export function benchRun(shape: RunShape): AnalysisRun {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name: shape.name, namespace: 'shop', annotations: { 'metricgate.io/scope': 'canary' } },
    spec: {
      measurementRetention: [{ metricName: 'error-ratio', limit: 10 }],
      metrics: [
        {
          name: 'error-ratio',
          interval: shape.interval,
          count: shape.count,
          ...(shape.initialDelay !== undefined ? { initialDelay: shape.initialDelay } : {}),
          successCondition: 'result[0] < 0.5',
          failureLimit: 0,
          provider: { prometheus: { address: shape.address ?? 'http://127.0.0.1:9', query: shape.query ?? ERROR_RATIO_QUERY } },
        },
      ],
    },
  };
}

/** Store, templates, queue and run service wired exactly as `startService` wires them. */
export interface Wiring {
  readonly redis: RedisClient;
  readonly blocking: RedisClient;
  readonly queue: Queue;
  readonly store: RedisRunStore;
  readonly service: RunService;
  readonly logger: Logger;
  close(): Promise<void>;
}

export function wire(redisUrl: string, prefix: string, logger: Logger = createLogger({ level: 'warn' })): Wiring {
  const redis = connectRedis(redisUrl);
  const blocking = connectRedis(redisUrl, { forWorker: true });
  const queue = new Queue(RUN_QUEUE, { connection: blocking, prefix });
  const store = new RedisRunStore(redis, { prefix });
  const templates = new RedisTemplateStore(redis, { prefix });
  const service = new RunService({ store, templates, scheduler: new BullScheduler(queue), clock: systemClock, logger });
  return {
    redis,
    blocking,
    queue,
    store,
    service,
    logger,
    close: async () => {
      await queue.close();
      await Promise.all([redis.quit().catch(() => undefined), blocking.quit().catch(() => undefined)]);
    },
  };
}

/** Runs `task(i)` for i in [0, n) with at most `limit` in flight (enough to pipeline Redis, not to flood it). */
export async function pool(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, n) }, async () => {
    while (next < n) await task(next++);
  });
  await Promise.all(lanes);
}

/** Starts `test/bench/<file>` as a separate Node process (through tsx) with an IPC channel. */
export function forkBenchChild(file: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): ChildProcess {
  return fork(join(BENCH_DIR, file), [...args], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Resolves with the first IPC message `accept` recognises; rejects if the child exits first. */
export function nextMessage<T>(child: ChildProcess, accept: (message: unknown) => T | undefined, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      const value = accept(message);
      if (value === undefined) return;
      cleanup();
      resolve(value);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`child exited (code ${code ?? 'signal'}) before ${what}`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Ends a child we started: politely, then by force. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
