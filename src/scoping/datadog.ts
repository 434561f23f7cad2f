/**
 * @module scoping/datadog
 * Scopes Datadog metric queries so a query only sees the pods being judged. Argo users hand-write
 * `rollouts_pod_template_hash:{{args.canary-hash}}` into every term of every query; a term that
 * misses it silently mixes stable pods into the canary verdict. Here every metric term whose scope
 * does not already mention the tag gets `tag:value` added, in the form Datadog accepts for that
 * scope:
 *
 * - no scope: `avg:m` → `avg:m{T}`; `{*}` or `{}` → `{T}`
 * - comma (symbolic) scope: `{service:checkout,!env:dev}` → `{service:checkout,!env:dev,T}`
 * - boolean (functional) scope: `{a:b OR c:d}` → `{(a:b OR c:d) AND T}`
 *
 * Datadog rejects scopes that mix the symbolic (`!`, `,`) and functional (AND, OR, NOT, IN)
 * syntaxes (docs.datadoghq.com/metrics/advanced-filtering), so such a scope is a parse error here
 * too, which also means there is never a doubt about which form to write.
 *
 * Grammar understood (a subset of Datadog's metric query language; keywords are case-insensitive):
 *
 * ```text
 * query    = expr { "," expr } ;                         multiple queries in one string (v1)
 * expr     = product { ("+" | "-") product } ;
 * product  = unary { ("*" | "/") unary } ;
 * unary    = "-" unary | postfix ;
 * postfix  = primary { "." IDENT "(" [ args ] ")" } ;    .as_count() .rollup(sum, 60) .fill(zero)
 * primary  = NUMBER | STRING | "(" expr ")" | metric | call ;
 * metric   = [ AGG ":" ] NAME [ scope ] { method | "by" group } ;   avg:m{…}, or m{…} (v1 averages)
 * call     = [ AGG ":" ] IDENT "(" [ args ] ")" ;       top(…), moving_rollup(…), avg:count_nonzero(…)
 * args     = arg { "," arg } ;   arg = IDENT "=" value | expr | IDENT   (a dot-less bare IDENT is a literal)
 * scope    = "{" ( "*" | "" | symbolic | functional ) "}" ;
 * symbolic = filter { "," filter } ;  filter = [ "!" ] key [ ":" value ]
 * functional = or ;  or = and { OR and } ;  and = not { AND not } ;  not = NOT not | atom ;
 * atom     = "(" or ")" | key [ [ NOT ] IN "(" value { "," value } ")" ] | key ":" value ;
 * group    = "{" key { "," key } "}" ;
 * ```
 *
 * Limits: monitor syntax (`avg(last_5m):… > 1`), quoted tag values and events/logs/APM search
 * queries are not metric queries and are not accepted. Inside a function's arguments a bare name
 * without a dot, aggregator or scope (`sum`, `zero`, `desc`) is read as a literal, so a dot-less
 * custom metric written that way (`abs(requests)`) is not scoped: write `abs(avg:requests{*})`.
 *
 * Like the PromQL scoper, the rewrite only inserts (or replaces the `*` of `{*}`) at offsets in
 * the original text, so everything else the user wrote stays byte-for-byte.
 */
import { ScopeError } from './contract.js';
import type { QueryScoper, ScopeTarget } from './contract.js';

/**
 * Tag keys as Datadog writes them (lower-case by convention, start with a letter). Anything else
 * could split the filter (`:`), end the scope (`}`, `,`) or change its meaning (`*`, `!`).
 */
const TAG_KEY = /^[A-Za-z][A-Za-z0-9_.\-/]*$/;
/** Tag values: letters, digits and the punctuation Datadog keeps in tags; no wildcards. */
const TAG_VALUE = /^[\p{L}\p{N}_.\-/:@]+$/u;
const KEYWORDS = new Set(['and', 'or', 'not', 'in']);
const IDENT = /[A-Za-z_][A-Za-z0-9_.]*/y;
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
/** Characters that end a word inside a scope. */
const SCOPE_DELIMITERS = /[\s,(){}]/;

