/**
 * @module expr/parser
 * Turns condition source into the typed AST ({@link Node}). jsep supplies the machinery —
 * whitespace, operator tokens (longest match; word operators only at word boundaries),
 * identifiers, its `gobble-expression` hook and its built-in ternary plugin — while the hook
 * below implements expr-lang's precedence climbing. jsep's own binary parser cannot be used as is:
 * it binds unary operators tighter than `**` (expr-lang: `-2 ** 2 == -4`), has no `not in`,
 * chained comparisons, predicates, slices or `..`, and records no source positions, which
 * compile errors need.
 *
 * jsep's operator table is global, so it is swapped in only for the duration of a parse and
 * restored afterwards; the hook is inert outside our parses. Other jsep users are unaffected.
 */

import jsep from 'jsep';

import type { BinaryNode, BinaryOperator, LiteralNode, Node, UnaryOperator } from './ast.js';
import { BUILTINS, isBuiltinName } from './builtins.js';
import { ExprSyntaxError, describePosition } from './errors.js';
import { compileRegex } from './regex.js';

type Scope = jsep.HookScope;

interface OperatorInfo {
  readonly precedence: number;
  readonly canonical: BinaryOperator;
  readonly rightAssociative: boolean;
}

const binary = (precedence: number, canonical: BinaryOperator, rightAssociative = false): OperatorInfo => ({
  precedence,
  canonical,
  rightAssociative,
});

// expr-lang v1.17 parser/operator: `==` and `<` share a level and `??` binds tightest.
const BINARY_OPERATORS: ReadonlyMap<string, OperatorInfo> = new Map([
  ['or', binary(10, '||')],
  ['||', binary(10, '||')],
  ['and', binary(15, '&&')],
  ['&&', binary(15, '&&')],
  ['==', binary(20, '==')],
  ['!=', binary(20, '!=')],
  ['<', binary(20, '<')],
  ['>', binary(20, '>')],
  ['<=', binary(20, '<=')],
  ['>=', binary(20, '>=')],
  ['in', binary(20, 'in')],
  ['matches', binary(20, 'matches')],
  ['contains', binary(20, 'contains')],
  ['startsWith', binary(20, 'startsWith')],
  ['endsWith', binary(20, 'endsWith')],
  ['..', binary(25, '..')],
  ['+', binary(30, '+')],
  ['-', binary(30, '-')],
  ['*', binary(60, '*')],
  ['/', binary(60, '/')],
  ['%', binary(60, '%')],
  ['**', binary(100, '**', true)],
  ['^', binary(100, '**', true)],
  ['??', binary(500, '??')],
]);

const NEGATABLE: ReadonlySet<BinaryOperator> = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith']);
const COMPARISONS: ReadonlySet<BinaryOperator> = new Set(['<', '>', '<=', '>=']);

interface UnaryInfo {
  readonly text: string;
  readonly precedence: number;
  readonly canonical: UnaryOperator;
}

// Lower precedence than `*` for `!`/`not` and lower than `**` for `-`, exactly as expr-lang.
const UNARY_OPERATORS: readonly UnaryInfo[] = [
  { text: 'not', precedence: 50, canonical: '!' },
  { text: '!', precedence: 50, canonical: '!' },
  { text: '-', precedence: 90, canonical: '-' },
  { text: '+', precedence: 90, canonical: '+' },
];

// `not` is a jsep token only so that `gobbleBinaryOp` hands it back for `a not in b`.
const JSEP_TOKENS: ReadonlyArray<readonly [string, number]> = [
  ...[...BINARY_OPERATORS].map(([text, info]) => [text, info.precedence] as const),
  ['not', 20],
];

const MAX_NESTING = 200;
const WRAPPED_NODE = 'MetricgateExprNode';

interface ParseState {
  readonly source: string;
  /** Typed nodes handed through jsep as `{ type: WRAPPED_NODE, id }` references. */
  readonly nodes: Node[];
  predicateDepth: number;
  nesting: number;
}

let active: ParseState | undefined;

type JsepParserConstructor = new (expression: string) => Scope;

// jsep's README documents the `Jsep` class export; its typings only describe the function.
const JsepParser = (jsep as unknown as { readonly Jsep: JsepParserConstructor }).Jsep;

function syntaxError(state: ParseState, offset: number, description: string): ExprSyntaxError {
  return new ExprSyntaxError(state.source, offset, description);
}

