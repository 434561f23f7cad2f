/**
 * @module model/duration
 * Go `time.ParseDuration` semantics, because Argo templates carry Go duration strings
 * (`interval: 30s`, `initialDelay: 1m30s`, `step: 500ms`, `duration("10m")` in expressions) and
 * must mean the same here. The one parser every stage uses.
 */

/** Either a value or a Go-style error message; parsing never throws. */
export type Parsed = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly error: string };

const UNIT_MS: ReadonlyMap<string, number> = new Map([
  ['ns', 1e-6],
  ['us', 1e-3],
  ['µs', 1e-3], // U+00B5 micro sign
  ['μs', 1e-3], // U+03BC Greek mu
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
]);

// Go's largest duration is ~292 years of nanoseconds; beyond that Go reports "invalid duration".
const MAX_DURATION_MS = 9_223_372_036_854.775;

/** The units Go accepts, for error messages. */
export const DURATION_UNITS = 'ns, us, ms, s, m, h';

/** Parses a Go duration (`1h30m`, `300ms`, `2.5s`, `-1m`, `0`) into milliseconds, with Go's error texts. */
export function parseGoDuration(text: string): Parsed {
  const invalid: Parsed = { ok: false, error: `time: invalid duration ${JSON.stringify(text)}` };
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return { ok: true, ms: 0 };
  if (rest === '') return invalid;
  let total = 0;
  while (rest !== '') {
    const term = /^(\d*)(\.\d*)?([^\d.]*)/.exec(rest);
    const [whole = '', integer = '', fraction = '', unit = ''] = term ?? [];
    if (integer === '' && fraction.length <= 1) return invalid;
    if (unit === '') return { ok: false, error: `time: missing unit in duration ${JSON.stringify(text)}` };
    const factor = UNIT_MS.get(unit);
    if (factor === undefined) return { ok: false, error: `time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}` };
    total += Number(`${integer || '0'}${fraction === '.' ? '' : fraction}`) * factor;
    rest = rest.slice(whole.length);
  }
  return total > MAX_DURATION_MS ? invalid : { ok: true, ms: sign * total };
}

/**
 * Milliseconds of a Go duration (surrounding whitespace ignored, as YAML users expect), or
 * `undefined` when it is not one, so callers can build a path-addressed error.
 */
export function parseDuration(text: string): number | undefined {
  const parsed = parseGoDuration(text.trim());
  return parsed.ok ? parsed.ms : undefined;
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
