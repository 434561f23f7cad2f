/**
 * @module test/unit/expr/operators
 * Runtime semantics of literals, operators, member access and slicing, including the
 * Go-style "mismatched types" errors.
 */
import { describe, expect, it } from 'vitest';

import { evaluates, fails, run } from './helpers.js';

describe('literals', () => {
  evaluates([
    { name: 'when an integer is written then it is a number', source: '42', expected: 42 },
    { name: 'when a float is written then it is a number', source: '0.5', expected: 0.5 },
    { name: 'when a float starts with a dot then it is a number', source: '.5', expected: 0.5 },
    { name: 'when an exponent is written then it is applied', source: '1e3', expected: 1000 },
    { name: 'when a negative exponent is written then it is applied', source: '2.5E-1', expected: 0.25 },
    { name: 'when digits are grouped with _ then they are ignored', source: '1_000', expected: 1000 },
    { name: 'when a hex literal is written then it is read', source: '0x1F', expected: 31 },
    { name: 'when a single-quoted string is written then it is a string', source: "'abc'", expected: 'abc' },
    { name: 'when a double-quoted string has escapes then they are decoded', source: '"a\\tb\\n\\"c\\""', expected: 'a\tb\n"c"' },
    { name: 'when a string has unicode escapes then they are decoded', source: '"\\u00e9\\x41\\101\\U0001F600"', expected: 'éAA😀' },
    { name: 'when a single-quoted string escapes its quote then it is kept', source: "'it\\'s'", expected: "it's" },
    { name: 'when true is written then it is a bool', source: 'true', expected: true },
    { name: 'when false is written then it is a bool', source: 'false', expected: false },
    { name: 'when nil is written then it is null', source: 'nil', expected: null },
    { name: 'when an array literal is written then it is an array', source: '[1, "a", nil, [true]]', expected: [1, 'a', null, [true]] },
    { name: 'when an array literal has a trailing comma then it is accepted', source: '[1, 2,]', expected: [1, 2] },
    { name: 'when an array literal is empty then it is empty', source: '[]', expected: [] },
    { name: 'when whitespace includes newlines and tabs then it is ignored', source: '\n\t1 +\n  2\t', expected: 3 },
  ]);
});

describe('arithmetic', () => {
  evaluates([
    { name: 'when numbers are added then the sum is returned', source: '0.1 + 0.2', expected: 0.1 + 0.2 },
    { name: 'when strings are added then they are concatenated', source: '"a" + result', result: 'b', expected: 'ab' },
    { name: 'when integers are divided then the division is a float', source: '1 / 2', expected: 0.5 },
    { name: 'when a positive number is divided by zero then it is +Inf', source: '1 / 0', expected: Infinity },
    { name: 'when a negative number is divided by zero then it is -Inf', source: '-1 / 0', expected: -Infinity },
    { name: 'when zero is divided by zero then it is NaN', source: '0 / 0', expected: Number.NaN },
    { name: 'when % has negative operands then it truncates like Go', source: '-7 % 3', expected: -1 },
    { name: 'when ** is used then it is a power', source: '2 ** 10', expected: 1024 },
    { name: 'when 1 is raised to Inf then Go defines 1', source: '1 ** (1 / 0)', expected: 1 },
    { name: 'when a range is built then it is inclusive', source: '1..4', expected: [1, 2, 3, 4] },
    { name: 'when a range is descending then it is empty', source: '3..1', expected: [] },
    { name: 'when a number is negated then it flips sign', source: '-result', result: 2, expected: -2 },
  ]);

  fails([
    { name: 'when a string is added to a number then the types are named', source: 'result + 1', result: 'a', message: 'invalid operation: + (mismatched types string and int)' },
    { name: 'when nil is added then the types are named', source: 'result + 1.5', result: null, message: 'invalid operation: + (mismatched types <nil> and float64)' },
    { name: 'when an array is multiplied then the types are named', source: 'result * 2', result: [1], message: 'invalid operation: * (mismatched types []interface {} and int)' },
    { name: 'when a map is divided then the types are named', source: 'result / 2', result: { a: 1 }, message: 'invalid operation: / (mismatched types map[string]interface {} and int)' },
    { name: 'when a bool is subtracted then the types are named', source: 'result - 1', result: true, message: 'invalid operation: - (mismatched types bool and int)' },
    { name: 'when % gets a fraction then it is rejected like Go', source: 'result % 2', result: 5.5, message: 'invalid operation: % (mismatched types float64 and int)' },
    { name: 'when % divides by zero then it fails like Go', source: 'result % 0', result: 5, message: 'integer divide by zero' },
    { name: 'when ** gets a string then the types are named', source: 'result ** 2', result: 'x', message: 'invalid operation: ** (mismatched types string and int)' },
    { name: 'when a range bound is a fraction then it is rejected', source: 'result..3', result: 1.5, message: 'invalid operation: .. (mismatched types float64 and int)' },
    { name: 'when a range is huge then it is refused', source: '1..result', result: 2_000_000, message: 'range 1..2000000 is too large (limit 1000000 elements)' },
    { name: 'when a string is negated then it is rejected', source: '-result', result: 'a', message: 'invalid operation: operator - not defined on string' },
    { name: 'when unary + gets nil then it is rejected', source: '+result', result: null, message: 'invalid operation: operator + not defined on <nil>' },
  ]);
});

