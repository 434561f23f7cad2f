/**
 * @module test/unit/providers/datadog-provider.test
 * The datadog provider through its public plug-in interface, driving the real
 * `@datadog/datadog-api-client` against the HTTP fake: requests as Datadog expects them (keys,
 * units, window at the measurement's time), Argo's result shapes and renderings, and every
 * failure turned into a ProviderError that carries Datadog's own words and never a key.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/cli/local/processes.js';
import { datadogProvider, type DatadogConfig } from '../../../src/providers/datadog/index.js';
import { ProviderError, type ProviderDeps, type RawResult } from '../../../src/providers/index.js';
import { FAKE_API_KEY, FAKE_APP_KEY, fixtures, useDatadogFake, type RecordedRequest } from '../../fakes/datadog-server.js';

/** 2026-01-01T00:30:00Z, the virtual time measurements are taken at. */
const AT = Date.UTC(2026, 0, 1, 0, 30, 0);
const AT_S = AT / 1000;

const dd = useDatadogFake();

const config = (block: Record<string, unknown>): DatadogConfig => datadogProvider.schema.parse(block);

async function measure(block: Record<string, unknown>, options: { deps?: Partial<ProviderDeps>; at?: number; signal?: AbortSignal; namespace?: string } = {}): Promise<RawResult> {
  const provider = datadogProvider.create({ env: dd().env(), ...options.deps });
  return provider.measure(config(block), { at: options.at ?? AT, ...(options.signal ? { signal: options.signal } : {}), ...(options.namespace ? { namespace: options.namespace } : {}) });
}

