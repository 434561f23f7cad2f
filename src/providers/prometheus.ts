/**
 * @module providers/prometheus
 * Argo's `prometheus` provider on the prometheus-query client. Result shapes are Argo's: a vector
 * or matrix becomes an array of numbers (labels dropped, matrix samples flattened), a scalar a
 * number, an empty vector `[]`. Two client quirks are corrected here: prometheus-query parses
 * `+Inf` with parseFloat (→ NaN), and it reads warnings from the wrong place.
 */
import https from 'node:https';
import { PrometheusDriver, type PrometheusConnectionOptions, type QueryResult } from 'prometheus-query';
import { z } from 'zod';
import { compile, evaluate, formatValue, isTimeValue, type ExprValue } from '../expr/index.js';
import { parseDuration } from '../model/index.js';
import { OAuth2Tokens, oauth2Schema } from './oauth2.js';
import { ProviderError, type MeasureContext, type MetricProvider, type ProviderDeps, type ProviderPlugin, type RawResult } from './provider.js';

const header = z.strictObject({ key: z.string().min(1), value: z.string() });

const schema = z.strictObject({
  /** Base URL of Prometheus; falls back to METRICGATE_PROMETHEUS_ADDRESS / ARGO_ROLLOUTS_PROMETHEUS_ADDRESS. */
  address: z
    .string()
    .refine((s) => isHttpUrl(s), { error: (iss) => `expected an http(s) URL such as "http://prometheus.monitoring:9090", got ${JSON.stringify(iss.input)}` })
    .optional(),
  query: z.string().min(1, { error: 'is required: the PromQL expression to evaluate' }),
  /** Request timeout in seconds. @defaultValue 30 */
  timeout: z.number().int().min(0, { error: 'must be >= 0 seconds' }).optional(),
  /** Skip TLS verification. @defaultValue false */
  insecure: z.boolean().optional(),
  headers: z.array(header).optional(),
  authentication: z
    .strictObject({
      basicAuth: z.strictObject({ username: z.string().optional(), password: z.string().optional() }).optional(),
      oauth2: oauth2Schema.optional(),
      sigv4: z
        .strictObject({ region: z.string().optional(), profile: z.string().optional(), roleArn: z.string().optional() })
        .refine((v) => !v.region && !v.profile && !v.roleArn, {
          error: 'sigv4 (Amazon Managed Prometheus) is not supported by metricgate; put a SigV4 proxy in front and use its address',
        })
        .optional(),
    })
    .optional(),
  rangeQuery: z
    .strictObject({
      /** Expression yielding a time, e.g. `now() - duration("10m")`. */
      start: z.string().min(1),
      /** Expression yielding a time, e.g. `now()`. */
      end: z.string().min(1),
      /** Resolution step as a Go duration, e.g. `1m`. */
      step: z.string().refine((s) => s.includes('{{') || (parseDuration(s) ?? 0) > 0, { error: 'expected a positive Go duration such as "1m"' }),
    })
    .optional(),
});

/** A validated `provider.prometheus` block. */
export type PrometheusConfig = z.infer<typeof schema>;

/** Default timeout (Argo's): 30 s. */
const DEFAULT_TIMEOUT_S = 30;

function isHttpUrl(text: string): boolean {
  if (text.includes('{{')) return true;
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
  } catch {
    return false;
  }
}

export const prometheusProvider: ProviderPlugin<PrometheusConfig> = {
  kind: 'prometheus',
  description: 'Prometheus instant or range query (PromQL); vector/matrix → array of numbers, scalar → number',
  queryLanguage: 'promql',
  schema,
  mapQueries: (config, rewrite) => ({ ...config, query: rewrite(config.query, ['query']) }),
  create: (deps) => new PrometheusProvider(deps),
};

class PrometheusProvider implements MetricProvider<PrometheusConfig> {
  private readonly drivers = new Map<string, { driver: PrometheusDriver; warnings: string[] }>();
  private readonly tokens = new OAuth2Tokens();