/** A text edit on the original query: replace `[from, to)` with `text` (from === to inserts). */
interface Edit {
  readonly from: number;
  readonly to: number;
  readonly text: string;
}

/** How a metric term's scope is written, which decides how the tag is added. */
type ScopeShape =
  | { readonly kind: 'absent'; readonly at: number }
  | { readonly kind: 'all'; readonly from: number; readonly to: number }
  | { readonly kind: 'symbolic'; readonly end: number }
  | { readonly kind: 'functional'; readonly from: number; readonly to: number };

/** One metric term found in the query. */
interface MetricTerm {
  readonly shape: ScopeShape;
  /** Lower-cased tag keys the scope filters on, in any form (`k:v`, `!k:v`, `k IN (…)`, `k`). */
  readonly keys: ReadonlySet<string>;
}

type TokenKind = 'ident' | 'number' | 'string' | 'braces' | 'punct' | 'end';

interface Token {
  readonly kind: TokenKind;
  /** The token's text; for `braces` the text between `{` and `}`. */
  readonly text: string;
  readonly from: number;
  readonly to: number;
}

interface Position {
  readonly line: number;
  readonly column: number;
}

function positionOf(query: string, offset: number): Position {
  const before = query.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: [...before.slice(lineStart)].length + 1 };
}

function parseError(query: string, offset: number, problem: string): ScopeError {
  const where = positionOf(query, offset);
  return new ScopeError('SCOPE_PARSE', `Datadog query parse error at line ${where.line}, column ${where.column}: ${problem}`, {
    query,
    ...where,
  });
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the query';
    case 'braces':
      return `"{${token.text.length > 20 ? `${token.text.slice(0, 20)}…` : token.text}}"`;
    default:
      return JSON.stringify(token.text);
  }
}

/**
 * Splits the query into tokens. A `{…}` is one token: scopes and groups have their own lexical
 * rules (tag values may contain `:`, `/`, `-`, `*`), so they are parsed separately.
 */
function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = at;
    return re.exec(query)?.[0];
  };
  while (at < query.length) {
    const char = query.charAt(at);
    if (/\s/.test(char)) {
      at++;
      continue;
    }
    const start = at;
    if (char === '{') {
      const close = query.indexOf('}', at + 1);
      const nested = query.indexOf('{', at + 1);
      if (close < 0) throw parseError(query, start, `unbalanced braces: "{" is never closed`);
      if (nested >= 0 && nested < close) throw parseError(query, nested, `"{" inside a scope; close the scope opened at column ${positionOf(query, start).column} first`);
      tokens.push({ kind: 'braces', text: query.slice(at + 1, close), from: start, to: close + 1 });
      at = close + 1;
      continue;
    }
    if (char === '}') throw parseError(query, start, 'unbalanced braces: "}" without a matching "{"');
    if (char === "'" || char === '"') {
      let end = at + 1;
      while (end < query.length && query.charAt(end) !== char) end += query.charAt(end) === '\\' ? 2 : 1;
      if (end >= query.length) throw parseError(query, start, `unterminated string starting with ${char}`);
      tokens.push({ kind: 'string', text: query.slice(at, end + 1), from: start, to: end + 1 });
      at = end + 1;
      continue;
    }
    const ident = match(IDENT);
    if (ident !== undefined) {
      tokens.push({ kind: 'ident', text: ident, from: start, to: start + ident.length });
      at += ident.length;
      continue;
    }
    const number = match(NUMBER);
    if (number !== undefined) {
      tokens.push({ kind: 'number', text: number, from: start, to: start + number.length });
      at += number.length;
      continue;
    }
    if (':(),.+-*/='.includes(char)) {
      tokens.push({ kind: 'punct', text: char, from: start, to: start + 1 });
      at++;
      continue;
    }
    throw parseError(query, start, `unexpected character ${JSON.stringify(char)}`);
  }
  tokens.push({ kind: 'end', text: '', from: query.length, to: query.length });
  return tokens;
}

interface ScopeWord {
  readonly kind: 'word' | 'punct' | 'end';
  readonly text: string;
  readonly from: number;
  readonly to: number;
}