async function failure(block: Record<string, unknown>, options: Parameters<typeof measure>[1] = {}): Promise<ProviderError> {
  const error = await measure(block, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

const lastRequest = (): RecordedRequest => {
  const request = dd().last();
  if (!request) throw new Error('the fake received no request');
  return request;
};

describe('datadog v1 (GET /api/v1/query)', () => {
  const v1 = (query = 'avg:trace.http.request.errors{service:checkout}') => ({ apiVersion: 'v1', query });

  it('when measured then the fake gets the query, both keys and a 5m window in seconds ending at the measurement time', async () => {
    dd().on('trace.http.request.errors', fixtures.value(0.004));
    await measure(v1());
    expect(lastRequest()).toMatchObject({ api: 'v1', method: 'GET', query: 'avg:trace.http.request.errors{service:checkout}', from: AT_S - 300, to: AT_S, apiKey: FAKE_API_KEY, appKey: FAKE_APP_KEY, status: 200 });
    expect(dd().problems).toEqual([]);
  });

  it('when the window is 1h and the time is not on a second then both ends are whole seconds (Argo truncates)', async () => {
    dd().on('avg:a.b', fixtures.value(1));
    await measure({ ...v1('avg:a.b{*}'), interval: '1h' }, { at: AT + 999 });
    expect(lastRequest()).toMatchObject({ from: AT_S - 3600, to: AT_S });
  });

  it.each([
    { name: 'when a series ends at a number then result is that number', fixture: fixtures.series([0.1, 0.2, 0.004]), value: 0.004, display: '0.004' },
    { name: 'when several series come back then the first series decides', fixture: fixtures.series([1, 2], [99]), value: 2, display: '2' },
    { name: 'when the value is tiny then it is shown without an exponent, as Go FormatFloat f -1', fixture: fixtures.value(1e-7), value: 1e-7, display: '0.0000001' },
    { name: 'when the value is large then it is shown in plain digits', fixture: fixtures.value(2.5e21), value: 2.5e21, display: '2500000000000000000000' },
    { name: 'when there is no series then result is nil and the empty series is shown', fixture: fixtures.empty(), value: null, display: '[]' },
    { name: 'when the series key is missing then result is nil shown as null', fixture: { kind: 'raw', body: { status: 'ok' } } as const, value: null, display: 'null' },
    { name: 'when the first series has no points then result is nil and Argo’s rendering is kept', fixture: { kind: 'raw', body: { status: 'ok', series: [{ metric: 'a', pointlist: [] }] } } as const, value: null, display: '[{"pointlist":[]}]' },
  ])('$name', async ({ fixture, value, display }) => {
    dd().on('avg:', fixture);
    const result = await measure(v1());
    expect(result.value).toEqual(value);
    expect(result.display).toBe(display);
  });

  it('when the last point is null then it reads 0 as in Argo and the metadata says so', async () => {
    dd().on('avg:', fixtures.series([0.5, null]));
    const result = await measure(v1());
    expect(result.value).toBe(0);
    expect(result.metadata?.['warning']).toContain('null');
  });

  it('when a point has three values then it is an error naming the point', async () => {
    dd().on('avg:', { kind: 'raw', body: { status: 'ok', series: [{ pointlist: [[1, 2, 3]] }] } });
    const error = await failure(v1());
    expect(error.code).toBe('PROVIDER_RESPONSE');
    expect(error.message).toContain('does not have 2 values');
  });

  it('when Datadog answers 200 with status error then it is an Error with its text, not a silent nil', async () => {
    dd().on('avg:', fixtures.queryErrors('Error parsing query: unknown function foo'));
    const error = await failure(v1());
    expect(error.code).toBe('PROVIDER_RESPONSE');
    expect(error.message).toContain('Error parsing query: unknown function foo');
    expect(error.message).toContain('avg:trace.http.request.errors{service:checkout}');
  });

  it('when measured then the metadata names the resolved query, version and window', async () => {
    dd().on('avg:', fixtures.value(1));
    const result = await measure(v1());
    expect(result.metadata).toMatchObject({
      apiVersion: 'v1',
      query: 'avg:trace.http.request.errors{service:checkout}',
      from: '2026-01-01T00:25:00.000Z',
      to: '2026-01-01T00:30:00.000Z',
    });
  });
});

describe('datadog v2 (POST /api/v2/query/scalar)', () => {
  it('when a single query is measured then it is sent as sub-query "query" with aggregator last and a window in ms', async () => {
    dd().on('sum:requests.error.rate', fixtures.value(0.01));
    await measure({ apiVersion: 'v2', query: 'sum:requests.error.rate{service:checkout}' });
    expect(lastRequest()).toMatchObject({
      api: 'v2',
      method: 'POST',
      from: AT - 300_000,
      to: AT,
      queries: [{ name: 'query', query: 'sum:requests.error.rate{service:checkout}', aggregator: 'last', dataSource: 'metrics' }],
      formulas: [],
    });
    expect(dd().problems).toEqual([]);
  });

  it('when queries and a formula are measured then every sub-query carries the aggregator and the formula is sent', async () => {
    dd().on('a / b', fixtures.value(2.5));
    const result = await measure({
      apiVersion: 'v2',
      interval: '10m',
      aggregator: 'sum',
      queries: { a: 'count:requests.errors{service:x}.as_count()', b: 'count:requests{service:x}.as_count()' },
      formula: 'a / b',
    });
    expect(result.value).toBe(2.5);
    expect(lastRequest()).toMatchObject({
      from: AT - 600_000,
      to: AT,
      queries: [
        { name: 'a', query: 'count:requests.errors{service:x}.as_count()', aggregator: 'sum' },
        { name: 'b', query: 'count:requests{service:x}.as_count()', aggregator: 'sum' },
      ],
      formulas: ['a / b'],
    });
    expect(result.metadata).toMatchObject({ formula: 'a / b', aggregator: 'sum', queries: JSON.stringify({ a: 'count:requests.errors{service:x}.as_count()', b: 'count:requests{service:x}.as_count()' }) });
    expect(result.metadata?.['query']).toBe('a / b; a = count:requests.errors{service:x}.as_count(); b = count:requests{service:x}.as_count()');
  });

  it.each([
    { name: 'when the number column has a value then result is that number', fixture: fixtures.value(0.0042), value: 0.0042, display: '0.0042' },
    { name: 'when the aggregator is last and the last point is null then result is nil (#3641)', fixture: fixtures.series([3, null]), value: null, display: '[]' },
    { name: 'when nulls precede a value then they are skipped', fixture: { kind: 'raw', body: { data: { attributes: { columns: [{ name: 'q', type: 'number', values: [null, 7] }] } } } } as const, value: 7, display: '7' },
    { name: 'when the number column is empty then result is nil shown as []', fixture: fixtures.empty(), value: null, display: '[]' },
    { name: 'when there are no columns then result is nil', fixture: { kind: 'raw', body: { data: { attributes: { columns: [] } } } } as const, value: null, display: '[]' },
    { name: 'when the column has no type (older answers) then it is read as numbers', fixture: { kind: 'raw', body: { data: { attributes: { columns: [{ name: 'q', values: [4] }] } } } } as const, value: 4, display: '4' },
  ])('$name', async ({ fixture, value, display }) => {
    dd().on('avg:', fixture);
    const result = await measure({ apiVersion: 'v2', query: 'avg:a.b{*}' });
    expect(result.value).toEqual(value);
    expect(result.display).toBe(display);
  });

  it('when the query is grouped then result is an array and metadata.groups maps values to tags', async () => {
    dd().on('by {resource_name}', fixtures.groups({ 'GET /a': 0.01, 'GET /b': null, 'POST /c': 0.09 }));
    const result = await measure({ apiVersion: 'v2', query: 'sum:trace.http.request.errors{service:x} by {resource_name}.as_count()' });
    expect(result.value).toEqual([0.01, 0.09]);
    expect(result.display).toBe('[0.01,0.09]');
    expect(JSON.parse(result.metadata?.['groups'] ?? '')).toEqual([
      { name: 'GET /a', value: 0.01 },
      { name: 'POST /c', value: 0.09 },
    ]);
    expect(result.metadata?.['groups_truncated']).toBeUndefined();
  });

  it('when only one group comes back then result is still an array, so max(result) keeps working', async () => {
    dd().on('by {', fixtures.groups({ only: 0.5 }));
    const result = await measure({ apiVersion: 'v2', query: 'avg:a.b{*} by {host}' });
    expect(result.value).toEqual([0.5]);
  });

  it('when the query groups by two tags then each name joins both dimensions', async () => {
    dd().on('by {', fixtures.groups({ 'prod,GET /a': 1, 'prod,GET /b': 2 }));
    const result = await measure({ apiVersion: 'v2', query: 'avg:a.b{*} by {env,resource_name}' });
    expect(JSON.parse(result.metadata?.['groups'] ?? '')).toEqual([
      { name: 'prod,GET /a', value: 1 },
      { name: 'prod,GET /b', value: 2 },
    ]);
  });

  it('when more than 100 groups come back then the metadata keeps the 50 lowest and 50 highest and says so', async () => {
    const groups = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`host-${i}`, i]));
    dd().on('by {', fixtures.groups(groups));
    const result = await measure({ apiVersion: 'v2', query: 'avg:a.b{*} by {host}' });
    expect((result.value as number[]).length).toBe(150);
    const kept = JSON.parse(result.metadata?.['groups'] ?? '') as { value: number }[];
    expect(kept).toHaveLength(100);
    expect(kept.map((g) => g.value)).toEqual([...Array.from({ length: 50 }, (_, i) => i), ...Array.from({ length: 50 }, (_, i) => 100 + i)]);
    expect(result.metadata?.['groups_truncated']).toBe('true');
  });

  it('when a value is not a number then it is an error naming the column', async () => {
    dd().on('avg:', { kind: 'raw', body: { data: { attributes: { columns: [{ name: 'q', type: 'number', values: ['high'] }] } } } });
    const error = await failure({ apiVersion: 'v2', query: 'avg:a.b{*}' });
    expect(error.code).toBe('PROVIDER_RESPONSE');
  });

  it.each([
    ['at the top level, as Datadog documents', { data: { attributes: { columns: [] } }, errors: 'metric not found: foo' }],
    ['inside data, where Argo reads it', { data: { attributes: { columns: [] }, errors: 'metric not found: foo' } }],
  ])('when errors come back %s then it is an Error with that text', async (_where, body) => {
    dd().on('avg:', { kind: 'raw', body });
    const error = await failure({ apiVersion: 'v2', query: 'avg:a.b{*}' });
    expect(error.code).toBe('PROVIDER_RESPONSE');
    expect(error.message).toContain('metric not found: foo');
  });
});

