/**
 * @module model/validate
 * Argo's semantic rules for a metric list (utils/analysis/factory.go ValidateMetric), each turned
 * into a path-addressed issue that also says what would be valid. Values still holding
 * `{{args.x}}` are skipped here and checked again once args resolve.
 */
import { quote, type Issue } from './issues.js';
import { hasPlaceholder } from './schema.js';
import type { AnalysisTemplateSpec, AnalysisRunSpec, IntOrString, Metric } from './types.js';

/** Argo's default consecutiveErrorLimit (utils/defaults DefaultConsecutiveErrorLimit). */
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
/** Measurements kept per metric unless measurementRetention says otherwise. */
export const DEFAULT_MEASUREMENT_RETENTION = 10;

/** Providers Argo knows that metricgate does not run; named in errors so users know why. */
export const ARGO_ONLY_PROVIDERS = [
  'kayenta',
  'wavefront',
  'newRelic',
  'job',
  'cloudWatch',
  'graphite',
  'influxdb',
  'skywalking',
  'plugin',
] as const;

/**
 * Resolves an IntOrString to a number. `undefined` while it still holds a placeholder;
 * `NaN` when it is a string that is not an integer (Argo would silently read 0 — we refuse).
 */
export function intValue(value: IntOrString | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (hasPlaceholder(value)) return undefined;
  return /^\s*-?\d+\s*$/.test(value) ? Number.parseInt(value, 10) : Number.NaN;
}

export interface ValidateOptions {
  /** AnalysisRuns must list metrics; templates may get theirs through `templates[]`. */
  readonly requireMetrics: boolean;
}

/** Semantic checks on a template or run spec. Paths are relative to `spec`. */
export function validateSpec(spec: AnalysisTemplateSpec | AnalysisRunSpec, options: ValidateOptions): Issue[] {
  const issues: Issue[] = [];
  const metrics = spec.metrics ?? [];
  const hasRefs = 'templates' in spec && (spec.templates?.length ?? 0) > 0;
  if (metrics.length === 0 && (options.requireMetrics || !hasRefs)) {
    issues.push({ code: 'NO_METRICS', path: 'metrics', message: 'no metrics specified: add at least one entry under spec.metrics' });
  }
  issues.push(...validateMetrics(metrics));
  issues.push(...uniqueNames(spec.args ?? [], (a) => a.name, 'args', 'argument'));
  (spec.args ?? []).forEach((arg, i) => {
    if (arg.value !== undefined && arg.valueFrom !== undefined) {
      issues.push({ code: 'INVALID_VALUE', path: `args[${i}]`, message: `argument ${quote(arg.name)} sets both value and valueFrom; keep one` });
    }
    const from = arg.valueFrom;
    if (from) {
      const sources = [from.secretKeyRef, from.fieldRef, from.podTemplateHashValue].filter((s) => s !== undefined).length;
      if (sources !== 1) {
        issues.push({
          code: 'INVALID_VALUE',
          path: `args[${i}].valueFrom`,
          message: `needs exactly one of secretKeyRef, fieldRef, podTemplateHashValue; got ${sources}`,
        });
      }
    }
  });
  issues.push(...validateRegexRules(spec.dryRun ?? [], 'dryRun', 'DRY_RUN'));
  issues.push(...validateRegexRules(spec.measurementRetention ?? [], 'measurementRetention', 'RETENTION'));
  return issues;
}

/** Argo's ValidateMetrics: unique names, one provider each, limits consistent with count. */
export function validateMetrics(metrics: readonly Metric[]): Issue[] {
  const issues: Issue[] = [...uniqueNames(metrics, (m) => m.name, 'metrics', 'metric')];
  metrics.forEach((metric, i) => issues.push(...validateMetric(metric, `metrics[${i}]`)));
  return issues;
}

