/**
 * @module providers/datadog/config
 * The `provider.datadog` block, field for field as Argo Rollouts' `DatadogMetric`, with Argo's
 * CRD defaults applied and the cross-field rules Argo only checks when it creates the provider
 * (`validateIncomingProps`) turned into schema errors, so `metricgate lint` reports them at
 * `spec.metrics[i].provider.datadog.<field>` before a rollout depends on the template.
 */
import { z } from 'zod';
import { parseDuration } from '../../model/index.js';

/** v2 aggregators Datadog accepts (Argo's CRD enum). */
export const DATADOG_AGGREGATORS = ['avg', 'min', 'max', 'sum', 'last', 'percentile', 'mean', 'l2norm', 'area'] as const;

/** A Datadog v2 scalar aggregator. */
export type DatadogAggregator = (typeof DATADOG_AGGREGATORS)[number];

/**
 * Argo's CRD default. Argo's docs say v1 is deprecated and log a warning for it, but a template
 * without `apiVersion` is stored as v1 by the CRD and queried through v1, so that is what it
 * means here too.
 */
export const DEFAULT_API_VERSION = 'v1';
/** Default data window (Argo's CRD default): the query covers `[at - 5m, at]`. */
export const DEFAULT_INTERVAL = '5m';
/** Default HTTP timeout (Argo's), ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** v2 aggregator sent when none is set; an empty one makes Datadog answer 400 (argo-rollouts #3707). */
export const DEFAULT_AGGREGATOR: DatadogAggregator = 'last';

const goDuration = (what: string, positive: boolean) =>
  z.string().refine(
    (text) => {
      const ms = parseDuration(text);
      return ms !== undefined && (positive ? ms > 0 : ms >= 0);
    },
    { error: `expected a ${positive ? 'positive ' : ''}Go duration such as "${what}"` },
  );

const baseSchema = z.strictObject({
  /** Datadog API version. @defaultValue "v1" (Argo's CRD default) */
  apiVersion: z.enum(['v1', 'v2']).default(DEFAULT_API_VERSION),
  /** Data window (Go duration), not the polling rate: the query covers `[at - interval, at]`. @defaultValue "5m" */
  interval: goDuration('5m', false).default(DEFAULT_INTERVAL),
  /** One Datadog metric query (v1 or v2). Exclusive with `queries`. */
  query: z.string().optional(),
  /** v2: named sub-queries (`{a: "sum:…", b: "sum:…"}`) combined by `formula`. */
  queries: z.record(z.string().min(1), z.string().min(1, { error: 'must not be empty: a Datadog metric query' })).optional(),
  /** v2: formula over the `queries` names, e.g. `a / b * 100`. */
  formula: z.string().optional(),
  /** v2 scalar aggregator over the window. @defaultValue "last" */
  aggregator: z.enum(DATADOG_AGGREGATORS).optional(),
  /** Secret with the keys `api-key`, `app-key` and optionally `address`. */
  secretRef: z
    .strictObject({
      /** Secret name. */
      name: z.string().optional(),
      /** true: the Secret is in the run's namespace; false: in metricgate's own namespace. @defaultValue false */
      namespaced: z.boolean().optional(),
    })
    .optional(),
  /** HTTP timeout for one request (Go duration). @defaultValue "10s" */
  requestTimeout: goDuration('30s', true).optional(),
});

const present = (text: string | undefined): text is string => text !== undefined && text.trim() !== '';

/** Argo's `validateIncomingProps`, each rule reported at the field to change. */
const schema = baseSchema.superRefine((config, ctx) => {
  const hasQuery = present(config.query);
  const queryCount = Object.keys(config.queries ?? {}).length;
  const hasFormula = present(config.formula);
  const issue = (path: (string | number)[], message: string): void => {
    ctx.addIssue({ code: 'custom', path, message });
  };
  if (!hasQuery && queryCount === 0) issue(['query'], 'is required: set query (one Datadog metric query) or, with apiVersion v2, queries and formula');
  if (hasQuery && queryCount > 0) issue(['queries'], 'cannot be set together with query: use query for one metric query, or queries and formula');
  if (config.apiVersion === 'v1' && !hasQuery && queryCount > 0) issue(['queries'], 'needs apiVersion v2: apiVersion v1 only supports query');
  if (hasFormula && queryCount === 0) issue(['formula'], 'needs queries: name each sub-query under queries and refer to the names in the formula');
  if (!hasFormula && queryCount > 1) {
    // Datadog would answer one column per query in no guaranteed order, so the result is ambiguous.
    issue(['formula'], `is required when queries has several entries (${Object.keys(config.queries ?? {}).join(', ')}): say how to combine them, e.g. a / b`);
  }
  if (config.apiVersion === 'v1' && config.aggregator !== undefined) issue(['aggregator'], 'is only supported with apiVersion v2');
  if (config.secretRef?.namespaced === true && !present(config.secretRef.name)) issue(['secretRef', 'name'], 'is required when secretRef.namespaced is true');
});

/** A validated `provider.datadog` block with Argo's defaults applied. */
export type DatadogConfig = z.infer<typeof schema>;

/** zod schema of the `provider.datadog` block (defaults applied, cross-field rules checked). */
export const datadogSchema: z.ZodType<DatadogConfig> = schema;

/** The sub-queries sent for a config: `query` is sent as one query named `query`, as Argo does. */
export function namedQueries(config: DatadogConfig): { name: string; query: string }[] {
  if (present(config.query)) return [{ name: 'query', query: config.query }];
  return Object.entries(config.queries ?? {}).map(([name, query]) => ({ name, query }));
}

/**
 * One line naming what is asked, for metadata and messages: the query, or the formula and its
 * sub-queries (`a / b; a = sum:…; b = sum:…`).
 */
export function querySummary(config: DatadogConfig): string {
  if (present(config.query)) return config.query.trim();
  const parts = namedQueries(config).map(({ name, query }) => `${name} = ${query.trim()}`);
  return present(config.formula) ? [config.formula.trim(), ...parts].join('; ') : parts.join('; ');
}
