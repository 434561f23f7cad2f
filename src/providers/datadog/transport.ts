/**
 * @module providers/datadog/transport
 * One request to Datadog through the official `@datadog/datadog-api-client`, with what the
 * client does not give us:
 *
 * - any base URL (`baseServer`), so the same code talks to Datadog sites, proxies and the test fake;
 * - no client retries: its backoff waits ≥ 2 s inside one measurement; a 429 instead becomes
 *   `PROVIDER_RATE_LIMITED` with the wait Datadog asked for (`X-RateLimit-Reset`, seconds), and the
 *   engine schedules the retry;
 * - a per-request timeout (`requestTimeout`) and the run's abort signal;
 * - the HTTP status, headers and Datadog's own error text, which the client's `ApiException` only
 *   partly carries. A `fetch` hook records them as the response arrives.
 *
 * The client is loaded on first use: importing it costs about a second, which every CLI command
 * and Prometheus-only run would otherwise pay at start-up.
 */
import type * as DatadogApi from '@datadog/datadog-api-client';
import { formatDuration } from '../../model/index.js';
import { ProviderError } from '../provider.js';
import type { DatadogCredentials } from './credentials.js';

/** The loaded `@datadog/datadog-api-client` module. */
export type DatadogClientModule = typeof DatadogApi;

let loading: Promise<DatadogClientModule> | undefined;

/** Loads the client once per process; a failed load is retried on the next measurement. */
async function loadClient(): Promise<DatadogClientModule> {
  loading ??= import('@datadog/datadog-api-client').then((api) => {
    // Every failure is reported once, as a ProviderError in the measurement; the client would
    // also print each one to the console, outside the run's output.
    api.logger.setLevel('silent');
    return api;
  });
  try {
    return await loading;
  } catch (err) {
    loading = undefined;
    throw new ProviderError('PROVIDER_CONFIG', `cannot load @datadog/datadog-api-client: ${messageOf(err)} (run npm install)`, { cause: err });
  }
}

/** What one call is, for messages and limits. */
export interface DatadogCall {
  readonly credentials: DatadogCredentials;
  readonly method: 'GET' | 'POST';
  /** API path, e.g. `/api/v2/query/scalar`; with the address it names the endpoint in messages. */
  readonly path: string;
  /** Resolved query text, quoted in error messages. */
  readonly query: string;
  /** Abort the request after this long, ms. */
  readonly timeoutMs: number;
  /** The run's signal (terminated run, worker shutdown). */
  readonly signal?: AbortSignal;
}

/** The HTTP exchange as the `fetch` hook saw it. */
interface Exchange {
  status?: number;
  headers?: Headers;
  /** Body text of a non-2xx answer, read from a clone so the client can still read its copy. */
  errorBody?: Promise<string>;
}

/**
 * Runs `operation` with a client configuration aimed at `call.credentials.address`, and turns
 * every failure into a {@link ProviderError} that says what failed and why.
 */
export async function callDatadog<T>(call: DatadogCall, operation: (api: DatadogClientModule, configuration: DatadogApi.client.Configuration) => Promise<T>): Promise<T> {
  const api = await loadClient();
  const timeout = AbortSignal.timeout(call.timeoutMs);
  const signal = call.signal ? AbortSignal.any([timeout, call.signal]) : timeout;
  const exchange: Exchange = {};
  const fetchHook = async (input: string, init: RequestInit): Promise<Response> => {
    const response = await fetch(input, { ...init, signal });
    exchange.status = response.status;
    exchange.headers = response.headers;
    if (!response.ok) exchange.errorBody = response.clone().text().catch(() => '');
    return response;
  };
  const configuration = api.client.createConfiguration({
    baseServer: new api.client.BaseServerConfiguration(call.credentials.address, {}),
    authMethods: { apiKeyAuth: call.credentials.apiKey, appKeyAuth: call.credentials.appKey },
    enableRetry: false,
    fetch: fetchHook,
  });
  try {
    return await operation(api, configuration);
  } catch (err) {
    throw await toProviderError(err, exchange, call, timeout);
  }
}