/** Words and punctuation of a scope's content; offsets are into the whole query. */
function scopeWords(query: string, from: number, to: number): ScopeWord[] {
  const words: ScopeWord[] = [];
  let at = from;
  while (at < to) {
    const char = query.charAt(at);
    if (/\s/.test(char)) {
      at++;
    } else if ('(),'.includes(char)) {
      words.push({ kind: 'punct', text: char, from: at, to: at + 1 });
      at++;
    } else {
      let end = at;
      while (end < to && !SCOPE_DELIMITERS.test(query.charAt(end))) end++;
      words.push({ kind: 'word', text: query.slice(at, end), from: at, to: end });
      at = end;
    }
  }
  words.push({ kind: 'end', text: '', from: to, to });
  return words;
}

const isKeyword = (w: ScopeWord | undefined, ...names: string[]): boolean =>
  w?.kind === 'word' && names.includes(w.text.toLowerCase());

/** The tag key a filter word constrains: `!env:prod` → `env`. */
function keyOf(word: string): string {
  const bare = word.startsWith('!') ? word.slice(1) : word;
  const colon = bare.indexOf(':');
  return (colon < 0 ? bare : bare.slice(0, colon)).toLowerCase();
}

/** Parses the content of a metric's `{…}` scope. */
class ScopeParser {
  private index = 0;
  private readonly keys = new Set<string>();
  private readonly words: ScopeWord[];

  constructor(
    private readonly query: string,
    private readonly braces: Token,
  ) {
    this.words = scopeWords(query, braces.from + 1, braces.to - 1);
  }

  parse(): MetricTerm {
    const words = this.words;
    const first = words[0];
    const last = words[words.length - 2];
    if (first === undefined || first.kind === 'end' || last === undefined) {
      return { shape: { kind: 'all', from: this.braces.from + 1, to: this.braces.from + 1 }, keys: this.keys };
    }
    if (words.length === 2 && first.text === '*') return { shape: { kind: 'all', from: first.from, to: first.to }, keys: this.keys };
    const functional = words.some((w) => isKeyword(w, ...KEYWORDS));
    if (functional) {
      this.parseOr();
      const rest = this.peek();
      if (rest.kind === 'punct' && rest.text === ',') throw this.fail(rest, 'Datadog does not allow "," together with AND/OR/NOT/IN; use AND');
      this.expect('end', 'expected AND, OR or "}"');
      return { shape: { kind: 'functional', from: first.from, to: last.to }, keys: this.keys };
    }
    this.parseSymbolic();
    return { shape: { kind: 'symbolic', end: last.to }, keys: this.keys };
  }

  private peek(): ScopeWord {
    return this.words[this.index] ?? { kind: 'end', text: '', from: this.braces.to - 1, to: this.braces.to - 1 };
  }

  private next(): ScopeWord {
    const word = this.peek();
    this.index++;
    return word;
  }

  private fail(word: ScopeWord, problem: string): ScopeError {
    const found = word.kind === 'end' ? 'the end of the scope' : JSON.stringify(word.text);
    return parseError(this.query, word.from, `${problem}, found ${found}`);
  }

  private expect(kind: ScopeWord['kind'], problem: string, text?: string): ScopeWord {
    const word = this.next();
    if (word.kind !== kind || (text !== undefined && word.text !== text)) throw this.fail(word, problem);
    return word;
  }

  /** `a:b, !c:d, e` — Datadog's original comma syntax, where `,` means AND. */
  private parseSymbolic(): void {
    for (;;) {
      const word = this.next();
      if (word.kind !== 'word' || word.text === '!') throw this.fail(word, 'expected a tag filter such as env:prod');
      this.keys.add(keyOf(word.text));
      const after = this.next();
      if (after.kind === 'end') return;
      if (after.text !== ',') {
        const hint = after.text === '(' || after.text === ')' ? ' (parentheses need AND/OR/NOT)' : ' (separate filters with ",")';
        throw this.fail(after, `expected "," or "}"${hint}`);
      }
    }
  }

