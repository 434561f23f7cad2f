/**
 * @module test/unit/scoping/promql-tree
 * Reads PromQL parse trees for the scoping tests. The assertions check the scoper's output
 * through lezer-promql directly rather than through the scoper's own helpers, so a bug in
 * the scoper's tree handling cannot hide itself.
 */
import {
  Identifier,
  LabelMatchers,
  LabelName,
  MatchOp,
  QuotedLabelMatcher,
  QuotedLabelName,
  StringLiteral,
  UnquotedLabelMatcher,
  VectorSelector,
  parser,
} from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';

/** A source range. */
export interface Span {
  readonly from: number;
  readonly to: number;
}

/** One `label op value` matcher inside a selector's braces. */
export interface MatcherView extends Span {
  /** Label name, decoded if it was written as a quoted (Prometheus 3) name. */
  readonly label: string;
  readonly op: string;
  /** The value literal exactly as written, quotes included. */
  readonly literal: string;
}

/** One vector selector of a query. */
export interface SelectorView extends Span {
  /** Metric name written before the braces, if any. */
  readonly name?: Span;
  /** The `{…}` part, if any. */
  readonly braces?: Span;
  readonly matchers: readonly MatcherView[];
}

/** Number of error nodes lezer produced; 0 means the query parses. */
export function errorCount(query: string): number {
  let count = 0;
  parser.parse(query).iterate({
    enter: (node) => {
      if (node.type.isError) count += 1;
    },
  });
  return count;
}

function text(query: string, node: Span): string {
  return query.slice(node.from, node.to);
}

/** Test inputs only quote label names with JSON-compatible escapes, so JSON can decode them. */
function decodeName(literal: string): string {
  if (literal.startsWith('"')) return JSON.parse(literal) as string;
  return literal.slice(1, -1);
}

function matcherView(node: SyntaxNode, query: string): MatcherView | undefined {
  const op = node.getChild(MatchOp);
  const value = node.getChild(StringLiteral);
  let label: string | undefined;
  if (node.type.id === UnquotedLabelMatcher) {
    const name = node.getChild(LabelName);
    label = name === null ? undefined : text(query, name);
  } else if (node.type.id === QuotedLabelMatcher) {
    const name = node.getChild(QuotedLabelName)?.getChild(StringLiteral) ?? null;
    label = name === null ? undefined : decodeName(text(query, name));
  }
  if (label === undefined || op === null || value === null) return undefined;
  return { from: node.from, to: node.to, label, op: text(query, op), literal: text(query, value) };
}

function selectorView(node: SyntaxNode, query: string): SelectorView {
  const name = node.getChild(Identifier);
  const braces = node.getChild(LabelMatchers);
  const matchers: MatcherView[] = [];
  for (let child = braces?.firstChild ?? null; child !== null; child = child.nextSibling) {
    const matcher = matcherView(child, query);
    if (matcher !== undefined) matchers.push(matcher);
  }
  return {
    from: node.from,
    to: node.to,
    ...(name === null ? {} : { name: { from: name.from, to: name.to } }),
    ...(braces === null ? {} : { braces: { from: braces.from, to: braces.to } }),
    matchers,
  };
}

/** Every vector selector of `query`, in source order. */
export function selectorsOf(query: string): SelectorView[] {
  const found: SelectorView[] = [];
  parser.parse(query).iterate({
    enter: (ref) => {
      if (ref.type.id !== VectorSelector) return undefined;
      found.push(selectorView(ref.node, query));
      return false;
    },
  });
  return found;
}

/**
 * Undoes scoping: deletes every `label="probe"` matcher from `scoped` in one of the shapes the
 * scoper documents (`{m}` after a name, `m,` after `{`, `,m` after a quoted metric name, or `m`
 * alone in braces the user wrote). The probe value never occurs in generated queries, so every
 * such matcher was inserted. `original` is consulted only to tell `x` from `x{}`, whose scoped
 * forms are identical.
 */
export function removeInsertedMatchers(scoped: string, original: string, label: string, probe: string): string {
  const inserted = `${label}=${JSON.stringify(probe)}`;
  let result = '';
  let copied = 0;
  for (const selector of selectorsOf(scoped)) {
    for (const matcher of selector.matchers) {
      if (text(scoped, matcher) !== inserted) continue;
      let cut: Span;
      if (scoped[matcher.to] === ',') cut = { from: matcher.from, to: matcher.to + 1 };
      else if (scoped[matcher.from - 1] === ',') cut = { from: matcher.from - 1, to: matcher.to };
      else {
        const braces = selector.braces ?? matcher;
        const deletedSoFar = copied - result.length;
        const userWroteBraces = original[braces.from - deletedSoFar] === '{';
        cut = userWroteBraces ? matcher : braces;
      }
      result += scoped.slice(copied, cut.from);
      copied = cut.to;
    }
  }
  return result + scoped.slice(copied);
}