const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/** Same identifier alphabet as jsep: ASCII letters, `$`, `_`, any non-ASCII; digits after the first. */
const isIdentifierStart = (code: number): boolean =>
  (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 36 || code === 95 || code >= 128;

const isIdentifierPart = (code: number): boolean => isIdentifierStart(code) || isDigit(code);

const UNEXPECTED_HINTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^=>/, 'arrow functions are not supported'],
  [/^=(?!=)/, 'assignment is not supported (use == to compare)'],
  [/^`/, 'template literals and backtick strings are not supported'],
  [/^\{/, 'map literals are not supported; braces only delimit a predicate, as in all(result, {# > 0})'],
  [/^;/, 'only a single expression is allowed'],
  [/^\.[A-Za-z_$]/, '.field shorthand is only allowed inside a predicate'],
];

function unexpected(state: ParseState, offset: number): ExprSyntaxError {
  const rest = state.source.slice(offset);
  if (rest === '') return syntaxError(state, offset, 'unexpected end of expression');
  const token = /^(?:[A-Za-z_$][\w$]*|\d[\w.]*|\S)/.exec(rest)?.[0] ?? rest.charAt(0);
  const hint = UNEXPECTED_HINTS.find(([pattern]) => pattern.test(rest))?.[1];
  return syntaxError(state, offset, `unexpected token ${JSON.stringify(token)}${hint === undefined ? '' : `: ${hint}`}`);
}

const OPENERS: ReadonlyMap<string, string> = new Map([
  [')', '('],
  [']', '['],
  ['}', '{'],
]);

function missingClose(state: ParseState, offset: number, close: string, openAt: number, commaAllowed: boolean): ExprSyntaxError {
  const opened = `"${OPENERS.get(close) ?? ''}" at ${describePosition(state.source, openAt)}`;
  if (offset >= state.source.length) {
    return syntaxError(state, offset, `unexpected end of expression: missing "${close}" to close ${opened}`);
  }
  const expected = commaAllowed ? `"," or "${close}"` : `"${close}"`;
  const found = unexpected(state, offset).message;
  return syntaxError(state, offset, `${found}: expected ${expected} to match ${opened}`);
}

function expectClose(s: Scope, state: ParseState, close: string, openAt: number): void {
  s.gobbleSpaces();
  if (s.char !== close) throw missingClose(state, s.index, close, openAt, false);
  s.index += 1;
}

// ---------------------------------------------------------------------------------------------
// jsep bridge

function wrap(state: ParseState, node: Node): jsep.Expression {
  state.nodes.push(node);
  return { type: WRAPPED_NODE, id: state.nodes.length - 1 };
}

function asExpression(value: unknown): jsep.Expression | undefined {
  const isExpression = typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
  return isExpression ? (value as jsep.Expression) : undefined;
}

/** Converts what jsep returns — our wrapped nodes, or its ternary plugin's nodes around them — back to {@link Node}. */
function unwrap(state: ParseState, value: unknown, offset: number): Node {
  const expression = asExpression(value);
  if (expression?.type === WRAPPED_NODE) {
    const id = expression['id'];
    const node = typeof id === 'number' ? state.nodes[id] : undefined;
    if (node !== undefined) return node;
  }
  if (expression?.type === 'ConditionalExpression') {
    const test = unwrap(state, expression['test'], offset);
    const consequent = unwrap(state, expression['consequent'], offset);
    const alternate = unwrap(state, expression['alternate'], offset);
    return { type: 'conditional', test, consequent, alternate, start: test.start };
  }
  throw syntaxError(state, offset, `unsupported syntax${expression === undefined ? '' : ` (${expression.type})`}`);
}

/** A full expression, ternary included (jsep runs its ternary plugin after our hook). */
function parseFull(s: Scope, state: ParseState): Node {
  const offset = s.index;
  return unwrap(state, s.gobbleExpression(), offset);
}

function gobbleExprLang(this: Scope, env: { node?: jsep.Expression }): void {
  const state = active;
  if (state !== undefined) env.node = wrap(state, parseOperators(this, state, 0));
}

jsep.hooks.add('gobble-expression', gobbleExprLang, true);

function withExprLangOperators<T>(run: () => T): T {
  const savedBinary = Object.entries(jsep.binary_ops);
  const savedRightAssociative = new Set(jsep.right_associative);
  for (const [text] of savedBinary) jsep.removeBinaryOp(text);
  for (const [text, precedence] of JSEP_TOKENS) jsep.addBinaryOp(text, precedence);
  try {
    return run();
  } finally {
    for (const [text] of JSEP_TOKENS) jsep.removeBinaryOp(text);
    for (const [text, precedence] of savedBinary) jsep.addBinaryOp(text, precedence, savedRightAssociative.has(text));
  }
}

// ---------------------------------------------------------------------------------------------
// Operators (expr-lang's parseExpression)

interface ReadOperator {
  readonly info: OperatorInfo;
  readonly text: string;
  readonly start: number;
  /** Offset of `not` in `not in` & co. */
  readonly negatedAt: number | undefined;
}

function readBinaryOperator(s: Scope, state: ParseState): ReadOperator | undefined {
  s.gobbleSpaces();
  const start = s.index;
  const text: unknown = s.gobbleBinaryOp();
  if (typeof text !== 'string') return undefined;
  if (text !== 'not') {
    const info = BINARY_OPERATORS.get(text);
    return info === undefined ? undefined : { info, text, start, negatedAt: undefined };
  }
  s.gobbleSpaces();
  const operatorStart = s.index;
  const negated: unknown = s.gobbleBinaryOp();
  const info = typeof negated === 'string' ? BINARY_OPERATORS.get(negated) : undefined;
  if (typeof negated !== 'string' || info === undefined || !NEGATABLE.has(info.canonical)) {
    throw syntaxError(state, operatorStart, `${unexpected(state, operatorStart).message}: "not" must be followed by in, matches, contains, startsWith or endsWith`);
  }
  return { info, text: negated, start: operatorStart, negatedAt: start };
}

function makeBinary(state: ParseState, operator: BinaryOperator, left: Node, right: Node, start: number): BinaryNode {
  const node: BinaryNode = { type: 'binary', operator, left, right, start };
  if (operator !== 'matches' || right.type !== 'literal' || typeof right.value !== 'string') return node;
  try {
    return { ...node, regex: compileRegex(right.value) };
  } catch (error) {
    throw syntaxError(state, start, error instanceof Error ? error.message : String(error));
  }
}

function parseOperators(s: Scope, state: ParseState, minPrecedence: number): Node {
  state.nesting += 1;
  try {
    if (state.nesting > MAX_NESTING) throw syntaxError(state, s.index, 'expression is nested too deeply');
    let left = parseUnary(s, state);
    let previous: BinaryOperator | undefined;
    for (;;) {
      const save = s.index;
      const operator = readBinaryOperator(s, state);
      if (operator === undefined || operator.info.precedence < minPrecedence) {
        s.index = save;
        return left;
      }
      if (previous === '??' && operator.info.canonical !== '??') {
        throw syntaxError(state, operator.start, `Operator (${operator.text}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.`);
      }
      left = COMPARISONS.has(operator.info.canonical) ? parseComparison(s, state, left, operator) : parseBinaryRest(s, state, left, operator);
      previous = operator.info.canonical;
    }
  } finally {
    state.nesting -= 1;
  }
}

function parseBinaryRest(s: Scope, state: ParseState, left: Node, operator: ReadOperator): Node {
  const { info } = operator;
  const right = parseOperators(s, state, info.rightAssociative ? info.precedence : info.precedence + 1);
  const node = makeBinary(state, info.canonical, left, right, operator.start);
  return operator.negatedAt === undefined ? node : { type: 'unary', operator: '!', operand: node, start: operator.negatedAt };
}

/** expr-lang ≥ 1.16 reads `a < b < c` as `a < b && b < c`. */
function parseComparison(s: Scope, state: ParseState, left: Node, first: ReadOperator): Node {
  let operator = first;
  let lhs = left;
  let root: Node | undefined;
  for (;;) {
    const comparator = parseOperators(s, state, operator.info.precedence + 1);
    const comparison = makeBinary(state, operator.info.canonical, lhs, comparator, operator.start);
    root = root === undefined ? comparison : makeBinary(state, '&&', root, comparison, operator.start);
    lhs = comparator;
    const save = s.index;
    const next = readBinaryOperator(s, state);
    if (next === undefined || !COMPARISONS.has(next.info.canonical)) {
      s.index = save;
      return root;
    }
    operator = next;
  }
}

function readUnary(s: Scope): UnaryInfo | undefined {
  const at = s.index;
  return UNARY_OPERATORS.find((unary) => {
    if (!s.expr.startsWith(unary.text, at)) return false;
    const following = s.expr.charCodeAt(at + unary.text.length);
    if (unary.text === 'not') return !isIdentifierPart(following);
    return !(unary.text === '!' && following === 61); // `!=` is not a negation
  });
}

function parseUnary(s: Scope, state: ParseState): Node {
  s.gobbleSpaces();
  const start = s.index;
  const unary = readUnary(s);
  if (unary === undefined) return parsePostfix(s, state, parsePrimary(s, state));
  s.index = start + unary.text.length;
  const operand = parseOperators(s, state, unary.precedence);
  return { type: 'unary', operator: unary.canonical, operand, start };
}

// ---------------------------------------------------------------------------------------------
// Primaries

function parsePrimary(s: Scope, state: ParseState): Node {
  s.gobbleSpaces();
  const { char, code, index } = s;
  if (index >= s.expr.length) throw syntaxError(state, index, 'unexpected end of expression');
  if (isDigit(code) || (char === '.' && isDigit(s.expr.charCodeAt(index + 1)))) return parseNumber(s, state);
  if (char === '"' || char === "'") return parseString(s, state);
  if (char === '[') return parseArray(s, state);
  if (char === '(') return parseGroup(s, state);
  if (char === '#' || (char === '.' && state.predicateDepth > 0)) return parsePointer(s, state);
  if (isIdentifierStart(code)) return parseName(s, state);
  throw unexpected(state, index);
}

const NUMBER = /0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*(?:\.\d[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?/y;

function literal(value: LiteralNode['value'], start: number, float = false): LiteralNode {
  return { type: 'literal', value, float, start };
}

function parseNumber(s: Scope, state: ParseState): Node {
  const start = s.index;
  NUMBER.lastIndex = start;
  const text = NUMBER.exec(s.expr)?.[0] ?? '';
  const end = start + text.length;
  const digits = text.replace(/_/g, '');
  const value = Number(digits);
  if (text === '' || isIdentifierPart(s.expr.charCodeAt(end)) || Number.isNaN(value)) {
    throw syntaxError(state, start, `invalid number literal ${JSON.stringify(/^[\w.]+/.exec(s.expr.slice(start))?.[0] ?? text)}`);
  }
  s.index = end;
  return literal(value, start, !/^0[xob]/i.test(digits) && /[.eE]/.test(digits));
}

const SIMPLE_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['a', '\x07'],
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
  ['v', '\v'],
  ['\\', '\\'],
  ["'", "'"],
  ['"', '"'],
]);

const CODE_ESCAPES: ReadonlyMap<string, RegExp> = new Map([
  ['x', /^[0-9A-Fa-f]{2}/],
  ['u', /^[0-9A-Fa-f]{4}/],
  ['U', /^[0-9A-Fa-f]{8}/],
]);

/** Go string escapes (`\n`, `\x41`, `\u00e9`, `\U0001F600`, `\101`); returns the text and its source length. */
function decodeEscape(state: ParseState, source: string, at: number): [string, number] {
  const kind = source.charAt(at + 1);
  const simple = SIMPLE_ESCAPES.get(kind);
  if (simple !== undefined) return [simple, 2];
  const octal = /^[0-7]{3}/.exec(source.slice(at + 1))?.[0];
  const hex = CODE_ESCAPES.get(kind)?.exec(source.slice(at + 2))?.[0];
  const code = octal !== undefined ? Number.parseInt(octal, 8) : hex !== undefined ? Number.parseInt(hex, 16) : undefined;
  if (code === undefined || code > 0x10ffff) throw syntaxError(state, at, 'invalid char escape');
  return [String.fromCodePoint(code), octal !== undefined ? 4 : 2 + (hex ?? '').length];
}

function parseString(s: Scope, state: ParseState): Node {
  const start = s.index;
  const source = s.expr;
  const quote = source.charAt(start);
  let value = '';
  let i = start + 1;
  while (i < source.length && source.charAt(i) !== '\n') {
    const char = source.charAt(i);
    if (char === quote) {
      s.index = i + 1;
      return literal(value, start);
    }
    if (char === '\\') {
      const [text, length] = decodeEscape(state, source, i);
      value += text;
      i += length;
    } else {
      value += char;
      i += 1;
    }
  }
  throw syntaxError(state, start, 'literal not terminated');
}

/** Comma-separated items up to `close`, trailing comma allowed; `item` receives its position. */
function parseList(s: Scope, state: ParseState, close: string, openAt: number, item: (position: number) => void): void {
  for (let position = 0; ; position += 1) {
    s.gobbleSpaces();
    if (s.char === close) {
      s.index += 1;
      return;
    }
    if (position > 0) {
      if (s.char !== ',') throw missingClose(state, s.index, close, openAt, true);
      s.index += 1;
      s.gobbleSpaces();
      if (s.char === close) {
        s.index += 1;
        return;
      }
    }
    if (s.index >= s.expr.length) throw missingClose(state, s.index, close, openAt, true);
    item(position);
  }
}

function parseArray(s: Scope, state: ParseState): Node {
  const start = s.index;
  s.index += 1;
  const elements: Node[] = [];
  parseList(s, state, ']', start, () => elements.push(parseFull(s, state)));
  return { type: 'array', elements, start };
}

function parseGroup(s: Scope, state: ParseState): Node {
  const open = s.index;
  s.index += 1;
  const inner = parseFull(s, state);
  expectClose(s, state, ')', open);
  return inner;
}

function identifier(s: Scope): string {
  const name = s.gobbleIdentifier()?.['name'];
  return typeof name === 'string' ? name : '';
}

function parsePointer(s: Scope, state: ParseState): Node {
  const start = s.index;
  if (state.predicateDepth === 0) {
    throw syntaxError(state, start, '# can only be used inside a predicate, as in all(result, {# > 0})');
  }
  // `.field` is `#.field`: leave the dot for the postfix parser.
  if (s.char === '.') return { type: 'pointer', name: 'element', start };
  s.index += 1;
  if (!isIdentifierStart(s.code)) return { type: 'pointer', name: 'element', start };
  const name = identifier(s);
  if (name === 'index') return { type: 'pointer', name: 'index', start };
  throw syntaxError(state, start, `unknown pointer #${name}: only # and #index are supported`);
}

const NAME_HINTS: ReadonlyMap<string, string> = new Map([
  ['null', ' (use nil)'],
  ['undefined', ' (use nil)'],
]);

function parseName(s: Scope, state: ParseState): Node {
  const start = s.index;
  const name = identifier(s);
  if (name === 'true' || name === 'false') return literal(name === 'true', start);
  if (name === 'nil') return literal(null, start);
  const afterName = s.index;
  s.gobbleSpaces();
  if (s.char === '(') return parseCall(s, state, name, start);
  s.index = afterName;
  if (name === 'result') return { type: 'result', start };
  const hint = NAME_HINTS.get(name) ?? (isBuiltinName(name) ? ` (${name} is a function: call it as ${name}(…))` : '');
  throw syntaxError(state, start, `unknown name ${name}${hint}`);
}

function parseCall(s: Scope, state: ParseState, name: string, start: number): Node {
  if (!isBuiltinName(name)) {
    const known = [...BUILTINS.keys()].sort().join(', ');
    throw syntaxError(state, start, name === 'result' ? 'result is not a function' : `unknown function ${name} (available: ${known})`);
  }
  const takesPredicate = BUILTINS.get(name)?.predicate !== undefined;
  const open = s.index;
  s.index += 1;
  const args: Node[] = [];
  let predicate: Node | undefined;
  parseList(s, state, ')', open, (position) => {
    if (takesPredicate && position === 1) predicate = parsePredicate(s, state);
    else args.push(parseFull(s, state));
  });
  return { type: 'call', name, args, predicate, start };
}

/** `{ body }` or, as expr-lang ≥ 1.17 allows, a bare expression using `#`. */
function parsePredicate(s: Scope, state: ParseState): Node {
  s.gobbleSpaces();
  state.predicateDepth += 1;
  try {
    if (s.char !== '{') return parseFull(s, state);
    const open = s.index;
    s.index += 1;
    const body = parseFull(s, state);
    expectClose(s, state, '}', open);
    return body;
  } finally {
    state.predicateDepth -= 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Postfix: `.name`, `?.name`, `[i]`, `[a:b]`

function parsePostfix(s: Scope, state: ParseState, base: Node): Node {
  let node = base;
  let chained = false;
  for (;;) {
    const save = s.index;
    s.gobbleSpaces();
    const char = s.char;
    const next = s.expr.charAt(s.index + 1);
    if (char === '?' && next === '.') {
      chained = true;
      s.index += 2;
      s.gobbleSpaces();
      node = s.char === '[' ? parseIndex(s, state, node, true) : parseProperty(s, state, node, true);
    } else if (char === '.' && next !== '.') {
      s.index += 1;
      node = parseProperty(s, state, node, false);
    } else if (char === '[') {
      node = parseIndex(s, state, node, false);
    } else if (char === '(') {
      throw syntaxError(state, s.index, 'only builtin functions can be called');
    } else {
      s.index = save;
      return chained ? { type: 'chain', expression: node, start: node.start } : node;
    }
  }
}

function parseProperty(s: Scope, state: ParseState, object: Node, optional: boolean): Node {
  s.gobbleSpaces();
  const start = s.index;
  if (!isIdentifierStart(s.code)) throw syntaxError(state, start, `${unexpected(state, start).message}: expected a property name`);
  const name = identifier(s);
  const afterName = s.index;
  s.gobbleSpaces();
  if (s.char === '(') throw syntaxError(state, start, `method calls are not supported (${name}())`);
  s.index = afterName;
  return { type: 'member', object, property: literal(name, start), optional, start };
}

function parseIndex(s: Scope, state: ParseState, object: Node, optional: boolean): Node {
  const open = s.index;
  s.index += 1;
  s.gobbleSpaces();
  if (s.char === ':') return parseSliceEnd(s, state, object, undefined, optional, open);
  const from = parseFull(s, state);
  s.gobbleSpaces();
  if (s.char === ':') return parseSliceEnd(s, state, object, from, optional, open);
  expectClose(s, state, ']', open);
  return { type: 'member', object, property: from, optional, start: open };
}

function parseSliceEnd(s: Scope, state: ParseState, object: Node, from: Node | undefined, optional: boolean, open: number): Node {
  s.index += 1; // the colon
  s.gobbleSpaces();
  const to = s.char === ']' ? undefined : parseFull(s, state);
  expectClose(s, state, ']', open);
  return { type: 'slice', object, from, to, optional, start: open };
}

// ---------------------------------------------------------------------------------------------
// Entry point

function isJsepError(error: unknown): error is Error & { index: number; description: string } {
  const candidate = error as { index?: unknown; description?: unknown };
  return error instanceof Error && typeof candidate.index === 'number' && typeof candidate.description === 'string';
}

function toSyntaxError(state: ParseState, error: unknown): ExprSyntaxError {
  if (error instanceof ExprSyntaxError) return error;
  if (error instanceof RangeError) return syntaxError(state, 0, 'expression is nested too deeply');
  if (isJsepError(error)) {
    // jsep's ternary plugin is the only jsep code left that reports errors itself.
    const description = error.description === 'Expected :' ? `${unexpected(state, error.index).message}: expected ":" of a conditional (a ? b : c)` : error.description;
    return syntaxError(state, error.index, description.charAt(0).toLowerCase() + description.slice(1));
  }
  return syntaxError(state, 0, `could not parse expression: ${error instanceof Error ? error.message : String(error)}`);
}

function parseRoot(state: ParseState): Node {
  const parser = new JsepParser(state.source);
  parser.gobbleSpaces();
  if (parser.index >= state.source.length) throw syntaxError(state, parser.index, 'empty expression');
  const root = parseFull(parser, state);
  parser.gobbleSpaces();
  if (parser.index < state.source.length) throw unexpected(state, parser.index);
  return root;
}

/**
 * Parses one expression into the typed AST. Resolves names (only `result`, `true`, `false`, `nil`
 * and builtin calls exist), precompiles literal `matches` patterns, and throws
 * {@link ExprSyntaxError} with a precise position for anything else.
 */
export function parse(source: string): Node {
  const state: ParseState = { source, nodes: [], predicateDepth: 0, nesting: 0 };
  return withExprLangOperators(() => {
    const previous = active;
    active = state;
    try {
      return parseRoot(state);
    } catch (error) {
      throw toSyntaxError(state, error);
    } finally {
      active = previous;
    }
  });
}
