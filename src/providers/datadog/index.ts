/**
 * @module providers/datadog
 * Argo's `datadog` provider on the official `@datadog/datadog-api-client`: the same fields, the
 * same defaults, the same credentials lookup and the same result shapes (a number, nil, or an
 * array for grouped v2 queries), so an Argo template gives the same phases here. The queries are
 * Datadog metric queries (query language `datadog`), which scoping rewrites to the pods being
 * judged before they reach this provider.
 *
 * Field table (Argo's `DatadogMetric`):
 *
 * | field | meaning | default |
 * |---|---|---|
 * | `apiVersion` | `v1` (`GET /api/v1/query`) or `v2` (`POST /api/v2/query/scalar`) | `v1` (Argo's CRD) |
 * | `interval` | data window: the query covers `[at - interval, at]` | `5m` |
 * | `query` | one metric query | — |
 * | `queries` + `formula` | v2: named sub-queries and how to combine them | — |
 * | `aggregator` | v2: avg, min, max, sum, last, percentile, mean, l2norm, area | `last` |
 * | `secretRef{name, namespaced}` | Secret with `api-key`, `app-key`, `address` | env, then Secret `datadog` |
 * | `requestTimeout` | HTTP timeout per request | `10s` |
 */
import { parseDuration } from '../../model/index.js';
import type { MeasureContext, MetricProvider, ProviderDeps, ProviderPlugin, RawResult } from '../provider.js';
import { DEFAULT_AGGREGATOR, DEFAULT_REQUEST_TIMEOUT_MS, datadogSchema, namedQueries, querySummary, type DatadogConfig } from './config.js';
import { findCredentials } from './credentials.js';
import { measureV1 } from './v1.js';
import { measureV2 } from './v2.js';
import { queryWindow } from './window.js';

export type { DatadogConfig } from './config.js';

/** The `datadog` provider plug-in. */
export const datadogProvider: ProviderPlugin<DatadogConfig> = {
  kind: 'datadog',
  description: 'Datadog metric query (v1 query, or v2 scalar query / queries + formula); number, nil when empty, array of numbers for grouped v2 queries',
  queryLanguage: 'datadog',
  schema: datadogSchema,
  mapQueries: (config, rewrite) => ({
    ...config,
    ...(config.query?.trim() ? { query: rewrite(config.query, ['query']) } : {}),
    ...(config.queries ? { queries: Object.fromEntries(Object.entries(config.queries).map(([name, q]) => [name, rewrite(q, ['queries', name])])) } : {}),
  }),
  create: (deps) => new DatadogProvider(deps),
};

class DatadogProvider implements MetricProvider<DatadogConfig> {
  constructor(private readonly deps: ProviderDeps) {}

  describe(config: DatadogConfig): Record<string, string> {
    return {
      apiVersion: config.apiVersion,
      query: querySummary(config),
      ...(config.queries !== undefined ? { queries: JSON.stringify(Object.fromEntries(namedQueries(config).map((q) => [q.name, q.query]))) } : {}),
      ...(config.formula?.trim() ? { formula: config.formula } : {}),
      ...(config.apiVersion === 'v2' ? { aggregator: config.aggregator ?? DEFAULT_AGGREGATOR } : {}),
    };
  }

  async measure(config: DatadogConfig, ctx: MeasureContext): Promise<RawResult> {
    const credentials = await findCredentials(config, this.deps, ctx.namespace);
    const window = queryWindow(ctx.at, config.interval);
    const call = {
      credentials,
      query: querySummary(config),
      timeoutMs: config.requestTimeout !== undefined ? (parseDuration(config.requestTimeout) ?? DEFAULT_REQUEST_TIMEOUT_MS) : DEFAULT_REQUEST_TIMEOUT_MS,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    };
    const raw = config.apiVersion === 'v1' ? await measureV1(config, window, call) : await measureV2(config, window, call);
    const metadata = {
      ...this.describe(config),
      from: new Date(window.fromSeconds * 1000).toISOString(),
      to: new Date(window.toSeconds * 1000).toISOString(),
      ...raw.metadata,
    };
    return { ...raw, metadata };
  }
}
