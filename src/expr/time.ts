/**
 * @module expr/time
 * Go `time` semantics for `duration()`, `date()` and value rendering. Argo's Prometheus
 * `rangeQuery.start/end` are expressions like `now() - duration("10m")`, so durations must parse
 * exactly as Go's `time.ParseDuration` does (the parser lives in model/duration.ts and is shared)
 * and dates as expr-lang's `date()` does.
 */

import type { Parsed } from '../model/index.js';

export { parseGoDuration, type Parsed } from '../model/index.js';

const ok = (ms: number): Parsed => ({ ok: true, ms });
const err = (error: string): Parsed => ({ ok: false, error });

function trimFraction(digits: string): string {
  const trimmed = digits.replace(/0+$/, '');
  return trimmed === '' ? '' : `.${trimmed}`;
}

/** Renders milliseconds like Go's `Duration.String()`: `1h0m0s`, `1m30s`, `2.5s`, `300ms`, `1.5µs`, `0s`. */
export function formatGoDuration(ms: number): string {
  if (!Number.isFinite(ms)) return ms > 0 ? '+Inf' : ms < 0 ? '-Inf' : 'NaN';
  let ns = BigInt(Math.round(ms * 1e6));
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  if (ns < 0n) ns = -ns;
  if (ns < 1_000_000_000n) {
    const [unit, scale, width] =
      ns < 1000n ? (['ns', 1n, 0] as const) : ns < 1_000_000n ? (['µs', 1000n, 3] as const) : (['ms', 1_000_000n, 6] as const);
    const fraction = width === 0 ? '' : trimFraction((ns % scale).toString().padStart(width, '0'));
    return `${sign}${ns / scale}${fraction}${unit}`;
  }
  const seconds = ns / 1_000_000_000n;
  const fraction = trimFraction((ns % 1_000_000_000n).toString().padStart(9, '0'));
  const hours = seconds / 3600n;
  const minutes = (seconds / 60n) % 60n;
  const secondsPart = `${seconds % 60n}${fraction}s`;
  if (hours > 0n) return `${sign}${hours}h${minutes}m${secondsPart}`;
  if (seconds >= 60n) return `${sign}${minutes}m${secondsPart}`;
  return `${sign}${secondsPart}`;
}

/** Renders an instant as RFC 3339 in UTC (`2026-01-01T00:00:00Z`, fractional seconds only when present). */
export function formatTime(ms: number): string {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return `<invalid time ${ms}>`;
  return date.toISOString().replace('.000Z', 'Z');
}

// ---------------------------------------------------------------------------------------------
// Go layout parsing (`date(value, layout, zone)`). Supports the reference-time tokens that carry
// numbers, names, AM/PM, zone offsets and fractional seconds.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// Longest-first, as Go's nextStdChunk effectively matches.
const LAYOUT_TOKENS = [
  'January', 'Monday', 'Z07:00:00', '-07:00:00', 'Z070000', '-070000', 'Z07:00', '-07:00', 'Z0700', '-0700',
  '2006', 'Jan', 'Mon', 'MST', 'Z07', '-07', '002', '01', '02', '03', '04', '05', '06', '15', '_2', 'PM', 'pm',
  '1', '2', '3', '4', '5',
] as const;

type LayoutToken = (typeof LAYOUT_TOKENS)[number] | { readonly fraction: number; readonly optional: boolean };

type LayoutChunk = { readonly literal: string } | { readonly token: LayoutToken };

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  fractionMs: number;
  pm: boolean | undefined;
  offsetMs: number | undefined;
}

function tokenizeLayout(layout: string): LayoutChunk[] {
  const chunks: LayoutChunk[] = [];
  let literal = '';
  const flush = () => {
    if (literal !== '') chunks.push({ literal });
    literal = '';
  };
  let i = 0;
  while (i < layout.length) {
    const fraction = /^[.,](0+|9+)(?!\d)/.exec(layout.slice(i));
    const token = LAYOUT_TOKENS.find((candidate) => layout.startsWith(candidate, i));
    if (fraction !== null && fraction[1] !== undefined) {
      flush();
      chunks.push({ token: { fraction: fraction[1].length, optional: fraction[1].startsWith('9') } });
      i += fraction[0].length;
    } else if (token !== undefined) {
      flush();
      chunks.push({ token });
      i += token.length;
    } else {
      literal += layout.charAt(i);
      i += 1;
    }
  }
  flush();
  return chunks;
}

function takeDigits(value: string, min: number, max: number): [number, string] | undefined {
  const match = new RegExp(`^\\d{${min},${max}}`).exec(value);
  return match === null ? undefined : [Number(match[0]), value.slice(match[0].length)];
}

