/**
 * @module test/unit/expr/time
 * now() with an injected clock, Go durations, date() layouts and time arithmetic (used by
 * Prometheus rangeQuery.start/end).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

import { compile, durationValue, evaluate, formatValue, isDurationValue, isTimeValue, timeValue } from '../../../src/expr/index.js';
import { CLOCK_MS, errorOf, run, runtimeErrorOf } from './helpers.js';

const MINUTE = 60_000;

describe('now() uses the injected clock', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('when now() - duration("10m") is evaluated then it is ten minutes before the injected time', () => {
    const value = run('now() - duration("10m")');
    expect(isTimeValue(value)).toBe(true);
    expect(value).toMatchObject({ kind: 'time', ms: CLOCK_MS - 10 * MINUTE });
    expect(formatValue(value)).toBe('2025-12-31T23:50:00Z');
  });

  it('when the clock is virtual then the wall clock is never read', () => {
    const spy = vi.spyOn(Date, 'now');
    const virtual = Date.UTC(2020, 5, 1, 12);
    const value = evaluate(compile('now()'), { result: null, now: () => virtual });
    expect(value).toMatchObject({ kind: 'time', ms: virtual });
    expect(spy).not.toHaveBeenCalled();
  });

  it('when no clock is injected then now() is not available', () => {
    expect(() => evaluate(compile('now()'), { result: null })).toThrow('now() is not available');
  });

  it('when the injected clock throws then the error is wrapped', () => {
    const now = () => {
      throw new Error('clock stopped');
    };
    expect(() => evaluate(compile('now()'), { result: null, now })).toThrow('now() failed: clock stopped');
  });

  it('when the injected clock returns NaN then it is rejected', () => {
    expect(() => evaluate(compile('now()'), { result: null, now: () => Number.NaN })).toThrow('now() returned an invalid time');
  });
});

describe('time and duration arithmetic', () => {
  it.each([
    { name: 'when a duration is added to a time then it is a later time', source: 'now() + duration("1h") > now()', expected: true },
    { name: 'when a time is subtracted from a time then it is a duration', source: 'now() - date("2025-12-31") == duration("24h")', expected: true },
    { name: 'when a duration precedes + then it still yields a time', source: 'duration("1m") + now() == now() + duration("60s")', expected: true },
    { name: 'when durations are compared then length decides', source: 'duration("1h") > duration("59m59s")', expected: true },
    { name: 'when times are compared then the earlier is less', source: 'date("2026-01-01") < date("2026-01-02")', expected: true },
    { name: 'when durations are added then lengths add', source: 'duration("1m") + duration("30s") == duration("90s")', expected: true },
    { name: 'when a duration is scaled then it multiplies', source: 'duration("1m") * 3 == duration("3m")', expected: true },
    { name: 'when equal instants are written differently then they are equal', source: 'date("2026-01-01T02:00:00+02:00") == date("2026-01-01")', expected: true },
    { name: 'when a duration is negated then it is negative', source: '-duration("1m") < duration("0s")', expected: true },
  ])('$name', ({ source, expected }) => {
    expect(run(source)).toBe(expected);
  });

  it('when the Argo EvalTime layout example is evaluated then it is an hour earlier in UTC', () => {
    const value = run('date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC") - duration("1h")');
    expect(value).toMatchObject({ kind: 'time', ms: Date.UTC(2023, 7, 13, 23) });
  });

  it('when a layout is read in an IANA zone then it is converted to UTC', () => {
    expect(run('date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "Europe/Paris")')).toMatchObject({ ms: Date.UTC(2023, 7, 13, 22) });
  });

  it.each([
    { name: 'when a time is compared with a number at run time then the types are named', source: 'now() > result', result: 5, message: 'invalid operation: > (mismatched types time.Time and int)' },
    { name: 'when a duration is added to a number then the types are named', source: 'duration("1m") + result', result: 1, message: 'invalid operation: + (mismatched types time.Duration and int)' },
    { name: 'when duration gets a number then it is rejected', source: 'duration(result)', result: 5, message: 'cannot use int as argument (type string) to call duration' },
    { name: 'when a runtime duration is invalid then Go wording is used', source: 'duration(result)', result: '5x', message: 'time: unknown unit "x" in duration "5x"' },
    { name: 'when a date zone is unknown then it is rejected', source: 'date("2023-08-14", "2006-01-02", result)', result: 'Mars/Base', message: 'unknown time zone Mars/Base' },
    { name: 'when a date does not fit its layout then Go wording is used', source: 'date(result, "2006-01-02")', result: '14/08/2023', message: 'parsing time "14/08/2023" as "2006-01-02": cannot parse "14/08/2023" as "2006"' },
  ])('$name', ({ source, result, message }) => {
    expect(runtimeErrorOf(source, result).message).toBe(message);
  });
});

describe('duration() parses Go durations and renders them like Duration.String()', () => {
  it.each([
    { text: '1h30m', ms: 90 * MINUTE, shown: '1h30m0s' },
    { text: '300ms', ms: 300, shown: '300ms' },
    { text: '2.5s', ms: 2500, shown: '2.5s' },
    { text: '90s', ms: 90_000, shown: '1m30s' },
    { text: '1h', ms: 60 * MINUTE, shown: '1h0m0s' },
    { text: '0', ms: 0, shown: '0s' },
    { text: '-1m', ms: -MINUTE, shown: '-1m0s' },
    { text: '+3h', ms: 180 * MINUTE, shown: '3h0m0s' },
    { text: '.5s', ms: 500, shown: '500ms' },
    { text: '1.5us', ms: 0.0015, shown: '1.5µs' },
    { text: '1µs', ms: 0.001, shown: '1µs' },
    { text: '100ns', ms: 0.0001, shown: '100ns' },
    { text: '1h2m3.004s', ms: 3_723_004, shown: '1h2m3.004s' },
  ])('when duration("$text") is parsed then it is $shown', ({ text, ms, shown }) => {
    const value = run(`duration("${text}")`);
    expect(isDurationValue(value)).toBe(true);
    expect((value as { ms: number }).ms).toBeCloseTo(ms, 9);
    expect(formatValue(value)).toBe(shown);
  });

  it.each([
    { text: '', message: 'time: invalid duration ""' },
    { text: 'abc', message: 'time: invalid duration "abc"' },
    { text: '5', message: 'time: missing unit in duration "5"' },
    { text: '1d', message: 'time: unknown unit "d" in duration "1d"' },
    { text: '.s', message: 'time: invalid duration ".s"' },
  ])('when duration("$text") is parsed then it fails with Go wording', ({ text, message }) => {
    expect(errorOf(`duration("${text}")`).message).toBe(message);
  });
});

describe('date() with one argument tries expr-lang layouts', () => {
  it.each([
    { text: '2026-01-01T00:00:00Z', ms: Date.UTC(2026, 0, 1) },
    { text: '2026-01-01T00:00:00.123Z', ms: Date.UTC(2026, 0, 1) + 123 },
    { text: '2026-01-01T02:00:00+02:00', ms: Date.UTC(2026, 0, 1) },
    { text: '2026-01-01', ms: Date.UTC(2026, 0, 1) },
    { text: '2026-01-01 10:11:12', ms: Date.UTC(2026, 0, 1, 10, 11, 12) },
    { text: 'Mon, 02 Jan 2006 15:04:05 MST', ms: Date.UTC(2006, 0, 2, 15, 4, 5) },
    { text: '2024-02-29', ms: Date.UTC(2024, 1, 29) },
  ])('when date("$text") is parsed then it is the expected instant', ({ text, ms }) => {
    expect(run(`date("${text}")`)).toMatchObject({ kind: 'time', ms });
  });

  it.each(['2026-13-01', '2023-02-29', 'tomorrow'])('when date("%s") is parsed then it is an invalid date', (text) => {
    expect(errorOf(`date("${text}")`).message).toBe(`invalid date ${text}`);
  });
});

describe('time values are branded, not shaped', () => {
  it('when a JSON map looks like a time then it is still a map', () => {
    const lookalike = { kind: 'time', ms: 0 };
    expect(isTimeValue(lookalike)).toBe(false);
    expect(runtimeErrorOf('result < now()', lookalike).message).toBe('invalid operation: < (mismatched types map[string]interface {} and time.Time)');
  });

  it('when times and durations are made by the factories then they are recognised', () => {
    expect(run('result.t + result.d == date("1970-01-01T00:01:00Z")', { t: timeValue(0), d: durationValue(MINUTE) })).toBe(true);
  });
});
