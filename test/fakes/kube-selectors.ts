/**
 * @module test/fakes/kube-selectors
 * Label and field selectors as kube-apiserver parses them, for the fake API server. Label
 * selectors support `=`, `==`, `!=`, `in (…)`, `notin (…)`, `key` (exists) and `!key`; field
 * selectors support `=`, `==` and `!=` on dotted paths. Invalid input throws
 * {@link SelectorError}, which the server answers with 400 as a real one does.
 */

/** A selector the API server would reject. */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

/** One parsed label requirement. */
export interface LabelRequirement {
  readonly key: string;
  readonly op: 'exists' | 'notexists' | '=' | '!=' | 'in' | 'notin';
  readonly values: readonly string[];
}

/** One parsed field requirement. */
export interface FieldRequirement {
  readonly field: string;
  readonly op: '=' | '!=';
  readonly value: string;
}

// Label keys: optional DNS-subdomain prefix and a name of up to 63 characters (k8s validation).
const NAME = '[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const KEY = `(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?/)?${NAME}`;
const VALUE = `(?:${NAME})?`;
const EXISTS = new RegExp(`^(${KEY})$`);
const NOT_EXISTS = new RegExp(`^!\\s*(${KEY})$`);
const EQUALITY = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\((.*)\\)$`);
const VALUE_ONLY = new RegExp(`^${VALUE}$`);

/** Splits on commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) throw new SelectorError(`unbalanced ")" in selector ${JSON.stringify(text)}`);
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (depth !== 0) throw new SelectorError(`unbalanced "(" in selector ${JSON.stringify(text)}`);
  parts.push(current);
  return parts;
}

/** Parses a label selector; the empty string selects everything. */
export function parseLabelSelector(text: string | null | undefined): LabelRequirement[] {
  if (text === null || text === undefined || text.trim() === '') return [];
  return splitTopLevel(text).map((raw) => {
    const part = raw.trim();
    let m = NOT_EXISTS.exec(part);
    if (m) return { key: m[1] ?? '', op: 'notexists', values: [] };
    m = SET.exec(part);
    if (m) {
      const values = (m[3] ?? '').split(',').map((v) => v.trim());
      if (values.length === 0 || values.some((v) => !VALUE_ONLY.test(v))) {
        throw new SelectorError(`invalid value list in label selector requirement ${JSON.stringify(part)}`);
      }
      return { key: m[1] ?? '', op: m[2] === 'in' ? 'in' : 'notin', values };
    }
    m = EQUALITY.exec(part);
    if (m) return { key: m[1] ?? '', op: m[2] === '!=' ? '!=' : '=', values: [m[3] ?? ''] };
    m = EXISTS.exec(part);
    if (m) return { key: m[1] ?? '', op: 'exists', values: [] };
    throw new SelectorError(`unable to parse requirement ${JSON.stringify(part)} in label selector ${JSON.stringify(text)}`);
  });
}

/** True when `labels` satisfy every requirement. */
export function matchesLabels(requirements: readonly LabelRequirement[], labels: Readonly<Record<string, unknown>> | undefined): boolean {
  return requirements.every((r) => {
    const value = labels?.[r.key];
    const present = typeof value === 'string';
    switch (r.op) {
      case 'exists':
        return present;
      case 'notexists':
        return !present;
      case '=':
        return present && value === r.values[0];
      case '!=':
        return !present || value !== r.values[0];
      case 'in':
        return present && r.values.includes(value);
      case 'notin':
        return !present || !r.values.includes(value);
    }
    return false;
  });
}

/** Parses a field selector; `supported` lists the field paths the resource allows. */
export function parseFieldSelector(text: string | null | undefined, supported: readonly string[]): FieldRequirement[] {
  if (text === null || text === undefined || text.trim() === '') return [];
  return text.split(',').map((raw) => {
    const part = raw.trim();
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw new SelectorError(`invalid selector: ${JSON.stringify(part)}; expected field=value or field!=value`);
    const field = m[1] ?? '';
    if (!supported.includes(field)) throw new SelectorError(`field label not supported: ${field}`);
    return { field, op: m[2] === '!=' ? '!=' : '=', value: (m[3] ?? '').trim() };
  });
}

/** Reads a dotted path; numbers and booleans compare as their string form, as the server does. */
function fieldValue(object: unknown, path: string): string {
  let at: unknown = object;
  for (const key of path.split('.')) {
    at = typeof at === 'object' && at !== null && !Array.isArray(at) ? (at as Record<string, unknown>)[key] : undefined;
  }
  return typeof at === 'string' || typeof at === 'number' || typeof at === 'boolean' ? String(at) : '';
}

/** True when `object` satisfies every field requirement. */
export function matchesFields(requirements: readonly FieldRequirement[], object: unknown): boolean {
  return requirements.every((r) => (fieldValue(object, r.field) === r.value) === (r.op === '='));
}
