/**
 * @module model/issues
 * Validation problems as data. Every problem names where it is (file, document, field path,
 * line), what was there, and what would be valid, so `metricgate lint`, the API and the run
 * command all report the same thing the same way.
 */

/** Where a document came from, for messages. */
export interface DocumentRef {
  /** File name (or `<api>` / `<stdin>`). */
  readonly source?: string;
  /** 0-based index of the YAML document within the file. */
  readonly index?: number;
  readonly kind?: string;
  readonly name?: string;
}

/** Stable codes; clients and tests match on these, never on message text. */
export type IssueCode =
  | 'YAML_SYNTAX'
  | 'UNSUPPORTED_KIND'
  | 'INVALID_TYPE'
  | 'REQUIRED'
  | 'UNKNOWN_FIELD'
  | 'INVALID_VALUE'
  | 'INVALID_DURATION'
  | 'DUPLICATE_NAME'
  | 'PROVIDER_COUNT'
  | 'UNKNOWN_PROVIDER'
  | 'PROVIDER_CONFIG'
  | 'LIMITS'
  | 'ARG_MISSING'
  | 'ARG_CONFLICT'
  | 'ARG_UNRESOLVED'
  | 'TEMPLATE_NOT_FOUND'
  | 'TEMPLATE_CYCLE'
  | 'NO_METRICS'
  | 'DRY_RUN'
  | 'RETENTION'
  | 'EXPRESSION'
  | 'QUERY'
  | 'SCOPE'
  | 'SECRET';

export interface Issue {
  readonly code: IssueCode;
  /** Field path from the document root, e.g. `spec.metrics[2].provider.prometheus.query`. */
  readonly path: string;
  /** What is wrong and what would be valid. Never contains secret values. */
  readonly message: string;
  readonly document?: DocumentRef;
  /** 1-based position in the source file, when known. */
  readonly line?: number;
  readonly column?: number;
}

/** Thrown when input cannot be used; carries every problem found, not just the first. */
export class ValidationError extends Error {
  readonly code = 'VALIDATION';
  readonly issues: readonly Issue[];

  constructor(issues: readonly Issue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

/** `file.yaml:12:7 AnalysisTemplate/success-rate spec.metrics[0].interval: …` */
export function formatIssue(issue: Issue): string {
  const where: string[] = [];
  const doc = issue.document;
  if (doc?.source !== undefined) {
    let loc = doc.source;
    if (issue.line !== undefined) loc += `:${issue.line}${issue.column !== undefined ? `:${issue.column}` : ''}`;
    else if (doc.index !== undefined && doc.index > 0) loc += `#${doc.index + 1}`;
    where.push(loc);
  }
  if (doc?.kind !== undefined || doc?.name !== undefined) where.push(`${doc?.kind ?? '?'}/${doc?.name ?? '?'}`);
  const prefix = where.length > 0 ? `${where.join(' ')} ` : '';
  return `${prefix}${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

/** Renders a path array as `spec.metrics[2].provider.prometheus.query`. */
export function joinPath(parts: readonly (string | number)[]): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Quotes a value for a message, shortened so a huge input cannot flood a log line. */
export function quote(value: unknown, max = 120): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Closest candidate by edit distance, for "did you mean" hints; undefined when nothing is close. */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(input.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(input.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}