function takeName(value: string, names: readonly string[], short: boolean): [number, string] | undefined {
  const lower = value.toLowerCase();
  const index = names.findIndex((name) => lower.startsWith((short ? name.slice(0, 3) : name).toLowerCase()));
  return index < 0 ? undefined : [index, value.slice(short ? 3 : (names[index] ?? '').length)];
}

function takeOffset(value: string, token: string): [number, string] | undefined {
  if (token.startsWith('Z') && value.startsWith('Z')) return [0, value.slice(1)];
  const separator = token.includes(':') ? ':' : '';
  const groups = token.replace(/^[Z-]/, '').replace(/:/g, '').length / 2;
  const pattern = `^([+-])(\\d\\d)${groups > 1 ? `${separator}(\\d\\d)` : ''}${groups > 2 ? `${separator}(\\d\\d)` : ''}`;
  const match = new RegExp(pattern).exec(value);
  if (match === null) return undefined;
  const [whole, sign, hh = '0', mm = '0', ss = '0'] = match;
  const ms = ((Number(hh) * 60 + Number(mm)) * 60 + Number(ss)) * 1000;
  return [sign === '-' ? -ms : ms, value.slice(whole.length)];
}

function takeFraction(value: string, digits: number, optional: boolean): [number, string] | undefined {
  const match = optional ? /^(?:[.,](\d+))?/.exec(value) : new RegExp(`^[.,](\\d{${digits}})`).exec(value);
  if (match === null) return undefined;
  return [match[1] === undefined ? 0 : Number(`0.${match[1]}`) * 1000, value.slice(match[0].length)];
}

// Go accepts fractional seconds after a seconds field even when the layout has none (which is
// how the RFC 3339 layout parses `…:00.123Z`), unless the layout spells the fraction itself.
function takeSeconds(value: string, min: number, fields: Fields, next: LayoutChunk | undefined): string | undefined {
  const taken = takeDigits(value, min, 2);
  if (taken === undefined) return undefined;
  fields.second = taken[0];
  const rest = taken[1];
  const implicit = /^[.,](\d+)/.exec(rest);
  const layoutHasFraction = next !== undefined && 'token' in next && typeof next.token === 'object';
  if (implicit === null || implicit[1] === undefined || layoutHasFraction) return rest;
  fields.fractionMs = Number(`0.${implicit[1]}`) * 1000;
  return rest.slice(implicit[0].length);
}

type NumericField = 'year' | 'month' | 'day' | 'hour' | 'minute';

function assign(fields: Fields, key: NumericField, taken: [number, string] | undefined, adjust = 0): string | undefined {
  if (taken !== undefined) fields[key] = taken[0] + adjust;
  return taken?.[1];
}

function applyToken(token: LayoutToken, value: string, fields: Fields, next: LayoutChunk | undefined): string | undefined {
  if (typeof token === 'object') {
    const taken = takeFraction(value, token.fraction, token.optional);
    if (taken !== undefined) fields.fractionMs = taken[0];
    return taken?.[1];
  }
  switch (token) {
    case '2006':
      return assign(fields, 'year', takeDigits(value, 4, 4));
    case '06': {
      const taken = takeDigits(value, 2, 2);
      return assign(fields, 'year', taken, taken !== undefined && taken[0] >= 69 ? 1900 : 2000);
    }
    case '01':
      return assign(fields, 'month', takeDigits(value, 2, 2));
    case '1':
      return assign(fields, 'month', takeDigits(value, 1, 2));
    case 'January':
      return assign(fields, 'month', takeName(value, MONTHS, false), 1);
    case 'Jan':
      return assign(fields, 'month', takeName(value, MONTHS, true), 1);
    case 'Monday':
      return takeName(value, WEEKDAYS, false)?.[1];
    case 'Mon':
      return takeName(value, WEEKDAYS, true)?.[1];
    case '02':
      return assign(fields, 'day', takeDigits(value, 2, 2));
    case '2':
      return assign(fields, 'day', takeDigits(value, 1, 2));
    case '_2':
      return assign(fields, 'day', takeDigits(value.startsWith(' ') ? value.slice(1) : value, 1, 2));
    case '002':
      return undefined; // day-of-year layouts are not supported
    case '15':
    case '3':
      return assign(fields, 'hour', takeDigits(value, 1, 2));
    case '03':
      return assign(fields, 'hour', takeDigits(value, 2, 2));
    case '04':
      return assign(fields, 'minute', takeDigits(value, 2, 2));
    case '4':
      return assign(fields, 'minute', takeDigits(value, 1, 2));
    case '05':
      return takeSeconds(value, 2, fields, next);
    case '5':
      return takeSeconds(value, 1, fields, next);
    case 'PM':
    case 'pm': {
      const meridiem = /^(AM|PM)/i.exec(value)?.[1];
      if (meridiem === undefined) return undefined;
      fields.pm = meridiem.toUpperCase() === 'PM';
      return value.slice(2);
    }
    case 'MST': {
      // Go records an unknown zone abbreviation with a zero offset; so do we.
      const abbreviation = /^[A-Z]{3,5}/.exec(value)?.[0];
      if (abbreviation === undefined) return undefined;
      fields.offsetMs = 0;
      return value.slice(abbreviation.length);
    }
    default: {
      const taken = takeOffset(value, token);
      if (taken !== undefined) fields.offsetMs = taken[0];
      return taken?.[1];
    }
  }
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  const days = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return days[month - 1] ?? 0;
}