  constructor(private readonly deps: ProviderDeps) {}

  describe(config: PrometheusConfig): Record<string, string> {
    // Key name kept from Argo (metricproviders/prometheus GetMetadata) so dashboards port over.
    return { ResolvedPrometheusQuery: config.query };
  }

  async measure(config: PrometheusConfig, ctx: MeasureContext): Promise<RawResult> {
    const address = this.address(config);
    const headers = await this.headers(config);
    const key = JSON.stringify([address, headers, config.insecure ?? false, config.timeout ?? DEFAULT_TIMEOUT_S, config.authentication?.basicAuth]);
    let entry = this.drivers.get(key);
    if (!entry) {
      entry = this.newDriver(address, headers, config);
      this.drivers.set(key, entry);
    }
    let result: QueryResult;
    try {
      if (config.rangeQuery) {
        const start = evalTime(config.rangeQuery.start, ctx.at, 'rangeQuery.start');
        const end = evalTime(config.rangeQuery.end, ctx.at, 'rangeQuery.end');
        const stepMs = parseDuration(config.rangeQuery.step) ?? 60_000;
        result = await entry.driver.rangeQuery(config.query, start, end, stepMs / 1000);
      } else {
        result = await entry.driver.instantQuery(config.query, ctx.at);
      }
    } catch (err) {
      throw toProviderError(err, address, config.query);
    }
    const warnings = entry.warnings.splice(0);
    const { value, display } = toArgoShape(result);
    const metadata: Record<string, string> = { query: config.query };
    if (warnings.length > 0) metadata['warnings'] = warnings.map((w) => JSON.stringify(w)).join(', ');
    return { value, display, metadata };
  }

  private address(config: PrometheusConfig): string {
    const address = config.address ?? this.deps.env['METRICGATE_PROMETHEUS_ADDRESS'] ?? this.deps.env['ARGO_ROLLOUTS_PROMETHEUS_ADDRESS'];
    if (!address) {
      throw new ProviderError(
        'PROVIDER_CONFIG',
        'prometheus address is not configured: set provider.prometheus.address or the METRICGATE_PROMETHEUS_ADDRESS environment variable',
      );
    }
    if (!isHttpUrl(address)) throw new ProviderError('PROVIDER_CONFIG', `prometheus address ${JSON.stringify(address)} is not an http(s) URL`);
    return address;
  }

