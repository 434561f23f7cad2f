/**
 * @module engine/plan
 * Turns an AnalysisRun into a validated, fully resolved plan: args substituted, limits checked on
 * the resolved values, each provider block parsed by its plug-in, each query scoped (or at least
 * parsed), each condition compiled. Everything that can be wrong with the input is found here,
 * before anything is measured, and reported as path-addressed issues. `lint` is this with
 * placeholder secrets; a run is this with real ones.
 */
import { compile, ExprSyntaxError, type Program } from '../expr/index.js';
import {
  ANNOTATIONS,
  DEFAULT_CONSECUTIVE_ERROR_LIMIT,
  DEFAULT_MEASUREMENT_RETENTION,
  SCOPES,
  intValue,
  matchRules,
  mergeArgs,
  parseDuration,
  quote,
  resolveArgs,
  substituteArgs,
  validateMetrics,
  zodIssues,
  type AnalysisRun,
  type ArgSources,
  type Issue,
  type Metric,
  type Scope,
} from '../model/index.js';
import { providers, unknownProviderMessage, type ProviderPlugin } from '../providers/index.js';
import { DEFAULT_SCOPE_LABELS, getScoper, ScopeError, type ScopeTarget } from '../scoping/index.js';

/** One metric, ready to measure. */
export interface PlannedMetric {
  readonly name: string;
  /** Position in `spec.metrics`, for paths in messages. */
  readonly index: number;
  /** The metric with args substituted (secrets included when resolved for a run). */
  readonly metric: Metric;
  readonly providerKind: string;
  /** The provider block parsed by its plug-in and, when scoped, with queries rewritten. */
  readonly providerConfig: unknown;
  readonly scope: Scope;
  /** The label/tag and value added to queries; undefined when unscoped. */
  readonly scopeTarget?: ScopeTarget;
  readonly success?: Program;
  readonly failure?: Program;
  /** Milliseconds between measurements; undefined means measure once. */
  readonly intervalMs?: number;
  readonly initialDelayMs?: number;
  /** Argo's EffectiveCount: undefined means unbounded (interval without count). */
  readonly count?: number;
  readonly failureLimit: number;
  readonly inconclusiveLimit: number;
  readonly consecutiveErrorLimit: number;
  readonly consecutiveSuccessLimit: number;
  readonly dryRun: boolean;
  /** Measurements kept in the status. */
  readonly retention: number;
}

export interface RunPlan {
  readonly metrics: readonly PlannedMetric[];
  /** Secret values to redact from every message and log line. */
  readonly secrets: readonly string[];
}

/** How queries are scoped when the run does not say. */
export interface ScopeOptions {
  /** Scope for metrics without a per-metric annotation (`--scope`); overrides the template's default. */
  readonly scope?: Scope;
  /** Label/tag per query language, or one name for all (`--scope-label`). */
  readonly labels?: Readonly<Record<string, string>> | string;
}

export interface PlanOptions extends ScopeOptions {
  readonly sources?: ArgSources;
  /** `placeholder` validates without reading secrets (lint); `resolve` reads them (run). */
  readonly secrets: 'placeholder' | 'resolve';
}

/**
 * Builds the plan. Returns issues (paths from the run's document root) instead of throwing, so
 * callers can report every problem at once.
 */
export async function planRun(run: AnalysisRun, options: PlanOptions): Promise<{ plan?: RunPlan; issues: Issue[] }> {
  const issues: Issue[] = [];
  const spec = run.spec;
  const merged = mergeArgs([], spec.args ?? []);
  issues.push(...merged.issues.map((i) => ({ ...i, path: `spec.${i.path}` })));
  const resolved = await resolveArgs(merged.args, options.sources ?? {}, { secrets: options.secrets, namespace: run.metadata.namespace });
  issues.push(...resolved.issues.map((i) => ({ ...i, path: `spec.${i.path}` })));
  if (issues.length > 0) return { issues };

  const metrics: Metric[] = [];
  spec.metrics.forEach((metric, i) => {
    const sub = substituteArgs(metric, resolved.values, `spec.metrics[${i}]`);
    issues.push(...sub.issues);
    metrics.push(sub.value);
  });
  issues.push(...validateMetrics(metrics).map((i) => ({ ...i, path: `spec.${i.path}` })));
  if (issues.length > 0) return { issues };

  const names = metrics.map((m) => m.name);
  const dry = matchRules(spec.dryRun ?? [], names, 'spec.dryRun', 'DRY_RUN');
  const keep = matchRules(spec.measurementRetention ?? [], names, 'spec.measurementRetention', 'RETENTION');
  issues.push(...dry.issues, ...keep.issues);

  const planned: PlannedMetric[] = [];
  metrics.forEach((metric, index) => {
    const p = planMetric(metric, index, run, options, issues);
    if (p) {
      const limit = keep.matches.get(metric.name)?.limit ?? 0;
      planned.push({ ...p, dryRun: dry.matches.has(metric.name), retention: limit > 0 ? limit : DEFAULT_MEASUREMENT_RETENTION });
    }
  });
  if (issues.length > 0) return { issues };
  return { plan: { metrics: planned, secrets: resolved.secrets }, issues };
}

