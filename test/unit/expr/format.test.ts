/**
 * @module test/unit/expr/format
 * formatValue: Go-like rendering for measurement values and messages.
 */
import { describe, expect, it } from 'vitest';

import { durationValue, formatValue, timeValue } from '../../../src/expr/index.js';
import type { ExprValue } from '../../../src/expr/index.js';

describe('formatValue renders values the Go way', () => {
  it.each([
    { name: 'when a float is formatted then it is shortest decimal', value: 0.97, expected: '0.97' },
    { name: 'when an integral number is formatted then it has no exponent', value: 1, expected: '1' },
    { name: 'when a large integer is formatted then it is plain', value: 1_000_000, expected: '1000000' },
    { name: 'when a tiny float is formatted then Go %g uses an exponent', value: 0.00001, expected: '1e-05' },
    { name: 'when 1e-4 is formatted then it stays decimal', value: 0.0001, expected: '0.0001' },
    { name: 'when a large fraction is formatted then Go %g uses an exponent', value: 1234567.5, expected: '1.2345675e+06' },
    { name: 'when an enormous number is formatted then it has a two-digit exponent', value: 1e21, expected: '1e+21' },
    { name: 'when negative zero is formatted then it is 0', value: -0, expected: '0' },
    { name: 'when NaN is formatted then it is NaN', value: Number.NaN, expected: 'NaN' },
    { name: 'when +Infinity is formatted then it is +Inf', value: Infinity, expected: '+Inf' },
    { name: 'when -Infinity is formatted then it is -Inf', value: -Infinity, expected: '-Inf' },
    { name: 'when nil is formatted then it is <nil>', value: null, expected: '<nil>' },
    { name: 'when a string is formatted then it is as-is', value: 'hello world', expected: 'hello world' },
    { name: 'when a bool is formatted then it is true/false', value: false, expected: 'false' },
    { name: 'when an array is formatted then it has no spaces', value: [0.97, 0.5], expected: '[0.97,0.5]' },
    { name: 'when an empty array is formatted then it is []', value: [], expected: '[]' },
    { name: 'when an array holds special values then they stay readable', value: [Number.NaN, Infinity, null, 'a b'], expected: '[NaN,+Inf,null,"a b"]' },
    { name: 'when a map is formatted then it is JSON', value: { a: 1, b: [true], c: { d: null } }, expected: '{"a":1,"b":[true],"c":{"d":null}}' },
    { name: 'when a time is formatted then it is RFC 3339', value: timeValue(Date.UTC(2026, 0, 1)), expected: '2026-01-01T00:00:00Z' },
    { name: 'when a time has milliseconds then they are kept', value: timeValue(Date.UTC(2026, 0, 1) + 5), expected: '2026-01-01T00:00:00.005Z' },
    { name: 'when a duration is formatted then it is a Go duration', value: durationValue(90_000), expected: '1m30s' },
    { name: 'when times sit in an array then they are quoted', value: [timeValue(0), durationValue(1)], expected: '["1970-01-01T00:00:00Z","1ms"]' },
  ] satisfies ReadonlyArray<{ name: string; value: ExprValue; expected: string }>)('$name', ({ value, expected }) => {
    expect(formatValue(value)).toBe(expected);
  });
});
