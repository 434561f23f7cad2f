/**
 * @module model/load
 * Reads AnalysisTemplate, ClusterAnalysisTemplate and AnalysisRun documents from YAML (several per
 * file) or from already-parsed JSON, and reports every structural and semantic problem with its
 * document, field path and line. Other kinds in the same file (a Rollout next to its template is
 * common) are skipped, not rejected.
 */
import { LineCounter, parseAllDocuments, isNode, type Document } from 'yaml';
import { joinPath, quote, type DocumentRef, type Issue } from './issues.js';
import { knownKeysAt, runSchema, templateSchema } from './schema.js';
import { validateSpec } from './validate.js';
import { zodIssues } from './zod-issues.js';
import type { AnalysisRun, AnalysisTemplate } from './types.js';

/** A document that passed structural validation. */
export interface LoadedDocument {
  readonly ref: DocumentRef;
  readonly object: AnalysisTemplate | AnalysisRun;
  /** 1-based line/column of a field path, when the source was YAML. */
  readonly locate: (path: readonly (string | number)[]) => { line: number; column: number } | undefined;
}

export interface SkippedDocument {
  readonly ref: DocumentRef;
  readonly reason: string;
}

export interface LoadResult {
  readonly documents: LoadedDocument[];
  readonly issues: Issue[];
  readonly skipped: SkippedDocument[];
}

const KINDS = ['AnalysisTemplate', 'ClusterAnalysisTemplate', 'AnalysisRun'];

/** Parses a (multi-document) YAML text. */
export function loadYaml(text: string, source: string): LoadResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const result: LoadResult = { documents: [], issues: [], skipped: [] };
  if (!Array.isArray(docs)) {
    // An empty stream parses to an EmptyStream object.
    result.issues.push({ code: 'YAML_SYNTAX', path: '', message: 'no YAML documents found', document: { source } });
    return result;
  }
  docs.forEach((doc, index) => {
    const ref: DocumentRef = { source, index };
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const pos = lineCounter.linePos(err.pos[0]);
        result.issues.push({
          code: 'YAML_SYNTAX',
          path: '',
          message: err.message.split('\n')[0] ?? err.message,
          document: ref,
          line: pos.line,
          column: pos.col,
        });
      }
      return;
    }
    let value: unknown;
    try {
      // Alias expansion is capped: a "billion laughs" document is an error, not an outage.
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      result.issues.push({ code: 'YAML_SYNTAX', path: '', message: (err as Error).message, document: ref });
      return;
    }
    if (value === null || value === undefined) return; // `---` separators around nothing
    const locate = locator(doc, lineCounter);
    addDocument(result, value, ref, locate);
  });
  return result;
}

/** Validates an already-parsed object (API bodies, Kubernetes reads). */
export function loadObject(value: unknown, source: string): LoadResult {
  const result: LoadResult = { documents: [], issues: [], skipped: [] };
  addDocument(result, value, { source, index: 0 }, () => undefined);
  return result;
}

function addDocument(result: LoadResult, value: unknown, baseRef: DocumentRef, locate: LoadedDocument['locate']): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    result.issues.push({
      code: 'INVALID_TYPE',
      path: '',
      message: `expected a Kubernetes object (a mapping with apiVersion, kind, metadata, spec), got ${quote(value)}`,
      document: baseRef,
    });
    return;
  }
  const raw = value as Record<string, unknown>;
  const kind = typeof raw['kind'] === 'string' ? raw['kind'] : undefined;
  const meta = raw['metadata'];
  const name = typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>)['name'] : undefined;
  const ref: DocumentRef = { ...baseRef, kind, name: typeof name === 'string' ? name : undefined };
  if (kind === undefined || !KINDS.includes(kind)) {
    if (kind !== undefined && typeof raw['apiVersion'] === 'string') {
      result.skipped.push({ ref, reason: `kind ${kind} is not an analysis kind (${KINDS.join(', ')})` });
      return;
    }
    result.issues.push({
      ...positionOf(locate, ['kind']),
      code: 'UNSUPPORTED_KIND',
      path: 'kind',
      message: `expected one of ${KINDS.join(', ')}, got ${quote(kind)}`,
      document: ref,
    });
    return;
  }
  const schema = kind === 'AnalysisRun' ? runSchema : templateSchema;
  const parsed = schema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    for (const issue of zodIssues(parsed.error, { document: ref, knownKeys: knownKeysAt })) {
      result.issues.push({ ...issue, ...positionOf(locate, pathParts(issue.path)) });
    }
    return;
  }
  const object = parsed.data as AnalysisTemplate | AnalysisRun;
  const semantic = validateSpec(object.spec, { requireMetrics: kind === 'AnalysisRun' });
  for (const issue of semantic) {
    const parts = ['spec', ...pathParts(issue.path)];
    result.issues.push({ ...issue, path: joinPath(parts), document: ref, ...positionOf(locate, parts) });
  }
  if (semantic.length === 0) result.documents.push({ ref, object, locate });
}

/** Line/column of the deepest existing node on `parts` (an unknown field points at its parent). */
export function positionOf(locate: LoadedDocument['locate'], parts: readonly (string | number)[]): { line?: number; column?: number } {
  for (let n = parts.length; n >= 0; n--) {
    const pos = locate(parts.slice(0, n));
    if (pos) return { line: pos.line, column: pos.column };
  }
  return {};
}

/** Splits `spec.metrics[2].provider` back into parts. */
export function pathParts(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
    else if (m[3] !== undefined) parts.push(JSON.parse(`"${m[3]}"`) as string);
  }
  return parts;
}

function locator(doc: Document, lineCounter: LineCounter): LoadedDocument['locate'] {
  return (path) => {
    const node: unknown = path.length === 0 ? doc.contents : doc.getIn(path, true);
    if (!isNode(node) || !node.range) return undefined;
    const pos = lineCounter.linePos(node.range[0]);
    return { line: pos.line, column: pos.col };
  };
}
