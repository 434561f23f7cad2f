/**
 * @module scoping/contract
 * The shapes every query scoper shares. They live apart from the registry in `scoper.ts`
 * because each language module needs `ScopeError` while the registry needs each language
 * module; keeping the contract in a leaf module keeps the import graph acyclic
 * (`madge --circular` is part of lint). Import these from `scoper.ts`, which re-exports them.
 */

/** Which pods a query should see. */
export interface ScopeTarget {
  /** Label (PromQL) or tag (Datadog) name, e.g. `argo_rollouts_status`. */
  readonly label: string;
  /** Value the pods being judged carry, e.g. `canary` or `stable`. */
  readonly value: string;
}

/**
 * Rewrites queries of one language so they only see the pods being judged, which spares
 * users from hand-writing canary filters into every query.
 */
export interface QueryScoper {
  /** Query language this scoper handles, e.g. `promql`; the registry key. */
  readonly language: string;
  /**
   * Returns `query` rewritten so every series selection is restricted to `target`.
   * Pure and deterministic; applying it twice gives the same result as applying it once.
   * @throws ScopeError `SCOPE_INVALID_TARGET` for an unusable target, `SCOPE_PARSE` for a
   *   query that does not parse.
   */
  scope(query: string, target: ScopeTarget): string;
  /**
   * Checks that `query` parses. Lint uses this for metrics that are not scoped, so a typo
   * is reported before a rollout depends on it rather than when the provider rejects it.
   * @throws ScopeError `SCOPE_PARSE`
   */
  validate(query: string): void;
}

/**
 * Stable reason codes; callers match on these, never on message text.
 * - `SCOPE_PARSE`: the query does not parse in its language.
 * - `SCOPE_INVALID_TARGET`: the label/tag name or value cannot be written into the query.
 */
export type ScopeErrorCode = 'SCOPE_PARSE' | 'SCOPE_INVALID_TARGET';

/** Where in the query a problem is, 1-based, for editors and `metricgate lint` output. */
export interface ScopeErrorDetails {
  /** The query as given, so a report can quote it without the caller threading it through. */
  readonly query: string;
  readonly line?: number;
  readonly column?: number;
}

/** Why a query could not be scoped or validated. */
export class ScopeError extends Error {
  /** Reason; see {@link ScopeErrorCode}. */
  readonly code: ScopeErrorCode;
  /** 1-based line of the problem within `query`, when it has a position. */
  readonly line?: number;
  /** 1-based column (in Unicode code points) of the problem, when it has a position. */
  readonly column?: number;
  /** The query that was being scoped or validated. */
  readonly query: string;

  /**
   * @param code - reason code
   * @param message - what is wrong and what would be valid
   * @param details - the query and, for parse errors, the 1-based position
   */
  constructor(code: ScopeErrorCode, message: string, details: ScopeErrorDetails) {
    super(message);
    this.name = 'ScopeError';
    this.code = code;
    this.query = details.query;
    if (details.line !== undefined) this.line = details.line;
    if (details.column !== undefined) this.column = details.column;
  }
}
