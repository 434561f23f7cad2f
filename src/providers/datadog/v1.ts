/**
 * @module providers/datadog/v1
 * `apiVersion: v1`: `GET /api/v1/query?query=…&from=<s>&to=<s>` (times in seconds). The result is
 * Argo's: the last point of the first series as a number, or nil when there is no series or no
 * point — which is why Argo's docs tell users to write `default(result, 0)` or `isNil(result)`.
 */
import type * as DatadogApi from '@datadog/datadog-api-client';
import { ProviderError, type RawResult } from '../provider.js';
import type { DatadogConfig } from './config.js';
import { formatFloat } from './format.js';
import { callDatadog, type DatadogCall } from './transport.js';
import type { QueryWindow } from './window.js';

/** Path of the v1 query endpoint. */
export const V1_QUERY_PATH = '/api/v1/query';

type V1Response = DatadogApi.v1.MetricsQueryResponse;

/**
 * Queries `config.query` over `window` and maps the answer to Argo's result shape.
 * @throws ProviderError for transport failures and for errors Datadog reports in the body
 */
export async function measureV1(config: DatadogConfig, window: QueryWindow, call: Omit<DatadogCall, 'method' | 'path'>): Promise<RawResult> {
  const query = config.query ?? '';
  const response = await callDatadog({ ...call, method: 'GET', path: V1_QUERY_PATH }, (api, configuration) =>
    new api.v1.MetricsApi(configuration).queryMetrics({ from: window.fromSeconds, to: window.toSeconds, query }),
  );
  return resultOf(response, query);
}

function resultOf(response: V1Response, query: string): RawResult {
  // Argo ignores these and reads "no series" (nil), which `default(result, 0)` then passes; a
  // query Datadog could not run is an outage of the gate, not a healthy canary.
  if (response.status === 'error' || (typeof response.error === 'string' && response.error !== '')) {
    throw new ProviderError('PROVIDER_RESPONSE', `datadog could not run the query: ${response.error || 'status "error"'} (query: ${query})`);
  }
  const series = response.series;
  const first = series?.[0];
  const points = first?.pointlist;
  const last = points?.[points.length - 1];
  if (last === undefined) {
    // Argo shows the series it decoded, re-encoded with only their point lists: `[]`, `null`,
    // `[{"pointlist":[]}]`.
    const shown = series === undefined ? null : series.map((s) => ({ pointlist: s.pointlist ?? null }));
    return { value: null, display: JSON.stringify(shown) };
  }
  if (!Array.isArray(last) || last.length !== 2) {
    throw new ProviderError('PROVIDER_RESPONSE', `datadog datapoint does not have 2 values: ${JSON.stringify(last)} (query: ${query})`);
  }
  const raw: unknown = last[1];
  if (raw !== null && typeof raw !== 'number') {
    throw new ProviderError('PROVIDER_RESPONSE', `datadog datapoint value is not a number: ${JSON.stringify(raw)} (query: ${query})`);
  }
  // Go decodes a JSON null inside []float64 as 0, so Argo reads a null last point as 0. Kept for
  // the same verdicts on the same data, and said out loud in the metadata.
  const value = raw ?? 0;
  const metadata: Record<string, string> = raw === null ? { warning: 'the last point of the series is null; read as 0, as Argo does' } : {};
  return { value, display: formatFloat(value), metadata };
}
