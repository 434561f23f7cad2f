/**
 * @module test/unit/expr/argo-compat
 * Cases ported from argo-rollouts utils/evaluate/evaluate_test.go, plus the Argo quirks that
 * templates depend on (isNil/default look at the whole result), NaN/Inf and empty results.
 */
import { describe, expect, it } from 'vitest';

import { compile, evaluateCondition, ExprRuntimeError, ExprSyntaxError } from '../../../src/expr/index.js';
import type { ExprValue } from '../../../src/expr/index.js';
import { errorOf, run, runtimeErrorOf } from './helpers.js';

const condition = (source: string, result: ExprValue): boolean => evaluateCondition(compile(source), { result });

describe('Argo evaluate_test.go', () => {
  it.each([
    { name: 'when result is true and compared with true then it holds (TestEvaluateConditionWithSuccess)', source: 'result == true', result: true, expected: true },
    { name: 'when result is true and compared with false then it fails (TestEvaluateConditionWithFailure)', source: 'result == false', result: true, expected: false },
    { name: 'when a float result exceeds 1 then it holds (TestEvaluateFloat64)', source: 'result > 1', result: 5, expected: true },
    { name: 'when 2 is in the result then in holds (TestEvaluateInOperator)', source: '2 in result', result: [2, 2], expected: true },
    {
      name: 'when nested values all exceed 1 then all holds (TestEvaluateArray)',
      source: 'all(result.service_apdex.values.values, {# > 1})',
      result: { service_apdex: { label: null, values: { values: [2, 2] } } },
      expected: true,
    },
    { name: 'when asInt gets "1" then it is 1', source: 'asInt(result) == 1', result: '1', expected: true },
    { name: 'when asInt gets 1 then it is 1', source: 'asInt(result) == 1', result: 1, expected: true },
    { name: 'when asInt gets 1.123 then it truncates to 1', source: 'asInt(result) == 1', result: 1.123, expected: true },
    { name: 'when asFloat gets "1.1" then == 1.1 holds', source: 'asFloat(result) == 1.1', result: '1.1', expected: true },
    { name: 'when asFloat gets "1.1" then >= 1.1 holds', source: 'asFloat(result) >= 1.1', result: '1.1', expected: true },
    { name: 'when asFloat gets "1.1" then <= 1.1 holds', source: 'asFloat(result) <= 1.1', result: '1.1', expected: true },
    { name: 'when asFloat gets 1.1 then == 1.1 holds', source: 'asFloat(result) == 1.1', result: 1.1, expected: true },
    { name: 'when asFloat gets 1 then == 1 holds', source: 'asFloat(result) == 1', result: 1, expected: true },
    { name: 'when asFloat gets 1 then >= 1 holds', source: 'asFloat(result) >= 1', result: 1, expected: true },
  ])('$name', ({ source, result, expected }) => {
    expect(condition(source, result)).toBe(expected);
  });

  it('when the condition is a number then it is not a bool (TestErrorWithNonBoolReturn)', () => {
    expect(() => condition('1', true)).toThrow(ExprRuntimeError);
    expect(() => condition('1', true)).toThrow(/^expected bool, but got int$/);
  });

  it.each([
    { name: 'when the condition is a float then it reports float64', source: 'result', result: 0.5, type: 'float64' },
    { name: 'when the condition is a string then it reports string', source: 'result', result: 'true', type: 'string' },
    { name: 'when the condition is nil then it reports <nil>', source: 'result', result: null, type: '<nil>' },
    { name: 'when the condition is an array then it reports []interface {}', source: 'result', result: [true], type: '[]interface {}' },
    { name: 'when the condition is a map then it reports map[string]interface {}', source: 'result', result: { ok: true }, type: 'map[string]interface {}' },
    { name: 'when the condition is a time then it reports time.Time', source: 'date("2026-01-01")', result: null, type: 'time.Time' },
  ])('$name', ({ source, result, type }) => {
    expect(() => condition(source, result)).toThrow(`expected bool, but got ${type}`);
  });

  it('when an unknown variable is referenced then the exact Argo message is used (TestErrorWithInvalidReference)', () => {
    expect(() => compile('invalidVariable')).toThrow(ExprSyntaxError);
    expect(() => compile('invalidVariable')).toThrow(/^unknown name invalidVariable$/);
  });

  it('when a method is called on result then it is an error (TestEvaluateInvalidStruct)', () => {
    expect(() => compile("result.Name() == 'hi'")).toThrow(ExprSyntaxError);
  });

  it('when asInt gets "1.1" then it fails (TestEvaluateAsIntPanic)', () => {
    expect(errorOf('asInt(result) == 1.1', '1.1').message).toBe('strconv.ParseInt: parsing "1.1": invalid syntax');
  });

  it.each([
    { name: 'when asFloat gets a word then ParseFloat fails', source: 'asFloat(result) == 1.1', result: 'NotANum', pattern: /parsing "NotANum": invalid syntax/ },
    { name: 'when asFloat is compared with a string then the types mismatch', source: 'asFloat(result) == "1.1"', result: '1.1', pattern: /invalid operation: == \(mismatched types float64 and string\)/ },
  ])('$name (TestEvaluateAsFloatError)', ({ source, result, pattern }) => {
    expect(errorOf(source, result).message).toMatch(pattern);
  });

  it.each([
    { name: 'when asInt gets "notint" then it fails', source: 'asInt(result)', result: 'notint', message: 'strconv.ParseInt: parsing "notint": invalid syntax' },
    { name: 'when asFloat gets "notfloat" then it fails', source: 'asFloat(result)', result: 'notfloat', message: 'strconv.ParseFloat: parsing "notfloat": invalid syntax' },
    { name: 'when asInt gets a bool then it names the type and value', source: 'asInt(result)', result: true, message: 'asInt() not supported on bool true' },
    { name: 'when asInt gets nil then it names the type and value', source: 'asInt(result)', result: null, message: 'asInt() not supported on <nil> <nil>' },
    { name: 'when asFloat gets an array then it names the type and value', source: 'asFloat(result)', result: [1], message: 'asFloat() not supported on []interface {} [1]' },
    { name: 'when isNaN gets a string then it is a runtime error', source: 'isNaN(result)', result: 'x', message: 'cannot use string as argument (type float64) to call isNaN' },
    { name: 'when isInf gets nil then it is a runtime error', source: 'isInf(result)', result: null, message: 'cannot use <nil> as argument (type float64) to call isInf' },
  ])('$name (TestAsInt/TestAsFloat)', ({ source, result, message }) => {
    expect(runtimeErrorOf(source, result).message).toBe(message);
  });

  it.each([
    { name: 'when asInt gets "1" then it is 1', source: 'asInt(result)', result: '1', expected: 1 },
    { name: 'when asInt gets "-7" then it is -7', source: 'asInt(result)', result: '-7', expected: -7 },
    { name: 'when asFloat gets "1" then it is 1', source: 'asFloat(result)', result: '1', expected: 1 },
    { name: 'when asFloat gets "1e3" then it is 1000', source: 'asFloat(result)', result: '1e3', expected: 1000 },
    { name: 'when asFloat gets "NaN" then it is NaN', source: 'asFloat(result)', result: 'NaN', expected: Number.NaN },
    { name: 'when asFloat gets "-Inf" then it is -Infinity', source: 'asFloat(result)', result: '-Inf', expected: -Infinity },
  ])('$name', ({ source, result, expected }) => {
    expect(run(source, result)).toEqual(expected);
  });
});

