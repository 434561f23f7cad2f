/**
 * @module model/duration
 * Go `time.ParseDuration` semantics, because Argo templates carry Go duration strings
 * (`interval: 30s`, `initialDelay: 1m30s`, `step: 500ms`) and must mean the same here.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const TERM = /([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/y;

/** The units Go accepts, for error messages. */
export const DURATION_UNITS = 'ns, us, ms, s, m, h';

/**
 * Parses a Go duration string into milliseconds (fractions kept). Returns `undefined` when the
 * string is not a valid Go duration, so callers can build a path-addressed error.
 */
export function parseDuration(text: string): number | undefined {
  let s = text.trim();
  if (s === '') return undefined;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    sign = s[0] === '-' ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < s.length) {
    const start = TERM.lastIndex;
    const m = TERM.exec(s);
    if (!m || m.index !== start) return undefined;
    const [, num = '', unit = ''] = m;
    if (num === '' || num === '.') return undefined;
    total += Number(num) * (UNIT_MS[unit] ?? Number.NaN);
  }
  return Number.isFinite(total) ? sign * total : undefined;
}

/** Renders milliseconds as a compact Go-style duration (`1m30s`, `250ms`), for messages. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  return `${sign}${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${Number(s.toFixed(3))}s` : ''}`;
}