  private parseOr(): void {
    this.parseAnd();
    while (isKeyword(this.peek(), 'or')) {
      this.next();
      this.parseAnd();
    }
  }

  private parseAnd(): void {
    this.parseNot();
    while (isKeyword(this.peek(), 'and')) {
      this.next();
      this.parseNot();
    }
  }

  private parseNot(): void {
    if (isKeyword(this.peek(), 'not')) {
      this.next();
      this.parseNot();
      return;
    }
    this.parseAtom();
  }

  private parseAtom(): void {
    const word = this.next();
    if (word.kind === 'punct' && word.text === '(') {
      this.parseOr();
      this.expect('punct', 'expected ")" to close the group', ')');
      return;
    }
    if (word.kind === 'punct' && word.text === ',') {
      throw this.fail(word, 'Datadog does not allow "," together with AND/OR/NOT/IN; use AND');
    }
    if (word.kind !== 'word' || isKeyword(word, ...KEYWORDS)) throw this.fail(word, 'expected a tag filter such as env:prod');
    if (word.text.startsWith('!')) throw this.fail(word, 'Datadog does not allow "!" together with AND/OR/NOT/IN; use NOT');
    this.keys.add(keyOf(word.text));
    const negatedIn = isKeyword(this.peek(), 'not') && isKeyword(this.words[this.index + 1], 'in');
    if (!isKeyword(this.peek(), 'in') && !negatedIn) return;
    if (word.text.includes(':')) throw this.fail(this.peek(), `IN needs a bare tag key before it, not ${JSON.stringify(word.text)}`);
    this.next();
    if (negatedIn) this.next();
    this.expect('punct', 'expected "(" after IN', '(');
    for (;;) {
      const value = this.next();
      if (value.kind !== 'word') throw this.fail(value, 'expected a tag value in the IN list');
      const after = this.next();
      if (after.kind === 'punct' && after.text === ')') return;
      if (after.kind !== 'punct' || after.text !== ',') throw this.fail(after, 'expected "," or ")" in the IN list');
    }
  }
}

/** Checks a `by {…}` group: tag keys separated by commas. */
function checkGroup(query: string, braces: Token): void {
  const words = scopeWords(query, braces.from + 1, braces.to - 1);
  let expectKey = true;
  for (const word of words) {
    if (word.kind === 'end') {
      if (expectKey) throw parseError(query, word.from, 'expected a tag key in "by {…}"');
      return;
    }
    const isKey = word.kind === 'word';
    if (isKey !== expectKey || (!isKey && word.text !== ',')) {
      throw parseError(query, word.from, `expected ${expectKey ? 'a tag key' : '"," or "}"'} in "by {…}", found ${JSON.stringify(word.text)}`);
    }
    expectKey = !expectKey;
  }
}

/** Recursive-descent parser over the outer tokens; collects every metric term. */
class QueryParser {
  private index = 0;
  readonly terms: MetricTerm[] = [];
  private readonly tokens: Token[];

  constructor(private readonly query: string) {
    this.tokens = tokenize(query);
  }