const endpointOf = (call: DatadogCall): string => `${call.method} ${call.credentials.address}${call.path}`;

async function toProviderError(err: unknown, exchange: Exchange, call: DatadogCall, timeout: AbortSignal): Promise<ProviderError> {
  if (err instanceof ProviderError) return err;
  const endpoint = endpointOf(call);
  const query = ` (query: ${call.query})`;
  if (timeout.aborted) {
    return new ProviderError('PROVIDER_TIMEOUT', `datadog ${endpoint} timed out after ${formatDuration(call.timeoutMs)} (requestTimeout)${query}`, { cause: err });
  }
  if (call.signal?.aborted) {
    return new ProviderError('PROVIDER_UNREACHABLE', `datadog ${endpoint} was aborted: the run was terminated or the worker is stopping`, { cause: err });
  }
  const status = exchange.status;
  if (status === undefined) {
    return new ProviderError('PROVIDER_UNREACHABLE', `datadog at ${call.credentials.address} is unreachable: ${networkCause(err)}`, { cause: err });
  }
  if (status >= 200 && status < 300) {
    return new ProviderError('PROVIDER_RESPONSE', `datadog ${endpoint} answered HTTP ${status} with a body that is not a Datadog response: ${messageOf(err)}${query}`, { cause: err });
  }
  const text = datadogErrorText(await (exchange.errorBody ?? Promise.resolve('')));
  if (status === 401 || status === 403) {
    return new ProviderError(
      'PROVIDER_HTTP',
      `datadog authentication error: ${endpoint} answered HTTP ${status}: ${text}; check the API key and application key from ${call.credentials.source}`,
      { status, cause: err },
    );
  }
  if (status === 429) {
    const wait = retryAfterSeconds(exchange.headers);
    const limit = exchange.headers?.get('x-ratelimit-name');
    const detail = [limit ? `limit ${JSON.stringify(limit)}` : undefined, wait !== undefined ? `resets in ${wait}s` : undefined].filter(Boolean).join(', ');
    return new ProviderError('PROVIDER_RATE_LIMITED', `datadog rate limit exceeded: ${endpoint} answered HTTP 429${detail ? ` (${detail})` : ''}: ${text}`, {
      status,
      ...(wait !== undefined ? { retryAfterMs: wait * 1000 } : {}),
      cause: err,
    });
  }
  return new ProviderError('PROVIDER_HTTP', `datadog ${endpoint} answered HTTP ${status}: ${text}${query}`, { status, cause: err });
}

/**
 * Seconds until Datadog accepts requests again: `X-RateLimit-Reset` (Datadog's header, seconds
 * until the window resets), else a seconds-valued `Retry-After`.
 */
function retryAfterSeconds(headers: Headers | undefined): number | undefined {
  for (const name of ['x-ratelimit-reset', 'retry-after']) {
    const value = Number(headers?.get(name) ?? Number.NaN);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  return undefined;
}

const MAX_ERROR_TEXT = 500;

/** Datadog's own words: `{"errors": ["…"]}` joined, else the body as text, shortened. */
function datadogErrorText(body: string): string {
  const trimmed = body.trim();
  if (trimmed === '') return 'empty response body';
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (typeof parsed === 'object' && parsed !== null) {
      const record = parsed as Record<string, unknown>;
      const errors = record['errors'] ?? record['error'];
      if (Array.isArray(errors) && errors.length > 0) return errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('; ');
      if (typeof errors === 'string' && errors !== '') return errors;
    }
  } catch {
    // Not JSON (a proxy's HTML page, plain text): quote it as is.
  }
  return trimmed.length > MAX_ERROR_TEXT ? `${trimmed.slice(0, MAX_ERROR_TEXT)}…` : trimmed;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** undici reports "fetch failed" and hides the reason (ECONNREFUSED, ENOTFOUND) in `cause`. */
function networkCause(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${cause.message} (${code})` : cause.message;
  }
  return messageOf(err);
}