describe('isNil and default look at the whole result (Argo binds them to it)', () => {
  it.each([
    { name: 'when result is nil then default returns the default', source: 'default(result, 0)', result: null, expected: 0 },
    { name: 'when result is an empty array then default returns the empty array', source: 'default(result, 0)', result: [], expected: [] },
    { name: 'when result has values then default returns the whole result', source: 'default(result, 0)', result: [0.5], expected: [0.5] },
    { name: 'when the first argument is result[0] then default still returns the whole result', source: 'default(result[0], 0)', result: [0.5], expected: [0.5] },
    { name: 'when the first argument would fail then it is not evaluated', source: 'default(result[0], 7)', result: null, expected: 7 },
    { name: 'when result is nil then isNil is true', source: 'isNil(result)', result: null, expected: true },
    { name: 'when result is an empty array then isNil is false', source: 'isNil(result)', result: [], expected: false },
    { name: 'when result is false then isNil is false', source: 'isNil(result)', result: false, expected: false },
    { name: 'when result is 0 then isNil is false', source: 'isNil(result)', result: 0, expected: false },
    { name: 'when isNil is asked about something else then it still answers for result', source: 'isNil(nil)', result: [1], expected: false },
    { name: 'when isNil gets a failing argument then it is not evaluated', source: 'isNil(result[5])', result: null, expected: true },
  ])('$name', ({ source, result, expected }) => {
    expect(run(source, result)).toEqual(expected);
  });
});

