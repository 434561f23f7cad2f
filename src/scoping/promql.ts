/**
 * @module scoping/promql
 * Scopes PromQL so a query only sees the pods being judged. Argo Rollouts makes users
 * hand-write `argo_rollouts_status="canary"` into every selector of every query; forgetting
 * one silently mixes stable pods into the canary verdict. Here every vector selector that does
 * not already constrain the label gets the matcher added.
 *
 * The rewrite works on the lezer-promql syntax tree and only inserts text at node offsets:
 * string surgery on the query text cannot tell a selector from a comment, a string literal
 * (`label_replace(…, "up{job=\"x\"}")`) or a keyword, while the tree can. Inserting instead of
 * re-printing keeps everything the user wrote (whitespace, comments, durations, quoting)
 * byte-for-byte, so a scoped query is recognisable in logs and provider errors.
 *
 * Insertion style: the metric name stays first, and the new matcher becomes the first label
 * matcher — `m` → `m{L="v"}`, `m{}` → `m{L="v"}`, `m{a="b"}` → `m{L="v",a="b"}`,
 * `{__name__="m"}` → `{L="v",__name__="m"}`, `{"m.dots", a="b"}` → `{"m.dots",L="v", a="b"}`.
 */
import {
  FunctionCall,
  FunctionCallBody,
  FunctionIdentifier,
  Identifier,
  Info,
  LabelMatchers,
  LabelName,
  LineComment,
  QuotedLabelMatcher,
  QuotedLabelName,
  StringLiteral,
  UnquotedLabelMatcher,
  VectorSelector,
  parser,
} from '@prometheus-io/lezer-promql';
import type { SyntaxNode, Tree } from '@lezer/common';
import { ScopeError } from './contract.js';
import type { QueryScoper, ScopeTarget } from './contract.js';

/**
 * Prometheus 2 label-name rule. Prometheus 3 also accepts quoted UTF-8 names, but a target
 * must work on both, and `labelmap` relabelling already produces names of this shape.
 */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Longest excerpt quoted in a parse error: enough to find the spot, short enough for a log line. */
const EXCERPT_LENGTH = 20;

/** Text to add at one offset of the original query. */
interface Insertion {
  readonly at: number;
  readonly text: string;
}

/** 1-based position, counted the way editors count columns (code points, not UTF-16 units). */
interface Position {
  readonly line: number;
  readonly column: number;
}

function invalidTarget(query: string, message: string): ScopeError {
  return new ScopeError('SCOPE_INVALID_TARGET', message, { query });
}

/**
 * Rejects targets that would produce a query that does not parse or silently selects the wrong
 * series; checked before parsing because a bad target is a configuration error that affects
 * every query, and should be reported as such rather than as a problem with this one.
 */
function checkTarget(query: string, target: ScopeTarget): void {
  const label = JSON.stringify(target.label);
  if (!LABEL_NAME.test(target.label)) {
    throw invalidTarget(
      query,
      `invalid scope label ${label}: PromQL label names must match [a-zA-Z_][a-zA-Z0-9_]* ` +
        '(use the name after relabelling, e.g. argo_rollouts_status)',
    );
  }
  if (target.label.startsWith('__')) {
    // Such labels are dropped before storage (or, for __name__, already chosen by the metric
    // name), so the scoped query would match nothing — or not parse — instead of failing loudly.
    throw invalidTarget(
      query,
      `invalid scope label ${label}: label names starting with "__" are reserved for Prometheus internal use`,
    );
  }
  if (target.value === '') {
    // In PromQL `l=""` means "l is absent", which would select every non-rollout pod.
    throw invalidTarget(query, `invalid scope value for label ${label}: the value must not be empty`);
  }
  if (/\p{Cs}/u.test(target.value)) {
    // A lone surrogate cannot be sent as UTF-8; the provider would see a different value.
    throw invalidTarget(query, `invalid scope value for label ${label}: the value is not well-formed Unicode`);
  }
}

function positionOf(query: string, offset: number): Position {
  const before = query.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return {
    line: before.split('\n').length,
    column: [...before.slice(lineStart)].length + 1,
  };
}

function truncate(text: string, keep: 'start' | 'end'): string {
  const chars = [...text];
  if (chars.length <= EXCERPT_LENGTH) return text;
  return keep === 'start'
    ? `${chars.slice(0, EXCERPT_LENGTH).join('')}…`
    : `…${chars.slice(-EXCERPT_LENGTH).join('')}`;
}

