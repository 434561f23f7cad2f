/**
 * @module test/unit/expr/conditions
 * assessConditions: Argo's EvaluateResult truth table and the verdict messages.
 */
import { describe, expect, it } from 'vitest';

import { assessConditions, compile } from '../../../src/expr/index.js';
import type { ConditionPhase, Conditions, ExprValue } from '../../../src/expr/index.js';

const T = compile('true');
const F = compile('false');

describe("assessConditions follows Argo's EvaluateResult truth table", () => {
  it.each([
    { name: 'when neither condition is set then Successful', conditions: {}, phase: 'Successful' },
    { name: 'when only success is set and true then Successful', conditions: { success: T }, phase: 'Successful' },
    { name: 'when only success is set and false then Failed', conditions: { success: F }, phase: 'Failed' },
    { name: 'when only failure is set and true then Failed', conditions: { failure: T }, phase: 'Failed' },
    { name: 'when only failure is set and false then Successful', conditions: { failure: F }, phase: 'Successful' },
    { name: 'when both are set and only success is true then Successful', conditions: { success: T, failure: F }, phase: 'Successful' },
    { name: 'when both are set and only failure is true then Failed', conditions: { success: F, failure: T }, phase: 'Failed' },
    { name: 'when both are set and both are true then failure wins', conditions: { success: T, failure: T }, phase: 'Failed' },
    { name: 'when both are set and both are false then Inconclusive', conditions: { success: F, failure: F }, phase: 'Inconclusive' },
  ] satisfies ReadonlyArray<{ name: string; conditions: Conditions; phase: ConditionPhase }>)('$name', ({ conditions, phase }) => {
    const outcome = assessConditions(conditions, { result: true });
    expect(outcome.phase).toBe(phase);
    if (phase === 'Successful') expect(outcome.message).toBeUndefined();
    else expect(outcome.message).toEqual(expect.any(String));
  });
});

describe('assessConditions messages name the expression and the value', () => {
  it('when success alone is not met then it says which value did not satisfy it', () => {
    expect(assessConditions({ success: compile('result[0] < 0.01') }, { result: [0.052] })).toEqual({
      phase: 'Failed',
      message: 'value [0.052] did not satisfy successCondition "result[0] < 0.01"',
    });
  });

  it('when the failure condition is met then it says so', () => {
    expect(assessConditions({ success: compile('result[0] < 0.01'), failure: compile('result[0] >= 0.05') }, { result: [0.052] })).toEqual({
      phase: 'Failed',
      message: 'value [0.052] met failureCondition "result[0] >= 0.05"',
    });
  });

  it('when both conditions are met then it explains that failure takes precedence', () => {
    expect(assessConditions({ success: compile('result > 0'), failure: compile('result > 1') }, { result: 2 }).message).toBe(
      'value 2 met failureCondition "result > 1" (successCondition "result > 0" was also met; failureCondition takes precedence)',
    );
  });

  it('when neither condition is met then it names both', () => {
    expect(assessConditions({ success: compile('result < 0.01'), failure: compile('result >= 0.05') }, { result: 0.02 })).toEqual({
      phase: 'Inconclusive',
      message: 'value 0.02 met neither successCondition "result < 0.01" nor failureCondition "result >= 0.05"',
    });
  });

  it('when the value is huge then the message preview is cut', () => {
    const result = Array.from({ length: 500 }, (_, i) => i);
    const message = assessConditions({ success: compile('false') }, { result }).message ?? '';
    expect(message.length).toBeLessThan(400);
    expect(message).toMatch(/… \(\d+ more characters\) did not satisfy/);
  });
});

describe('assessConditions reports evaluation errors as Error', () => {
  it.each([
    {
      name: 'when the result is nil then it says no data was returned, with the cause and a guard',
      conditions: { success: compile('result[0] >= 0.95') },
      result: null,
      message:
        'could not evaluate successCondition "result[0] >= 0.95": metric result is nil or empty: no data returned from the metric provider (cannot fetch 0 from <nil>); guard with isNil(result) or substitute a value with default(result, …)',
    },
    {
      name: 'when the result is empty then it says no data was returned, with the cause and a len guard',
      conditions: { success: compile('result[0] >= 0.95') },
      result: [],
      message:
        'could not evaluate successCondition "result[0] >= 0.95": metric result is nil or empty: no data returned from the metric provider (index out of range: 0 (array length 0)); guard with len(result) > 0',
    },
    {
      name: 'when the failure condition fails then it names failureCondition and shows the result',
      conditions: { success: T, failure: compile('result.missing > 1') },
      result: { a: 1 },
      message: 'could not evaluate failureCondition "result.missing > 1": invalid operation: > (mismatched types <nil> and int) (result was {"a":1})',
    },
    {
      name: 'when the condition is not a bool then Argo wording is kept',
      conditions: { success: compile('result[0]') },
      result: [0.1, 0.2],
      message: 'could not evaluate successCondition "result[0]": expected bool, but got float64 (result was [0.1,0.2])',
    },
    {
      name: 'when both conditions would fail then success is evaluated (and reported) first',
      conditions: { success: compile('result > 1'), failure: compile('result < 1') },
      result: 'x',
      message: 'could not evaluate successCondition "result > 1": invalid operation: > (mismatched types string and int) (result was x)',
    },
  ] satisfies ReadonlyArray<{ name: string; conditions: Conditions; result: ExprValue; message: string }>)('$name', ({ conditions, result, message }) => {
    expect(assessConditions(conditions, { result })).toEqual({ phase: 'Error', message });
  });

  it('when success errors then the failure condition is not consulted', () => {
    const outcome = assessConditions({ success: compile('result[0] > 1'), failure: T }, { result: [] });
    expect(outcome.phase).toBe('Error');
    expect(outcome.message).toContain('successCondition');
  });

  it('when no conditions are set then even a nil result is Successful', () => {
    expect(assessConditions({}, { result: null })).toEqual({ phase: 'Successful' });
  });
});
