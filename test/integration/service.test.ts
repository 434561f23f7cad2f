/**
 * The service end to end on real Redis (BullMQ), real Prometheus and a real HTTP socket:
 * runs submitted through the API are measured by workers on schedule and finish with exactly
 * the measurements they asked for; two workers share the load.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AnalysisRun } from '../../src/model/index.js';
import { cli } from '../support/cli.js';
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
    const query = run.status?.metricResults[0]?.metadata?.['query'];
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

describe('secrets and status', () => {
  it('when a secret arg value reaches a message then it is stored and served redacted', async () => {
    const secret = 's3cr3t-token-value';
    const svc2 = await startTestService({ redisUrl, env: { METRICGATE_SECRET_PROM_AUTH_TOKEN: secret } });
    try {
      const body = {
        analysisRun: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AnalysisRun',
          metadata: { name: 'secretive' },
          spec: {
            args: [{ name: 'token', valueFrom: { secretKeyRef: { name: 'prom-auth', key: 'token' } } }],
            metrics: [{ name: 'm', consecutiveErrorLimit: 0, provider: { prometheus: { address: 'http://127.0.0.1:9/{{args.token}}', query: 'up' } } }],
          },
        },
      };
      const { json } = await api(svc2.url, 'POST', '/api/v1/runs', body);
      const uid = (json as AnalysisRun).metadata.uid ?? '';
      const run = await finished(svc2.url, uid);
      const text = JSON.stringify(run);
      expect(run.status?.phase).toBe('Error');
      expect(text).not.toContain(secret);
      expect(run.status?.metricResults[0]?.measurements[0]?.message).toContain('*****');
      const list = await api(svc2.url, 'GET', '/api/v1/runs');
      expect(JSON.stringify(list.json)).not.toContain(secret);
    } finally {
      await svc2.stop();
    }
  });

  it('when metricgate status is asked then it lists runs and shows one in full', async () => {
    const svc2 = await startTestService({ redisUrl });
    try {
      const { json } = await api(svc2.url, 'POST', '/api/v1/runs', liveRun(prometheus, 'status-demo', 1));
      const uid = (json as AnalysisRun).metadata.uid ?? '';
      await finished(svc2.url, uid);
      const list = await cli(['status', '--redis-url', redisUrl, '--queue-prefix', svc2.prefix]);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/^NAME\s+UID\s+PHASE\s+AGE\s+MESSAGE/);
      expect(list.stdout).toContain(`status-demo  ${uid}  Successful`);
      const one = await cli(['status', uid, '--redis-url', redisUrl, '--queue-prefix', svc2.prefix]);
      expect(one.stdout).toContain('Verdict: Successful');
      const byName = await cli(['status', 'status-demo', '--redis-url', redisUrl, '--queue-prefix', svc2.prefix, '--output', 'json']);
      expect((JSON.parse(byName.stdout) as AnalysisRun).metadata.uid).toBe(uid);
      const missing = await cli(['status', 'nope', '--redis-url', redisUrl, '--queue-prefix', svc2.prefix]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('no run with uid or name "nope"');
    } finally {
      await svc2.stop();
    }
  });

  it('when the service configuration is invalid then it refuses to start, naming each setting', async () => {
    const out = await cli(['serve', '--listen', 'nowhere', '--concurrency', 'many', '--redis-url', 'http://x'], { env: { METRICGATE_API_TOKENS: 'short' } });
    expect(out.code).toBe(64);
    expect(out.stderr).toContain('--listen / METRICGATE_LISTEN: expected HOST:PORT');
    expect(out.stderr).toContain('--concurrency / METRICGATE_CONCURRENCY');
    expect(out.stderr).toContain('--redis-url / METRICGATE_REDIS_URL');
    expect(out.stderr).toContain('--api-tokens / METRICGATE_API_TOKENS: each token must be at least 16 characters, got (hidden)');
    expect(out.stderr).not.toContain('short');
  });

  it('when serve has no token and no --insecure-dev then it refuses to start', async () => {
    const out = await cli(['serve', '--redis-url', redisUrl]);
    expect(out.code).toBe(64);
    expect(out.stderr).toContain('no API tokens configured');
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