describe('comparison and equality', () => {
  evaluates([
    { name: 'when numbers are ordered then they compare numerically', source: 'result < 0.01', result: 0.001, expected: true },
    { name: 'when strings are ordered then they compare lexically', source: '"abc" < "abd"', expected: true },
    { name: 'when >= meets equal numbers then it is true', source: 'result >= 1', result: 1, expected: true },
    { name: 'when <= meets a larger number then it is false', source: 'result <= 1', result: 2, expected: false },
    { name: 'when an int equals a float then they are equal', source: 'result == 1.0', result: 1, expected: true },
    { name: 'when a number is compared with a string then == is false', source: 'result == "1"', result: 1, expected: false },
    { name: 'when a number is compared with a string then != is true', source: 'result != "1"', result: 1, expected: true },
    { name: 'when nil is compared with nil then they are equal', source: 'result == nil', result: null, expected: true },
    { name: 'when an empty array is compared with nil then they differ', source: 'result == nil', result: [], expected: false },
    { name: 'when arrays are equal element-wise then == is true', source: 'result == [1, [2, "x"]]', result: [1, [2, 'x']], expected: true },
    { name: 'when arrays differ in length then == is false', source: 'result == [1]', result: [1, 2], expected: false },
    { name: 'when bools are compared then == works', source: 'result == true', result: true, expected: true },
  ]);

  it('when maps have the same entries in another order then == is true', () => {
    expect(run('result.a == result.b', { a: { x: 1, y: [2] }, b: { y: [2], x: 1 } })).toBe(true);
  });

  it('when maps differ in a value then == is false', () => {
    expect(run('result.a == result.b', { a: { x: 1 }, b: { x: 2 } })).toBe(false);
  });

  fails([
    { name: 'when nil is ordered against a number then Argo wording is used', source: 'result < 0.5', result: null, message: 'invalid operation: < (mismatched types <nil> and float64)' },
    { name: 'when a string is ordered against a number then the types are named', source: 'result > 1', result: 'a', message: 'invalid operation: > (mismatched types string and int)' },
    { name: 'when an array is ordered against a number then the types are named', source: 'result >= 0.5', result: [0.9], message: 'invalid operation: >= (mismatched types []interface {} and float64)' },
    { name: 'when a map is ordered then the types are named', source: 'result <= 1', result: { a: 1 }, message: 'invalid operation: <= (mismatched types map[string]interface {} and int)' },
    { name: 'when bools are ordered then the types are named', source: 'result < result', result: false, message: 'invalid operation: < (mismatched types bool and bool)' },
  ]);
});

