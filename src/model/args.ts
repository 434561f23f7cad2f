/**
 * @module model/args
 * Argument merging and `{{args.NAME}}` templating with Argo's rules (utils/analysis/helpers.go
 * MergeArgs/flattenArgs, utils/template/template.go). Substitution walks the parsed metric and
 * replaces inside every string, which is what Argo's JSON-serialise-then-substitute achieves,
 * without the JSON-escaping pitfalls. Secret values are fetched through a port and remembered so
 * they can be redacted from every message.
 */
import { quote, type Issue } from './issues.js';
import type { Argument, SecretKeyRef } from './types.js';

/** Where secret and field values come from; the CLI, the service and Kubernetes each supply one. */
export interface ArgSources {
  /** Value of a Secret key in the run's namespace (Argo's rule). Rejects with a message when missing. */
  secret?(ref: SecretKeyRef, namespace?: string): Promise<string>;
  /** Value at a field path of the owning object (the Rollout), or undefined when absent. */
  field?(fieldPath: string): string | undefined;
  /** `rollouts-pod-template-hash` of the stable or latest ReplicaSet. */
  podTemplateHash?(which: 'Stable' | 'Latest'): string | undefined;
}

/** Placeholder Argo uses while validating templates that read secrets. */
export const SECRET_PLACEHOLDER = 'temp-for-secret';

const TAG = /\{\{(.*?)\}\}/g;

/** Arguments resolved to strings, plus the secret values that must be redacted. */
export interface ResolvedArgs {
  readonly values: ReadonlyMap<string, string>;
  readonly secrets: readonly string[];
  readonly issues: Issue[];
}

/**
 * Argo's flattenArgs: combine the args of several templates. The same name with two different
 * values is an error; a set value is never replaced by an unset one.
 */
export function flattenArgs(lists: readonly (readonly Argument[])[]): { args: Argument[]; issues: Issue[] } {
  const args: Argument[] = [];
  const issues: Issue[] = [];
  for (const list of lists) {
    for (const arg of list) {
      const i = args.findIndex((a) => a.name === arg.name);
      if (i < 0) {
        args.push(arg);
        continue;
      }
      const prev = args[i];
      if (prev?.value !== undefined && arg.value !== undefined && prev.value !== arg.value) {
        issues.push({
          code: 'ARG_CONFLICT',
          path: 'args',
          message: `argument ${quote(arg.name)} specified multiple times with different values: ${quote(prev.value)}, ${quote(arg.value)}`,
        });
      } else if (prev?.value === undefined) {
        args[i] = arg;
      }
    }
  }
  return { args, issues };
}

/**
 * Argo's MergeArgs: caller-supplied args override the template's defaults; args the template
 * does not declare are ignored; any arg left without value or valueFrom is an error naming it.
 */
export function mergeArgs(incoming: readonly Argument[], declared: readonly Argument[]): { args: Argument[]; issues: Issue[] } {
  const args = declared.map((a) => ({ ...a }));
  for (const arg of incoming) {
    const i = args.findIndex((a) => a.name === arg.name);
    const target = args[i];
    if (target === undefined) continue;
    if (arg.value !== undefined) args[i] = { name: target.name, value: arg.value };
    else if (arg.valueFrom !== undefined) args[i] = { name: target.name, valueFrom: arg.valueFrom };
  }
  const issues: Issue[] = args
    .map((a, i) => ({ a, i }))
    .filter(({ a }) => a.value === undefined && a.valueFrom === undefined)
    .map(({ a, i }) => ({
      code: 'ARG_MISSING' as const,
      path: `args[${i}]`,
      message: `argument ${quote(a.name)} has no value and no default: pass it (for example --arg ${a.name}=VALUE)`,
    }));
  return { args, issues };
}

/**
 * Turns args into strings. With `secrets: 'placeholder'` no secret is read (validation and
 * lint), as Argo's getResolvedMetricsWithoutSecrets does.
 */