function planMetric(
  metric: Metric,
  index: number,
  run: AnalysisRun,
  options: PlanOptions,
  issues: Issue[],
): Omit<PlannedMetric, 'dryRun' | 'retention'> | undefined {
  const at = `spec.metrics[${index}]`;
  const before = issues.length;
  const kind = Object.keys(metric.provider)[0] ?? '';
  const plugin = providers.get(kind);
  if (!plugin) {
    issues.push({ code: 'UNKNOWN_PROVIDER', path: `${at}.provider.${kind}`, message: unknownProviderMessage(kind) });
    return undefined;
  }
  const scope = scopeFor(metric.name, run, options, `${at}`, issues);
  const parsed = plugin.schema.safeParse(metric.provider[kind], { reportInput: true });
  if (!parsed.success) {
    issues.push(...zodIssues(parsed.error, { prefix: ['spec', 'metrics', index, 'provider', kind] }));
    return undefined;
  }
  const scoped = scopeConfig(plugin, parsed.data, scope, labelFor(plugin, run, options), `${at}.provider.${kind}`, issues);

  const success = compileCondition(metric.successCondition, `${at}.successCondition`, issues);
  const failure = compileCondition(metric.failureCondition, `${at}.failureCondition`, issues);
  const intervalMs = metric.interval !== undefined ? parseDuration(metric.interval) : undefined;
  const initialDelayMs = metric.initialDelay !== undefined ? parseDuration(metric.initialDelay) : undefined;
  for (const [field, value, ms] of [
    ['interval', metric.interval, intervalMs],
    ['initialDelay', metric.initialDelay, initialDelayMs],
  ] as const) {
    if (value !== undefined && ms === undefined) {
      issues.push({ code: 'INVALID_DURATION', path: `${at}.${field}`, message: `invalid duration ${quote(value)} after args were substituted: expected a Go duration such as "30s"` });
    }
  }
  if (issues.length > before) return undefined;
  const count = intValue(metric.count) ?? 0;
  return {
    name: metric.name,
    index,
    metric,
    providerKind: kind,
    providerConfig: scoped.config,
    scope,
    scopeTarget: scoped.target,
    success,
    failure,
    intervalMs,
    initialDelayMs,
    // Argo's EffectiveCount: no count (or 0) and no interval → 1; interval without count → unbounded.
    count: count === 0 ? (intervalMs === undefined ? 1 : undefined) : count,
    failureLimit: intValue(metric.failureLimit) ?? 0,
    inconclusiveLimit: intValue(metric.inconclusiveLimit) ?? 0,
    consecutiveErrorLimit: intValue(metric.consecutiveErrorLimit) ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT,
    consecutiveSuccessLimit: intValue(metric.consecutiveSuccessLimit) ?? 0,
  };
}

/**
 * Scope precedence: per-metric annotation (`metricgate.io/scope.<metric>`) → the caller's scope
 * (`--scope`, the trigger) → the template's default (`metricgate.io/scope`) → none.
 */
function scopeFor(name: string, run: AnalysisRun, options: ScopeOptions, at: string, issues: Issue[]): Scope {
  const ann = run.metadata.annotations ?? {};
  const perMetricKey = `${ANNOTATIONS.scopePrefix}${name}`;
  const candidates: [string | undefined, string][] = [
    [ann[perMetricKey], `metadata.annotations[${quote(perMetricKey)}]`],
    [options.scope, 'scope'],
    [ann[`${ANNOTATIONS.defaultScopePrefix}${name}`], `metadata.annotations[${quote(ANNOTATIONS.scope)}]`],
    [ann[ANNOTATIONS.scope], `metadata.annotations[${quote(ANNOTATIONS.scope)}]`],
  ];
  for (const [value, source] of candidates) {
    if (value === undefined) continue;
    if ((SCOPES as readonly string[]).includes(value)) return value as Scope;
    issues.push({ code: 'SCOPE', path: source, message: `invalid scope ${quote(value)} for metric ${quote(name)} (${at}); valid: ${SCOPES.join(', ')}` });
    return 'none';
  }
  return 'none';
}

function labelFor(plugin: ProviderPlugin, run: AnalysisRun, options: ScopeOptions): string | undefined {
  const language = plugin.queryLanguage;
  if (language === undefined) return undefined;
  const fromAnnotation = run.metadata.annotations?.[ANNOTATIONS.scopeLabel];
  if (typeof options.labels === 'string') return options.labels;
  return options.labels?.[language] ?? fromAnnotation ?? DEFAULT_SCOPE_LABELS[language];
}

function scopeConfig(
  plugin: ProviderPlugin,
  config: unknown,
  scope: Scope,
  label: string | undefined,
  at: string,
  issues: Issue[],
): { config: unknown; target?: ScopeTarget } {
  const language = plugin.queryLanguage;
  if (!plugin.mapQueries || language === undefined) return { config };
  const scoper = getScoper(language);
  const target = scope !== 'none' && label !== undefined ? { label, value: scope } : undefined;
  const rewritten = plugin.mapQueries(config, (query, path) => {
    try {
      if (target) return scoper.scope(query, target);
      scoper.validate(query);
      return query;
    } catch (err) {
      if (!(err instanceof ScopeError)) throw err;
      const where = err.line !== undefined ? ` (line ${err.line}, column ${err.column ?? '?'})` : '';
      issues.push({
        code: err.code === 'SCOPE_PARSE' ? 'QUERY' : 'SCOPE',
        path: `${at}.${path.join('.')}`,
        message: `${err.message}${err.message.includes('line') ? '' : where}: ${quote(query, 200)}`,
      });
      return query;
    }
  });
  return { config: rewritten, target };
}

function compileCondition(source: string | undefined, path: string, issues: Issue[]): Program | undefined {
  if (source === undefined || source.trim() === '') return undefined;
  try {
    return compile(source);
  } catch (err) {
    if (!(err instanceof ExprSyntaxError)) throw err;
    issues.push({ code: 'EXPRESSION', path, message: `${err.message} (column ${err.column}) in ${quote(source)}` });
    return undefined;
  }
}