describe('NaN and infinities are ordinary numbers', () => {
  it.each([
    { name: 'when result is NaN then > is false', source: 'result[0] > 0.5', result: [Number.NaN], expected: false },
    { name: 'when result is NaN then < is false', source: 'result[0] < 0.5', result: [Number.NaN], expected: false },
    { name: 'when result is NaN then it is not equal to itself', source: 'result[0] == result[0]', result: [Number.NaN], expected: false },
    { name: 'when result is NaN then isNaN is true', source: 'isNaN(result[0])', result: [Number.NaN], expected: true },
    { name: 'when result is a number then isNaN is false', source: 'isNaN(result[0])', result: [1], expected: false },
    { name: 'when result is +Inf then isInf is true', source: 'isInf(result[0])', result: [Infinity], expected: true },
    { name: 'when result is -Inf then isInf is true', source: 'isInf(result[0])', result: [-Infinity], expected: true },
    { name: 'when result is NaN then isInf is false', source: 'isInf(result[0])', result: [Number.NaN], expected: false },
    { name: 'when result is +Inf then it exceeds any finite number', source: 'result[0] > 1e308', result: [Infinity], expected: true },
    { name: 'when a NaN guard is combined with a threshold then NaN is rejected', source: '!isNaN(result[0]) && result[0] < 0.01', result: [Number.NaN], expected: false },
  ])('$name', ({ source, result, expected }) => {
    expect(condition(source, result)).toBe(expected);
  });
});

describe('empty results, with and without guards', () => {
  it.each([
    { name: 'when an empty result is guarded by len then the condition is false', source: 'len(result) > 0 && result[0] < 1', result: [], expected: false },
    { name: 'when a nil result is guarded by isNil then the condition is true', source: 'isNil(result) || result[0] < 1', result: null, expected: true },
    { name: 'when a nil result gets a default array then indexing works', source: 'default(result, [0])[0] < 1', result: null, expected: true },
    { name: 'when a nil result is read with ?. and ?? then it falls back', source: '(result?.[0] ?? 0) < 1', result: null, expected: true },
    { name: 'when an empty result is checked with all then it is vacuously true', source: 'all(result, # < 1)', result: [], expected: true },
    { name: 'when an empty result is checked with any then it is false', source: 'any(result, # < 1)', result: [], expected: false },
  ])('$name', ({ source, result, expected }) => {
    expect(condition(source, result)).toBe(expected);
  });

  it.each([
    { name: 'when an empty result is indexed without a guard then it is out of range', source: 'result[0] < 1', result: [], message: 'index out of range: 0 (array length 0)' },
    { name: 'when a nil result is indexed without a guard then it cannot fetch', source: 'result[0] < 1', result: null, message: 'cannot fetch 0 from <nil>' },
    { name: 'when a nil result is guarded by len then len itself fails (as in Argo)', source: 'len(result) > 0 && result[0] < 1', result: null, message: 'invalid argument for len (type <nil>)' },
    { name: 'when an empty result is read with ?. then ?. does not guard emptiness', source: '(result?.[0] ?? 0) < 1', result: [], message: 'index out of range: 0 (array length 0)' },
  ])('$name', ({ source, result, message }) => {
    expect(runtimeErrorOf(source, result).message).toBe(message);
  });
});
