/**
 * The RBAC check helper: rules against the permissions the fake API server recorded, with the
 * wildcard and resourceNames semantics of the Kubernetes RBAC authorizer.
 */
import { describe, expect, it } from 'vitest';
import type { Permission } from '../fakes/kube-api-server.js';
import { missingPermissions, rulesFromYaml } from '../fakes/kube-rbac.js';

const used: Permission[] = [
  { verb: 'create', group: '', resource: 'events' },
  { verb: 'get', group: 'argoproj.io', resource: 'rollouts' },
  { verb: 'patch', group: 'argoproj.io', resource: 'rollouts' },
  { verb: 'patch', group: 'argoproj.io', resource: 'rollouts/status' },
];

describe('missingPermissions', () => {
  it('when a Role grants each permission then nothing is missing', () => {
    const rules = rulesFromYaml(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
rules:
- {apiGroups: [argoproj.io], resources: [rollouts, rollouts/status], verbs: [get, patch]}
- {apiGroups: [""], resources: [events], verbs: [create, patch]}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ignored}
`);
    expect(missingPermissions(used, rules)).toEqual([]);
  });

  it('when the status subresource is not granted then exactly that is missing', () => {
    const rules = [
      { apiGroups: ['argoproj.io'], resources: ['rollouts'], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ];
    expect(missingPermissions(used, rules)).toEqual([{ verb: 'patch', group: 'argoproj.io', resource: 'rollouts/status' }]);
  });

  it('when wildcards are used then they cover groups, verbs and subresources', () => {
    expect(missingPermissions(used, [{ apiGroups: ['*'], resources: ['rollouts', 'rollouts/*', 'events'], verbs: ['*'] }])).toEqual([]);
  });

  it('when a rule is limited to resource names then it never grants create, list or watch', () => {
    const rules = [{ apiGroups: [''], resources: ['events'], verbs: ['create'], resourceNames: ['x'] }];
    expect(missingPermissions([{ verb: 'create', group: '', resource: 'events' }], rules)).toHaveLength(1);
  });
});
