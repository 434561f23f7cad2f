/**
 * The service end to end on real Redis (BullMQ), real Prometheus and a real HTTP socket:
 * runs submitted through the API are measured by workers on schedule and finish with exactly
 * the measurements they asked for; two workers share the load.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AnalysisRun } from '../../src/model/index.js';
import { api, liveRun, startTestService, uniquePrefix, waitFor, type TestService } from '../support/service.js';

const prometheus = inject('prometheusUrl');
const redisUrl = inject('redisUrl');

async function finished(base: string, uid: string): Promise<AnalysisRun> {
  return waitFor(async () => {
    const { json } = await api(base, 'GET', `/api/v1/runs/${uid}`);
    const run = json as AnalysisRun;
    return run.status?.completedAt ? run : undefined;
  }, `run ${uid} to finish`);
}

describe('metricgate serve (real Redis + Prometheus)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ redisUrl });
  });
  afterAll(async () => svc.stop());

  it('when a run is posted then the worker measures it on schedule until count, and it succeeds', async () => {
    const { status, json } = await api(svc.url, 'POST', '/api/v1/runs', liveRun(prometheus, 'live', 3));
    expect(status).toBe(201);
    const run = await finished(svc.url, (json as AnalysisRun).metadata.uid ?? '');
    expect(run.status?.phase).toBe('Successful');
    for (const r of run.status?.metricResults ?? []) {
      expect(r.count).toBe(3);
      expect(r.measurements).toHaveLength(3);
      // Each measurement starts at least `interval` after the previous one finished (Argo's rule).
      for (let i = 1; i < r.measurements.length; i++) {
        expect(Date.parse(r.measurements[i]?.startedAt ?? '') - Date.parse(r.measurements[i - 1]?.finishedAt ?? '')).toBeGreaterThanOrEqual(995);
      }
    }
  });

  it('when a template is stored and run by name with args then the queries carry them, scoped', async () => {
    const template = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'live-gate', annotations: { 'metricgate.io/scope': 'canary' } },
      spec: {
        args: [{ name: 'service' }],
        metrics: [{ name: 'requests', successCondition: 'len(result) == 0', provider: { prometheus: { address: prometheus, query: 'sum(rate(http_requests_total{service="{{args.service}}"}[1m]))' } } }],
      },
    };
    expect((await api(svc.url, 'PUT', '/api/v1/templates/live-gate', template)).status).toBe(201);
    const { json } = await api(svc.url, 'POST', '/api/v1/runs', { templates: [{ name: 'live-gate' }], args: [{ name: 'service', value: 'checkout' }] });
    const run = await finished(svc.url, (json as AnalysisRun).metadata.uid ?? '');
    const query = run.status?.metricResults[0]?.measurements[0]?.metadata?.['query'];
    expect(query).toBe('sum(rate(http_requests_total{argo_rollouts_status="canary",service="checkout"}[1m]))');
    expect(run.status?.phase).toBe('Successful');
  });

  it('when an open-ended run is given durationSeconds then it is terminated Successful', async () => {
    const body = liveRun(prometheus, 'open', 0, '1s');
    const spec = { metrics: body.analysisRun.spec.metrics.map(({ count: _c, ...m }) => m) };
    const { json } = await api(svc.url, 'POST', '/api/v1/runs', { analysisRun: { ...body.analysisRun, spec }, durationSeconds: 2 });
    const run = await finished(svc.url, (json as AnalysisRun).metadata.uid ?? '');
    expect(run.status?.phase).toBe('Successful');
    expect(run.status?.message).toBe('Run Terminated');
    expect(run.status?.metricResults[0]?.count).toBeGreaterThanOrEqual(1);
  });

  it('when Prometheus is down for a metric then the run ends Error with the cause, not Failed', async () => {
    const bad = liveRun('http://127.0.0.1:9', 'down', 1);
    bad.analysisRun = { ...bad.analysisRun, spec: { metrics: [{ ...bad.analysisRun.spec.metrics[0]!, consecutiveErrorLimit: 0 }] } };
    const { json } = await api(svc.url, 'POST', '/api/v1/runs', bad);
    const run = await finished(svc.url, (json as AnalysisRun).metadata.uid ?? '');
    expect(run.status?.phase).toBe('Error');
    expect(run.status?.metricResults[0]?.measurements[0]?.metadata?.['errorCode']).toBe('PROVIDER_UNREACHABLE');
  });
});

describe('two workers on one Redis', () => {
  it('when 20 runs are submitted then both workers measure, and every run has exactly its count', async () => {
    const prefix = uniquePrefix();
    const apiOnly = await startTestService({ redisUrl, prefix, worker: false });
    const w1 = await startTestService({ redisUrl, prefix, api: false });
    const w2 = await startTestService({ redisUrl, prefix, api: false });
    try {
      const uids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const { json } = await api(apiOnly.url, 'POST', '/api/v1/runs', liveRun(prometheus, `shared-${i}`, 3));
        uids.push((json as AnalysisRun).metadata.uid ?? '');
      }
      const runs = await Promise.all(uids.map((u) => finished(apiOnly.url, u)));
      const workers = new Set<string>();
      for (const run of runs) {
        expect(run.status?.phase).toBe('Successful');
        for (const r of run.status?.metricResults ?? []) {
          expect(r.measurements).toHaveLength(3);
          r.measurements.forEach((m) => workers.add(m.metadata?.['worker'] ?? ''));
        }
      }
      expect(workers.size).toBe(2);
    } finally {
      await Promise.all([apiOnly.stop(), w1.stop(), w2.stop()]);
    }
  });
});
