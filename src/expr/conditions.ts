/**
 * @module expr/conditions
 * Argo's `EvaluateResult` truth table for `successCondition`/`failureCondition`, with messages
 * that always say which expression decided, and on what value — unclear verdict messages are
 * the most common complaint about Argo analysis runs.
 */

import type { Program } from './compile.js';
import { previewValue } from './format.js';
import { evaluateCondition } from './interpreter.js';
import type { ExprEnv } from './interpreter.js';
import { kindOf, normalize } from './values.js';
import type { ExprValue } from './values.js';

/** A measurement's phase, as Argo names it. */
export type ConditionPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** A metric's compiled conditions; either may be absent. */
export interface Conditions {
  readonly success?: Program;
  readonly failure?: Program;
}

/** The verdict for one measurement. */
export interface ConditionOutcome {
  readonly phase: ConditionPhase;
  /** Human-readable reason; always set for Failed, Inconclusive and Error, absent for Successful. */
  readonly message?: string;
}

type ConditionKind = 'successCondition' | 'failureCondition';

type Evaluated = { readonly met: boolean } | { readonly error: ConditionOutcome };

/** Nil or an empty array: what Argo reports as "no data returned from the metric provider". */
function isNilOrEmpty(value: ExprValue): boolean {
  const kind = kindOf(value);
  return kind === 'nil' || (kind === 'array' && (value as readonly ExprValue[]).length === 0);
}

function errorMessage(kind: ConditionKind, program: Program, result: ExprValue, error: unknown): string {
  const prefix = `could not evaluate ${kind} "${program.source}"`;
  const detail = error instanceof Error ? error.message : String(error);
  if (!isNilOrEmpty(result)) return `${prefix}: ${detail} (result was ${previewValue(result)})`;
  // len(nil) is itself an error, so a nil result needs a different guard than an empty one.
  const guard = kindOf(result) === 'nil' ? 'guard with isNil(result) or substitute a value with default(result, …)' : 'guard with len(result) > 0';
  return `${prefix}: metric result is nil or empty: no data returned from the metric provider (${detail}); ${guard}`;
}

function evaluateNamed(kind: ConditionKind, program: Program, env: ExprEnv, result: ExprValue): Evaluated {
  try {
    return { met: evaluateCondition(program, env) };
  } catch (error) {
    return { error: { phase: 'Error', message: errorMessage(kind, program, result, error) } };
  }
}

function quoted(program: Program): string {
  return `"${program.source}"`;
}

/**
 * Argo's truth table: no conditions → Successful; success only → true Successful / false
 * Failed; failure only → true Failed / false Successful; both → failure wins when true, else
 * success true → Successful, else Inconclusive. Success is evaluated first, and the first
 * evaluation error (or non-bool result) makes the outcome Error.
 */
export function assessConditions(conditions: Conditions, env: ExprEnv): ConditionOutcome {
  const { success, failure } = conditions;
  const result = normalize(env.result);
  const value = previewValue(result);
  const successResult = success === undefined ? undefined : evaluateNamed('successCondition', success, env, result);
  if (successResult !== undefined && 'error' in successResult) return successResult.error;
  const failureResult = failure === undefined ? undefined : evaluateNamed('failureCondition', failure, env, result);
  if (failureResult !== undefined && 'error' in failureResult) return failureResult.error;
  const successMet = successResult?.met;
  const failureMet = failureResult?.met;

  if (failure !== undefined && failureMet === true) {
    const alsoMet = success !== undefined && successMet === true ? ` (successCondition ${quoted(success)} was also met; failureCondition takes precedence)` : '';
    return { phase: 'Failed', message: `value ${value} met failureCondition ${quoted(failure)}${alsoMet}` };
  }
  if (success === undefined || successMet === true) return { phase: 'Successful' };
  if (failure === undefined) return { phase: 'Failed', message: `value ${value} did not satisfy successCondition ${quoted(success)}` };
  return { phase: 'Inconclusive', message: `value ${value} met neither successCondition ${quoted(success)} nor failureCondition ${quoted(failure)}` };
}
