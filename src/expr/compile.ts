/**
 * @module expr/compile
 * Parse + static check in one step, so a template's conditions can be validated when it is
 * loaded and then evaluated many times without re-parsing.
 */

import type { Node } from './ast.js';
import { check } from './checker.js';
import { ExprSyntaxError } from './errors.js';
import { parse } from './parser.js';

/** A compiled expression: its source (for messages) and its checked AST. */
export interface Program {
  readonly source: string;
  readonly ast: Node;
}

/**
 * Parses and statically checks `source`: known names (`result`, and `#`/`#index` inside
 * predicates), known functions, argument counts where fixed, forbidden member names
 * (`constructor`, `__proto__`, `prototype`), literal regexes/durations/dates, and operand types
 * that are already known to clash. Throws {@link ExprSyntaxError} with a 1-based column.
 */
export function compile(source: string): Program {
  if (typeof source !== 'string') throw new ExprSyntaxError(String(source), 0, 'expression must be a string');
  const ast = parse(source);
  check(ast, source);
  return Object.freeze({ source, ast });
}