describe('logic', () => {
  evaluates([
    { name: 'when && has a false left side then the right side is not evaluated', source: 'false && result[0] > 1', result: [], expected: false },
    { name: 'when || has a true left side then the right side is not evaluated', source: 'true || result[0] > 1', result: [], expected: true },
    { name: 'when and/or words are used then they work like &&/||', source: 'result > 1 and result < 3 or false', result: 2, expected: true },
    { name: 'when not is used then it negates', source: 'not (result > 1)', result: 2, expected: false },
    { name: 'when ! is used then it negates', source: '!(result > 1)', result: 0, expected: true },
    { name: 'when a ternary test is true then the consequent is returned', source: 'result > 1 ? "big" : "small"', result: 2, expected: 'big' },
    { name: 'when a ternary test is false then the alternate is returned', source: 'result > 1 ? "big" : "small"', result: 0, expected: 'small' },
    { name: 'when ?? has nil on the left then the right is returned', source: 'result ?? 7', result: null, expected: 7 },
    { name: 'when ?? has a value on the left then it is kept', source: 'result ?? 7', result: 0, expected: 0 },
    { name: 'when ?? has false on the left then false is kept', source: 'result ?? true', result: false, expected: false },
  ]);

  fails([
    { name: 'when && gets a number on the left then the types are named', source: 'result && true', result: 1, message: 'invalid operation: && (mismatched types int and bool)' },
    { name: 'when && gets a string on the right then the types are named', source: 'true && result', result: 's', message: 'invalid operation: && (mismatched types bool and string)' },
    { name: 'when || gets nil on the left then the types are named', source: 'result || false', result: null, message: 'invalid operation: || (mismatched types <nil> and bool)' },
    { name: 'when ! gets a number then it is rejected', source: '!result', result: 1, message: 'invalid operation: operator ! not defined on int' },
    { name: 'when a ternary test is not bool then it is rejected', source: 'result ? 1 : 2', result: 1, message: 'non-bool expression (type int) used as condition' },
  ]);
});

describe('membership and string operators', () => {
  evaluates([
    { name: 'when an element is in an array then in is true', source: '2 in result', result: [1, 2], expected: true },
    { name: 'when an element is missing then in is false', source: '3 in result', result: [1, 2], expected: false },
    { name: 'when arrays are elements then in compares deeply', source: '[1] in result', result: [[1], [2]], expected: true },
    { name: 'when a key is in a map then in is true', source: '"a" in result', result: { a: null }, expected: true },
    { name: 'when a key is missing from a map then in is false', source: '"b" in result', result: { a: 1 }, expected: false },
    { name: 'when a prototype name is tested against a map then in is false', source: '"toString" in result', result: {}, expected: false },
    { name: 'when the haystack is nil then in is false', source: '1 in result', result: null, expected: false },
    { name: 'when not in finds nothing then it is true', source: '"x" not in result', result: ['a'], expected: true },
    { name: 'when a string matches a regex then matches is true', source: 'result matches "^5\\\\d\\\\d$"', result: '503', expected: true },
    { name: 'when a regex search finds a substring then matches is true (unanchored)', source: 'result matches "err"', result: 'an error', expected: true },
    { name: 'when the regex comes from the result then it is compiled at run time', source: '"abc" matches result', result: 'b.', expected: true },
    { name: 'when an RE2 (?i) flag is used then matching is case-insensitive', source: '"ABC" matches "(?i)^abc$"', expected: true },
    { name: 'when an RE2 named group is used then it is accepted', source: '"x1" matches "(?P<name>x)\\\\d"', expected: true },
    { name: 'when a POSIX class is used then it is translated', source: '"a9" matches "^[[:alpha:]][[:digit:]]$"', expected: true },
    { name: 'when \\A and \\z anchor then they mean text start and end', source: '"ab\\n" matches "\\\\Aab\\\\z"', expected: false },
    { name: 'when not matches is used then it negates', source: '"abc" not matches "z"', expected: true },
    { name: 'when contains finds a substring then it is true', source: 'result contains "ell"', result: 'hello', expected: true },
    { name: 'when startsWith matches then it is true', source: 'result startsWith "he"', result: 'hello', expected: true },
    { name: 'when endsWith does not match then it is false', source: 'result endsWith "he"', result: 'hello', expected: false },
    { name: 'when not contains is used then it negates', source: 'result not contains "z"', result: 'hello', expected: true },
  ]);

  fails([
    { name: 'when in targets a string then it is rejected', source: '"a" in result', result: 'abc', message: 'operator "in" not defined on string' },
    { name: 'when a map is probed with a number then it is rejected', source: '1 in result', result: { a: 1 }, message: 'cannot use int as type string in map key' },
    { name: 'when matches gets a number then the types are named', source: 'result matches "1"', result: 1, message: 'invalid operation: matches (mismatched types int and string)' },
    { name: 'when a runtime regex is invalid then it fails', source: '"a" matches result', result: '(', message: 'error parsing regexp: Invalid regular expression: /(/: Unterminated group' },
    { name: 'when contains gets nil then the types are named', source: 'result contains "a"', result: null, message: 'invalid operation: contains (mismatched types <nil> and string)' },
  ]);
});

