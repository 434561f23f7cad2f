/**
 * @module engine/lint
 * Validation of templates and runs exactly as a run would see them, without measuring or reading
 * secrets: used by `metricgate lint`, by the API when templates are stored, and before every run.
 */
import { randomUUID } from 'node:crypto';
import {
  flattenTemplates,
  libraryOf,
  pathParts,
  positionOf,
  runFromTemplates,
  type AnalysisRun,
  type AnalysisTemplate,
  type Argument,
  type ArgSources,
  type Issue,
  type LoadedDocument,
  type TemplateLibrary,
} from '../model/index.js';
import { planRun, type ScopeOptions } from './plan.js';

/**
 * Stands in for required args during lint. "0" keeps every usual position valid: inside a query
 * label value, a condition operand, a count, a duration.
 */
export const LINT_ARG_PLACEHOLDER = '0';

export interface LintOptions extends ScopeOptions {
  /** Args to lint with (`--arg`); required args without one get a placeholder. */
  readonly args?: readonly Argument[];
  /** Templates referenced through `spec.templates[]` are looked up here (defaults to the documents). */
  readonly library?: TemplateLibrary;
}

/** Every problem in the documents, each addressed to its document. */
export async function lintDocuments(documents: readonly LoadedDocument[], options: LintOptions = {}): Promise<Issue[]> {
  const templates = documents.map((d) => d.object).filter((o): o is AnalysisTemplate => o.kind !== 'AnalysisRun');
  const library = options.library ?? libraryOf(templates);
  const issues: Issue[] = [];
  for (const doc of documents) {
    const found = await lintObject(doc.object, library, options);
    for (const issue of found) {
      const pos = issue.line === undefined ? locate(doc, issue.path) : undefined;
      issues.push({ ...issue, document: issue.document ?? doc.ref, ...pos });
    }
  }
  return issues;
}

/** Lints one template or run. */
export async function lintObject(object: AnalysisTemplate | AnalysisRun, library: TemplateLibrary, options: LintOptions = {}): Promise<Issue[]> {
  const run = object.kind === 'AnalysisRun' ? object : buildLintRun(object, library, options);
  if ('issues' in run) return run.issues;
  const { issues } = await planRun(run, { ...options, secrets: 'placeholder', sources: lintSources });
  return issues;
}

function buildLintRun(template: AnalysisTemplate, library: TemplateLibrary, options: LintOptions): AnalysisRun | { issues: Issue[] } {
  const given = options.args ?? [];
  const { merged, issues } = flattenTemplates([template], library);
  if (issues.length > 0) return { issues };
  // Required args get the placeholder unless the caller supplied a value; defaults stay as written.
  const required = merged.args.filter((a) => a.value === undefined && a.valueFrom === undefined && !given.some((g) => g.name === a.name));
  const args = [...given, ...required.map((a) => ({ name: a.name, value: LINT_ARG_PLACEHOLDER }))];
  const built = runFromTemplates([template], library, { name: template.metadata.name ?? 'lint', uid: randomUUID(), args });
  return built.run ?? { issues: built.issues };
}

/** Field and pod-hash args cannot be read at lint time; the placeholder keeps validation going. */
const lintSources: ArgSources = {
  field: () => LINT_ARG_PLACEHOLDER,
  podTemplateHash: () => LINT_ARG_PLACEHOLDER,
};

function locate(doc: LoadedDocument, path: string): { line?: number; column?: number } {
  return positionOf(doc.locate, pathParts(path));
}
