/**
 * @module scoping/scoper
 * Entry point of query scoping: the contract every language implements and the registry that
 * picks the implementation for a metric's query language. The registry is an explicit map, and
 * an unknown language is an error, because silently falling back to some default language
 * would send an unscoped (or mangled) query and judge the canary on the wrong pods.
 */
import type { QueryScoper } from './contract.js';
import { promqlScoper } from './promql.js';
import { datadogScoper } from './datadog.js';

export { ScopeError } from './contract.js';
export type { QueryScoper, ScopeErrorCode, ScopeErrorDetails, ScopeTarget } from './contract.js';

/** Builds the registry, refusing two scopers for one language so neither shadows the other. */
function byLanguage(all: readonly QueryScoper[]): ReadonlyMap<string, QueryScoper> {
  const registry = new Map<string, QueryScoper>();
  for (const scoper of all) {
    if (registry.has(scoper.language)) throw new Error(`duplicate scoper for query language "${scoper.language}"`);
    registry.set(scoper.language, scoper);
  }
  return registry;
}

/** Every available scoper, keyed by query language (`QueryScoper.language`). */
export const scopers: ReadonlyMap<string, QueryScoper> = byLanguage([
  promqlScoper,
  datadogScoper,
]);

/**
 * Label (PromQL) or tag (Datadog) each language scopes on when neither the run nor the command
 * line names one, keyed like {@link scopers}. For PromQL it is the pod label
 * `argo-rollouts-status` as Prometheus' usual `labelmap` relabelling stores it.
 */
export const DEFAULT_SCOPE_LABELS: Readonly<Record<string, string>> = Object.freeze({
  promql: 'argo_rollouts_status',
  datadog: 'argo-rollouts-status',
});

/**
 * The scoper for `language`, matched exactly.
 * @throws Error `unknown query language "x"; known: promql` listing every registered language.
 */
export function getScoper(language: string): QueryScoper {
  const scoper = scopers.get(language);
  if (scoper === undefined) {
    const known = [...scopers.keys()].sort().join(', ');
    throw new Error(`unknown query language ${JSON.stringify(language)}; known: ${known}`);
  }
  return scoper;
}
