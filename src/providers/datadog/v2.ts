/**
 * @module providers/datadog/v2
 * `apiVersion: v2`: `POST /api/v2/query/scalar` (times in milliseconds) with `query` sent as one
 * sub-query named `query`, or `queries` + `formula`, each sub-query with the `aggregator`
 * (default `last`). The result is Argo's (metricproviders/datadog/datadog.go on main):
 *
 * - the first number column is read, JSON nulls skipped (Datadog's "no data for this group");
 * - no values → nil (`[]` displayed), so `default(result, 0)` / `isNil(result)` behave as in Argo;
 * - an ungrouped query → its first value, a number;
 * - a grouped query (`by {tag}`, detected by `group` columns, even with one group) → an array of
 *   numbers, with `metadata.groups` = JSON `[{name, value}]` (tags of multi-tag groups joined with
 *   `,`), capped at 100 entries keeping both extremes, `groups_truncated: "true"` when capped.
 */
import type * as DatadogApi from '@datadog/datadog-api-client';
import { ProviderError, type RawResult } from '../provider.js';
import { DEFAULT_AGGREGATOR, namedQueries, type DatadogConfig } from './config.js';
import { formatFloat, formatFloats } from './format.js';
import { callDatadog, type DatadogCall } from './transport.js';
import type { QueryWindow } from './window.js';

/** Path of the v2 scalar query endpoint. */
export const V2_SCALAR_PATH = '/api/v2/query/scalar';
/** Most groups kept in `metadata.groups` (Argo's cap): the status must stay small. */
export const MAX_GROUPS_IN_METADATA = 100;

type ScalarRequest = DatadogApi.v2.ScalarFormulaQueryRequest;
type ScalarResponse = DatadogApi.v2.ScalarFormulaQueryResponse;

/** One column of the scalar answer, read structurally (the client may hand back unparsed objects). */
interface Column {
  readonly name: string;
  readonly type: string;
  readonly values: readonly unknown[];
}

interface Group {
  readonly name: string;
  readonly value: number;
}

/** The request body Argo sends, in the client's model. */
function scalarRequest(config: DatadogConfig, window: QueryWindow): ScalarRequest {
  const aggregator = config.aggregator ?? DEFAULT_AGGREGATOR;
  return {
    data: {
      type: 'scalar_request',
      attributes: {
        from: window.fromSeconds * 1000,
        to: window.toSeconds * 1000,
        queries: namedQueries(config).map(({ name, query }) => ({ dataSource: 'metrics', name, query, aggregator })),
        formulas: config.formula?.trim() ? [{ formula: config.formula }] : [],
      },
    },
  };
}

/**
 * Queries the scalar endpoint over `window` and maps the answer to Argo's result shape.
 * @param query - the resolved query summary, for messages
 * @throws ProviderError for transport failures and for errors Datadog reports in the body
 */
export async function measureV2(config: DatadogConfig, window: QueryWindow, call: Omit<DatadogCall, 'method' | 'path'>): Promise<RawResult> {
  const body = scalarRequest(config, window);
  const response = await callDatadog({ ...call, method: 'POST', path: V2_SCALAR_PATH }, (api, configuration) =>
    new api.v2.MetricsApi(configuration).queryScalarData({ body }),
  );
  return resultOf(response, call.query);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The client wraps shapes its models do not know in `{_data}`; read both the same way. */
function fieldsOf(value: unknown): Record<string, unknown> {
  if (!isRecord(value)) return {};
  return isRecord(value['_data']) ? value['_data'] : value;
}

function errorsOf(response: ScalarResponse): string | undefined {
  // Datadog documents `errors` next to `data`; Argo reads `data.errors`. Either one fails the measurement.
  const candidates: unknown[] = [response.errors, fieldsOf(response.data)['errors'], response.data?.additionalProperties?.['errors']];
  for (const errors of candidates) {
    if (typeof errors === 'string' && errors.trim() !== '') return errors;
    if (Array.isArray(errors) && errors.length > 0) return errors.map(String).join('; ');
  }
  return undefined;
}

function columnsOf(response: ScalarResponse): Column[] {
  const columns = response.data?.attributes?.columns ?? [];
  return columns.map((c) => {
    const fields = fieldsOf(c);
    return {
      name: typeof fields['name'] === 'string' ? fields['name'] : '',
      type: typeof fields['type'] === 'string' ? fields['type'] : '',
      values: Array.isArray(fields['values']) ? (fields['values'] as unknown[]) : [],
    };
  });
}

function groupName(groupColumns: readonly Column[], index: number, query: string): string {
  const parts: string[] = [];
  for (const column of groupColumns) {
    const tags = column.values[index];
    if (!Array.isArray(tags) || tags.length === 0 || !tags.every((t) => typeof t === 'string')) {
      throw new ProviderError('PROVIDER_RESPONSE', `datadog answered a group without tags at index ${index} in column ${JSON.stringify(column.name)} (query: ${query})`);
    }
    parts.push(...(tags as string[]));
  }
  return parts.join(',');
}

function resultOf(response: ScalarResponse, query: string): RawResult {
  const errors = errorsOf(response);
  if (errors !== undefined) throw new ProviderError('PROVIDER_RESPONSE', `datadog reported errors for the query: ${errors} (query: ${query})`);
  const columns = columnsOf(response);
  // Older answers carry no column type; Argo reads those as numbers, and so does this.
  const numbers = columns.find((c) => c.type === '' || c.type === 'number');
  const groupColumns = columns.filter((c) => c.type === 'group');
  const grouped = groupColumns.length > 0;
  const values: number[] = [];
  const groups: Group[] = [];
  (numbers?.values ?? []).forEach((raw, index) => {
    if (raw === null || raw === undefined) return;
    if (typeof raw !== 'number') {
      throw new ProviderError('PROVIDER_RESPONSE', `datadog answered a value that is not a number: ${JSON.stringify(raw)} in column ${JSON.stringify(numbers?.name)} (query: ${query})`);
    }
    values.push(raw);
    if (grouped) groups.push({ name: groupName(groupColumns, index, query), value: raw });
  });
  if (values.length === 0) return { value: null, display: '[]' };
  if (!grouped) {
    const value = values[0] as number;
    return { value, display: formatFloat(value) };
  }
  return { value: values, display: formatFloats(values), metadata: groupsMetadata(groups) };
}

/**
 * `groups` for the measurement metadata. Over the cap, the lowest and highest halves are kept:
 * the outlier is the highest value for an error or latency gate but the lowest for a success
 * rate, and which one matters is in the condition, which the provider does not see.
 */
function groupsMetadata(groups: readonly Group[]): Record<string, string> {
  if (groups.length <= MAX_GROUPS_IN_METADATA) return { groups: JSON.stringify(groups) };
  const sorted = [...groups].sort((a, b) => a.value - b.value);
  const low = Math.floor(MAX_GROUPS_IN_METADATA / 2);
  const high = MAX_GROUPS_IN_METADATA - low;
  return { groups: JSON.stringify([...sorted.slice(0, low), ...sorted.slice(sorted.length - high)]), groups_truncated: 'true' };
}
