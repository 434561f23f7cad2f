/**
 * @module test/unit/expr/builtins
 * The closed builtin set: predicate builtins, numeric, collection and string helpers.
 */
import { describe } from 'vitest';

import { evaluates, fails } from './helpers.js';

describe('predicate builtins', () => {
  evaluates([
    { name: 'when every element passes a braced predicate then all is true', source: 'all(result, {# < 0.01})', result: [0.001, 0.002], expected: true },
    { name: 'when one element fails then all is false', source: 'all(result, {# < 0.01})', result: [0.001, 0.2], expected: false },
    { name: 'when the predicate is bare (expr-lang 1.17) then it works', source: 'all(result, # < 0.01)', result: [0.001], expected: true },
    { name: 'when the array is empty then all is true', source: 'all(result, # > 1)', result: [], expected: true },
    { name: 'when any element passes then any is true', source: 'any(result, # > 1)', result: [0, 2], expected: true },
    { name: 'when the array is empty then any is false', source: 'any(result, # > 1)', result: [], expected: false },
    { name: 'when no element passes then none is true', source: 'none(result, # > 1)', result: [0, 1], expected: true },
    { name: 'when exactly one element passes then one is true', source: 'one(result, # > 1)', result: [0, 2], expected: true },
    { name: 'when two elements pass then one is false', source: 'one(result, # > 1)', result: [2, 3], expected: false },
    { name: 'when filtering then passing elements are kept in order', source: 'filter(result, # > 1)', result: [3, 1, 2], expected: [3, 2] },
    { name: 'when mapping then each element is transformed', source: 'map(result, # * 2)', result: [1, 2], expected: [2, 4] },
    { name: 'when counting with a predicate then passing elements are counted', source: 'count(result, # > 1)', result: [1, 2, 3], expected: 2 },
    { name: 'when counting without a predicate then true elements are counted', source: 'count(result)', result: [true, false, true], expected: 2 },
    { name: 'when summing without a predicate then elements are added', source: 'sum(result)', result: [1, 2, 3.5], expected: 6.5 },
    { name: 'when summing with a predicate then mapped values are added', source: 'sum(result, # * 2)', result: [1, 2], expected: 6 },
    { name: 'when summing an empty array then it is 0', source: 'sum(result)', result: [], expected: 0 },
    { name: 'when .field shorthand is used then it reads the element field', source: 'count(result, .code >= 500)', result: [{ code: 200 }, { code: 503 }], expected: 1 },
    { name: 'when #.field is used then it reads the element field', source: 'map(result, #.v)', result: [{ v: 1 }, { v: 2 }], expected: [1, 2] },
    { name: 'when #index is used then it is the element position', source: 'map(result, #index)', result: ['a', 'b'], expected: [0, 1] },
    { name: 'when predicates nest then # is the innermost element', source: 'all(result, {any(#, # > 2)})', result: [[1, 3], [4]], expected: true },
    { name: 'when a predicate uses a ternary then it is evaluated per element', source: 'map(result, # > 1 ? "hi" : "lo")', result: [1, 2], expected: ['lo', 'hi'] },
    { name: 'when a predicate reads result then it sees the whole result', source: 'all(result, # <= max(result))', result: [1, 3, 2], expected: true },
    { name: 'when all short-circuits then later bad elements are not evaluated', source: 'all(result, # > 1)', result: [0, 'x'], expected: false },
  ]);

  fails([
    { name: 'when the collection is nil then it names the type', source: 'all(result, # > 1)', result: null, message: 'builtin all takes only array (got <nil>)' },
    { name: 'when the collection is a map then it names the type', source: 'filter(result, # > 1)', result: { a: 1 }, message: 'builtin filter takes only array (got map[string]interface {})' },
    { name: 'when a predicate returns a number then it is rejected', source: 'any(result, # + 1)', result: [1], message: 'predicate should return boolean (got int)' },
    { name: 'when count without predicate meets a number then it is rejected', source: 'count(result)', result: [1], message: 'predicate should return boolean (got int)' },
    { name: 'when a predicate compares mismatched types then the error surfaces', source: 'all(result, # > 1)', result: ['x'], message: 'invalid operation: > (mismatched types string and int)' },
  ]);
});

