/**
 * @module test/unit/providers/datadog-config.test
 * The `provider.datadog` block through the plug-in's schema: Argo's defaults, and Argo's
 * `validateIncomingProps` rules reported at the field to change, both from the schema and as
 * `metricgate lint` shows them (`spec.metrics[0].provider.datadog.<field>`).
 */
import { describe, expect, it } from 'vitest';
import { datadogProvider } from '../../../src/providers/datadog/index.js';
import { getProvider } from '../../../src/providers/registry.js';
import { cli } from '../../support/cli.js';

const parse = (block: unknown) => datadogProvider.schema.safeParse(block);

function issues(block: unknown): { path: string; message: string }[] {
  const result = parse(block);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

describe('datadog provider block: defaults', () => {
  it('when only a query is given then Argo CRD defaults apply: v1, 5m window', () => {
    const result = parse({ query: 'avg:a.b{*}' });
    expect(result.success && result.data).toEqual({ apiVersion: 'v1', interval: '5m', query: 'avg:a.b{*}' });
  });

  it('when the plug-in is looked up then it is registered under datadog with the datadog query language', () => {
    expect(getProvider('datadog')).toBe(datadogProvider);
    expect(datadogProvider.queryLanguage).toBe('datadog');
  });

  it.each([
    ['a v2 query with an aggregator', { apiVersion: 'v2', query: 'sum:a.b{*}.as_count()', aggregator: 'sum' }],
    ['v2 queries with a formula', { apiVersion: 'v2', queries: { a: 'sum:a{*}', b: 'sum:b{*}' }, formula: 'a / b' }],
    ['one v2 sub-query without a formula', { apiVersion: 'v2', queries: { q: 'max:kubernetes.containers.restarts{*}' } }],
    ['a secretRef and a request timeout', { apiVersion: 'v2', query: 'avg:a{*}', secretRef: { name: 'dd', namespaced: true }, requestTimeout: '30s' }],
    ['a zero window', { query: 'avg:a{*}', interval: '0s' }],
    ['every aggregator Argo allows', { apiVersion: 'v2', query: 'avg:a{*}', aggregator: 'l2norm' }],
  ])('when %s is given then it is valid', (_name, block) => {
    expect(issues(block)).toEqual([]);
  });
});

describe('datadog provider block: Argo validateIncomingProps as schema errors', () => {
  it.each([
    { name: 'when neither query nor queries is set then query is required', block: { apiVersion: 'v2' }, path: 'query', text: 'is required' },
    { name: 'when query is blank then it counts as missing, as in Argo', block: { query: '  ' }, path: 'query', text: 'is required' },
    { name: 'when query and queries are both set then queries is refused', block: { apiVersion: 'v2', query: 'avg:a{*}', queries: { a: 'avg:a{*}' } }, path: 'queries', text: 'cannot be set together with query' },
    { name: 'when v1 gets queries then it needs v2', block: { apiVersion: 'v1', queries: { a: 'avg:a{*}' } }, path: 'queries', text: 'needs apiVersion v2' },
    { name: 'when apiVersion is omitted and queries is used then it is v1 and refused', block: { queries: { a: 'avg:a{*}' } }, path: 'queries', text: 'needs apiVersion v2' },
    { name: 'when a formula has no queries then it is refused', block: { apiVersion: 'v2', query: 'avg:a{*}', formula: 'a * 2' }, path: 'formula', text: 'needs queries' },
    { name: 'when several queries have no formula then a formula is required', block: { apiVersion: 'v2', queries: { a: 'avg:a{*}', b: 'avg:b{*}' } }, path: 'formula', text: 'is required when queries has several entries (a, b)' },
    { name: 'when v1 gets an aggregator then it is refused (#3641)', block: { apiVersion: 'v1', query: 'avg:a{*}', aggregator: 'sum' }, path: 'aggregator', text: 'only supported with apiVersion v2' },
    { name: 'when the aggregator is unknown then the valid ones are listed', block: { apiVersion: 'v2', query: 'avg:a{*}', aggregator: 'median' }, path: 'aggregator', text: '' },
    { name: 'when apiVersion is v3 then it is refused', block: { apiVersion: 'v3', query: 'avg:a{*}' }, path: 'apiVersion', text: '' },
    { name: 'when the window is not a Go duration then it says so', block: { query: 'avg:a{*}', interval: '5 minutes' }, path: 'interval', text: 'Go duration' },
    { name: 'when the request timeout is zero then it must be positive', block: { query: 'avg:a{*}', requestTimeout: '0s' }, path: 'requestTimeout', text: 'positive Go duration' },
    { name: 'when the request timeout is not a duration then it says so', block: { query: 'avg:a{*}', requestTimeout: '10' }, path: 'requestTimeout', text: 'positive Go duration' },
    { name: 'when a namespaced secretRef has no name then the name is required', block: { query: 'avg:a{*}', secretRef: { namespaced: true } }, path: 'secretRef.name', text: 'is required when secretRef.namespaced is true' },
    { name: 'when an unknown field is given then it is refused', block: { query: 'avg:a{*}', site: 'datadoghq.eu' }, path: '', text: 'site' },
    { name: 'when a sub-query is empty then it is refused', block: { apiVersion: 'v2', queries: { a: '' } }, path: 'queries.a', text: 'must not be empty' },
  ])('$name', ({ block, path, text }) => {
    const found = issues(block);
    const hit = found.find((i) => i.path === path);
    expect(hit, JSON.stringify(found)).toBeDefined();
    expect(hit?.message).toContain(text);
  });
});

describe('datadog provider block in metricgate lint', () => {
  const template = (provider: string): string => `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: dd}
spec:
  metrics:
  - name: error-rate
    successCondition: default(result, 0) < 0.01
    provider:
      datadog:
${provider}`;

  it.each([
    { name: 'when several queries lack a formula then lint points at formula', provider: '        apiVersion: v2\n        queries:\n          a: sum:a{*}\n          b: sum:b{*}\n', path: 'spec.metrics[0].provider.datadog.formula', code: 'INVALID_VALUE' },
    { name: 'when a v1 query does not parse then lint points at the query with its position', provider: '        query: avg system.cpu{*}\n', path: 'spec.metrics[0].provider.datadog.query', code: 'QUERY' },
    { name: 'when a v2 sub-query does not parse then lint points at that sub-query', provider: '        apiVersion: v2\n        queries:\n          a: sum:a{x:y\n', path: 'spec.metrics[0].provider.datadog.queries.a', code: 'QUERY' },
  ])('$name', async ({ provider, path, code }) => {
    const out = await cli(['lint', '--output', 'json', '-'], { stdin: template(provider) });
    expect(out.code).toBe(64);
    const report = JSON.parse(out.stdout) as { issues: { code: string; path: string; message: string; line?: number }[] };
    expect(report.issues).toContainEqual(expect.objectContaining({ code, path }));
  });

  it('when the Datadog block is valid then lint passes', async () => {
    const out = await cli(['lint', '-'], { stdin: template('        apiVersion: v2\n        query: sum:trace.http.request.errors{service:x}.as_count()\n        aggregator: sum\n') });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
  });
});
