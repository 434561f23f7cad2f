/**
 * @module providers/registry
 * Provider kinds by the YAML key they own. Adding a provider is one file plus one line here;
 * validation, lint and the README table read this map. An unknown kind is always an error.
 */
import { ARGO_ONLY_PROVIDERS } from '../model/index.js';
import { prometheusProvider } from './prometheus.js';
import { webProvider } from './web.js';
import { datadogProvider } from './datadog/index.js';
import type { MetricProvider, ProviderDeps, ProviderPlugin } from './provider.js';

/** Every provider metricgate can run, keyed by `metric.provider.<kind>`. */
export const providers: ReadonlyMap<string, ProviderPlugin> = new Map<string, ProviderPlugin>(
  [prometheusProvider as ProviderPlugin, datadogProvider as ProviderPlugin, webProvider as ProviderPlugin].map((p) => [p.kind, p]),
);

/** Looks up a provider plug-in; the error names the valid kinds. */
export function getProvider(kind: string): ProviderPlugin {
  const plugin = providers.get(kind);
  if (plugin) return plugin;
  throw new Error(unknownProviderMessage(kind));
}

/** Why `kind` cannot be used, and what can. */
export function unknownProviderMessage(kind: string): string {
  const valid = [...providers.keys()].join(', ');
  if ((ARGO_ONLY_PROVIDERS as readonly string[]).includes(kind)) {
    return `provider ${JSON.stringify(kind)} is an Argo Rollouts provider that metricgate does not run; supported: ${valid}`;
  }
  return `unknown provider ${JSON.stringify(kind)}; supported: ${valid}`;
}

/** One live instance of every registered provider, sharing `deps`. */
export function createProviders(deps: ProviderDeps): Map<string, MetricProvider<unknown>> {
  return new Map([...providers].map(([kind, plugin]) => [kind, plugin.create(deps) as MetricProvider<unknown>]));
}
