/**
 * The prometheus provider against a real Prometheus over the generated dataset: Argo's result
 * shapes, NaN and ±Inf, range queries on the virtual clock, and failures as data.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_DATASET } from '../../src/cli/local/dataset.js';
import { ProviderError } from '../../src/providers/index.js';
import { providers } from '../../src/providers/registry.js';
import type { PrometheusConfig } from '../../src/providers/index.js';
import { freePort } from '../../src/cli/local/processes.js';
import { promqlScoper } from '../../src/scoping/index.js';

const address = inject('prometheusUrl');
const plugin = providers.get('prometheus');
if (!plugin) throw new Error('prometheus provider not registered');
const provider = plugin.create({ env: {} });
const at = DEMO_DATASET.start + 30 * 60_000;
const measure = (config: Partial<PrometheusConfig>, when = at) =>
  provider.measure(plugin.schema.parse({ address, ...config }) as PrometheusConfig, { at: when });

describe('prometheus provider (real Prometheus)', () => {
  it.each([
    ['a vector becomes an array of numbers', 'sum by (service) (rate(http_requests_total{service=~"checkout|payments"}[5m]))', (v: unknown) => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && x > 0)],
    ['an empty vector becomes []', 'http_requests_total{service="does-not-exist"}', (v: unknown) => Array.isArray(v) && v.length === 0],
    ['a scalar becomes a number', 'scalar(sum(rate(http_requests_total{service="checkout"}[5m])))', (v: unknown) => typeof v === 'number' && v > 0],
    ['+Inf stays +Inf (prometheus-query would make it NaN)', 'vector(1) / vector(0)', (v: unknown) => Array.isArray(v) && v[0] === Number.POSITIVE_INFINITY],
    ['-Inf stays -Inf', 'vector(-1) / vector(0)', (v: unknown) => Array.isArray(v) && v[0] === Number.NEGATIVE_INFINITY],
    ['NaN stays NaN', 'vector(0) / vector(0)', (v: unknown) => Array.isArray(v) && Number.isNaN(v[0])],
  ])('when %s', async (_name, query, check) => {
    const r = await measure({ query });
    expect(check(r.value), `got ${r.display}`).toBe(true);
    expect(r.metadata?.['query']).toBe(query);
  });

  it('when a query is scoped to the canary then Prometheus returns only canary series', async () => {
    const target = { label: 'argo_rollouts_status', value: 'canary' };
    const query = 'sum by (argo_rollouts_status, pod) (rate(http_requests_total{service="checkout"}[5m]))';
    const ask = async (q: string): Promise<{ metric: Record<string, string> }[]> => {
      const res = await fetch(`${address}/api/v1/query?query=${encodeURIComponent(q)}&time=${at / 1000}`);
      return ((await res.json()) as { data: { result: { metric: Record<string, string> }[] } }).data.result;
    };
    const all = await ask(query);
    const canary = await ask(promqlScoper.scope(query, target));
    expect(new Set(all.map((s) => s.metric['argo_rollouts_status']))).toEqual(new Set(['canary', 'stable']));
    expect(canary.length).toBeGreaterThan(0);
    expect(canary.every((s) => s.metric['argo_rollouts_status'] === 'canary')).toBe(true);
  });

  it('when values are rendered then they follow Argo: +Inf, NaN, [a,b]', async () => {
    expect((await measure({ query: 'vector(1) / vector(0)' })).display).toBe('[+Inf]');
    expect((await measure({ query: 'vector(0) / vector(0)' })).display).toBe('[NaN]');
    expect((await measure({ query: 'http_requests_total{service="nope"}' })).display).toBe('[]');
  });

  it('when measured at two virtual times then each sees the history of its own time', async () => {
    const q = 'sum(rate(http_requests_total{service="search",argo_rollouts_status="canary",code="500"}[5m])) / sum(rate(http_requests_total{service="search",argo_rollouts_status="canary"}[5m]))';
    const before = (await measure({ query: q }, DEMO_DATASET.start + 50 * 60_000)).value as number[];
    const after = (await measure({ query: q }, DEMO_DATASET.start + 70 * 60_000)).value as number[];
    expect(before[0]).toBeLessThan(0.01);
    expect(after[0]).toBeGreaterThan(0.1);
  });

  it('when rangeQuery is set then start/end are expressions on the virtual clock and samples are flattened', async () => {
    const r = await measure({
      query: 'sum(rate(http_requests_total{service="checkout"}[5m]))',
      rangeQuery: { start: 'now() - duration("10m")', end: 'now()', step: '1m' },
    });
    expect(Array.isArray(r.value)).toBe(true);
    expect((r.value as number[]).length).toBe(11);
  });

  it('when Prometheus rejects the query then it is a ProviderError with the server message', async () => {
    const err = await measure({ query: 'rate(http_requests_total)' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe('PROVIDER_HTTP');
    expect((err as ProviderError).status).toBe(400);
    expect((err as ProviderError).message).toMatch(/bad_data: .*range vector/);
  });

  it('when Prometheus is unreachable then it is a ProviderError naming the address', async () => {
    const port = await freePort();
    const err = await provider
      .measure(plugin.schema.parse({ address: `http://127.0.0.1:${port}`, query: 'up' }) as PrometheusConfig, { at })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe('PROVIDER_UNREACHABLE');
    expect((err as ProviderError).message).toContain(`127.0.0.1:${port}`);
  });

  describe('against a server that never answers', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer(() => undefined);
      const port = await freePort();
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
      url = `http://127.0.0.1:${port}`;
    });
    afterAll(() => {
      server.closeAllConnections();
      server.close();
    });
    it('when the timeout (seconds) passes then it is a PROVIDER_TIMEOUT error', async () => {
      const err = await provider
        .measure(plugin.schema.parse({ address: url, query: 'up', timeout: 1 }) as PrometheusConfig, { at })
        .catch((e: unknown) => e);
      expect((err as ProviderError).code).toBe('PROVIDER_TIMEOUT');
    });
  });

  describe('headers and auth reach the server', () => {
    let server: Server;
    let url: string;
    const seen: Record<string, string | undefined>[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push({ auth: req.headers.authorization, tenant: req.headers['x-scope-orgid'] as string | undefined, url: req.url });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, '+Inf'] }] }, warnings: ['partial data'] }));
      });
      const port = await freePort();
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
      url = `http://127.0.0.1:${port}`;
    });
    afterAll(() => server.close());
    it('when basic auth and headers are configured then the server receives them, and warnings are kept', async () => {
      const r = await provider.measure(
        plugin.schema.parse({
          address: url,
          query: 'up',
          headers: [{ key: 'X-Scope-OrgID', value: 'tenant_a' }],
          authentication: { basicAuth: { username: 'u', password: 'p' } },
        }) as PrometheusConfig,
        { at },
      );
      expect(seen.at(-1)?.auth).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
      expect(seen.at(-1)?.tenant).toBe('tenant_a');
      expect(seen.at(-1)?.url).toContain(`time=${at / 1000}`);
      expect(r.value).toEqual([Number.POSITIVE_INFINITY]);
      expect(r.metadata?.['warnings']).toContain('partial data');
    });
  });
});