// Date.UTC maps years 0–99 to 1900–1999; shifting by one 400-year Gregorian cycle avoids that.
const FOUR_CENTURIES_MS = 146_097 * 86_400_000;

function wallClockMs(fields: Fields): number {
  const hour = fields.pm === undefined ? fields.hour : (fields.hour % 12) + (fields.pm ? 12 : 0);
  return (
    Date.UTC(fields.year + 400, fields.month - 1, fields.day, hour, fields.minute, fields.second) -
    FOUR_CENTURIES_MS +
    fields.fractionMs
  );
}

function rangeError(fields: Fields): string | undefined {
  if (fields.month < 1 || fields.month > 12) return 'month out of range';
  if (fields.day < 1 || fields.day > daysInMonth(fields.year, fields.month)) return 'day out of range';
  if (fields.hour > 23 || (fields.pm !== undefined && (fields.hour < 1 || fields.hour > 12))) return 'hour out of range';
  if (fields.minute > 59) return 'minute out of range';
  if (fields.second > 59) return 'second out of range';
  return undefined;
}

function zoneOffsetMs(zone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** Whether `zone` is an IANA name the runtime knows (Go's `time.LoadLocation` succeeding). */
function isKnownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function wallToUtc(wallMs: number, zone: string | undefined): number {
  if (zone === undefined || zone === '' || zone === 'UTC') return wallMs;
  const guess = wallMs - zoneOffsetMs(zone, wallMs);
  return wallMs - zoneOffsetMs(zone, guess);
}

/**
 * Parses `value` with a Go reference-time layout (`2006-01-02 15:04:05`), optionally as wall
 * time in an IANA `zone` (ignored when the value carries its own offset).
 */
export function parseWithLayout(value: string, layout: string, zone?: string): Parsed {
  if (zone !== undefined && zone !== '' && zone !== 'UTC' && (zone === 'Local' || !isKnownZone(zone))) {
    return err(`unknown time zone ${zone}`);
  }
  const fields: Fields = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, fractionMs: 0, pm: undefined, offsetMs: undefined };
  const failure = (reason: string) => err(`parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: ${reason}`);
  const chunks = tokenizeLayout(layout);
  let rest = value;
  for (const [index, chunk] of chunks.entries()) {
    if ('literal' in chunk) {
      if (!rest.startsWith(chunk.literal)) return failure(`cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(chunk.literal)}`);
      rest = rest.slice(chunk.literal.length);
      continue;
    }
    const next = applyToken(chunk.token, rest, fields, chunks[index + 1]);
    if (next === undefined) {
      const shown = typeof chunk.token === 'string' ? chunk.token : '.000';
      return failure(`cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(shown)}`);
    }
    rest = next;
  }
  if (rest !== '') return failure(`extra text: ${JSON.stringify(rest)}`);
  const outOfRange = rangeError(fields);
  if (outOfRange !== undefined) return failure(outOfRange);
  const wall = wallClockMs(fields);
  return ok(fields.offsetMs === undefined ? wallToUtc(wall, zone) : wall - fields.offsetMs);
}

// The layouts expr-lang's one-argument `date()` tries, in its order.
const DEFAULT_LAYOUTS = [
  '2006-01-02',
  '15:04:05',
  '2006-01-02 15:04:05',
  '2006-01-02T15:04:05Z07:00', // RFC 3339 (fractional seconds accepted implicitly)
  '02 Jan 06 15:04 MST', // RFC 822
  'Monday, 02-Jan-06 15:04:05 MST', // RFC 850
  'Mon, 02 Jan 2006 15:04:05 MST', // RFC 1123
];

/** expr-lang's `date(value)`: tries the common layouts in order; error `invalid date …` otherwise. */
export function parseDate(value: string): Parsed {
  for (const layout of DEFAULT_LAYOUTS) {
    const parsed = parseWithLayout(value, layout);
    if (parsed.ok) return parsed;
  }
  return err(`invalid date ${value}`);
}
