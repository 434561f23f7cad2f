/**
 * Leader election on a Lease, through the real client-node against the fake API server: one
 * replica leads, the other waits; when the leader stops renewing, the other takes over once the
 * lease has expired — time is injected, so no test waits for a lease to run out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeObjects, fromOptions, RESOURCES, type KubeObjects } from '../../../src/actuators/index.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { LeaderElector } from '../../../src/triggers/index.js';
import { FakeKubeApiServer } from '../../fakes/kube-api-server.js';

let fake: FakeKubeApiServer;
let kube: KubeObjects;
let now = Date.UTC(2026, 0, 1);

beforeEach(async () => {
  fake = await FakeKubeApiServer.start();
  kube = createKubeObjects(fromOptions({ server: fake.url }));
});
afterEach(async () => fake.close());

const elector = (identity: string): LeaderElector => new LeaderElector(kube, { namespace: 'metricgate', identity, leaseDurationSeconds: 15, now: () => now }, silentLogger);

describe('LeaderElector', () => {
  it('when two replicas compete then exactly one leads and the Lease names it', async () => {
    const [a, b] = [elector('pod-a'), elector('pod-b')];
    const results = await Promise.all([a.tryAcquire(), b.tryAcquire()]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const lease = fake.store.get(RESOURCES.leases, 'metricgate', 'metricgate-controller');
    const holder = (lease?.['spec'] as { holderIdentity?: string }).holderIdentity;
    expect(holder).toBe(results[0] ? 'pod-a' : 'pod-b');
  });

  it('when the leader renews then it keeps the lease and the other stays out', async () => {
    const [a, b] = [elector('pod-a'), elector('pod-b')];
    expect(await a.tryAcquire()).toBe(true);
    now += 5_000;
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
  });

  it('when the leader stops renewing then the other takes over after the lease expires, counting a transition', async () => {
    const [a, b] = [elector('pod-a'), elector('pod-b')];
    expect(await a.tryAcquire()).toBe(true);
    now += 10_000;
    expect(await b.tryAcquire()).toBe(false);
    now += 6_000;
    expect(await b.tryAcquire()).toBe(true);
    const spec = fake.store.get(RESOURCES.leases, 'metricgate', 'metricgate-controller')?.['spec'] as { holderIdentity?: string; leaseTransitions?: number };
    expect(spec).toMatchObject({ holderIdentity: 'pod-b', leaseTransitions: 1 });
    expect(await a.tryAcquire()).toBe(false);
  });
});