  private async headers(config: PrometheusConfig): Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    for (const h of config.headers ?? []) headers[h.key] = h.value;
    const basic = config.authentication?.basicAuth;
    if (basic && (basic.username || basic.password)) {
      if (!basic.username) throw new ProviderError('PROVIDER_CONFIG', 'missing mandatory parameter in metric for basic auth setup: username');
      if (!basic.password) throw new ProviderError('PROVIDER_CONFIG', 'missing mandatory parameter in metric for basic auth setup: password');
      headers['Authorization'] = `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`;
    }
    const oauth = config.authentication?.oauth2;
    if (oauth?.tokenUrl) headers['Authorization'] = `Bearer ${await this.tokens.token(oauth)}`;
    return headers;
  }

  private newDriver(address: string, headers: Record<string, string>, config: PrometheusConfig): { driver: PrometheusDriver; warnings: string[] } {
    const warnings: string[] = [];
    const agent = config.insecure ? new https.Agent({ rejectUnauthorized: false, keepAlive: true }) : undefined;
    const options: PrometheusConnectionOptions = {
      endpoint: address,
      baseURL: '/api/v1/',
      headers,
      timeout: (config.timeout ?? DEFAULT_TIMEOUT_S) * 1000 || undefined,
      requestInterceptor: {
        onFulfilled: (req) => {
          if (agent) req.httpsAgent = agent;
          return req;
        },
      },
      responseInterceptor: {
        onFulfilled: (res) => {
          const data: unknown = res.data;
          if (isRecord(data)) {
            if (Array.isArray(data['warnings'])) warnings.push(...data['warnings'].map(String));
            fixInfinities(data['data']);
          }
          return res;
        },
      },
    };
    return { driver: new PrometheusDriver(options), warnings };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Prometheus encodes ±Inf as "+Inf"/"-Inf"; parseFloat only understands "Infinity". */
function fixInfinities(data: unknown): void {
  if (!isRecord(data)) return;
  const fixPair = (pair: unknown): void => {
    if (Array.isArray(pair) && typeof pair[1] === 'string') {
      if (pair[1] === '+Inf' || pair[1] === 'Inf') pair[1] = 'Infinity';
      else if (pair[1] === '-Inf') pair[1] = '-Infinity';
    }
  };
  const result = data['result'];
  if (data['resultType'] === 'scalar' || data['resultType'] === 'string') fixPair(result);
  else if (Array.isArray(result)) {
    for (const series of result) {
      if (!isRecord(series)) continue;
      fixPair(series['value']);
      if (Array.isArray(series['values'])) series['values'].forEach(fixPair);
    }
  }
}

function toArgoShape(result: QueryResult): { value: ExprValue; display: string } {
  switch (result.resultType) {
    case 'scalar': {
      // prometheus-query leaves scalars as the raw [time, "value"] pair.
      const pair = result.result as unknown as [number, string];
      const value = Number(pair[1]);
      return { value, display: formatValue(value) };
    }
    case 'vector': {
      const values = (result.result as unknown as { value: { value: number } }[]).map((s) => s.value.value);
      return { value: values, display: formatValue(values) };
    }
    case 'matrix': {
      const values = (result.result as unknown as { values: { value: number }[] }[]).flatMap((s) => s.values.map((v) => v.value));
      return { value: values, display: formatValue(values) };
    }
    default:
      throw new ProviderError('PROVIDER_RESPONSE', `Prometheus metric type not supported: result type ${String(result.resultType)} (expected vector, matrix or scalar)`);
  }
}

function evalTime(expression: string, at: number, field: string): number {
  try {
    const value = evaluate(compile(expression), { result: null, now: () => at });
    if (isTimeValue(value)) return value.ms;
    throw new Error(`expected a time, got ${formatValue(value)}`);
  } catch (err) {
    throw new ProviderError('PROVIDER_CONFIG', `failed to parse ${field} as time: ${(err as Error).message}`, { cause: err });
  }
}

/** prometheus-query throws plain objects; turn them into ProviderErrors that say what failed. */
function toProviderError(err: unknown, address: string, query: string): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = isRecord(err) ? err : {};
  const detail = typeof e['error'] === 'string' ? e['error'] : err instanceof Error ? err.message : String(err);
  const where = `prometheus at ${address}`;
  switch (e['errorType']) {
    case 'timeout_error':
      return new ProviderError('PROVIDER_TIMEOUT', `${where} timed out: ${detail} (query: ${query})`, { cause: err });
    case 'http_error': {
      const status = typeof e['httpStatus'] === 'number' ? e['httpStatus'] : undefined;
      const prom = isRecord(e['prometheus']) ? e['prometheus'] : {};
      const type = typeof prom['errorType'] === 'string' ? `${prom['errorType']}: ` : '';
      return new ProviderError('PROVIDER_HTTP', `${where} answered HTTP ${status ?? '?'}: ${type}${detail} (query: ${query})`, { status, cause: err });
    }
    case 'network_error':
    case 'ssl_error':
      return new ProviderError('PROVIDER_UNREACHABLE', `${where} is unreachable: ${detail}${e['code'] ? ` (${String(e['code'])})` : ''}`, { cause: err });
    default:
      return new ProviderError('PROVIDER_RESPONSE', `${where}: ${detail} (query: ${query})`, { cause: err });
  }
}
