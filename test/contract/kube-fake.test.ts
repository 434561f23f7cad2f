/**
 * The fake API server behaves like kube-apiserver, checked through the real
 * `@kubernetes/client-node` via our KubeObjects port: CRUD, selectors, merge / JSON / strategic
 * patches, the status subresource split, resourceVersion conflicts, Status bodies, watch replay,
 * bookmarks and 410 Gone. Raw `fetch` is used only where the wire format itself is the subject.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKubeObjects, RESOURCES, resourceRef, type KubeObject, type KubeObjects, type WatchEvent } from '../../src/actuators/kube.js';
import { fromOptions } from '../../src/actuators/kube-config.js';
import { ConflictError, GoneError, KubeError, NotFoundError, AlreadyExistsError, UnreachableError } from '../../src/actuators/kube-errors.js';
import { FakeKubeApiServer } from '../fakes/kube-api-server.js';

const NS = 'shop';

const rollout = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name, namespace: NS, labels: { app: name } },
  spec: { replicas: 2, strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } } },
  ...extra,
});

let api: FakeKubeApiServer;
let kube: KubeObjects;

beforeAll(async () => {
  api = await FakeKubeApiServer.start();
  kube = createKubeObjects(fromOptions({ server: api.url }));
});
afterAll(async () => {
  await api.close();
});
afterEach(() => {
  for (const o of api.store.list(RESOURCES.rollouts)) api.store.delete(RESOURCES.rollouts, NS, String((o['metadata'] as { name: string }).name));
});

async function raw(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api.url}${path}`, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('CRUD on a namespaced custom resource', () => {
  it('when created then the server assigns uid, creationTimestamp, generation 1 and a resourceVersion', async () => {
    const before = Number(api.store.resourceVersion);
    const created = await kube.create(RESOURCES.rollouts, rollout('checkout'));
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(created.metadata?.generation).toBe(1);
    expect(Number(created.metadata?.resourceVersion)).toBe(before + 1);
    expect(await kube.get(RESOURCES.rollouts, 'checkout', { namespace: NS })).toEqual(created);
  });

  it('when the name is taken then create fails with AlreadyExistsError', async () => {
    await kube.create(RESOURCES.rollouts, rollout('checkout'));
    await expect(kube.create(RESOURCES.rollouts, rollout('checkout'))).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it('when a create carries status then status is dropped (status is a subresource)', async () => {
    const created = await kube.create(RESOURCES.rollouts, rollout('checkout', { status: { abort: true } }));
    expect(created['status']).toBeUndefined();
  });

  it('when an object is absent then get answers undefined, patch NotFoundError, delete false', async () => {
    expect(await kube.get(RESOURCES.rollouts, 'nope', { namespace: NS })).toBeUndefined();
    await expect(kube.patch(RESOURCES.rollouts, 'nope', { strategy: 'merge', body: { spec: {} } }, { namespace: NS })).rejects.toBeInstanceOf(NotFoundError);
    expect(await kube.delete(RESOURCES.rollouts, 'nope', { namespace: NS })).toBe(false);
  });

  it('when deleted then it is gone and a second delete reports false', async () => {
    await kube.create(RESOURCES.rollouts, rollout('checkout'));
    expect(await kube.delete(RESOURCES.rollouts, 'checkout', { namespace: NS })).toBe(true);
    expect(api.store.get(RESOURCES.rollouts, NS, 'checkout')).toBeUndefined();
    expect(await kube.delete(RESOURCES.rollouts, 'checkout', { namespace: NS })).toBe(false);
  });

  it('when replaced with the current resourceVersion then spec changes bump generation', async () => {
    const created = await kube.create(RESOURCES.rollouts, rollout('checkout'));
    const replaced = await kube.replace(RESOURCES.rollouts, { ...created, spec: { replicas: 5 } });
    expect(replaced.metadata?.generation).toBe(2);
    expect(replaced['spec']).toEqual({ replicas: 5 });
    expect(replaced.metadata?.uid).toBe(created.metadata?.uid);
  });

  it('when replaced with a stale resourceVersion then ConflictError and nothing changes', async () => {
    const created = await kube.create(RESOURCES.rollouts, rollout('checkout'));
    await kube.patch(RESOURCES.rollouts, 'checkout', { strategy: 'merge', body: { metadata: { labels: { touched: 'yes' } } } }, { namespace: NS });
    await expect(kube.replace(RESOURCES.rollouts, { ...created, spec: { replicas: 9 } })).rejects.toBeInstanceOf(ConflictError);
    expect(api.store.get(RESOURCES.rollouts, NS, 'checkout')?.['spec']).toEqual(created['spec']);
  });

  it('when a custom resource is replaced without a resourceVersion then 422 Invalid, as for CRDs', async () => {
    const created = await kube.create(RESOURCES.rollouts, rollout('checkout'));
    const { resourceVersion: _rv, ...meta } = created.metadata ?? {};
    const error = await kube.replace(RESOURCES.rollouts, { ...created, metadata: meta }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeError);
    expect((error as KubeError).code).toBe('Invalid');
    expect((error as KubeError).message).toContain('must be specified for an update');
  });
});

describe('core and cluster-scoped resources', () => {
  it('when a Secret is created then it lives under /api/v1 and lists by label', async () => {
    await kube.create(RESOURCES.secrets, { metadata: { name: 'dd', namespace: NS, labels: { team: 'a' } }, data: { 'api-key': 'c2VjcmV0' } });
    await kube.create(RESOURCES.secrets, { metadata: { name: 'other', namespace: NS, labels: { team: 'b' } } });
    const list = await kube.list(RESOURCES.secrets, { namespace: NS, labelSelector: 'team=a' });
    expect(list.items.map((s) => s.metadata?.name)).toEqual(['dd']);
    expect(list.items[0]?.['data']).toEqual({ 'api-key': 'c2VjcmV0' });
    const secretCalls = api.accessLog.filter((r) => r.resource === 'secrets');
    expect(secretCalls.every((r) => r.group === '')).toBe(true);
    // Core types allow an unconditional PUT.
    const plain = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'dd', namespace: NS }, data: { 'api-key': 'bmV3' } };
    expect((await kube.replace(RESOURCES.secrets, plain))['data']).toEqual({ 'api-key': 'bmV3' });
  });

  it('when a ClusterAnalysisTemplate is written then it has no namespace and needs none', async () => {
    const created = await kube.create(RESOURCES.clusterAnalysisTemplates, { metadata: { name: 'success-rate' }, spec: { metrics: [] } });
    expect(created.metadata?.namespace).toBeUndefined();
    expect((await kube.get(RESOURCES.clusterAnalysisTemplates, 'success-rate'))?.metadata?.name).toBe('success-rate');
    expect((await kube.list(RESOURCES.clusterAnalysisTemplates)).items).toHaveLength(1);
    await expect(kube.get(RESOURCES.clusterAnalysisTemplates, 'success-rate', { namespace: NS })).rejects.toBeInstanceOf(TypeError);
    await expect(kube.get(RESOURCES.rollouts, 'x')).rejects.toBeInstanceOf(TypeError);
  });

  it('when a CRD is registered at runtime then it is served by group/version/plural', async () => {
    api.register({ group: 'networking.istio.io', version: 'v1beta1', plural: 'virtualservices', kind: 'VirtualService' });
    const vs = resourceRef('networking.istio.io', 'v1beta1', 'virtualservices', 'VirtualService');
    await kube.create(vs, { metadata: { name: 'checkout', namespace: NS }, spec: { http: [{ route: [{ destination: { host: 'stable' }, weight: 100 }] }] } });
    const patched = await kube.patch(vs, 'checkout', { strategy: 'json', body: [{ op: 'replace', path: '/spec/http/0/route/0/weight', value: 80 }] }, { namespace: NS });
    expect(patched['spec']).toEqual({ http: [{ route: [{ destination: { host: 'stable' }, weight: 80 }] }] });
  });
});

describe('list selectors', () => {
  beforeEach(() => {
    api.seed(`
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: a, namespace: shop, labels: {tier: web, env: prod}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: b, namespace: shop, labels: {tier: api, env: prod, legacy: "true"}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: c, namespace: shop, labels: {tier: db}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: d, namespace: other, labels: {tier: web}}
`);
  });
  afterEach(() => {
    api.store.delete(RESOURCES.rollouts, 'other', 'd');
  });

  it.each([
    ['tier=web', ['a']],
    ['tier==web', ['a']],
    ['tier!=web', ['b', 'c']],
    ['tier in (web,api)', ['a', 'b']],
    ['tier notin (web, api)', ['c']],
    ['env', ['a', 'b']],
    ['!legacy', ['a', 'c']],
    ['env=prod,!legacy', ['a']],
    ['', ['a', 'b', 'c']],
  ])('when the label selector is %j then %j match', async (selector, names) => {
    const list = await kube.list(RESOURCES.rollouts, { namespace: NS, labelSelector: selector });
    expect(list.items.map((o) => o.metadata?.name)).toEqual(names);
    expect(list.resourceVersion).toBe(api.store.resourceVersion);
  });

  it('when no namespace is given then every namespace is listed', async () => {
    const list = await kube.list(RESOURCES.rollouts, { labelSelector: 'tier=web' });
    expect(list.items.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual(['other/d', 'shop/a']);
  });

  it('when a field selector names metadata.name then only that object is listed', async () => {
    const list = await kube.list(RESOURCES.rollouts, { namespace: NS, fieldSelector: 'metadata.name=b' });
    expect(list.items.map((o) => o.metadata?.name)).toEqual(['b']);
  });

  it.each([
    ['labelSelector', 'tier in (web'],
    ['labelSelector', 'ti er=x'],
    ['fieldSelector', 'spec.replicas=2'],
  ])('when the %s is %j then 400 BadRequest', async (kind, selector) => {
    const error = await kube.list(RESOURCES.rollouts, { namespace: NS, [kind]: selector }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeError);
    expect((error as KubeError).status).toBe(400);
  });
});

describe('patches', () => {
  it('when a merge patch is sent then objects merge, null deletes and arrays are replaced (RFC 7386)', async () => {
    await kube.create(RESOURCES.rollouts, rollout('checkout', { spec: { a: { b: 1, c: 2 }, list: [1, 2, 3], gone: 'x' } }));
    const patched = await kube.patch(RESOURCES.rollouts, 'checkout', { strategy: 'merge', body: { spec: { a: { c: null, d: 4 }, list: [9], gone: null } } }, { namespace: NS });
    expect(patched['spec']).toEqual({ a: { b: 1, d: 4 }, list: [9] });
    expect(api.accessLog.at(-1)?.contentType).toBe('application/merge-patch+json');
  });

  it('when a strategic merge patch is sent to a CRD then it is applied as a merge patch', async () => {
    await kube.create(RESOURCES.rollouts, rollout('checkout'));
    const patched = await kube.patch(RESOURCES.rollouts, 'checkout', { strategy: 'strategic', body: { spec: { replicas: 7 } } }, { namespace: NS });
    expect(patched['spec']).toMatchObject({ replicas: 7 });
    expect(api.accessLog.at(-1)?.contentType).toBe('application/strategic-merge-patch+json');
  });

  it('when a JSON patch with a passing test op is sent then every operation applies (RFC 6902)', async () => {
    await kube.create(RESOURCES.rollouts, rollout('checkout'));
    const patched = await kube.patch(
      RESOURCES.rollouts,
      'checkout',
      {
        strategy: 'json',
        body: [
          { op: 'test', path: '/spec/replicas', value: 2 },
          { op: 'replace', path: '/spec/replicas', value: 3 },
          { op: 'add', path: '/spec/strategy/canary/steps/-', value: { setWeight: 100 } },
          { op: 'remove', path: '/spec/strategy/canary/steps/0' },
          { op: 'add', path: '/metadata/labels/a~1b', value: 'slash' },
          { op: 'copy', from: '/spec/replicas', path: '/spec/copied' },
          { op: 'move', from: '/spec/copied', path: '/spec/moved' },
        ],
      },
      { namespace: NS },
    );
    expect(patched['spec']).toEqual({ replicas: 3, moved: 3, strategy: { canary: { steps: [{ pause: {} }, { setWeight: 100 }] } } });
    expect(patched.metadata?.labels).toEqual({ app: 'checkout', 'a/b': 'slash' });
    expect(api.accessLog.at(-1)?.contentType).toBe('application/json-patch+json');
  });

  it('when a JSON patch test op fails then 422 Invalid and the object is unchanged', async () => {
    const created = await kube.create(RESOURCES.rollouts, rollout('checkout'));
    const error = await kube
      .patch(RESOURCES.rollouts, 'checkout', { strategy: 'json', body: [{ op: 'test', path: '/spec/replicas', value: 99 }, { op: 'replace', path: '/spec/replicas', value: 1 }] }, { namespace: NS })
      .catch((e: unknown) => e);
    expect((error as KubeError).code).toBe('Invalid');
    expect((error as KubeError).status).toBe(422);
    expect(api.store.get(RESOURCES.rollouts, NS, 'checkout')).toEqual(created);
  });

  it('when a patch changes nothing then no new resourceVersion is written', async () => {
    const created = await kube.create(RESOURCES.rollouts, rollout('checkout'));
    const same = await kube.patch(RESOURCES.rollouts, 'checkout', { strategy: 'merge', body: { spec: { replicas: 2 } } }, { namespace: NS });
    expect(same.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    expect(api.store.resourceVersion).toBe(created.metadata?.resourceVersion);
  });
});

describe('status subresource', () => {
  it('when the main resource is patched then status changes are ignored and spec changes bump generation', async () => {
    api.store.put({ ...rollout('checkout'), status: { phase: 'Paused', currentStepIndex: 1 } });
    const patched = await kube.patch(RESOURCES.rollouts, 'checkout', { strategy: 'merge', body: { spec: { paused: true }, status: { abort: true } } }, { namespace: NS });
    expect(patched['spec']).toMatchObject({ paused: true });
    expect(patched['status']).toEqual({ phase: 'Paused', currentStepIndex: 1 });
    expect(patched.metadata?.generation).toBe(2);
  });

  it('when /status is patched then only status changes and generation stays', async () => {
    api.store.put({ ...rollout('checkout'), status: { phase: 'Paused' } });
    const patched = await kube.patch(RESOURCES.rollouts, 'checkout', { strategy: 'merge', body: { spec: { paused: true }, status: { abort: true }, metadata: { labels: { x: 'y' } } } }, { namespace: NS, subresource: 'status' });
    expect(patched['status']).toEqual({ phase: 'Paused', abort: true });
    expect(patched['spec']).not.toHaveProperty('paused');
    expect(patched.metadata?.labels).toEqual({ app: 'checkout' });
    expect(patched.metadata?.generation).toBe(1);
    expect(api.accessLog.at(-1)).toMatchObject({ verb: 'patch', resource: 'rollouts', subresource: 'status' });
  });

  it('when /status is replaced then only status changes', async () => {
    api.store.put({ ...rollout('checkout'), status: { phase: 'Paused' } });
    const current = await kube.get(RESOURCES.rollouts, 'checkout', { namespace: NS, subresource: 'status' });
    const replaced = await kube.replace(RESOURCES.rollouts, { ...current, spec: { replicas: 99 }, status: { phase: 'Healthy' } }, { subresource: 'status' });
    expect(replaced['status']).toEqual({ phase: 'Healthy' });
    expect(replaced['spec']).toMatchObject({ replicas: 2 });
  });

  it('when a resource has no status subresource then /status is 404', async () => {
    await kube.create(RESOURCES.analysisTemplates, { metadata: { name: 't', namespace: NS }, spec: { metrics: [] } });
    expect(await kube.get(RESOURCES.analysisTemplates, 't', { namespace: NS, subresource: 'status' })).toBeUndefined();
    await expect(kube.patch(RESOURCES.analysisTemplates, 't', { strategy: 'merge', body: { status: {} } }, { namespace: NS, subresource: 'status' })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('resourceVersion preconditions and Status bodies', () => {
  it('when a merge patch carries a stale resourceVersion then 409 with the API server Status body', async () => {
    const created = await kube.create(RESOURCES.rollouts, rollout('checkout'));
    await kube.patch(RESOURCES.rollouts, 'checkout', { strategy: 'merge', body: { spec: { replicas: 3 } } }, { namespace: NS });
    const error = await kube
      .patch(RESOURCES.rollouts, 'checkout', { strategy: 'merge', body: { spec: { replicas: 4 } } }, { namespace: NS, resourceVersion: created.metadata?.resourceVersion })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).reason).toBe('Conflict');
    expect((error as ConflictError).message).toContain('the object has been modified');

    const wire = await raw(`/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts/checkout`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ metadata: { resourceVersion: '1' }, spec: { replicas: 5 } }),
    });
    expect(wire.status).toBe(409);
    expect(wire.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Operation cannot be fulfilled on rollouts.argoproj.io "checkout": the object has been modified; please apply your changes to the latest version and try again',
      reason: 'Conflict',
      details: { name: 'checkout', group: 'argoproj.io', kind: 'rollouts' },
      code: 409,
    });
    expect(api.store.get(RESOURCES.rollouts, NS, 'checkout')?.['spec']).toMatchObject({ replicas: 3 });
  });

  it('when the resourceVersion is current then the precondition passes, for merge and JSON patches', async () => {
    const created = await kube.create(RESOURCES.rollouts, rollout('checkout'));
    const merged = await kube.patch(RESOURCES.rollouts, 'checkout', { strategy: 'merge', body: { spec: { replicas: 3 } } }, { namespace: NS, resourceVersion: created.metadata?.resourceVersion });
    const jsoned = await kube.patch(RESOURCES.rollouts, 'checkout', { strategy: 'json', body: [{ op: 'replace', path: '/spec/replicas', value: 4 }] }, { namespace: NS, resourceVersion: merged.metadata?.resourceVersion });
    expect(jsoned['spec']).toMatchObject({ replicas: 4 });
    await expect(
      kube.patch(RESOURCES.rollouts, 'checkout', { strategy: 'json', body: [{ op: 'replace', path: '/spec/replicas', value: 5 }] }, { namespace: NS, resourceVersion: merged.metadata?.resourceVersion }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('when an object is missing then 404 carries reason NotFound and names the object', async () => {
    const wire = await raw(`/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts/nope`);
    expect(wire.status).toBe(404);
    expect(wire.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'rollouts.argoproj.io "nope" not found' });
    const core = await raw(`/api/v1/namespaces/${NS}/secrets/nope`);
    expect(core.body['message']).toBe('secrets "nope" not found');
  });
});

describe('bad input never crashes the server', () => {
  it.each([
    ['malformed JSON', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{not json' }, `/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts`, 400],
    ['a list as a create body', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '[1]' }, `/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts`, 400],
    ['an unknown patch type', { method: 'PATCH', headers: { 'Content-Type': 'text/plain' }, body: 'x' }, `/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts/checkout`, 415],
    ['a JSON patch that is not a list', { method: 'PATCH', headers: { 'Content-Type': 'application/json-patch+json' }, body: '{}' }, `/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts/checkout`, 400],
    ['an unknown resource', {}, '/apis/argoproj.io/v1alpha1/namespaces/shop/nothings', 404],
    ['an unknown path', {}, '/nowhere', 404],
    ['a wrong kind in the body', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'Secret', metadata: { name: 'x' } }) }, `/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts`, 400],
    ['a body name that differs from the URL', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'other', resourceVersion: '1' } }) }, `/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts/checkout`, 400],
    ['a bad resourceVersion on a watch', {}, `/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts?watch=true&resourceVersion=abc`, 400],
  ])('when the request has %s then it answers with a Status body and the right code', async (_what, init, path, code) => {
    await kube.create(RESOURCES.rollouts, rollout('checkout'));
    const wire = await raw(path, init as RequestInit);
    expect(wire.status).toBe(code);
    expect(wire.body).toMatchObject({ kind: 'Status', status: 'Failure', code });
    expect(await kube.get(RESOURCES.rollouts, 'checkout', { namespace: NS })).toBeDefined();
  });
});

describe('concurrency', () => {
  it('when 20 patches race then all land and the resourceVersion advances by 20', async () => {
    const created = await kube.create(RESOURCES.rollouts, rollout('checkout'));
    await Promise.all(Array.from({ length: 20 }, (_, i) => kube.patch(RESOURCES.rollouts, 'checkout', { strategy: 'merge', body: { metadata: { labels: { [`l${i}`]: 'x' } } } }, { namespace: NS })));
    const stored = api.store.get(RESOURCES.rollouts, NS, 'checkout');
    expect(Object.keys((stored?.['metadata'] as { labels: object }).labels)).toHaveLength(21);
    expect(Number(api.store.resourceVersion)).toBe(Number(created.metadata?.resourceVersion) + 20);
  });

  it('when 10 writers race on one resourceVersion then exactly one wins', async () => {
    const created = await kube.create(RESOURCES.rollouts, rollout('checkout'));
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => kube.patch(RESOURCES.rollouts, 'checkout', { strategy: 'merge', body: { spec: { replicas: 10 + i } } }, { namespace: NS, resourceVersion: created.metadata?.resourceVersion })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof ConflictError)).toHaveLength(9);
  });
});

describe('watch', () => {
  async function collect(iterable: AsyncIterable<WatchEvent>, count: number): Promise<WatchEvent[]> {
    const out: WatchEvent[] = [];
    for await (const event of iterable) {
      out.push(event);
      if (out.length === count) break;
    }
    return out;
  }

  it('when started from a resourceVersion then later changes are replayed in order, then live ones follow', async () => {
    const a = await kube.create(RESOURCES.rollouts, rollout('a'));
    await kube.patch(RESOURCES.rollouts, 'a', { strategy: 'merge', body: { spec: { replicas: 3 } } }, { namespace: NS });
    await kube.create(RESOURCES.rollouts, rollout('b'));
    const controller = new AbortController();
    const events = collect(kube.watch(RESOURCES.rollouts, { namespace: NS, resourceVersion: a.metadata?.resourceVersion, signal: controller.signal }), 3);
    await api.waitForWatchers(1);
    await kube.delete(RESOURCES.rollouts, 'a', { namespace: NS });
    const got = await events;
    controller.abort();
    expect(got.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(['MODIFIED a', 'ADDED b', 'DELETED a']);
    expect(got[0]?.object['spec']).toMatchObject({ replicas: 3 });
  });

  it('when started without a resourceVersion then every existing object arrives as ADDED', async () => {
    await kube.create(RESOURCES.rollouts, rollout('a'));
    await kube.create(RESOURCES.rollouts, rollout('b'));
    const got = await collect(kube.watch(RESOURCES.rollouts, { namespace: NS }), 2);
    expect(got.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(['ADDED a', 'ADDED b']);
  });

  it('when an object stops matching the label selector then the watcher sees DELETED', async () => {
    const a = await kube.create(RESOURCES.rollouts, rollout('a'));
    const events = collect(kube.watch(RESOURCES.rollouts, { namespace: NS, labelSelector: 'app=a', resourceVersion: a.metadata?.resourceVersion }), 2);
    await api.waitForWatchers(1);
    await kube.patch(RESOURCES.rollouts, 'a', { strategy: 'merge', body: { metadata: { labels: { app: 'moved' } } } }, { namespace: NS });
    await kube.patch(RESOURCES.rollouts, 'a', { strategy: 'merge', body: { metadata: { labels: { app: 'a' } } } }, { namespace: NS });
    expect((await events).map((e) => e.type)).toEqual(['DELETED', 'ADDED']);
  });

  it('when bookmarks are allowed then a BOOKMARK carries the latest resourceVersion', async () => {
    const a = await kube.create(RESOURCES.rollouts, rollout('a'));
    const events = collect(kube.watch(RESOURCES.rollouts, { namespace: NS, resourceVersion: a.metadata?.resourceVersion, allowBookmarks: true }), 1);
    await api.waitForWatchers(1);
    await kube.create(RESOURCES.secrets, { metadata: { name: 'unrelated', namespace: NS } });
    expect(api.bookmark()).toBe(1);
    const [bookmark] = await events;
    expect(bookmark?.type).toBe('BOOKMARK');
    expect(bookmark?.object.metadata?.resourceVersion).toBe(api.store.resourceVersion);
    expect(api.accessLog.some((r) => r.verb === 'watch' && r.resource === 'rollouts')).toBe(true);
  });

  it('when the resourceVersion is older than the retained history then the watch fails with GoneError (410)', async () => {
    const a = await kube.create(RESOURCES.rollouts, rollout('a'));
    await kube.patch(RESOURCES.rollouts, 'a', { strategy: 'merge', body: { spec: { replicas: 3 } } }, { namespace: NS });
    api.compact();
    const error = await collect(kube.watch(RESOURCES.rollouts, { namespace: NS, resourceVersion: a.metadata?.resourceVersion }), 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GoneError);
    expect((error as GoneError).reason).toBe('Expired');
    // Watching from the current resourceVersion still works after compaction.
    const events = collect(kube.watch(RESOURCES.rollouts, { namespace: NS, resourceVersion: api.store.resourceVersion }), 1);
    await api.waitForWatchers(1);
    await kube.delete(RESOURCES.rollouts, 'a', { namespace: NS });
    expect((await events)[0]?.type).toBe('DELETED');
  });

  it('when the caller aborts then iteration ends without an error', async () => {
    const controller = new AbortController();
    const iteration = collect(kube.watch(RESOURCES.rollouts, { namespace: NS, resourceVersion: api.store.resourceVersion, signal: controller.signal }), 10);
    await api.waitForWatchers(1);
    controller.abort();
    expect(await iteration).toEqual([]);
  });
});

describe('events, discovery, auth and reachability', () => {
  it('when an event is recorded then a core/v1 Event names the object, reason, type and source metricgate', async () => {
    const ro = await kube.create(RESOURCES.rollouts, rollout('checkout'));
    await kube.recordEvent({ involvedObject: ro, reason: 'MetricgateAborted', message: 'AnalysisRun "x" Failed', type: 'Warning' });
    const events = await kube.list(RESOURCES.events, { namespace: NS, fieldSelector: 'involvedObject.name=checkout' });
    expect(events.items).toHaveLength(1);
    expect(events.items[0]).toMatchObject({
      involvedObject: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'checkout', namespace: NS, uid: ro.metadata?.uid },
      reason: 'MetricgateAborted',
      message: 'AnalysisRun "x" Failed',
      type: 'Warning',
      source: { component: 'metricgate' },
      count: 1,
    });
  });

  it('when discovery is asked then registered groups and resources (with /status) are listed', async () => {
    expect((await raw('/apis')).body['groups']).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'argoproj.io' })]));
    const argo = (await raw('/apis/argoproj.io/v1alpha1')).body['resources'] as { name: string; namespaced: boolean }[];
    expect(argo.map((r) => r.name)).toEqual(expect.arrayContaining(['rollouts', 'rollouts/status', 'analysisruns', 'clusteranalysistemplates']));
    expect(argo.find((r) => r.name === 'clusteranalysistemplates')?.namespaced).toBe(false);
    const core = (await raw('/api/v1')).body['resources'] as { name: string }[];
    expect(core.map((r) => r.name)).toEqual(expect.arrayContaining(['secrets', 'services', 'events']));
    expect((await raw('/api')).body['versions']).toEqual(['v1']);
  });

  it('when a token is required then requests without it get 401 and with it succeed', async () => {
    const guarded = await FakeKubeApiServer.start({ token: 's3cret' });
    try {
      const anonymous = createKubeObjects(fromOptions({ server: guarded.url }));
      const error = await anonymous.list(RESOURCES.rollouts, { namespace: NS }).catch((e: unknown) => e);
      expect((error as KubeError).code).toBe('Unauthorized');
      const authed = createKubeObjects(fromOptions({ server: guarded.url, token: 's3cret' }));
      expect((await authed.list(RESOURCES.rollouts, { namespace: NS })).items).toEqual([]);
    } finally {
      await guarded.close();
    }
  });

  it('when the API server is down then calls fail with UnreachableError', async () => {
    const gone = await FakeKubeApiServer.start();
    const url = gone.url;
    await gone.close();
    const dead = createKubeObjects(fromOptions({ server: url }));
    await expect(dead.get(RESOURCES.rollouts, 'x', { namespace: NS })).rejects.toBeInstanceOf(UnreachableError);
    await expect(dead.watch(RESOURCES.rollouts, { namespace: NS })[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(UnreachableError);
  });

  it('when the API server does not answer within the request timeout then the call fails with UnreachableError', async () => {
    const slow = createKubeObjects(fromOptions({ server: api.url }), { requestTimeoutMs: 50 });
    let release: () => void = () => undefined;
    api.beforeNext({ verb: 'get', name: 'stuck' }, () => new Promise<void>((resolve) => (release = resolve)));
    const error = await slow.get(RESOURCES.rollouts, 'stuck', { namespace: NS }).catch((e: unknown) => e);
    release();
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as UnreachableError).message).toBe('get rollouts.argoproj.io shop/stuck: no answer from the API server before the request timeout');
  });

  it('when requests are made then the access log records RBAC verbs, groups, resources and subresources', async () => {
    api.accessLog.length = 0;
    await kube.create(RESOURCES.rollouts, rollout('checkout'));
    await kube.get(RESOURCES.rollouts, 'checkout', { namespace: NS });
    await kube.list(RESOURCES.rollouts, { namespace: NS });
    await kube.patch(RESOURCES.rollouts, 'checkout', { strategy: 'merge', body: { status: { abort: true } } }, { namespace: NS, subresource: 'status' });
    await kube.delete(RESOURCES.rollouts, 'checkout', { namespace: NS });
    expect(api.accessLog.map(({ verb, group, resource, subresource, namespace, name, code }) => ({ verb, group, resource, subresource, namespace, name, code }))).toEqual([
      { verb: 'create', group: 'argoproj.io', resource: 'rollouts', subresource: undefined, namespace: NS, name: undefined, code: 201 },
      { verb: 'get', group: 'argoproj.io', resource: 'rollouts', subresource: undefined, namespace: NS, name: 'checkout', code: 200 },
      { verb: 'list', group: 'argoproj.io', resource: 'rollouts', subresource: undefined, namespace: NS, name: undefined, code: 200 },
      { verb: 'patch', group: 'argoproj.io', resource: 'rollouts', subresource: 'status', namespace: NS, name: 'checkout', code: 200 },
      { verb: 'delete', group: 'argoproj.io', resource: 'rollouts', subresource: undefined, namespace: NS, name: 'checkout', code: 200 },
    ]);
    expect(api.permissionsUsed()).toEqual([
      { verb: 'create', group: 'argoproj.io', resource: 'rollouts' },
      { verb: 'delete', group: 'argoproj.io', resource: 'rollouts' },
      { verb: 'get', group: 'argoproj.io', resource: 'rollouts' },
      { verb: 'list', group: 'argoproj.io', resource: 'rollouts' },
      { verb: 'patch', group: 'argoproj.io', resource: 'rollouts/status' },
    ]);
  });
});
