/**
 * The API through fastify's inject (no socket), with in-memory stores and a recording scheduler:
 * auth, the run and template routes, the error catalogue, limits and the OpenAPI document.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/api/app.js';
import { openApiDocument } from '../../../src/api/openapi.js';
import { InMemoryRunStore, InMemoryTemplateStore, VirtualClock } from '../../../src/engine/index.js';
import type { AnalysisRun } from '../../../src/model/index.js';
import { RunService } from '../../../src/queue/index.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';
import { RecordingScheduler } from '../../fakes/recording-scheduler.js';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

const template = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'error-rate' },
  spec: {
    args: [{ name: 'service' }],
    metrics: [
      {
        name: 'errors',
        interval: '1m',
        count: 3,
        successCondition: 'result[0] < 0.01',
        provider: { prometheus: { address: 'http://prometheus:9090', query: 'sum(rate(http_requests_total{service="{{args.service}}",code=~"5.."}[5m]))' } },
      },
    ],
  },
};

const inlineRun = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: { name: 'inline' },
  spec: { metrics: [{ name: 'up', successCondition: 'result[0] == 1', provider: { prometheus: { address: 'http://prometheus:9090', query: 'up' } } }] },
};

let app: FastifyInstance;
let scheduler: RecordingScheduler;
let store: InMemoryRunStore;

async function build(options: { writeRateLimitPerMinute?: number; bodyLimitBytes?: number } = {}): Promise<FastifyInstance> {
  scheduler = new RecordingScheduler();
  store = new InMemoryRunStore();
  const templates = new InMemoryTemplateStore();
  const metrics = createMetrics();
  const runs = new RunService({ store, templates, scheduler, clock: new VirtualClock(Date.UTC(2026, 0, 1)), logger: silentLogger, metrics });
  return buildApp({ runs, store, templates, logger: silentLogger, metrics, readiness: { redis: async () => true } }, { tokens: [TOKEN], ...options });
}

beforeEach(async () => {
  app = await build();
});

describe('auth', () => {
  it.each([
    ['GET', '/api/v1/runs'],
    ['POST', '/api/v1/runs'],
    ['GET', '/api/v1/runs/00000000-0000-0000-0000-000000000000'],
    ['POST', '/api/v1/runs/00000000-0000-0000-0000-000000000000/terminate'],
    ['GET', '/api/v1/templates'],
    ['PUT', '/api/v1/templates/x'],
    ['DELETE', '/api/v1/templates/x'],
    ['GET', '/api/v1/verdicts/shop/checkout/abc123?template=x'],
    ['GET', '/metrics'],
  ])('when %s %s has no token then 401 MG_UNAUTHORIZED', async (method, url) => {
    const res = await app.inject({ method: method as 'GET', url, payload: method === 'GET' || method === 'DELETE' ? undefined : {} });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'MG_UNAUTHORIZED', message: 'missing Authorization: Bearer <token> header' } });
  });

  it.each(['Bearer wrong-token-0123456789abc', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer'])('when the header is %j then 401', async (header) => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/runs', headers: { authorization: header } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toBe('invalid bearer token');
  });

  it.each(['/healthz', '/readyz', '/api/v1/openapi.json', '/'])('when %s is called without a token then it answers', async (url) => {
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
  });

  it('when no token is configured and --insecure-dev is not given then the app refuses to build', async () => {
    const runs = new RunService({ store, templates: new InMemoryTemplateStore(), scheduler, clock: new VirtualClock(0), logger: silentLogger });
    await expect(buildApp({ runs, store, templates: new InMemoryTemplateStore(), logger: silentLogger, metrics: createMetrics(), readiness: {} }, { tokens: [] })).rejects.toThrow(/METRICGATE_API_TOKENS/);
  });
});

describe('runs', () => {
  it('when an inline AnalysisRun is posted then 201, Location, and its first measurement is scheduled', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/runs', headers: auth, payload: { analysisRun: inlineRun } });
    expect(res.statusCode).toBe(201);
    const run = res.json() as AnalysisRun;
    expect(res.headers['location']).toBe(`/api/v1/runs/${run.metadata.uid}`);
    expect(run.status?.phase).toBe('Running');
    expect([...scheduler.jobs.values()].map((j) => [j.name, j.delayMs])).toEqual([['measure', 0]]);
    const read = await app.inject({ method: 'GET', url: `/api/v1/runs/${run.metadata.uid}`, headers: auth });
    expect(read.json()).toEqual(run);
  });

  it('when stored templates and args are posted then the run merges them and records the scope', async () => {
    await app.inject({ method: 'PUT', url: '/api/v1/templates/error-rate', headers: auth, payload: template });
    const res = await app.inject({ method: 'POST', url: '/api/v1/runs', headers: auth, payload: { templates: [{ name: 'error-rate' }], args: [{ name: 'service', value: 'checkout' }], scope: 'canary' } });
    expect(res.statusCode).toBe(201);
    const run = res.json() as AnalysisRun;
    expect(run.spec.args).toEqual([{ name: 'service', value: 'checkout' }]);
    expect(run.metadata.annotations?.['metricgate.io/scope.errors']).toBe('canary');
  });

  it('when the same idempotencyKey is posted twice then one run exists and the second answer is 200', async () => {
    const body = { analysisRun: inlineRun, idempotencyKey: 'rollout-x-rev-1' };
    const a = await app.inject({ method: 'POST', url: '/api/v1/runs', headers: auth, payload: body });
    const b = await app.inject({ method: 'POST', url: '/api/v1/runs', headers: auth, payload: body });
    expect([a.statusCode, b.statusCode]).toEqual([201, 200]);
    expect(b.json().metadata.uid).toBe(a.json().metadata.uid);
    expect((await store.list()).items).toHaveLength(1);
  });

  it.each([
    ['a bad condition', { analysisRun: { ...inlineRun, spec: { metrics: [{ ...inlineRun.spec.metrics[0], successCondition: 'result[0] <' }] } } }, 'spec.metrics[0].successCondition', 'EXPRESSION'],
    ['an unknown template', { templates: [{ name: 'nope' }] }, 'templates[0].name', 'TEMPLATE_NOT_FOUND'],
    ['neither shape', { foo: 1 }, 'templates', 'REQUIRED'],
    ['a wrong type', { analysisRun: inlineRun, durationSeconds: 'ten' }, 'durationSeconds', 'INVALID_TYPE'],
    ['an invalid scope', { analysisRun: inlineRun, scope: 'canry' }, 'scope', 'INVALID_VALUE'],
    ['a run without metrics', { analysisRun: { ...inlineRun, spec: { metrics: [] } } }, 'analysisRun.spec.metrics', 'NO_METRICS'],
    ['an unparsable PromQL query', { analysisRun: { ...inlineRun, spec: { metrics: [{ name: 'q', provider: { prometheus: { address: 'http://p:9090', query: 'sum(' } } }] } } }, 'spec.metrics[0].provider.prometheus.query', 'QUERY'],
  ])('when the request has %s then 422 names the field', async (_name, payload, path, code) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/runs', headers: auth, payload });
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.error.code).toBe('MG_VALIDATION');
    expect(body.error.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path, code })]));
    expect(await store.list()).toEqual({ items: [] });
  });

  it('when a run is terminated then it ends Successful with "Run Terminated"', async () => {
    const created = (await app.inject({ method: 'POST', url: '/api/v1/runs', headers: auth, payload: { analysisRun: inlineRun } })).json() as AnalysisRun;
    const res = await app.inject({ method: 'POST', url: `/api/v1/runs/${created.metadata.uid}/terminate`, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().status.phase).toBe('Successful');
    expect(res.json().status.message).toBe('Run Terminated');
  });

  it('when listing then filters apply and the cursor pages through', async () => {
    for (let i = 0; i < 5; i++) await app.inject({ method: 'POST', url: '/api/v1/runs', headers: auth, payload: { analysisRun: inlineRun, labels: { team: i % 2 ? 'a' : 'b' } } });
    const first = (await app.inject({ method: 'GET', url: '/api/v1/runs?limit=2', headers: auth })).json();
    expect(first.items).toHaveLength(2);
    const second = (await app.inject({ method: 'GET', url: `/api/v1/runs?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`, headers: auth })).json();
    expect(second.items.map((r: AnalysisRun) => r.metadata.uid)).not.toContain(first.items[0].metadata.uid);
    const teamA = (await app.inject({ method: 'GET', url: '/api/v1/runs?label=team=a', headers: auth })).json();
    expect(teamA.items).toHaveLength(2);
    const running = (await app.inject({ method: 'GET', url: '/api/v1/runs?phase=Running', headers: auth })).json();
    expect(running.items).toHaveLength(5);
  });

  it.each([
    ['/api/v1/runs?phase=Done', 'query.phase'],
    ['/api/v1/runs?limit=0', 'query.limit'],
    ['/api/v1/runs?label=nokey', 'query.label'],
    ['/api/v1/runs?color=red', 'query'],
    ['/api/v1/runs/not!a!uid', 'path.id'],
  ])('when GET %s then 400 MG_BAD_REQUEST naming %s', async (url, where) => {
    const res = await app.inject({ method: 'GET', url, headers: auth });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('MG_BAD_REQUEST');
    expect(res.json().error.message).toContain(where);
  });

  it('when a run does not exist then 404 MG_NOT_FOUND', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/runs/00000000-0000-0000-0000-000000000000', headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('MG_NOT_FOUND');
  });
});

describe('bad input', () => {
  it.each([
    ['malformed JSON', '{"analysisRun": ', 'application/json', 400, 'MG_BAD_JSON'],
    ['an empty JSON body', '', 'application/json', 400, 'MG_BAD_JSON'],
    ['a JSON array', '[]', 'application/json', 422, 'MG_VALIDATION'],
    ['a prototype-poisoning body', '{"__proto__": {"admin": true}}', 'application/json', 400, 'MG_BAD_JSON'],
    ['an unsupported content type', 'hello', 'text/plain', 415, 'MG_UNSUPPORTED_MEDIA_TYPE'],
  ])('when the body is %s', async (_name, payload, type, status, code) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/runs', headers: { ...auth, 'content-type': type }, payload });
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
  });

  it('when the body exceeds the limit then 413', async () => {
    app = await build({ bodyLimitBytes: 2048 });
    const res = await app.inject({ method: 'POST', url: '/api/v1/runs', headers: auth, payload: { analysisRun: inlineRun, labels: { big: 'x'.repeat(4096) } } });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('MG_PAYLOAD_TOO_LARGE');
  });

  it('when writes exceed the rate limit then 429 MG_RATE_LIMITED', async () => {
    app = await build({ writeRateLimitPerMinute: 3 });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await app.inject({ method: 'POST', url: '/api/v1/runs', headers: auth, payload: { analysisRun: inlineRun } })).statusCode);
    expect(codes).toEqual([201, 201, 201, 429, 429]);
    const res = await app.inject({ method: 'POST', url: '/api/v1/runs', headers: auth, payload: { analysisRun: inlineRun } });
    expect(res.json().error.code).toBe('MG_RATE_LIMITED');
    // Reads are not limited.
    expect((await app.inject({ method: 'GET', url: '/api/v1/runs', headers: auth })).statusCode).toBe(200);
  });

  it('when a route does not exist then 404 with the catalogue shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v2/nothing', headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('MG_NOT_FOUND');
  });
});

describe('templates', () => {
  it('when a template is PUT as JSON then 201, again 200, and it reads back', async () => {
    expect((await app.inject({ method: 'PUT', url: '/api/v1/templates/error-rate', headers: auth, payload: template })).statusCode).toBe(201);
    expect((await app.inject({ method: 'PUT', url: '/api/v1/templates/error-rate', headers: auth, payload: template })).statusCode).toBe(200);
    const got = await app.inject({ method: 'GET', url: '/api/v1/templates/error-rate', headers: auth });
    expect(got.json().spec).toEqual(template.spec);
    expect((await app.inject({ method: 'GET', url: '/api/v1/templates', headers: auth })).json().items).toHaveLength(1);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/templates/error-rate', headers: auth })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/templates/error-rate', headers: auth })).statusCode).toBe(404);
  });

  it('when a template is PUT as YAML then it is parsed and validated', async () => {
    const yaml = `apiVersion: argoproj.io/v1alpha1
kind: ClusterAnalysisTemplate
metadata: {name: cluster-gate}
spec:
  metrics:
  - name: m
    successCondition: result[0] > 0
    provider: {prometheus: {address: "http://p:9090", query: up}}
`;
    const res = await app.inject({ method: 'PUT', url: '/api/v1/templates/cluster-gate', headers: { ...auth, 'content-type': 'application/yaml' }, payload: yaml });
    expect(res.statusCode).toBe(201);
    expect((await app.inject({ method: 'GET', url: '/api/v1/templates/cluster-gate?kind=ClusterAnalysisTemplate', headers: auth })).statusCode).toBe(200);
  });

  it('when an invalid template is PUT then 422 lists the same issues lint would', async () => {
    const bad = { ...template, spec: { ...template.spec, metrics: [{ ...template.spec.metrics[0], sucessCondition: 'x', interval: 'soon' }] } };
    const res = await app.inject({ method: 'PUT', url: '/api/v1/templates/error-rate', headers: auth, payload: bad });
    expect(res.statusCode).toBe(422);
    const paths = res.json().error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['spec.metrics[0].sucessCondition', 'spec.metrics[0].interval']));
  });

  it('when the URL and metadata.name disagree then 422', async () => {
    const res = await app.inject({ method: 'PUT', url: '/api/v1/templates/other', headers: auth, payload: template });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.issues[0].path).toBe('metadata.name');
  });
});

describe('operations', () => {
  it('when /metrics is scraped with a token then run gauges and counters are exposed', async () => {
    await app.inject({ method: 'POST', url: '/api/v1/runs', headers: auth, payload: { analysisRun: inlineRun } });
    const res = await app.inject({ method: 'GET', url: '/metrics', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/metricgate_runs\{phase="Running"\} 1/);
    expect(res.body).toMatch(/metricgate_runs_created_total\{source="api"\} 1/);
  });

  it('when a readiness check fails then /readyz answers 503 naming it', async () => {
    const runs = new RunService({ store, templates: new InMemoryTemplateStore(), scheduler, clock: new VirtualClock(0), logger: silentLogger });
    const sick = await buildApp({ runs, store, templates: new InMemoryTemplateStore(), logger: silentLogger, metrics: createMetrics(), readiness: { redis: async () => false } }, { tokens: [TOKEN] });
    const res = await sick.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not ready', checks: { redis: false } });
  });

  it('every path and method in the OpenAPI document is a real route', () => {
    for (const [path, item] of Object.entries(openApiDocument.paths)) {
      for (const method of Object.keys(item).filter((k) => ['get', 'post', 'put', 'delete'].includes(k))) {
        const url = path.replace(/\{(\w+)\}/g, ':$1');
        expect(app.hasRoute({ method: method.toUpperCase() as 'GET', url }), `${method} ${path}`).toBe(true);
      }
    }
  });
});
