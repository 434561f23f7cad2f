/**
 * RunService with in-memory parts: idempotent submission under concurrency, scheduling of the
 * first measurements, and the deadline annotation of open-ended runs.
 */
import { describe, expect, it } from 'vitest';
import { InMemoryRunStore, InMemoryTemplateStore, VirtualClock } from '../../../src/engine/index.js';
import type { AnalysisRun } from '../../../src/model/index.js';
import { RunService, TERMINATE_AT_ANNOTATION, uidFromKey } from '../../../src/queue/index.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { RecordingScheduler } from '../../fakes/recording-scheduler.js';

const run: AnalysisRun = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: { name: 'r' },
  spec: {
    metrics: [
      { name: 'now', successCondition: 'result[0] > 0', provider: { prometheus: { address: 'http://p:9090', query: 'up' } } },
      { name: 'later', initialDelay: '30s', interval: '10s', successCondition: 'result[0] > 0', provider: { prometheus: { address: 'http://p:9090', query: 'up' } } },
    ],
  },
};

function service(): { svc: RunService; store: InMemoryRunStore; scheduler: RecordingScheduler } {
  const store = new InMemoryRunStore();
  const scheduler = new RecordingScheduler();
  const svc = new RunService({ store, templates: new InMemoryTemplateStore(), scheduler, clock: new VirtualClock(Date.UTC(2026, 0, 1)), logger: silentLogger });
  return { svc, store, scheduler };
}

describe('RunService', () => {
  it('when ten replicas submit the same idempotency key at once then one run and one set of jobs exist', async () => {
    const { svc, store, scheduler } = service();
    const results = await Promise.all(Array.from({ length: 10 }, () => svc.submit({ analysisRun: run as unknown as Record<string, unknown>, idempotencyKey: 'rollout:abc:step-h-1' }, 'test')));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.run.metadata.uid))).toEqual(new Set([uidFromKey('rollout:abc:step-h-1')]));
    expect((await store.list()).items).toHaveLength(1);
    expect([...scheduler.jobs.values()].filter((j) => j.name === 'measure')).toHaveLength(2);
  });

  it('when a run starts then each metric is scheduled at its own due time (initialDelay respected)', async () => {
    const { svc, scheduler } = service();
    await svc.submit({ analysisRun: run as unknown as Record<string, unknown> }, 'test');
    expect([...scheduler.jobs.values()].map((j) => j.delayMs).sort((a, b) => a - b)).toEqual([0, 30_000]);
  });

  it('when durationSeconds is given then a terminate job and a deadline annotation are recorded', async () => {
    const { svc, scheduler } = service();
    const { run: created } = await svc.submit({ analysisRun: run as unknown as Record<string, unknown>, durationSeconds: 90 }, 'test');
    expect(created.metadata.annotations?.[TERMINATE_AT_ANNOTATION]).toBe(String(Date.UTC(2026, 0, 1) + 90_000));
    expect([...scheduler.jobs.values()].find((j) => j.name === 'terminate')?.delayMs).toBe(90_000);
  });

  it('when a finished run is terminated again then nothing changes', async () => {
    const { svc, store } = service();
    const { run: created } = await svc.submit({ analysisRun: run as unknown as Record<string, unknown> }, 'test');
    const uid = created.metadata.uid ?? '';
    const first = await svc.terminate(uid, 'test');
    const second = await svc.terminate(uid, 'test again');
    expect(first?.run.status?.phase).toBe('Successful');
    expect(second?.version).toBe(first?.version);
    expect((await store.get(uid))?.run.status?.message).toBe('Run Terminated');
  });
});
