/**
 * @module test/unit/expr/properties
 * Property-based checks: builtins agree with their JS counterparts on random data, and neither
 * compile nor evaluate ever throws anything but the two expression error types.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { compile, evaluate, ExprRuntimeError, ExprSyntaxError, formatValue } from '../../../src/expr/index.js';
import type { ExprValue, Program } from '../../../src/expr/index.js';

const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
const numbers = fc.array(finite, { maxLength: 40 });

function on(source: string): (result: ExprValue) => ExprValue {
  const program: Program = compile(source);
  return (result) => evaluate(program, { result });
}

describe('predicate builtins agree with Array methods', () => {
  const all = on('all(result.values, {# > result.t})');
  const anyOf = on('any(result.values, # > result.t)');
  const none = on('none(result.values, # > result.t)');
  const count = on('count(result.values, # > result.t)');
  const filter = on('filter(result.values, # > result.t)');
  const map = on('map(result.values, # * 2)');

  it('when thresholds and arrays are random then all equals every', () => {
    fc.assert(fc.property(numbers, finite, (values, t) => all({ values, t }) === values.every((x) => x > t)));
  });

  it('when thresholds and arrays are random then any equals some', () => {
    fc.assert(fc.property(numbers, finite, (values, t) => anyOf({ values, t }) === values.some((x) => x > t)));
  });

  it('when thresholds and arrays are random then none equals not some', () => {
    fc.assert(fc.property(numbers, finite, (values, t) => none({ values, t }) === !values.some((x) => x > t)));
  });

  it('when thresholds and arrays are random then count and filter match Array.filter', () => {
    fc.assert(
      fc.property(numbers, finite, (values, t) => {
        const expected = values.filter((x) => x > t);
        expect(count({ values, t })).toBe(expected.length);
        expect(filter({ values, t })).toEqual(expected);
      }),
    );
  });

  it('when arrays are random then map matches Array.map', () => {
    fc.assert(
      fc.property(numbers, (values) => {
        expect(map({ values })).toEqual(values.map((x) => x * 2));
      }),
    );
  });
});

describe('collection builtins agree with JS', () => {
  const len = on('len(result)');
  const sum = on('sum(result)');
  const max = on('max(result)');
  const min = on('min(result)');
  const last = on('result[-1]');
  const slice = on('result[1:3]');

  it('when arrays are random then len equals length', () => {
    fc.assert(fc.property(fc.array(fc.jsonValue() as fc.Arbitrary<ExprValue>, { maxLength: 20 }), (values) => len(values) === values.length));
  });

  it('when arrays are random then sum equals a left-to-right reduce', () => {
    fc.assert(fc.property(numbers, (values) => sum(values) === values.reduce((a, b) => a + b, 0)));
  });

  it('when arrays are non-empty then max and min equal Math.max and Math.min', () => {
    fc.assert(
      fc.property(fc.array(finite, { minLength: 1, maxLength: 40 }), (values) => {
        expect(max(values)).toBe(Math.max(...values));
        expect(min(values)).toBe(Math.min(...values));
      }),
    );
  });

  it('when arrays are non-empty then result[-1] is the last element and slices match Array.slice', () => {
    fc.assert(
      fc.property(fc.array(finite, { minLength: 1, maxLength: 40 }), (values) => {
        expect(last(values)).toBe(values.at(-1));
        expect(slice(values)).toEqual(values.slice(1, 3));
      }),
    );
  });
});

describe('arithmetic and formatting', () => {
  const expression = on('result.a + result.b * result.c - result.a / (result.b ** 2 + 1)');

  it('when operands are random then precedence matches JS', () => {
    fc.assert(
      fc.property(finite, finite, finite, (a, b, c) => Object.is(expression({ a, b, c }), a + b * c - a / (b ** 2 + 1))),
    );
  });

  it('when a finite number is formatted then parsing it back gives the same number', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => Number(formatValue(x)) === (Object.is(x, -0) ? 0 : x)));
  });
});

describe('robustness: only the two expression error types ever escape', () => {
  const fragments = fc.constantFrom(
    'result', '#', '.', 'x', '1', '0.5', '"s"', "'t'", 'nil', 'true', '(', ')', '[', ']', '{', '}', ',', ':', '?', '??',
    '?.', '+', '-', '*', '/', '%', '**', '..', '<', '>=', '==', '!=', '!', 'not', 'in', 'matches', 'and', '||',
    'len(', 'all(', 'map(', 'filter(', 'count(', 'now()', 'duration("1m")', 'default(', 'isNil(', '#index', ' ',
  );
  const source = fc.oneof(fc.string(), fc.array(fragments, { maxLength: 12 }).map((parts) => parts.join('')));
  const results = fc.constantFrom<ExprValue>(null, [], [1, 2], { a: [1] }, 'str', 0.5, [Number.NaN], [{ x: 1 }]);

  it('when random text is compiled and evaluated then errors are ExprSyntaxError or ExprRuntimeError', () => {
    fc.assert(
      fc.property(source, results, (text, result) => {
        let program: Program;
        try {
          program = compile(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ExprSyntaxError);
          return;
        }
        try {
          evaluate(program, { result, now: () => 0 });
        } catch (error) {
          expect(error).toBeInstanceOf(ExprRuntimeError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
