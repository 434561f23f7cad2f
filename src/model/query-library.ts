/**
 * @module model/query-library
 * Named, documented query templates (`queries/<provider>/<source>.yaml`) and the strict renderer
 * that turns one into a query. Queries are data, referenced by name (`prometheus/istio/error-rate`)
 * instead of being copied between AnalysisTemplates, and rendering refuses to guess: a variable
 * the query needs but nobody gave, or a value for a variable the query does not declare, is an
 * error naming it and listing the declared ones (the Flagger lesson: a silently empty label value
 * selects the wrong series).
 *
 * File format (YAML):
 *
 * ```yaml
 * provider: prometheus            # or datadog; with source and name it forms the reference
 * source: istio
 * description: …
 * queries:
 *   - name: error-rate
 *     description: …
 *     unit: ratio                 # optional, for documentation
 *     variables:
 *       - {name: service, description: …}
 *       - {name: window, description: …, default: 5m}
 *     query: sum(rate(x{service="${service}"}[${window}]))
 *     # Datadog v2 may use instead: queries: {a: …, b: …} and formula: a / b, plus aggregator: sum
 * ```
 *
 * Placeholders are `${name}` (names `[a-z][a-z0-9-]*`, like Argo arg names). Values are inserted
 * as given, unescaped; binding `{{args.x}}` produces an Argo template that Argo itself fills in.
 * There is no escape for a literal `${`: neither PromQL nor Datadog's query syntax uses it.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** Query providers a library file can target; also the first part of a reference. */
export const LIBRARY_PROVIDERS = ['prometheus', 'datadog'] as const;

const NAME = /^[a-z][a-z0-9-]*$/;
const PLACEHOLDER = /\$\{([^}]*)\}/g;

const variableSchema = z.strictObject({
  /** Placeholder name, `${name}` in the query. */
  name: z.string().regex(NAME, { error: 'must be lower-case kebab-case, e.g. "min-requests"' }),
  description: z.string().min(1),
  /** Used when the caller gives no value; without it the variable is required. */
  default: z.string().optional(),
});

const entrySchema = z.strictObject({
  name: z.string().regex(NAME, { error: 'must be lower-case kebab-case, e.g. "error-rate"' }),
  description: z.string().min(1),
  /** What the result measures in, e.g. `ratio`, `seconds`, `requests`. */
  unit: z.string().optional(),
  variables: z.array(variableSchema).default([]),
  query: z.string().min(1).optional(),
  queries: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.string().min(1)).optional(),
  formula: z.string().min(1).optional(),
  /** Datadog v2 aggregator the query is meant for. */
  aggregator: z.enum(['avg', 'min', 'max', 'sum', 'last', 'percentile', 'mean', 'l2norm', 'area']).optional(),
});

const fileSchema = z.strictObject({
  provider: z.enum(LIBRARY_PROVIDERS),
  source: z.string().regex(NAME),
  description: z.string().min(1),
  queries: z.array(entrySchema).min(1),
});

/** A declared variable of a library query. */
export type QueryVariable = z.infer<typeof variableSchema>;

/** One named query of a library file. */
export interface QueryEntry extends z.infer<typeof entrySchema> {
  /** `<provider>/<source>/<name>`, e.g. `prometheus/istio/error-rate`. */
  readonly ref: string;
}

/** A parsed library file. */
export interface QueryFile {
  readonly provider: (typeof LIBRARY_PROVIDERS)[number];
  readonly source: string;
  readonly description: string;
  readonly queries: readonly QueryEntry[];
}

/** A rendered entry: the text to put into a provider block. */
export interface RenderedQuery {
  readonly query?: string;
  readonly queries?: Readonly<Record<string, string>>;
  readonly formula?: string;
  readonly aggregator?: string;
}

/** Stable reasons; tests and tools match on these. */
export type QueryLibraryErrorCode = 'LIBRARY_INVALID' | 'UNKNOWN_QUERY' | 'MISSING_VARIABLE' | 'UNKNOWN_VARIABLE';

/** Why a library file could not be loaded or a query not rendered. */
export class QueryLibraryError extends Error {
  readonly code: QueryLibraryErrorCode;
  constructor(code: QueryLibraryErrorCode, message: string) {
    super(message);
    this.name = 'QueryLibraryError';
    this.code = code;
  }
}

/** Every text of an entry that may hold placeholders, with where it is, for messages. */
function templatedTexts(entry: z.infer<typeof entrySchema>): [string, string][] {
  return [
    ...(entry.query !== undefined ? [['query', entry.query] as [string, string]] : []),
    ...Object.entries(entry.queries ?? {}).map(([name, text]): [string, string] => [`queries.${name}`, text]),
    ...(entry.formula !== undefined ? [['formula', entry.formula] as [string, string]] : []),
  ];
}

function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

