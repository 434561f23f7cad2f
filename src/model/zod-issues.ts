/**
 * @module model/zod-issues
 * Turns zod's issues into metricgate {@link Issue}s with a field path, the offending value and
 * what would be valid. Shared by the model, provider plug-ins and the API so every boundary
 * words its errors the same way.
 */
import type { z } from 'zod';
import { joinPath, quote, suggest, type DocumentRef, type Issue, type IssueCode } from './issues.js';

type ZodIssue = z.core.$ZodIssue;

/** Options for {@link zodIssues}. */
export interface ZodIssueOptions {
  /** Path prefix prepended to every zod path, e.g. `['spec', 'metrics', 0, 'provider', 'prometheus']`. */
  readonly prefix?: readonly (string | number)[];
  readonly document?: DocumentRef;
  /** Valid keys per object path (joined), for "did you mean" on unknown fields. */
  readonly knownKeys?: (path: readonly (string | number)[]) => readonly string[] | undefined;
}

/** Converts a failed zod parse into path-addressed issues. */
export function zodIssues(error: z.ZodError, options: ZodIssueOptions = {}): Issue[] {
  const prefix = options.prefix ?? [];
  const out: Issue[] = [];
  for (const issue of error.issues) {
    const relative = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const parts = [...prefix, ...relative];
    const base = { document: options.document };
    if (issue.code === 'unrecognized_keys') {
      const known = options.knownKeys?.(relative) ?? [];
      for (const key of issue.keys) {
        const hint = suggest(key, known);
        out.push({
          ...base,
          code: 'UNKNOWN_FIELD',
          path: joinPath([...parts, key]),
          message: `unknown field ${quote(key)}${hint ? `; did you mean ${quote(hint)}?` : known.length ? `; valid fields: ${known.join(', ')}` : ''}`,
        });
      }
      continue;
    }
    out.push({ ...base, code: codeOf(issue), path: joinPath(parts), message: describe(issue) });
  }
  return out;
}

function codeOf(issue: ZodIssue): IssueCode {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'REQUIRED';
  if (issue.code === 'invalid_type' || issue.code === 'invalid_union') return 'INVALID_TYPE';
  return 'INVALID_VALUE';
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${quote(value)}`;
}

/** zod's own wording starts like this; anything else is a message a schema chose on purpose. */
const GENERIC = /^(Invalid|Too (small|big)|Unrecognized)/;

function describe(issue: ZodIssue): string {
  if (issue.message && !GENERIC.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `is required (${issue.expected})`;
      return `expected ${expectedName(issue.expected)}, got ${typeName(issue.input)}`;
    case 'invalid_union': {
      const expected = issue.errors
        .flat()
        .map((e) => (e.code === 'invalid_type' ? expectedName(e.expected) : undefined))
        .filter((e): e is string => e !== undefined);
      return `expected ${[...new Set(expected)].join(' or ') || 'a different value'}, got ${typeName(issue.input)}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => quote(v)).join(', ')}, got ${quote(issue.input)}`;
    case 'too_small':
      return `${issue.message.replace(/^Too small: /, '')}, got ${quote(issue.input)}`;
    case 'too_big':
      return `${issue.message.replace(/^Too big: /, '')}, got ${typeof issue.input === 'string' ? `${issue.input.length} characters` : quote(issue.input)}`;
    default:
      return issue.input === undefined ? issue.message : `${issue.message}, got ${quote(issue.input)}`;
  }
}

function expectedName(expected: string): string {
  switch (expected) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'int':
      return 'an integer';
    default:
      return `a ${expected}`;
  }
}
