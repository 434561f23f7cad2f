/**
 * @module test/unit/expr/helpers
 * Shared shortcuts for the expression tests: compile + evaluate in one call with a fixed virtual
 * clock, and capture whichever error (compile or runtime) an expression produces.
 */

import { expect, it } from 'vitest';
import { compile, evaluate, ExprRuntimeError, ExprSyntaxError } from '../../../src/expr/index.js';
import type { ExprValue } from '../../../src/expr/index.js';

/** The injected clock used by every test: 2026-01-01T00:00:00Z. */
export const CLOCK_MS = Date.UTC(2026, 0, 1);

/** Compiles and evaluates `source` against `result` with the test clock. */
export function run(source: string, result: ExprValue = null): ExprValue {
  return evaluate(compile(source), { result, now: () => CLOCK_MS });
}

/** The error `source` produces at compile time or at run time; fails the test when there is none. */
export function errorOf(source: string, result: ExprValue = null): ExprSyntaxError | ExprRuntimeError {
  try {
    run(source, result);
  } catch (error) {
    if (error instanceof ExprSyntaxError || error instanceof ExprRuntimeError) return error;
    throw new Error(`expected an expression error from ${source}, got ${String(error)}`, { cause: error });
  }
  throw new Error(`expected ${source} to fail`);
}

/** The compile error of `source`; fails the test when it compiles. */
export function syntaxErrorOf(source: string): ExprSyntaxError {
  try {
    compile(source);
  } catch (error) {
    if (error instanceof ExprSyntaxError) return error;
    throw new Error(`expected an ExprSyntaxError from ${source}, got ${String(error)}`, { cause: error });
  }
  throw new Error(`expected ${source} not to compile`);
}

/** The runtime error of `source` (which must compile); fails the test when evaluation succeeds. */
export function runtimeErrorOf(source: string, result: ExprValue = null): ExprRuntimeError {
  const program = compile(source);
  try {
    evaluate(program, { result, now: () => CLOCK_MS });
  } catch (error) {
    if (error instanceof ExprRuntimeError) return error;
    throw new Error(`expected an ExprRuntimeError from ${source}, got ${String(error)}`, { cause: error });
  }
  throw new Error(`expected ${source} to fail at run time`);
}

/** A table row: `source` evaluated against `result` gives `expected`. */
export interface EvalCase {
  readonly name: string;
  readonly source: string;
  readonly result?: ExprValue;
  readonly expected: ExprValue;
}

/** A table row: `source` against `result` fails at run time with exactly `message`. */
export interface FailureCase {
  readonly name: string;
  readonly source: string;
  readonly result?: ExprValue;
  readonly message: string;
}

/** One test per row: the expression evaluates to the expected value. */
export const evaluates = (cases: readonly EvalCase[]): void =>
  it.each(cases)('$name', ({ source, result, expected }) => {
    expect(run(source, result ?? null)).toEqual(expected);
  });

/** One test per row: the expression fails at run time with an ExprRuntimeError and this message. */
export const fails = (cases: readonly FailureCase[]): void =>
  it.each(cases)('$name', ({ source, result, message }) => {
    const error = runtimeErrorOf(source, result ?? null);
    expect(error).toBeInstanceOf(ExprRuntimeError);
    expect(error.code).toBe('EXPR_RUNTIME');
    expect(error.message).toBe(message);
  });