/** Problems a file's entries have beyond their shape: placeholders that do not match declarations. */
function entryProblems(entry: z.infer<typeof entrySchema>, at: string): string[] {
  const problems: string[] = [];
  const declared = entry.variables.map((v) => v.name);
  const texts = templatedTexts(entry);
  if ((entry.query === undefined) === (entry.queries === undefined)) problems.push(`${at}: set exactly one of query or queries`);
  if (entry.formula !== undefined && entry.queries === undefined) problems.push(`${at}.formula: needs queries`);
  if (entry.queries !== undefined && Object.keys(entry.queries).length > 1 && entry.formula === undefined) problems.push(`${at}.formula: required when queries has several entries`);
  const duplicate = declared.find((name, i) => declared.indexOf(name) !== i);
  if (duplicate !== undefined) problems.push(`${at}.variables: ${JSON.stringify(duplicate)} is declared twice`);
  const used = new Set<string>();
  for (const [where, text] of texts) {
    for (const name of placeholders(text)) {
      used.add(name);
      if (!declared.includes(name)) problems.push(`${at}.${where}: \${${name}} is not declared; declared: ${declared.join(', ') || '(none)'}`);
    }
    const stray = text.replace(PLACEHOLDER, '').indexOf('${');
    if (stray >= 0) problems.push(`${at}.${where}: unterminated "\${" placeholder`);
  }
  for (const name of declared) if (!used.has(name)) problems.push(`${at}.variables: ${JSON.stringify(name)} is declared but not used`);
  return problems;
}

/**
 * Parses one library file.
 * @param file - file name, for messages
 * @throws QueryLibraryError `LIBRARY_INVALID` listing every problem with its path
 */
export function parseQueryFile(text: string, file: string): QueryFile {
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    throw new QueryLibraryError('LIBRARY_INVALID', `${file}: not valid YAML: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new QueryLibraryError('LIBRARY_INVALID', problems.join('\n'));
  }
  const { provider, source, description } = parsed.data;
  const problems: string[] = [];
  const names = parsed.data.queries.map((q) => q.name);
  parsed.data.queries.forEach((entry, i) => {
    if (names.indexOf(entry.name) !== i) problems.push(`${file}: queries[${i}]: the name ${JSON.stringify(entry.name)} is used twice`);
    problems.push(...entryProblems(entry, `${file}: queries[${i}] (${entry.name})`));
  });
  if (problems.length > 0) throw new QueryLibraryError('LIBRARY_INVALID', problems.join('\n'));
  const queries = parsed.data.queries.map((entry) => ({ ...entry, ref: `${provider}/${source}/${entry.name}` }));
  return { provider, source, description, queries };
}

/**
 * Renders `entry` with `bindings`: every `${name}` replaced by its bound value or its default.
 * @throws QueryLibraryError `UNKNOWN_VARIABLE` for a binding the entry does not declare,
 *   `MISSING_VARIABLE` for a declared variable with neither a value nor a default
 */
export function renderQuery(entry: QueryEntry, bindings: Readonly<Record<string, string>>): RenderedQuery {
  const declared = entry.variables.map((v) => v.name);
  const list = declared.join(', ') || '(none)';
  for (const name of Object.keys(bindings)) {
    if (!declared.includes(name)) throw new QueryLibraryError('UNKNOWN_VARIABLE', `unknown variable ${JSON.stringify(name)} for query ${entry.ref}; declared: ${list}`);
  }
  const values = new Map<string, string>();
  for (const variable of entry.variables) {
    const value = Object.hasOwn(bindings, variable.name) ? bindings[variable.name] : variable.default;
    if (value === undefined) {
      throw new QueryLibraryError('MISSING_VARIABLE', `missing variable ${JSON.stringify(variable.name)} (${variable.description}) for query ${entry.ref}; declared: ${list}`);
    }
    values.set(variable.name, value);
  }
  // Declarations were checked against the placeholders at load, so every name has a value.
  const fill = (text: string): string => text.replace(PLACEHOLDER, (_, name: string) => values.get(name) ?? '');
  return {
    ...(entry.query !== undefined ? { query: fill(entry.query) } : {}),
    ...(entry.queries !== undefined ? { queries: Object.fromEntries(Object.entries(entry.queries).map(([k, v]) => [k, fill(v)])) } : {}),
    ...(entry.formula !== undefined ? { formula: fill(entry.formula) } : {}),
    ...(entry.aggregator !== undefined ? { aggregator: entry.aggregator } : {}),
  };
}

/** All library files, looked up by reference. */
export class QueryLibrary {
  private readonly byRef = new Map<string, QueryEntry>();

  /** @throws QueryLibraryError `LIBRARY_INVALID` when two files define the same reference */
  constructor(readonly files: readonly QueryFile[]) {
    for (const file of files) {
      for (const entry of file.queries) {
        if (this.byRef.has(entry.ref)) throw new QueryLibraryError('LIBRARY_INVALID', `query ${entry.ref} is defined twice`);
        this.byRef.set(entry.ref, entry);
      }
    }
  }

  /** Every entry, in file order. */
  entries(): QueryEntry[] {
    return [...this.byRef.values()];
  }

  /**
   * The entry for `ref` (`<provider>/<source>/<name>`).
   * @throws QueryLibraryError `UNKNOWN_QUERY` naming the closest references
   */
  get(ref: string): QueryEntry {
    const entry = this.byRef.get(ref);
    if (entry !== undefined) return entry;
    const prefix = ref.split('/').slice(0, 2).join('/');
    const near = [...this.byRef.keys()].filter((k) => k.startsWith(prefix));
    throw new QueryLibraryError('UNKNOWN_QUERY', `unknown query ${JSON.stringify(ref)}; ${near.length > 0 ? `in ${prefix}: ${near.join(', ')}` : `known: ${[...this.byRef.keys()].join(', ')}`}`);
  }

  /** {@link renderQuery} by reference. */
  render(ref: string, bindings: Readonly<Record<string, string>>): RenderedQuery {
    return renderQuery(this.get(ref), bindings);
  }
}
