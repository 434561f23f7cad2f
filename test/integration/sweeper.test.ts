/**
 * The sweeper repairs lost measurement jobs on real Redis/BullMQ (no worker runs, so nothing
 * else touches the queue): a removed job is re-created, a failed one retried, an active run left
 * alone, and an overdue deadline enforced.
 */
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { VirtualClock } from '../../src/engine/index.js';
import type { AnalysisRun } from '../../src/model/index.js';
import { BullScheduler, RUN_QUEUE, RedisRunStore, RedisTemplateStore, RunService, Sweeper, connectRedis, measureJobId, recentlyActive, type RedisClient } from '../../src/queue/index.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { uniquePrefix } from '../support/service.js';

const START = Date.UTC(2026, 0, 1);
let redis: RedisClient;
let queue: Queue;
let clock: VirtualClock;
let service: RunService;
let store: RedisRunStore;
let sweeper: Sweeper;

const run = (name: string): Record<string, unknown> => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: { name },
  spec: { metrics: [{ name: 'm', interval: '10s', count: 3, successCondition: 'result[0] > 0', provider: { prometheus: { address: 'http://p:9090', query: 'up' } } }] },
});

const prefix = uniquePrefix();

beforeAll(async () => {
  redis = connectRedis(inject('redisUrl'), { forWorker: true });
  queue = new Queue(RUN_QUEUE, { connection: redis, prefix });
  clock = new VirtualClock(START);
  store = new RedisRunStore(redis, { prefix });
  service = new RunService({ store, templates: new RedisTemplateStore(redis, { prefix }), scheduler: new BullScheduler(queue), clock, logger: silentLogger });
  sweeper = new Sweeper({ store, queue, service, clock, logger: silentLogger }, { graceMs: 30_000 });
});
afterAll(async () => {
  await queue.close();
  await redis.quit();
});

describe('Sweeper', () => {
  it('when a due measurement job has been lost then the sweep re-creates it; a fresh run is left alone', async () => {
    const { run: lost } = await service.submit({ analysisRun: run('lost') }, 'test');
    const id = measureJobId(lost.metadata.uid ?? '', 0, 0);
    expect(await queue.getJob(id)).toBeDefined();
    await (await queue.getJob(id))?.remove();
    // Inside the grace period nothing is overdue, so nothing is touched.
    expect((await sweeper.sweep()).rescheduled).toBe(0);
    expect(await queue.getJob(id)).toBeUndefined();
    clock.advance(31_000);
    const { run: fresh } = await service.submit({ analysisRun: run('fresh') }, 'test');
    const result = await sweeper.sweep();
    expect(result.rescheduled).toBe(1);
    expect(await queue.getJob(id)).toBeDefined();
    expect(await queue.getJob(measureJobId(fresh.metadata.uid ?? '', 0, 0))).toBeDefined();
  });

  it('when a measurement job exhausted its retries then the sweep retries it', async () => {
    const { run: r } = await service.submit({ analysisRun: run('failed') }, 'test');
    const id = measureJobId(r.metadata.uid ?? '', 0, 0);
    // A worker that gives up on the job for good, as one would after its last retry.
    const failingConnection = connectRedis(inject('redisUrl'), { forWorker: true });
    const failing = new Worker(RUN_QUEUE, async () => {
      throw new UnrecoverableError('gave up');
    }, { connection: failingConnection, prefix });
    for (let i = 0; i < 200 && (await (await queue.getJob(id))?.getState()) !== 'failed'; i++) await new Promise((r) => setTimeout(r, 25));
    await failing.close();
    await failingConnection.quit();
    expect(await (await queue.getJob(id))?.getState()).toBe('failed');
    clock.advance(31_000);
    const result = await sweeper.sweep();
    expect(result.retried + result.rescheduled).toBeGreaterThanOrEqual(1);
    expect(['waiting', 'delayed', 'prioritized', 'wait']).toContain(await (await queue.getJob(id))?.getState());
  });

  it('when a run outlived its durationSeconds deadline then the sweep terminates it', async () => {
    const { run: r } = await service.submit({ analysisRun: run('deadline'), durationSeconds: 5 }, 'test');
    clock.advance(40_000);
    const result = await sweeper.sweep();
    expect(result.terminated).toBeGreaterThanOrEqual(1);
    expect((await store.get(r.metadata.uid ?? ''))?.run.status?.message).toBe('Run Terminated');
  });
});

describe('recentlyActive', () => {
  const base = (finishedAgoMs: number | undefined, now: number): AnalysisRun => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {},
    spec: { metrics: [{ name: 'm', provider: { prometheus: { query: 'up' } } }] },
    status: {
      phase: 'Running',
      startedAt: new Date(now - 3_600_000).toISOString(),
      metricResults:
        finishedAgoMs === undefined
          ? []
          : [{ name: 'm', phase: 'Running', count: 1, successful: 1, failed: 0, inconclusive: 0, error: 0, consecutiveError: 0, consecutiveSuccess: 1, measurements: [{ phase: 'Successful', finishedAt: new Date(now - finishedAgoMs).toISOString() }] }],
    },
  });
  it.each([
    ['measured 5 s ago', true, 5_000],
    ['measured 40 s ago', false, 40_000],
    ['never measured, started an hour ago', false, undefined],
  ])('when %s then recentlyActive is %s', (_name, expected, ago) => {
    const now = START;
    expect(recentlyActive(base(ago, now), 1, now, 30_000)).toBe(expected);
  });
});
