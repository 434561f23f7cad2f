/**
 * @module model/merge
 * Combines several templates into one AnalysisRun the way a Rollout's `templates[]` list is
 * combined by Argo (utils/analysis/helpers.go FlattenTemplates): metrics concatenated with unique
 * names, args merged, dryRun and measurementRetention rules concatenated. Templates that reference
 * other templates (`spec.templates[]`) are expanded first. metricgate's scope annotations are
 * carried per metric so a merged run still knows which template asked for which scope.
 */
import { flattenArgs, mergeArgs } from './args.js';
import { quote, type Issue } from './issues.js';
import {
  ANNOTATIONS,
  API_VERSION,
  type AnalysisRun,
  type AnalysisTemplate,
  type AnalysisTemplateRef,
  type Argument,
  type DryRun,
  type MeasurementRetention,
  type Metric,
} from './types.js';

/** Looks up templates referenced by name. */
export interface TemplateLibrary {
  find(ref: AnalysisTemplateRef): AnalysisTemplate | undefined;
  names(clusterScope: boolean): readonly string[];
}

/** A library over an in-memory list (files given to the CLI, or the API's template store). */
export function libraryOf(templates: readonly AnalysisTemplate[]): TemplateLibrary {
  const kindOf = (cluster: boolean): string => (cluster ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate');
  return {
    find: (ref) => templates.find((t) => t.metadata.name === ref.templateName && t.kind === kindOf(ref.clusterScope ?? false)),
    names: (cluster) => templates.filter((t) => t.kind === kindOf(cluster)).map((t) => t.metadata.name ?? ''),
  };
}

export interface MergedTemplate {
  readonly metrics: Metric[];
  readonly args: Argument[];
  readonly dryRun: DryRun[];
  readonly measurementRetention: MeasurementRetention[];
  /** Per-metric scope annotations (own and template defaults) derived from each template. */
  readonly scopeAnnotations: Record<string, string>;
}

/** Flattens templates (and what they reference) into one spec. */
export function flattenTemplates(templates: readonly AnalysisTemplate[], library: TemplateLibrary): { merged: MergedTemplate; issues: Issue[] } {
  const issues: Issue[] = [];
  const expanded: AnalysisTemplate[] = [];
  const visit = (t: AnalysisTemplate, chain: readonly string[]): void => {
    const key = `${t.kind}/${t.metadata.name ?? ''}`;
    if (chain.includes(key)) {
      issues.push({ code: 'TEMPLATE_CYCLE', path: 'spec.templates', message: `template reference cycle: ${[...chain, key].join(' → ')}` });
      return;
    }
    if (!expanded.includes(t)) expanded.push(t);
    (t.spec.templates ?? []).forEach((ref, i) => {
      const found = library.find(ref);
      if (!found) {
        const known = library.names(ref.clusterScope ?? false);
        issues.push({
          code: 'TEMPLATE_NOT_FOUND',
          path: `spec.templates[${i}].templateName`,
          message: `${ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'} ${quote(ref.templateName)} referenced by ${key} not found${known.length ? `; known: ${known.join(', ')}` : ''}`,
        });
        return;
      }
      visit(found, [...chain, key]);
    });
  };
  templates.forEach((t) => visit(t, []));

  const metrics: Metric[] = [];
  const owner = new Map<string, string>();
  const scopeAnnotations: Record<string, string> = {};
  for (const t of expanded) {
    const name = `${t.kind}/${t.metadata.name ?? ''}`;
    const annotations = t.metadata.annotations ?? {};
    for (const m of t.spec.metrics ?? []) {
      const prev = owner.get(m.name);
      if (prev !== undefined) {
        issues.push({ code: 'DUPLICATE_NAME', path: 'spec.metrics', message: `two metrics have the same name ${quote(m.name)} (in ${prev} and ${name})` });
        continue;
      }
      owner.set(m.name, name);
      metrics.push(m);
      const own = annotations[`${ANNOTATIONS.scopePrefix}${m.name}`];
      if (own !== undefined) scopeAnnotations[`${ANNOTATIONS.scopePrefix}${m.name}`] = own;
      const templateDefault = annotations[ANNOTATIONS.scope];
      if (templateDefault !== undefined) scopeAnnotations[`${ANNOTATIONS.defaultScopePrefix}${m.name}`] = templateDefault;
    }
  }
  const flat = flattenArgs(expanded.map((t) => t.spec.args ?? []));
  issues.push(...flat.issues);
  const dryRun = uniqueRules(expanded.flatMap((t) => t.spec.dryRun ?? []), 'dryRun', issues);
  const measurementRetention = uniqueRules(expanded.flatMap((t) => t.spec.measurementRetention ?? []), 'measurementRetention', issues);
  if (metrics.length === 0 && issues.length === 0) {
    issues.push({ code: 'NO_METRICS', path: 'spec.metrics', message: 'the selected templates define no metrics' });
  }
  return { merged: { metrics, args: flat.args, dryRun, measurementRetention, scopeAnnotations }, issues };
}

function uniqueRules<R extends { metricName: string }>(rules: R[], at: string, issues: Issue[]): R[] {
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.metricName)) {
      issues.push({ code: at === 'dryRun' ? 'DRY_RUN' : 'RETENTION', path: `spec.${at}`, message: `two ${at} rules have the same metricName ${quote(r.metricName)}` });
    }
    seen.add(r.metricName);
  }
  return rules;
}

export interface RunFromTemplatesOptions {
  readonly name: string;
  readonly namespace?: string;
  readonly uid: string;
  /** Caller args (Rollout args, `--arg`), overriding template defaults. */
  readonly args?: readonly Argument[];
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** Builds the AnalysisRun a Rollout would create from these templates. */
export function runFromTemplates(
  templates: readonly AnalysisTemplate[],
  library: TemplateLibrary,
  options: RunFromTemplatesOptions,
): { run?: AnalysisRun; issues: Issue[] } {
  const { merged, issues } = flattenTemplates(templates, library);
  const merging = mergeArgs(options.args ?? [], merged.args);
  issues.push(...merging.issues.map((i) => ({ ...i, path: `spec.${i.path}` })));
  if (issues.length > 0) return { issues };
  const run: AnalysisRun = {
    apiVersion: API_VERSION,
    kind: 'AnalysisRun',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      uid: options.uid,
      labels: options.labels,
      annotations: { ...merged.scopeAnnotations, ...options.annotations },
    },
    spec: {
      metrics: merged.metrics,
      args: merging.args.length ? merging.args : undefined,
      dryRun: merged.dryRun.length ? merged.dryRun : undefined,
      measurementRetention: merged.measurementRetention.length ? merged.measurementRetention : undefined,
    },
  };
  return { run, issues };
}
