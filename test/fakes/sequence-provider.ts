/**
 * A stateful fake metric backend for engine tests: each query names a series of outcomes, and
 * the n-th measurement of that query gets the n-th outcome (the last one repeats). It records
 * the virtual time of every call so tests can check scheduling (interval, 10 s error retry,
 * initialDelay) from what the backend saw, not from mocked call sequences.
 */
import type { ExprValue } from '../../src/expr/index.js';
import { formatValue } from '../../src/expr/index.js';
import { NoDataError, ProviderError, type MeasureContext, type MetricProvider } from '../../src/providers/index.js';

/** One scripted outcome: a value, a provider error, or "no data". */
export type Outcome = ExprValue | { readonly error: string } | { readonly noData: string };

export class SequenceBackend implements MetricProvider<unknown> {
  /** Every measurement taken: query and the virtual time (ms) it was taken at. */
  readonly calls: { query: string; at: number }[] = [];

  constructor(private readonly series: Readonly<Record<string, readonly Outcome[]>>) {}

  async measure(config: unknown, ctx: MeasureContext): Promise<{ value: ExprValue; display: string; metadata: Record<string, string> }> {
    const query = (config as { query: string }).query;
    const outcomes = this.series[query];
    if (!outcomes || outcomes.length === 0) throw new ProviderError('PROVIDER_RESPONSE', `no series scripted for ${query}`);
    const n = this.calls.filter((c) => c.query === query).length;
    this.calls.push({ query, at: ctx.at });
    const outcome = outcomes[Math.min(n, outcomes.length - 1)] as Outcome;
    if (isObject(outcome) && 'error' in outcome && typeof outcome.error === 'string') throw new ProviderError('PROVIDER_UNREACHABLE', outcome.error);
    if (isObject(outcome) && 'noData' in outcome && typeof outcome.noData === 'string') throw new NoDataError(outcome.noData);
    const value = outcome as ExprValue;
    return { value, display: formatValue(value), metadata: { query } };
  }

  describe(config: unknown): Record<string, string> {
    return { query: (config as { query: string }).query };
  }

  /** Offsets (ms from `start`) at which `query` was measured. */
  times(query: string, start: number): number[] {
    return this.calls.filter((c) => c.query === query).map((c) => c.at - start);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
