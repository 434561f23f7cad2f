/**
 * @module cli/inputs
 * Parsing of the inputs commands share: template files, `--arg`, `--secret`, `--at`, `--duration`,
 * `--scope`. Every bad value becomes an issue that names the flag, the value and what is valid.
 */
import { readFieldPath, loadYaml, parseDuration, quote, SCOPES, type Argument, type ArgSources, type Issue, type LoadedDocument, type Scope, type SkippedDocument } from '../model/index.js';
import type { CliIO } from './io.js';

export interface LoadedFiles {
  readonly documents: LoadedDocument[];
  readonly skipped: SkippedDocument[];
  readonly issues: Issue[];
}

/** Loads every document of every file; unreadable files are issues, not crashes. */
export async function loadFiles(files: readonly string[], io: CliIO): Promise<LoadedFiles> {
  const out: LoadedFiles = { documents: [], skipped: [], issues: [] };
  for (const file of files) {
    let text: string;
    try {
      text = await io.readFile(file);
    } catch (err) {
      out.issues.push({ code: 'YAML_SYNTAX', path: '', message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, document: { source: file } });
      continue;
    }
    const loaded = loadYaml(text, file === '-' ? '<stdin>' : file);
    out.documents.push(...loaded.documents);
    out.skipped.push(...loaded.skipped);
    out.issues.push(...loaded.issues);
  }
  return out;
}

/** `--arg name=value` (repeatable). */
export function parseArgFlags(values: readonly string[], issues: Issue[]): Argument[] {
  const args: Argument[] = [];
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0) {
      issues.push({ code: 'INVALID_VALUE', path: '--arg', message: `expected NAME=VALUE, got ${quote(v)}` });
      continue;
    }
    args.push({ name: v.slice(0, i), value: v.slice(i + 1) });
  }
  return args;
}

/** `--secret name/key=value` (repeatable) plus `METRICGATE_SECRET_<NAME>_<KEY>` env vars. */
export function secretSource(values: readonly string[], env: CliIO['env'], issues: Issue[]): NonNullable<ArgSources['secret']> {
  const given = new Map<string, string>();
  for (const v of values) {
    const m = /^([^/=]+)\/([^=]+)=(.*)$/s.exec(v);
    if (!m) {
      issues.push({ code: 'INVALID_VALUE', path: '--secret', message: `expected SECRET/KEY=VALUE, got ${quote(v.replace(/=.*/s, '=…'))}` });
      continue;
    }
    given.set(`${m[1]}/${m[2]}`, m[3] ?? '');
  }
  return async (ref) => {
    const direct = given.get(`${ref.name}/${ref.key}`);
    if (direct !== undefined) return direct;
    const envName = secretEnvName(ref.name, ref.key);
    const fromEnv = env[envName];
    if (fromEnv !== undefined) return fromEnv;
    throw new Error(`secret ${ref.name}/${ref.key} is not available: pass --secret ${ref.name}/${ref.key}=VALUE or set ${envName}`);
  };
}

/** `METRICGATE_SECRET_<NAME>_<KEY>`, upper-cased, other characters as `_`. */
export function secretEnvName(name: string, key: string): string {
  return `METRICGATE_SECRET_${name}_${key}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/** Reads `valueFrom.fieldRef` and `podTemplateHashValue` args from a Rollout object (`--rollout`). */
export function rolloutSources(rollout: unknown): Pick<ArgSources, 'field' | 'podTemplateHash'> {
  return {
    field: (path) => readFieldPath(rollout, path),
    podTemplateHash: (which) => readFieldPath(rollout, which === 'Stable' ? 'status.stableRS' : 'status.currentPodHash'),
  };
}

/** `--at`: RFC 3339 or Unix seconds. */
export function parseAt(text: string | undefined, issues: Issue[]): number | undefined {
  if (text === undefined) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  if (Number.isNaN(ms)) {
    issues.push({ code: 'INVALID_VALUE', path: '--at', message: `expected an RFC 3339 time (2026-01-01T00:30:00Z) or Unix seconds, got ${quote(text)}` });
    return undefined;
  }
  return ms;
}

/** `--duration`: a Go duration. */
export function parseDurationFlag(text: string | undefined, issues: Issue[]): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    issues.push({ code: 'INVALID_DURATION', path: '--duration', message: `expected a positive Go duration such as "10m" or "1h30m", got ${quote(text)}` });
    return undefined;
  }
  return ms;
}

/** `--scope`. */
export function parseScope(text: string | undefined, issues: Issue[]): Scope | undefined {
  if (text === undefined) return undefined;
  if ((SCOPES as readonly string[]).includes(text)) return text as Scope;
  issues.push({ code: 'SCOPE', path: '--scope', message: `expected one of ${SCOPES.join(', ')}, got ${quote(text)}` });
  return undefined;
}

/** `--scope-label NAME` (every language) or `--scope-label LANG=NAME` (repeatable). */
export function parseScopeLabels(values: readonly string[]): Record<string, string> | string | undefined {
  if (values.length === 0) return undefined;
  const perLanguage: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i < 0) return v;
    perLanguage[v.slice(0, i)] = v.slice(i + 1);
  }
  return perLanguage;
}