describe('datadog failures become ProviderErrors with Datadog’s words', () => {
  const block = { apiVersion: 'v2', query: 'avg:trace.http.request.errors{service:checkout}' };

  it.each([
    { name: 'when Datadog answers 500 then it is PROVIDER_HTTP with its error text and the query', fixture: fixtures.serverError('upstream timeout in query engine'), code: 'PROVIDER_HTTP', status: 500, texts: ['HTTP 500', 'upstream timeout in query engine', 'avg:trace.http.request.errors{service:checkout}'] },
    { name: 'when Datadog rejects the query with 400 then its parse error is quoted', fixture: fixtures.badRequest('Error parsing query: unexpected token'), code: 'PROVIDER_HTTP', status: 400, texts: ['HTTP 400', 'Error parsing query: unexpected token'] },
    { name: 'when Datadog answers 401 then it is an authentication error naming where the keys came from', fixture: { kind: 'status', status: 401, body: { errors: ['Unauthorized'] } } as const, code: 'PROVIDER_HTTP', status: 401, texts: ['authentication error', 'HTTP 401', 'Unauthorized', 'DD_API_KEY'] },
    { name: 'when a proxy answers 502 with HTML then the page text is quoted, shortened', fixture: { kind: 'status', status: 502, body: '<html>Bad Gateway</html>' } as const, code: 'PROVIDER_HTTP', status: 502, texts: ['HTTP 502', '<html>Bad Gateway</html>'] },
  ])('$name', async ({ fixture, code, status, texts }) => {
    dd().on('avg:', fixture);
    const error = await failure(block);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    for (const text of texts) expect(error.message).toContain(text);
  });

  it('when the keys are wrong then the fake answers 403 and the error says authentication without showing a key', async () => {
    dd().on('avg:', fixtures.value(1));
    const env = { DD_API_KEY: 'wrong-api-key-secret', DD_APP_KEY: 'wrong-app-key-secret', DD_ADDRESS: dd().url };
    const error = await failure(block, { deps: { env } });
    expect(error.status).toBe(403);
    expect(error.message).toContain('authentication error');
    expect(error.message).toContain('Forbidden');
    expect(error.message).not.toContain('wrong-api-key-secret');
    expect(error.message).not.toContain('wrong-app-key-secret');
  });

  it('when Datadog rate-limits then it is PROVIDER_RATE_LIMITED with retryAfterMs from X-RateLimit-Reset', async () => {
    dd().on('avg:', fixtures.rateLimited(7));
    const error = await failure(block);
    expect(error.code).toBe('PROVIDER_RATE_LIMITED');
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(7000);
    expect(error.message).toContain('"query_scalar_public"');
    expect(error.message).toContain('resets in 7s');
    // One request only: the client's own retry loop (≥ 2 s backoff) is off.
    expect(dd().requests).toHaveLength(1);
  });

  it('when a 429 carries no reset header then retryAfterMs is left to the engine', async () => {
    dd().on('avg:', { kind: 'status', status: 429, body: { errors: ['Rate limit exceeded'] } });
    const error = await failure(block);
    expect(error.code).toBe('PROVIDER_RATE_LIMITED');
    expect(error.retryAfterMs).toBeUndefined();
  });

  it('when a 500 comes back then the client does not retry it', async () => {
    dd().on('avg:', fixtures.serverError());
    await failure(block);
    expect(dd().requests).toHaveLength(1);
  });

  it('when Datadog is slower than requestTimeout then it is PROVIDER_TIMEOUT naming the limit', async () => {
    dd().on('avg:', fixtures.slow(30_000, fixtures.value(1)));
    const error = await failure({ ...block, requestTimeout: '200ms' });
    expect(error.code).toBe('PROVIDER_TIMEOUT');
    expect(error.message).toContain('timed out after 200ms (requestTimeout)');
    expect(error.message).toContain(`POST ${dd().url}/api/v2/query/scalar`);
  });

  it('when the run is aborted mid-request then the error says so', async () => {
    dd().on('avg:', fixtures.slow(30_000, fixtures.value(1)));
    const controller = new AbortController();
    const pending = failure(block, { signal: controller.signal });
    await expect.poll(() => dd().requests.length).toBe(1);
    controller.abort();
    const error = await pending;
    expect(error.code).toBe('PROVIDER_UNREACHABLE');
    expect(error.message).toContain('aborted');
  });

  it('when nothing listens at the address then it is PROVIDER_UNREACHABLE naming address and cause', async () => {
    const address = `http://127.0.0.1:${await freePort()}`;
    const error = await failure(block, { deps: { env: { ...dd().env(), DD_ADDRESS: address } } });
    expect(error.code).toBe('PROVIDER_UNREACHABLE');
    expect(error.message).toContain(address);
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('datadog credentials', () => {
  const block = { apiVersion: 'v2', query: 'avg:a.b{*}' };
  const secrets = (data: Record<string, string>) => {
    const reads: { namespace?: string; name: string; key: string }[] = [];
    const readSecret = async (ref: { namespace?: string; name: string; key: string }): Promise<string | undefined> => {
      reads.push(ref);
      return data[`${ref.namespace ?? '(own)'}/${ref.name}/${ref.key}`];
    };
    return { reads, readSecret };
  };
  beforeEach(() => {
    dd().on('avg:a.b', fixtures.value(1));
  });

  it.each([
    { name: 'when no keys are anywhere then the error names the variables and the Secret to set', env: {}, text: 'set DD_API_KEY and DD_APP_KEY' },
    { name: 'when only DD_API_KEY is set then the error says which one is missing', env: { DD_API_KEY: 'k' }, text: 'only DD_API_KEY is set' },
    { name: 'when DD_ADDRESS is not a URL then it is named', env: { DD_API_KEY: 'k', DD_APP_KEY: 'a', DD_ADDRESS: 'datadoghq.eu' }, text: 'datadog address from environment (DD_API_KEY, DD_APP_KEY) is not a URL' },
  ])('$name', async ({ env, text }) => {
    const error = await failure(block, { deps: { env } });
    expect(error.code).toBe('PROVIDER_CONFIG');
    expect(error.message).toContain(text);
    expect(dd().requests).toHaveLength(0);
  });

  it('when the address ends with a slash then requests still reach /api/…', async () => {
    await measure(block, { deps: { env: { ...dd().env(), DD_ADDRESS: `${dd().url}/` } } });
    expect(lastRequest().path).toBe('/api/v2/query/scalar');
  });

  it('when secretRef names a Secret then only that Secret is read, in metricgate’s namespace', async () => {
    const { reads, readSecret } = secrets({ '(own)/dd/api-key': FAKE_API_KEY, '(own)/dd/app-key': FAKE_APP_KEY, '(own)/dd/address': `${dd().url}\n` });
    await measure({ ...block, secretRef: { name: 'dd' } }, { deps: { env: {}, readSecret } });
    expect(lastRequest()).toMatchObject({ apiKey: FAKE_API_KEY, appKey: FAKE_APP_KEY, status: 200 });
    expect(new Set(reads.map((r) => `${r.namespace ?? '(own)'}/${r.name}`))).toEqual(new Set(['(own)/dd']));
  });

  it('when secretRef is namespaced then the Secret is read from the run’s namespace', async () => {
    const { readSecret } = secrets({ 'shop/dd/api-key': FAKE_API_KEY, 'shop/dd/app-key': FAKE_APP_KEY, 'shop/dd/address': dd().url });
    await measure({ ...block, secretRef: { name: 'dd', namespaced: true } }, { deps: { env: {}, readSecret }, namespace: 'shop' });
    expect(lastRequest().status).toBe(200);
  });

  it('when secretRef is set but the environment has keys then the environment is not used (Argo’s code)', async () => {
    const { readSecret } = secrets({});
    const error = await failure({ ...block, secretRef: { name: 'dd' } }, { deps: { env: dd().env(), readSecret } });
    expect(error.code).toBe('PROVIDER_CONFIG');
    expect(error.message).toContain('Secret "dd"');
    expect(error.message).toContain('api-key and app-key are required');
  });

  it('when secretRef is set but Secrets cannot be read here then the fix is named', async () => {
    const error = await failure({ ...block, secretRef: { name: 'dd' } }, { deps: { env: dd().env() } });
    expect(error.code).toBe('PROVIDER_CONFIG');
    expect(error.message).toContain('cannot read Kubernetes Secrets');
    expect(error.message).toContain('DD_API_KEY');
  });

  it('when the environment has no keys then the Secret "datadog" is the fallback', async () => {
    const { reads, readSecret } = secrets({ '(own)/datadog/api-key': FAKE_API_KEY, '(own)/datadog/app-key': FAKE_APP_KEY, '(own)/datadog/address': dd().url });
    await measure(block, { deps: { env: {}, readSecret } });
    expect(lastRequest().status).toBe(200);
    expect(reads.every((r) => r.name === 'datadog' && r.namespace === undefined)).toBe(true);
  });

  it('when measurements succeed then no key appears in the value or the metadata', async () => {
    const result = await measure(block);
    expect(JSON.stringify(result)).not.toContain(FAKE_API_KEY);
    expect(JSON.stringify(result)).not.toContain(FAKE_APP_KEY);
  });
});

describe('datadog plug-in surface', () => {
  it('when queries are mapped then query and each sub-query are rewritten with their paths, the formula is not', () => {
    const seen: string[] = [];
    const rewrite = (q: string, path: readonly (string | number)[]): string => {
      seen.push(path.join('.'));
      return `${q}!`;
    };
    const single = datadogProvider.mapQueries?.(config({ query: 'avg:a{*}' }), rewrite);
    const multi = datadogProvider.mapQueries?.(config({ apiVersion: 'v2', queries: { a: 'sum:a{*}', b: 'sum:b{*}' }, formula: 'a / b' }), rewrite);
    expect(single?.query).toBe('avg:a{*}!');
    expect(multi?.queries).toEqual({ a: 'sum:a{*}!', b: 'sum:b{*}!' });
    expect(multi?.formula).toBe('a / b');
    expect(seen).toEqual(['query', 'queries.a', 'queries.b']);
  });

  it('when described then the resolved query and the version are shown without measuring', () => {
    const provider = datadogProvider.create({ env: {} });
    expect(provider.describe(config({ apiVersion: 'v2', query: 'sum:a{*}' }))).toEqual({ apiVersion: 'v2', query: 'sum:a{*}', aggregator: 'last' });
    expect(provider.describe(config({ query: 'avg:a{*}' }))).toEqual({ apiVersion: 'v1', query: 'avg:a{*}' });
  });
});