describe('member access, indexing and slicing', () => {
  evaluates([
    { name: 'when a nested field is read then its value is returned', source: 'result.a.b', result: { a: { b: 5 } }, expected: 5 },
    { name: 'when a field is read with brackets then its value is returned', source: 'result["a-b"]', result: { 'a-b': 1 }, expected: 1 },
    { name: 'when a key is missing from a map then it is nil', source: 'result.missing', result: { a: 1 }, expected: null },
    { name: 'when an index is read then the element is returned', source: 'result[0]', result: [0.9, 0.1], expected: 0.9 },
    { name: 'when the index is negative then it counts from the end', source: 'result[-1]', result: [1, 2, 3], expected: 3 },
    { name: 'when the index is a fraction then it is truncated', source: 'result[1.7]', result: [1, 2, 3], expected: 2 },
    { name: 'when a string is indexed then a character is returned', source: 'result[1]', result: 'héllo', expected: 'é' },
    { name: 'when ?. meets nil then the whole chain is nil', source: 'result?.a.b.c', result: null, expected: null },
    { name: 'when ?. meets a value then it reads normally', source: 'result?.a', result: { a: 1 }, expected: 1 },
    { name: 'when ?.[ meets nil then it is nil', source: 'result?.[0]', result: null, expected: null },
    { name: 'when a slice has both bounds then it is half-open', source: 'result[1:3]', result: [1, 2, 3, 4], expected: [2, 3] },
    { name: 'when a slice has no start then it starts at 0', source: 'result[:2]', result: [1, 2, 3], expected: [1, 2] },
    { name: 'when a slice has no end then it runs to the end', source: 'result[1:]', result: [1, 2, 3], expected: [2, 3] },
    { name: 'when a slice has negative bounds then they count from the end', source: 'result[-2:]', result: [1, 2, 3], expected: [2, 3] },
    { name: 'when slice bounds are out of range then they clamp', source: 'result[1:99]', result: [1, 2], expected: [2] },
    { name: 'when a string is sliced then a string is returned', source: 'result[0:3]', result: 'hello', expected: 'hel' },
    { name: 'when a field is named like an operator then it is still a field', source: 'result.in + result.not', result: { in: 1, not: 2 }, expected: 3 },
  ]);

  fails([
    { name: 'when an empty array is indexed then the length is reported', source: 'result[0]', result: [], message: 'index out of range: 0 (array length 0)' },
    { name: 'when a negative index is out of range then the adjusted index is reported', source: 'result[-3]', result: [1], message: 'index out of range: -2 (array length 1)' },
    { name: 'when nil is indexed then it cannot fetch', source: 'result[0]', result: null, message: 'cannot fetch 0 from <nil>' },
    { name: 'when nil has a field read then it cannot fetch', source: 'result.a', result: null, message: 'cannot fetch a from <nil>' },
    { name: 'when a number has a field read then it cannot fetch', source: 'result.a', result: 1, message: 'cannot fetch a from int' },
    { name: 'when an array has a field read then it cannot fetch', source: 'result.a', result: [1], message: 'cannot fetch a from []interface {}' },
    { name: 'when a map is indexed by a number then it cannot fetch', source: 'result[0]', result: { a: 1 }, message: 'cannot fetch 0 from map[string]interface {}' },
    { name: 'when parentheses end a ?. chain then the next link fails on nil', source: '(result?.a).b', result: null, message: 'cannot fetch b from <nil>' },
    { name: 'when a number is sliced then it cannot slice', source: 'result[0:1]', result: 5, message: 'cannot slice int' },
  ]);
});
