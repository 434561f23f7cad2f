/**
 * @module bench/stats
 * The one definition of "p50" and "p99" every benchmark uses, so figures from different
 * benchmarks (and different runs) mean the same thing: nearest-rank percentiles over the raw
 * samples — the smallest sample with at least p% of the samples at or below it, never an
 * interpolated value that was not observed.
 */

export interface Summary {
  readonly n: number;
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
}

/** Nearest-rank percentile of ascending `sorted`: element ceil(p/100 · n), 1-based. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Milliseconds since `start` (a `process.hrtime.bigint()` reading), as a float. */
export function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Rounds for display and JSON: enough digits to compare, not so many that noise looks like signal. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A summary with every figure rounded, for JSON. */
export function rounded(s: Summary, digits = 3): Summary {
  return { n: s.n, mean: round(s.mean, digits), p50: round(s.p50, digits), p99: round(s.p99, digits), min: round(s.min, digits), max: round(s.max, digits) };
}
