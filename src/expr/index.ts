/**
 * @module expr
 * The condition language: an interpreted, Argo-compatible subset of expr-lang used for
 * `successCondition`, `failureCondition` and Prometheus `rangeQuery.start/end`.
 */

export type { BinaryOperator, BuiltinName, Node, StaticType, UnaryOperator } from './ast.js';
export { compile } from './compile.js';
export type { Program } from './compile.js';
export { assessConditions } from './conditions.js';
export type { ConditionOutcome, ConditionPhase, Conditions } from './conditions.js';
export { ExprRuntimeError, ExprSyntaxError } from './errors.js';
export { formatValue } from './format.js';
export { evaluate, evaluateCondition } from './interpreter.js';
export type { ExprEnv } from './interpreter.js';
export { durationValue, isDurationValue, isTimeValue, timeValue } from './values.js';
export type { DurationValue, ExprValue, TimeValue } from './values.js';
