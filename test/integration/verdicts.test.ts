/**
 * The Argo web-metric endpoint against the live service (real Redis and Prometheus), and the
 * shipped Argo template queries/templates/argo-web-metric.yaml run with Argo's semantics by
 * `metricgate run` itself (its `web` provider plays Argo's part).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_DATASET } from '../../src/cli/local/dataset.js';
import type { AnalysisRun } from '../../src/model/index.js';
import { cli } from '../support/cli.js';
import { TOKEN, api, startTestService, type TestService } from '../support/service.js';

const AT = (DEMO_DATASET.start + 30 * 60_000) / 1000;
let svc: TestService;

interface Verdict {
  verdict: string;
  done: boolean;
  message: string;
  run: { uid: string; name: string };
  metrics: { name: string; phase: string; value?: string }[];
}

beforeAll(async () => {
  svc = await startTestService({ redisUrl: inject('redisUrl') });
  // A gate whose queries are pinned (PromQL `@`) to the dataset's history, so live runs are deterministic.
  const gate = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'pinned-gate' },
    spec: {
      args: [{ name: 'service' }],
      metrics: [
        {
          name: 'error-rate',
          interval: '1s',
          count: 2,
          successCondition: 'result[0] <= 0.01',
          failureCondition: 'result[0] > 0.01',
          provider: {
            prometheus: {
              address: inject('prometheusUrl'),
              query: `sum(rate(http_requests_total{service="{{args.service}}",code="500"}[5m] @ ${AT})) / sum(rate(http_requests_total{service="{{args.service}}"}[5m] @ ${AT}))`,
            },
          },
        },
      ],
    },
  };
  expect((await api(svc.url, 'PUT', '/api/v1/templates/pinned-gate', gate)).status).toBe(201);
});

afterAll(async () => svc.stop());

describe('GET /api/v1/verdicts/:namespace/:rollout/:revision', () => {
  it('when called for a healthy canary then it starts one run, waits for it, and answers Successful', async () => {
    const { status, json } = await api(svc.url, 'GET', '/api/v1/verdicts/shop/checkout/7d9f8b6c5?template=pinned-gate&arg.service=checkout&wait=8');
    const v = json as Verdict;
    expect(status).toBe(200);
    expect(v).toMatchObject({ verdict: 'Successful', done: true });
    expect(v.run.name).toBe('checkout-7d9f8b6c5-mg');
    const again = (await api(svc.url, 'GET', '/api/v1/verdicts/shop/checkout/7d9f8b6c5?template=pinned-gate&arg.service=checkout&wait=0')).json as Verdict;
    expect(again.run.uid).toBe(v.run.uid);
    const run = (await api(svc.url, 'GET', `/api/v1/runs/${v.run.uid}`)).json as AnalysisRun;
    expect(run.metadata.annotations?.['metricgate.io/scope.error-rate']).toBe('canary');
  });

  it('when called with wait=0 for a fresh revision then it answers Running at once', async () => {
    const v = (await api(svc.url, 'GET', '/api/v1/verdicts/shop/payments/6c8d9e7f1?template=pinned-gate&arg.service=payments&wait=0')).json as Verdict;
    expect(v).toMatchObject({ verdict: 'Running', done: false });
  });

  it('when the canary is broken then it answers Failed with the cause', async () => {
    const v = (await api(svc.url, 'POST', '/api/v1/verdicts/shop/payments/6c8d9e7f2', { templates: [{ name: 'pinned-gate' }], args: [{ name: 'service', value: 'payments' }], wait: 8 })).json as Verdict;
    expect(v.verdict).toBe('Failed');
    expect(v.message).toContain('error-rate');
  });

  it('when the template is unknown then 422 names it', async () => {
    const res = await api(svc.url, 'GET', '/api/v1/verdicts/shop/checkout/x1?template=nope');
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.json)).toContain('templates[0].name');
  });

  it('when no template is named then 400', async () => {
    const res = await api(svc.url, 'GET', '/api/v1/verdicts/shop/checkout/x1');
    expect(res.status).toBe(400);
    expect((res.json as { error: { code: string } }).error.code).toBe('MG_BAD_REQUEST');
  });
});

describe('queries/templates/argo-web-metric.yaml, run with Argo semantics', () => {
  const template = join(import.meta.dirname, '../../queries/templates/argo-web-metric.yaml');
  const args = (rollout: string, hash: string, service: string): string[] => [
    'run',
    template,
    '--arg', `metricgate-url=${svc.url}`,
    '--arg', 'namespace=shop',
    '--arg', `rollout=${rollout}`,
    '--arg', `canary-hash=${hash}`,
    '--arg', 'template=pinned-gate',
    '--arg', `service=${service}`,
    '--secret', `metricgate-api-tokens/token=${TOKEN}`,
    '--output', 'json',
  ];

  it.each([
    ['checkout', 0, 'aaa111', 'Successful'],
    ['payments', 1, 'bbb222', 'Failed'],
  ] as const)('when Argo polls metricgate for %s then the Argo run ends with exit %i', async (service, exit, hash, phase) => {
    const out = await cli(args(service, hash, service));
    const run = JSON.parse(out.stdout) as AnalysisRun;
    expect(run.status?.phase).toBe(phase);
    expect(out.code).toBe(exit);
    // The bearer token came from a secret arg and is redacted from everything stored.
    expect(out.stdout).not.toContain(TOKEN);
  });
});