  parse(): MetricTerm[] {
    if (this.peek().kind === 'end') throw parseError(this.query, 0, 'the query is empty');
    this.parseExpr(false);
    while (this.isPunct(',')) {
      this.next();
      this.parseExpr(false);
    }
    const rest = this.peek();
    if (rest.kind !== 'end') throw this.fail(rest, 'expected an operator (+ - * /), "," or the end of the query');
    return this.terms;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  private isPunct(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'punct' && token.text === text;
  }

  private fail(token: Token, problem: string): ScopeError {
    return parseError(this.query, token.from, `${problem}, found ${describe(token)}`);
  }

  private expectPunct(text: string, problem: string): Token {
    if (!this.isPunct(text)) throw this.fail(this.peek(), problem);
    return this.next();
  }

  /** `asArgument`: a dot-less bare identifier is a literal (`sum` in `.rollup(sum, 60)`). */
  private parseExpr(asArgument: boolean): void {
    this.parseProduct(asArgument);
    while (this.isPunct('+') || this.isPunct('-')) {
      this.next();
      this.parseProduct(false);
    }
  }

  private parseProduct(asArgument: boolean): void {
    this.parseUnary(asArgument);
    while (this.isPunct('*') || this.isPunct('/')) {
      this.next();
      this.parseUnary(false);
    }
  }

  private parseUnary(asArgument: boolean): void {
    if (this.isPunct('-')) {
      this.next();
      this.parseUnary(false);
      return;
    }
    this.parsePrimary(asArgument);
    this.parseMethods();
  }

  private parseMethods(): void {
    while (this.isPunct('.')) {
      this.next();
      const name = this.next();
      if (name.kind !== 'ident' || name.text.includes('.')) throw this.fail(name, 'expected a function name after "." such as as_count');
      this.parseCallArgs();
    }
  }

  private parsePrimary(asArgument: boolean): void {
    const token = this.peek();
    switch (token.kind) {
      case 'number':
      case 'string':
        this.next();
        return;
      case 'punct':
        if (token.text === '(') {
          this.next();
          this.parseExpr(false);
          this.expectPunct(')', 'expected ")"');
          return;
        }
        throw this.fail(token, 'expected a metric query such as avg:system.cpu.user{*}');
      case 'ident':
        this.parseIdentifierTerm(asArgument);
        return;
      case 'braces':
        throw this.fail(token, 'a scope "{…}" needs a metric name before it');
      case 'end':
        throw this.fail(token, 'expected a metric query such as avg:system.cpu.user{*}');
    }
  }

  private parseIdentifierTerm(asArgument: boolean): void {
    const first = this.next();
    if (this.isPunct(':')) {
      this.next();
      const name = this.next();
      if (name.kind !== 'ident') throw this.fail(name, `expected a metric name after the aggregator "${first.text}:"`);
      this.parseNamed(name);
      return;
    }
    const after = this.peek();
    if (after.kind === 'ident' && after.text.toLowerCase() !== 'by') {
      throw parseError(this.query, after.from, `missing ":" between the aggregator ${JSON.stringify(first.text)} and the metric ${JSON.stringify(after.text)} (write ${first.text}:${after.text})`);
    }
    if (asArgument && this.isPunct('=')) {
      // keyword argument: anomalies(q, 'basic', 2, direction='above')
      this.next();
      const value = this.next();
      if (value.kind !== 'string' && value.kind !== 'number' && value.kind !== 'ident') throw this.fail(value, `expected a value for ${first.text}=`);
      return;
    }
    // `sum` in `.rollup(sum, 60)`, `zero` in `.fill(zero)`: a literal, not a metric. Metric names
    // are dotted in practice, and a dotted argument is read as a metric so it gets scoped.
    if (asArgument && after.kind !== 'braces' && !this.isPunct('(') && !first.text.includes('.')) return;
    this.parseNamed(first);
  }

  /**
   * A name after an optional aggregator: a function call (`count_nonzero(…)`), or a metric whose
   * scope and suffixes follow. Datadog's v1 endpoint accepts a metric without an aggregator
   * (`system.cpu.idle{*}`, averaged), so that is a metric term too.
   */
  private parseNamed(name: Token): void {
    if (this.isPunct('(')) {
      if (!name.text.includes('.')) {
        this.parseCallArgs();
        return;
      }
      // `avg:m.as_count()`: the lexer read the method into the name; split it off again.
      this.parseMetric(name.from + name.text.lastIndexOf('.'));
      this.parseCallArgs();
      this.parseMetricSuffixes();
      return;
    }
    this.parseMetric(name.to);
  }

  /** A metric name ending at `nameEnd`, then its optional scope, groups and methods. */
  private parseMetric(nameEnd: number): void {
    const braces = this.peek();
    let term: MetricTerm;
    if (braces.kind === 'braces') {
      this.next();
      term = new ScopeParser(this.query, braces).parse();
    } else {
      term = { shape: { kind: 'absent', at: nameEnd }, keys: new Set() };
    }
    this.terms.push(term);
    this.parseMetricSuffixes();
  }

  /** `by {…}` may come before or after the `.as_count()`-style methods. */
  private parseMetricSuffixes(): void {
    for (;;) {
      const token = this.peek();
      if (token.kind === 'ident' && token.text.toLowerCase() === 'by') {
        this.next();
        const group = this.next();
        if (group.kind !== 'braces') throw this.fail(group, 'expected "{tag, …}" after by');
        checkGroup(this.query, group);
      } else if (this.isPunct('.')) {
        this.parseMethods();
      } else {
        return;
      }
    }
  }

  private parseCallArgs(): void {
    this.expectPunct('(', 'expected "("');
    if (this.isPunct(')')) {
      this.next();
      return;
    }
    for (;;) {
      this.parseExpr(true);
      const token = this.next();
      if (token.kind === 'punct' && token.text === ')') return;
      if (token.kind !== 'punct' || token.text !== ',') throw this.fail(token, 'expected "," or ")" in the argument list');
    }
  }
}

function checkTarget(query: string, target: ScopeTarget): void {
  if (!TAG_KEY.test(target.label) || KEYWORDS.has(target.label.toLowerCase())) {
    throw new ScopeError(
      'SCOPE_INVALID_TARGET',
      `invalid scope tag ${JSON.stringify(target.label)}: Datadog tag keys start with a letter and contain only letters, digits, "_", "-", ".", "/" (e.g. argo-rollouts-status)`,
      { query },
    );
  }
  if (!TAG_VALUE.test(target.value) || target.value.startsWith('!')) {
    // A wildcard or delimiter in the value would widen the filter or break the scope.
    throw new ScopeError(
      'SCOPE_INVALID_TARGET',
      `invalid scope value ${JSON.stringify(target.value)} for tag ${JSON.stringify(target.label)}: use letters, digits, "_", "-", ".", "/", ":" or "@" (no spaces, commas, parentheses or wildcards)`,
      { query },
    );
  }
}

function editFor(shape: ScopeShape, filter: string): Edit[] {
  switch (shape.kind) {
    case 'absent':
      return [{ from: shape.at, to: shape.at, text: `{${filter}}` }];
    case 'all':
      return [{ from: shape.from, to: shape.to, text: filter }];
    case 'symbolic':
      return [{ from: shape.end, to: shape.end, text: `,${filter}` }];
    case 'functional':
      // Parenthesised so an OR in the user's scope cannot swallow the new filter.
      return [
        { from: shape.from, to: shape.from, text: '(' },
        { from: shape.to, to: shape.to, text: `) AND ${filter}` },
      ];
  }
}

function applyEdits(query: string, edits: readonly Edit[]): string {
  const ordered = [...edits].sort((a, b) => a.from - b.from || a.to - b.to);
  let out = '';
  let copied = 0;
  for (const edit of ordered) {
    out += query.slice(copied, edit.from) + edit.text;
    copied = edit.to;
  }
  return out + query.slice(copied);
}

function scopeDatadog(query: string, target: ScopeTarget): string {
  checkTarget(query, target);
  const terms = new QueryParser(query).parse();
  const key = target.label.toLowerCase();
  const filter = `${target.label}:${target.value}`;
  // A term that already names the tag in any form keeps the user's choice (e.g. comparing both
  // scopes with `tag IN (canary, stable)`); that is also what makes scoping idempotent.
  const edits = terms.filter((t) => !t.keys.has(key)).flatMap((t) => editFor(t.shape, filter));
  return applyEdits(query, edits);
}

function validateDatadog(query: string): void {
  new QueryParser(query).parse();
}

/**
 * The Datadog metric-query scoper (`language: "datadog"`). `scope` adds `tag:value` to the scope
 * of every metric term — inside functions, arithmetic, `top()`-style wrappers and formula
 * sub-queries — that does not filter on the tag yet. `validate` reports the first syntax error
 * with its 1-based line and column.
 */
export const datadogScoper: QueryScoper = Object.freeze({
  language: 'datadog',
  scope: scopeDatadog,
  validate: validateDatadog,
});