/**
 * Quotes the text at the error, or — when the query simply stops too early — the text just
 * before it, because an excerpt of nothing does not help anyone find a missing `)`.
 */
function describeParseError(query: string, offset: number, where: Position): string {
  const prefix = `PromQL parse error at line ${where.line}, column ${where.column}`;
  if (query.trim() === '') return `${prefix}: the query is empty`;
  const ahead = (query.slice(offset).split('\n')[0] ?? '').trimEnd();
  if (ahead.trim() !== '') return `${prefix} near ${JSON.stringify(truncate(ahead, 'start'))}`;
  const behind = (query.slice(0, offset).split('\n').at(-1) ?? '').trim();
  const ending = query.slice(offset).trim() === '' ? 'query' : 'line';
  const near = behind === '' ? '' : ` near ${JSON.stringify(truncate(behind, 'end'))}`;
  return `${prefix}${near}: unexpected end of ${ending}`;
}

/** lezer never throws on bad input; it recovers and marks the damage with error nodes. */
function firstErrorOffset(tree: Tree): number | undefined {
  const errors: number[] = [];
  tree.iterate({
    enter: (node) => {
      if (errors.length > 0) return false;
      if (node.type.isError) {
        errors.push(node.from);
        return false;
      }
      return undefined;
    },
  });
  return errors[0];
}

function parseQuery(query: string): Tree {
  const tree = parser.parse(query);
  const errorAt = firstErrorOffset(tree);
  if (errorAt !== undefined) {
    const where = positionOf(query, errorAt);
    throw new ScopeError('SCOPE_PARSE', describeParseError(query, errorAt, where), { query, ...where });
  }
  return tree;
}

function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const children: SyntaxNode[] = [];
  for (let child = node.firstChild; child !== null; child = child.nextSibling) children.push(child);
  return children;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

function decodeEscape(escape: string): string | undefined {
  const simple = SIMPLE_ESCAPES[escape];
  if (simple !== undefined) return simple;
  const kind = escape.charAt(0);
  if (kind === 'u' || kind === 'U') {
    const code = parseInt(escape.slice(1), 16);
    const surrogate = code >= 0xd800 && code <= 0xdfff;
    return Number.isNaN(code) || surrogate || code > 0x10ffff ? undefined : String.fromCodePoint(code);
  }
  const byte = kind === 'x' ? parseInt(escape.slice(1), 16) : /^[0-7]{3}$/.test(escape) ? parseInt(escape, 8) : NaN;
  // \x and octal escapes are single bytes; above 0x7f they are fragments of multi-byte UTF-8,
  // which can only spell non-ASCII text and so never a valid (ASCII) label name.
  return Number.isNaN(byte) || byte > 0x7f ? undefined : String.fromCharCode(byte);
}

const QUOTED_PART = /\\(U[0-9a-fA-F]{8}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{3}|[\s\S])|[^\\]+/gu;

/**
 * Decodes a PromQL string literal well enough to compare it with an ASCII label name; Prometheus
 * 3 lets users write `{"argo_rollouts_status"="canary"}` and that must count as a constraint.
 * Returns undefined for literals Prometheus itself would reject or that cannot be a label name.
 */
function decodeLabelNameLiteral(literal: string): string | undefined {
  const body = literal.slice(1, -1);
  if (literal.startsWith('`')) return body;
  let decoded = '';
  for (const part of body.matchAll(QUOTED_PART)) {
    const escape = part[1];
    const text = escape === undefined ? part[0] : decodeEscape(escape);
    if (text === undefined) return undefined;
    decoded += text;
  }
  return decoded;
}

/** Label a matcher constrains; undefined for the `{"metric.name"}` shorthand, which is not a label. */
function matchedLabel(entry: SyntaxNode, query: string): string | undefined {
  if (entry.type.id === UnquotedLabelMatcher) {
    const name = entry.getChild(LabelName);
    return name === null ? undefined : query.slice(name.from, name.to);
  }
  if (entry.type.id === QuotedLabelMatcher) {
    const literal = entry.getChild(QuotedLabelName)?.getChild(StringLiteral) ?? null;
    return literal === null ? undefined : decodeLabelNameLiteral(query.slice(literal.from, literal.to));
  }
  return undefined;
}