describe('numeric builtins', () => {
  evaluates([
    { name: 'when abs gets a negative float then it is positive', source: 'abs(-1.5)', expected: 1.5 },
    { name: 'when max gets several numbers then the largest is returned', source: 'max(1, 5, 2)', expected: 5 },
    { name: 'when max gets an array then it is flattened', source: 'max(result)', result: [1, [7, 2]], expected: 7 },
    { name: 'when min mixes arrays and numbers then the smallest is returned', source: 'min(result, 0.5)', result: [3, 1], expected: 0.5 },
    { name: 'when max gets an empty array then it is nil', source: 'max(result)', result: [], expected: null },
    { name: 'when mean gets numbers then it averages', source: 'mean(result)', result: [1, 2, 3, 4], expected: 2.5 },
    { name: 'when mean gets an empty array then it is 0', source: 'mean(result)', result: [], expected: 0 },
    { name: 'when median gets an odd count then it is the middle', source: 'median(result)', result: [3, 1, 2], expected: 2 },
    { name: 'when median gets an even count then it averages the middle', source: 'median(result)', result: [4, 1, 3, 10], expected: 3.5 },
    { name: 'when floor is applied then it rounds down', source: 'floor(-1.5)', expected: -2 },
    { name: 'when ceil is applied then it rounds up', source: 'ceil(1.2)', expected: 2 },
    { name: 'when round meets a half then it rounds away from zero (Go)', source: '[round(2.5), round(-2.5)]', expected: [3, -3] },
    { name: 'when int gets a float then it truncates', source: 'int(-2.7)', expected: -2 },
    { name: 'when int gets an integer string then it parses', source: 'int("42")', expected: 42 },
    { name: 'when float gets a numeric string then it parses', source: 'float("1.5")', expected: 1.5 },
    { name: 'when string gets a number then it renders like Go', source: 'string(result)', result: 0.97, expected: '0.97' },
    { name: 'when string gets an array then it renders compactly', source: 'string(result)', result: [1, 'a'], expected: '[1,"a"]' },
  ]);

  fails([
    { name: 'when abs gets a string then the type is named', source: 'abs(result)', result: 'x', message: 'invalid argument for abs (type string)' },
    { name: 'when max meets a string element then the type is named', source: 'max(result)', result: [1, 'x'], message: 'invalid argument for max (type string)' },
    { name: 'when mean meets nil then the type is named', source: 'mean(result)', result: [null], message: 'invalid argument for mean (type <nil>)' },
    { name: 'when floor gets nil then the type is named', source: 'floor(result)', result: null, message: 'invalid argument for floor (type <nil>)' },
    { name: 'when int gets a fractional string then it is rejected', source: 'int(result)', result: '1.5', message: 'invalid operation: int(1.5)' },
    { name: 'when float gets a word then it is rejected', source: 'float(result)', result: 'abc', message: 'invalid operation: float(abc)' },
    { name: 'when int gets NaN then it is rejected', source: 'int(result)', result: Number.NaN, message: 'int(): cannot convert NaN to an integer' },
  ]);
});

describe('collection and string builtins', () => {
  evaluates([
    { name: 'when len gets an array then it is the length', source: 'len(result)', result: [1, 2, 3], expected: 3 },
    { name: 'when len gets a string then it counts characters', source: 'len(result)', result: 'héllo', expected: 5 },
    { name: 'when len gets a map then it counts keys', source: 'len(result)', result: { a: 1, b: 2 }, expected: 2 },
    { name: 'when first gets an array then it is the first element', source: 'first(result)', result: [1, 2], expected: 1 },
    { name: 'when last gets an array then it is the last element', source: 'last(result)', result: [1, 2], expected: 2 },
    { name: 'when first gets an empty array then it is nil', source: 'first(result)', result: [], expected: null },
    { name: 'when last gets nil then it is nil (expr-lang swallows the failure)', source: 'last(result)', result: null, expected: null },
  ]);

  fails([
    { name: 'when len gets nil then the type is named', source: 'len(result)', result: null, message: 'invalid argument for len (type <nil>)' },
    { name: 'when len gets a number then the type is named', source: 'len(result)', result: 1.5, message: 'invalid argument for len (type float64)' },
  ]);
});
