/**
 * @module expr/errors
 * The two error types the expression language can throw. Callers (the engine, config loading)
 * branch on `code` rather than on message text, and a condition author needs a column to find a
 * typo, so compile errors carry where they happened.
 */

/** Where a compile error happened, resolved from a 0-based offset into the source. */
export interface SourcePosition {
  /** 1-based line; conditions written as YAML block scalars span several lines. */
  readonly line: number;
  /** 1-based column within `line`. */
  readonly column: number;
}

/** Resolves a 0-based offset to a 1-based line and column. */
export function positionOf(source: string, offset: number): SourcePosition {
  const clamped = Math.max(0, Math.min(offset, source.length));
  const before = source.slice(0, clamped);
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  return { line, column: clamped - lineStart + 1 };
}

/** `column 7`, or `line 2, column 3` when the source spans several lines. */
export function describePosition(source: string, offset: number): string {
  const { line, column } = positionOf(source, offset);
  return source.includes('\n') ? `line ${line}, column ${column}` : `column ${column}`;
}

/**
 * A compile-time error: bad syntax, an unknown name or function, a wrong argument count, a
 * forbidden member name, an invalid regex/duration literal, or an operator applied to operands
 * whose types are already known to be incompatible (expr-lang's checker reports the same at
 * compile time, e.g. `asFloat(result) == "1.1"`).
 *
 * `message` carries no location (it matches Argo's wording, e.g. `unknown name foo`); use
 * `column`/`line`, or {@link describePosition}, to point at the token.
 */
export class ExprSyntaxError extends Error {
  readonly code = 'EXPR_SYNTAX';
  /** 1-based column of the offending token within its line. */
  readonly column: number;
  /** 1-based line of the offending token (1 for single-line expressions). */
  readonly line: number;
  /** 0-based offset of the offending token into `expression`. */
  readonly offset: number;
  /** The full source that failed to compile. */
  readonly expression: string;

  constructor(expression: string, offset: number, message: string) {
    super(message);
    const { line, column } = positionOf(expression, offset);
    this.name = 'ExprSyntaxError';
    this.expression = expression;
    this.offset = offset;
    this.line = line;
    this.column = column;
  }
}

/**
 * An evaluation failure: type mismatch, index out of range, a non-bool condition, a failing
 * builtin. `evaluate` never lets any other error type escape.
 */
export class ExprRuntimeError extends Error {
  readonly code = 'EXPR_RUNTIME';

  constructor(message: string) {
    super(message);
    this.name = 'ExprRuntimeError';
  }
}

/** Throws an {@link ExprRuntimeError}; typed `never` so it can end an expression branch. */
export function fail(message: string): never {
  throw new ExprRuntimeError(message);
}