function validateMetric(metric: Metric, at: string): Issue[] {
  const issues: Issue[] = [];
  const field = (name: keyof Metric): number | undefined => {
    const v = intValue(metric[name] as IntOrString | undefined);
    if (v !== undefined && Number.isNaN(v)) {
      issues.push({
        code: 'INVALID_VALUE',
        path: `${at}.${name}`,
        message: `expected an integer, got ${quote(metric[name])} (Argo would silently read this as 0)`,
      });
      return undefined;
    }
    return v;
  };
  const count = field('count');
  const failureLimit = field('failureLimit');
  const successLimit = field('consecutiveSuccessLimit');
  const inconclusiveLimit = field('inconclusiveLimit');
  const errorLimit = field('consecutiveErrorLimit');

  const limit = (path: string, message: string): void => {
    issues.push({ code: 'LIMITS', path: `${at}.${path}`, message });
  };
  if (successLimit !== undefined && successLimit < 0) limit('consecutiveSuccessLimit', `must be >= 0, got ${successLimit}`);
  if (failureLimit !== undefined && failureLimit < -1) limit('failureLimit', `must be >= 0, or -1 to disable it; got ${failureLimit}`);
  if ((successLimit ?? 0) === 0 && failureLimit === -1) {
    limit('failureLimit', 'failureLimit -1 disables failure checks, which needs consecutiveSuccessLimit > 0; otherwise nothing can end the metric as Failed');
  }
  if (inconclusiveLimit !== undefined && inconclusiveLimit < 0) limit('inconclusiveLimit', `must be >= 0, got ${inconclusiveLimit}`);
  if (errorLimit !== undefined && errorLimit < 0) limit('consecutiveErrorLimit', `must be >= 0, got ${errorLimit}`);
  const fl = failureLimit ?? 0;
  const csl = successLimit ?? 0;
  if (count !== undefined && count > 0) {
    if (csl >= 0 && fl >= 0 && count < fl + csl) {
      limit('count', `count (${count}) must be >= failureLimit + consecutiveSuccessLimit (${fl} + ${csl})`);
    } else if (csl >= 0 && fl < 0 && count < csl) {
      limit('count', `count (${count}) must be >= consecutiveSuccessLimit (${csl})`);
    }
    if (inconclusiveLimit !== undefined && count < inconclusiveLimit) {
      limit('count', `count (${count}) must be >= inconclusiveLimit (${inconclusiveLimit})`);
    }
  }
  if (count !== undefined && count > 1 && metric.interval === undefined) {
    limit('interval', `interval must be specified when count > 1 (count is ${count})`);
  }
  if (count !== undefined && count < 0) limit('count', `must be >= 0, got ${count}`);

  const kinds = Object.keys(metric.provider);
  if (kinds.length !== 1) {
    issues.push({
      code: 'PROVIDER_COUNT',
      path: `${at}.provider`,
      message:
        kinds.length === 0
          ? 'exactly one provider is required (for example prometheus: {address, query})'
          : `exactly one provider is allowed, got ${kinds.length}: ${kinds.join(', ')}`,
    });
  }
  return issues;
}

function uniqueNames<T>(items: readonly T[], name: (item: T) => string, at: string, what: string): Issue[] {
  const seen = new Map<string, number>();
  const issues: Issue[] = [];
  items.forEach((item, i) => {
    const n = name(item);
    const first = seen.get(n);
    if (first !== undefined) {
      issues.push({ code: 'DUPLICATE_NAME', path: `${at}[${i}].name`, message: `duplicate ${what} name ${quote(n)} (first at ${at}[${first}])` });
    } else seen.set(n, i);
  });
  return issues;
}

function validateRegexRules(rules: readonly { metricName: string }[], at: string, code: 'DRY_RUN' | 'RETENTION'): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    if (seen.has(rule.metricName)) {
      issues.push({ code, path: `${at}[${i}].metricName`, message: `two ${at} rules have the same metricName ${quote(rule.metricName)}` });
    }
    seen.add(rule.metricName);
    try {
      new RegExp(rule.metricName);
    } catch (err) {
      issues.push({
        code,
        path: `${at}[${i}].metricName`,
        message: `invalid regular expression ${quote(rule.metricName)}: ${(err as Error).message}`,
      });
    }
  });
  return issues;
}

/**
 * Metric names each rule matches (unanchored, as Go's regexp.MatchString). A rule matching nothing
 * is an error in Argo ("Rule didn't match any metric name(s)").
 */
export function matchRules<R extends { metricName: string }>(
  rules: readonly R[],
  metricNames: readonly string[],
  at: string,
  code: 'DRY_RUN' | 'RETENTION',
): { matches: Map<string, R>; issues: Issue[] } {
  const matches = new Map<string, R>();
  const issues: Issue[] = [];
  rules.forEach((rule, i) => {
    let re: RegExp;
    try {
      re = new RegExp(rule.metricName);
    } catch {
      return; // reported by validateSpec
    }
    const hit = metricNames.filter((n) => re.test(n));
    if (hit.length === 0) {
      issues.push({
        code,
        path: `${at}[${i}].metricName`,
        message: `rule ${quote(rule.metricName)} matches no metric; metrics are ${metricNames.map((n) => quote(n)).join(', ')}`,
      });
    }
    // Later rules win, as in Argo's GetMeasurementRetentionMetrics.
    for (const n of hit) matches.set(n, rule);
  });
  return { matches, issues };
}
