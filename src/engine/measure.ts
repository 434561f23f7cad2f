/**
 * @module engine/measure
 * Takes one measurement: ask the provider, judge the value against the conditions, and turn any
 * failure into data. A provider outage becomes an Error measurement with its own message, never
 * an exception that kills the run and never a Failed canary (DESIGN.md §11).
 */
import { assessConditions, formatValue } from '../expr/index.js';
import { redact, type Measurement } from '../model/index.js';
import { NoDataError, ProviderError, type MetricProvider } from '../providers/index.js';
import { iso } from './clock.js';
import type { Clock } from './clock.js';
import type { PlannedMetric, RunPlan } from './plan.js';

/** Live provider instances by kind. */
export type ProviderSet = ReadonlyMap<string, MetricProvider<unknown>>;

export interface MeasureOptions {
  readonly providers: ProviderSet;
  readonly clock: Clock;
  /**
   * Time the query is evaluated at (epoch ms). Defaults to `clock.now()`; replay passes the
   * virtual time so a measurement reads history exactly as it was then.
   */
  readonly at?: number;
  readonly signal?: AbortSignal;
  readonly namespace?: string;
}

/** Outcome codes recorded in measurement metadata, so tools can tell an outage from a bad canary. */
export const MEASUREMENT_ERROR_KEY = 'errorCode';
/** Metadata key: ms the backend asked us to wait (HTTP 429) before the next attempt. */
export const RETRY_AFTER_KEY = 'retryAfterMs';

/** Measures `metric` once. Never throws. */
export async function takeMeasurement(metric: PlannedMetric, plan: RunPlan, options: MeasureOptions): Promise<Measurement> {
  const startedAt = options.clock.now();
  const at = options.at ?? startedAt;
  const base = {
    startedAt: iso(startedAt),
    metadata: scopeMetadata(metric),
  };
  const finish = (m: Omit<Measurement, 'startedAt' | 'finishedAt'>): Measurement => {
    const message = m.message !== undefined ? redact(m.message, plan.secrets) : undefined;
    return { ...m, ...(message !== undefined ? { message } : {}), startedAt: base.startedAt, finishedAt: iso(options.clock.now()) };
  };
  const provider = options.providers.get(metric.providerKind);
  if (!provider) {
    return finish({ phase: 'Error', message: `no ${metric.providerKind} provider is configured in this process`, metadata: { ...base.metadata, [MEASUREMENT_ERROR_KEY]: 'PROVIDER_CONFIG' } });
  }
  try {
    const raw = await provider.measure(metric.providerConfig, { at, signal: options.signal, namespace: options.namespace });
    const metadata = { ...base.metadata, ...raw.metadata };
    const outcome = assessConditions({ success: metric.success, failure: metric.failure }, { result: raw.value, now: () => at });
    return finish({
      phase: outcome.phase,
      value: raw.display,
      ...(outcome.message !== undefined ? { message: outcome.message } : {}),
      metadata: outcome.phase === 'Error' ? { ...metadata, [MEASUREMENT_ERROR_KEY]: 'EXPRESSION' } : metadata,
    });
  } catch (err) {
    if (err instanceof NoDataError) {
      return finish({ phase: 'Inconclusive', message: err.message, metadata: { ...base.metadata, [MEASUREMENT_ERROR_KEY]: err.code } });
    }
    if (err instanceof ProviderError) {
      const metadata: Record<string, string> = { ...base.metadata, [MEASUREMENT_ERROR_KEY]: err.code };
      if (err.retryAfterMs !== undefined) metadata[RETRY_AFTER_KEY] = String(Math.ceil(err.retryAfterMs));
      return finish({ phase: 'Error', message: err.message, metadata });
    }
    // A bug in a plug-in must not take the run (or the worker) down with it.
    const message = err instanceof Error ? err.message : formatValue(String(err));
    return finish({ phase: 'Error', message: `${metric.providerKind} provider failed unexpectedly: ${message}`, metadata: { ...base.metadata, [MEASUREMENT_ERROR_KEY]: 'PROVIDER_INTERNAL' } });
  }
}

function scopeMetadata(metric: PlannedMetric): Record<string, string> {
  return metric.scopeTarget ? { scope: metric.scopeTarget.value, scopeLabel: metric.scopeTarget.label } : { scope: 'none' };
}