export async function resolveArgs(
  args: readonly Argument[],
  sources: ArgSources,
  options: { secrets: 'placeholder' | 'resolve'; namespace?: string },
): Promise<ResolvedArgs> {
  const values = new Map<string, string>();
  const secrets: string[] = [];
  const issues: Issue[] = [];
  for (const [i, arg] of args.entries()) {
    const at = `args[${i}]`;
    const from = arg.valueFrom;
    if (arg.value !== undefined && from?.secretKeyRef === undefined) {
      values.set(arg.name, arg.value);
    } else if (from?.secretKeyRef) {
      if (options.secrets === 'placeholder') {
        values.set(arg.name, SECRET_PLACEHOLDER);
        continue;
      }
      const ref = from.secretKeyRef;
      if (!sources.secret) {
        issues.push({ code: 'SECRET', path: `${at}.valueFrom.secretKeyRef`, message: `no secret source configured to read ${ref.name}/${ref.key}` });
        continue;
      }
      try {
        const value = await sources.secret(ref, options.namespace);
        values.set(arg.name, value);
        if (value !== '') secrets.push(value);
      } catch (err) {
        issues.push({ code: 'SECRET', path: `${at}.valueFrom.secretKeyRef`, message: (err as Error).message });
      }
    } else if (from?.fieldRef) {
      const value = sources.field?.(from.fieldRef.fieldPath);
      if (value === undefined) {
        issues.push({
          code: 'ARG_UNRESOLVED',
          path: `${at}.valueFrom.fieldRef.fieldPath`,
          message: `field ${quote(from.fieldRef.fieldPath)} could not be read${sources.field ? ' (absent or not a primitive)' : ': no object to read fields from (pass --rollout FILE)'}`,
        });
      } else values.set(arg.name, value);
    } else if (from?.podTemplateHashValue) {
      const value = sources.podTemplateHash?.(from.podTemplateHashValue);
      if (value === undefined) {
        issues.push({
          code: 'ARG_UNRESOLVED',
          path: `${at}.valueFrom.podTemplateHashValue`,
          message: `${from.podTemplateHashValue} pod-template hash is not known: no Rollout status to read it from`,
        });
      } else values.set(arg.name, value);
    } else {
      issues.push({ code: 'ARG_MISSING', path: at, message: `argument ${quote(arg.name)} was not supplied` });
    }
  }
  return { values, secrets, issues };
}

/**
 * Replaces every `{{args.NAME}}` (whitespace inside braces ignored) in every string of `value`.
 * Any other `{{…}}` tag, or an undeclared arg, is an issue ("failed to resolve {{…}}") and is
 * replaced by the empty string, as Argo does.
 */
export function substituteArgs<T>(value: T, args: ReadonlyMap<string, string>, path = ''): { value: T; issues: Issue[] } {
  const issues: Issue[] = [];
  const walk = (v: unknown, at: string): unknown => {
    if (typeof v === 'string') {
      return v.replace(TAG, (_whole, tag: string) => {
        const clean = tag.trim();
        const name = clean.startsWith('args.') ? clean.slice(5) : undefined;
        const resolved = name !== undefined ? args.get(name) : undefined;
        if (resolved !== undefined) return resolved;
        const known = [...args.keys()].map((k) => `args.${k}`);
        issues.push({
          code: 'ARG_UNRESOLVED',
          path: at,
          message: `failed to resolve {{${tag}}}${known.length ? `; declared: ${known.join(', ')}` : '; no args are declared'}`,
        });
        return '';
      });
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${at}[${i}]`));
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(v)) out[k] = walk(child, at === '' ? k : `${at}.${k}`);
      return out;
    }
    return v;
  };
  return { value: walk(value, path) as T, issues };
}

/** Replaces each secret value in `text` with `*****` (Argo's redaction). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s !== '') out = out.split(s).join('*****');
  return out;
}

/**
 * Reads a Kubernetes-style field path from an object: `metadata.labels['env']`,
 * `metadata.annotations["x"]`, `status.canary.weights.canary.podTemplateHash`, `spec.items[0].name`.
 * Returns undefined unless the path ends at a string, number or boolean.
 */
export function readFieldPath(object: unknown, fieldPath: string): string | undefined {
  const parts: string[] = [];
  const re = /([^.[\]]+)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]|\[(\d+)\]/g;
  for (const m of fieldPath.matchAll(re)) parts.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
  let cur: unknown = object;
  for (const part of parts) {
    if (Array.isArray(cur) && /^\d+$/.test(part)) cur = cur[Number(part)];
    else if (typeof cur === 'object' && cur !== null && Object.prototype.hasOwnProperty.call(cur, part)) {
      cur = (cur as Record<string, unknown>)[part];
    } else return undefined;
  }
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return undefined;
}