function isBraceEntry(node: SyntaxNode): boolean {
  const id = node.type.id;
  return id === UnquotedLabelMatcher || id === QuotedLabelMatcher || id === QuotedLabelName;
}

/**
 * Where the matcher goes for one selector, or undefined when the selector already constrains
 * the label with any operator: the user's explicit choice (e.g. `=~"canary|stable"` to compare
 * both) wins, and it is what makes scoping idempotent.
 */
function planSelector(selector: SyntaxNode, query: string, label: string, matcher: string): Insertion | undefined {
  const braces = selector.getChild(LabelMatchers);
  if (braces === null) {
    const name = selector.getChild(Identifier);
    if (name === null) throw new Error(`PromQL selector without name or braces at offset ${selector.from}`);
    return { at: name.to, text: `{${matcher}}` };
  }
  const entries = childrenOf(braces).filter(isBraceEntry);
  if (entries.some((entry) => matchedLabel(entry, query) === label)) return undefined;
  const first = entries[0];
  if (first === undefined) return { at: braces.from + 1, text: matcher };
  if (first.type.id === QuotedLabelName) return { at: first.to, text: `,${matcher}` };
  return { at: braces.from + 1, text: `${matcher},` };
}

/**
 * The second argument of `info()` picks which data labels to join from info metrics such as
 * `target_info`; it does not select the pods being judged (the first argument does), and info
 * series do not carry the rollout label, so scoping it would drop the enrichment.
 */
function infoDataSelector(call: SyntaxNode): SyntaxNode | undefined {
  if (call.getChild(FunctionIdentifier)?.firstChild?.type.id !== Info) return undefined;
  const body = call.getChild(FunctionCallBody);
  const args = body === null ? [] : childrenOf(body).filter((arg) => arg.type.id !== LineComment);
  const second = args[1];
  return second?.type.id === VectorSelector ? second : undefined;
}

function planInsertions(tree: Tree, query: string, label: string, matcher: string): Insertion[] {
  const skipped = new Set<number>();
  const insertions: Insertion[] = [];
  tree.iterate({
    enter: (ref) => {
      if (ref.type.id === FunctionCall) {
        const dataSelector = infoDataSelector(ref.node);
        if (dataSelector !== undefined) skipped.add(dataSelector.from);
        return undefined;
      }
      if (ref.type.id !== VectorSelector) return undefined;
      if (!skipped.has(ref.from)) {
        const insertion = planSelector(ref.node, query, label, matcher);
        if (insertion !== undefined) insertions.push(insertion);
      }
      // Selectors never contain selectors.
      return false;
    },
  });
  return insertions;
}

function applyInsertions(query: string, insertions: readonly Insertion[]): string {
  const ordered = [...insertions].sort((a, b) => a.at - b.at);
  let result = '';
  let copied = 0;
  for (const { at, text } of ordered) {
    result += query.slice(copied, at) + text;
    copied = at;
  }
  return result + query.slice(copied);
}

const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * Writes `value` as a PromQL double-quoted string. Control characters use `\u00XX`, which Go's
 * unquoting (Prometheus) and JSON both read, so the escaping is checkable with `JSON.parse`.
 */
function quotePromQLString(value: string): string {
  let quoted = '"';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    const named = NAMED_ESCAPES[char];
    if (named !== undefined) quoted += named;
    else if (code < 0x20 || code === 0x7f) quoted += `\\u${code.toString(16).padStart(4, '0')}`;
    else quoted += char;
  }
  return `${quoted}"`;
}

function scopePromQL(query: string, target: ScopeTarget): string {
  checkTarget(query, target);
  const tree = parseQuery(query);
  const matcher = `${target.label}=${quotePromQLString(target.value)}`;
  return applyInsertions(query, planInsertions(tree, query, target.label, matcher));
}

function validatePromQL(query: string): void {
  parseQuery(query);
}

/**
 * The PromQL scoper (`language: "promql"`). `scope` adds `label="value"` to every vector
 * selector — wherever it sits: ranges, subqueries, function arguments, aggregations, both sides
 * of binary operations, `offset`/`@` modifiers — that has no matcher on the label yet, except
 * the data-label selector of `info()`. `validate` reports the first syntax error with its
 * 1-based line and column.
 */
export const promqlScoper: QueryScoper = Object.freeze({
  language: 'promql',
  scope: scopePromQL,
  validate: validatePromQL,
});
