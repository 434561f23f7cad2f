/**
 * @module test/unit/providers/datadog-format.test
 * Datadog values are shown as Argo shows them: Go's `strconv.FormatFloat(v, 'f', -1, 64)`,
 * shortest exact digits and never an exponent — unlike the `%v` rendering of other providers.
 */
import { describe, expect, it } from 'vitest';
import { formatFloat, formatFloats } from '../../../src/providers/datadog/format.js';

describe('formatFloat (Go FormatFloat f, -1)', () => {
  it.each([
    [0, '0'],
    [-0, '-0'],
    [1, '1'],
    [100, '100'],
    [0.1 + 0.2, '0.30000000000000004'],
    [123.456, '123.456'],
    [-0.004, '-0.004'],
    [1e-7, '0.0000001'],
    [1.5e-10, '0.00000000015'],
    [1e21, '1000000000000000000000'],
    [2.5e22, '25000000000000000000000'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
  ])('when %d is rendered then it reads %s', (value, text) => {
    expect(formatFloat(value)).toBe(text);
  });

  it('when a list is rendered then it is bracketed without spaces', () => {
    expect(formatFloats([0.5, 1e-7, 3])).toBe('[0.5,0.0000001,3]');
    expect(formatFloats([])).toBe('[]');
  });
});
