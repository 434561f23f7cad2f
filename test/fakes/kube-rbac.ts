/**
 * @module test/fakes/kube-rbac
 * Checks that RBAC rules grant every permission a test run needed, as recorded by the fake API
 * server ({@link FakeKubeApiServer.permissionsUsed}). Lets the deploy/ manifests be tested
 * against what the code actually calls, instead of against a hand-kept list.
 */
import { parseAllDocuments } from 'yaml';
import type { Permission } from './kube-api-server.js';

/** One rule of a Role or ClusterRole. */
export interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs: readonly string[];
  /** Rules limited to names never grant list, watch or create (RBAC cannot check a name there). */
  readonly resourceNames?: readonly string[];
}

const grants = (values: readonly string[] | undefined, wanted: string): boolean => (values ?? []).some((v) => v === '*' || v === wanted);

/** True when one rule grants `permission`; `rollouts/*` covers every subresource of rollouts. */
function covers(rule: PolicyRule, permission: Permission): boolean {
  if (!grants(rule.apiGroups, permission.group) || !grants(rule.verbs, permission.verb)) return false;
  if (rule.resourceNames?.length && ['list', 'watch', 'create', 'deletecollection'].includes(permission.verb)) return false;
  const [resource] = permission.resource.split('/');
  return (rule.resources ?? []).some((r) => r === '*' || r === permission.resource || (r.endsWith('/*') && r.slice(0, -2) === resource));
}

/** The permissions in `used` that no rule grants (empty when the rules suffice). */
export function missingPermissions(used: readonly Permission[], rules: readonly PolicyRule[]): Permission[] {
  return used.filter((p) => !rules.some((rule) => covers(rule, p)));
}

/** All rules of every Role / ClusterRole in a (multi-document) YAML string. */
export function rulesFromYaml(yaml: string): PolicyRule[] {
  return parseAllDocuments(yaml)
    .map((doc) => doc.toJS() as { kind?: string; rules?: PolicyRule[] } | null)
    .filter((o) => o !== null && (o.kind === 'Role' || o.kind === 'ClusterRole'))
    .flatMap((o) => o?.rules ?? []);
}
