/**
 * @module providers/provider
 * The MetricProvider contract. A plug-in owns the YAML key of its provider block, the schema of
 * that block, how to find the queries in it (so scoping and lint can reach them), and how to
 * measure. Providers never evaluate conditions: they return the value that `result` is bound to,
 * and the engine judges it once, the same way for every provider.
 */
import type { z } from 'zod';
import type { ExprValue } from '../expr/index.js';

/** What a provider gets for one measurement. */
export interface MeasureContext {
  /**
   * The instant the measurement is taken at, epoch ms: the wall clock, or the virtual clock when
   * replaying history (`metricgate run --at`). Providers query *at* this time, never at Date.now().
   */
  readonly at: number;
  /** Aborted when the run is terminated or the worker shuts down. */
  readonly signal?: AbortSignal;
  /** Namespace of the run, for providers that read namespaced credentials. */
  readonly namespace?: string;
}

/** A provider's answer: the value conditions see, and how to show it. */
export interface RawResult {
  /** Bound to `result` in success/failure conditions (Argo's result shapes). */
  readonly value: ExprValue;
  /** Measurement.value as Argo renders it: `0.97`, `[0.97,0.5]`, `NaN`, `[]`. */
  readonly display: string;
  /** Stored on the measurement: resolved query, warnings, scope. Never secrets. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A live provider for one kind. Instances are reused across measurements and runs. */
export interface MetricProvider<C> {
  /** Takes one measurement. Throws {@link ProviderError} (→ Error measurement) or {@link NoDataError}. */
  measure(config: C, ctx: MeasureContext): Promise<RawResult>;
  /** Metadata shown for the metric (Argo's GetMetadata), e.g. the resolved query. */
  describe(config: C): Readonly<Record<string, string>>;
}

/** Where a query sits inside a provider block, e.g. `['query']` or `['queries', 'a']`. */
export type QueryPath = readonly (string | number)[];

/** Environment the providers are created with. */
export interface ProviderDeps {
  /** Environment variables (defaults such as METRICGATE_PROMETHEUS_ADDRESS, DD_API_KEY). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a key of a Kubernetes Secret (Datadog credentials); absent outside Kubernetes. */
  readonly readSecret?: (ref: { namespace?: string; name: string; key: string }) => Promise<string | undefined>;
}

/** A provider kind: one file plus one line in the registry. */
export interface ProviderPlugin<C = unknown> {
  /** The key under `metric.provider` (`prometheus`, `datadog`, `web`). */
  readonly kind: string;
  /** One line for the README's provider table and `metricgate lint --help`. */
  readonly description: string;
  /** Query language whose scoper applies to this provider's queries; none means never scoped. */
  readonly queryLanguage?: string;
  /** Validates the provider block; issues are reported at `…provider.<kind>.<path>`. */
  readonly schema: z.ZodType<C>;
  /**
   * Returns a copy of `config` with each query replaced by `rewrite(query, path)`. Used to scope
   * queries and to validate them at load time.
   */
  mapQueries?(config: C, rewrite: (query: string, path: QueryPath) => string): C;
  create(deps: ProviderDeps): MetricProvider<C>;
}

/** Stable codes for provider failures; each becomes an Error measurement with this code. */
export type ProviderErrorCode =
  | 'PROVIDER_CONFIG'
  | 'PROVIDER_UNREACHABLE'
  | 'PROVIDER_TIMEOUT'
  | 'PROVIDER_HTTP'
  | 'PROVIDER_RATE_LIMITED'
  | 'PROVIDER_RESPONSE';

/** A provider failure: the backend, not the canary, is at fault. Recorded as an Error measurement. */
export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  /** HTTP status from the backend, when there was one. */
  readonly status?: number;
  /** Backend asked us to wait this long (ms) before retrying (HTTP 429). */
  readonly retryAfterMs?: number;

  constructor(code: ProviderErrorCode, message: string, options: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ProviderError';
    this.code = code;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * The backend answered but had too little data to judge (used by extensions such as minimum-sample
 * guards). Recorded as an Inconclusive measurement. Argo-compatible providers return `[]` or nil
 * instead, so that Argo templates keep their meaning.
 */
export class NoDataError extends Error {
  readonly code = 'NO_DATA';
  constructor(message: string) {
    super(message);
    this.name = 'NoDataError';
  }
}
