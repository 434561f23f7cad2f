/**
 * Verdicts that act, end to end: a faithful fake kube-apiserver driven by the real client-node,
 * real Redis (BullMQ workers), real Prometheus over the generated dataset. Rollouts annotated
 * with `metricgate.io/analysis` stop at a canary pause step; metricgate measures their canary and
 * promotes, aborts or pauses them — and never undoes a human or writes twice.
 *
 * Queries pin their evaluation time with PromQL's `@` modifier so the live service reads the
 * dataset's history (2026-01-01T00:30Z) deterministically.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKubeObjects, fromOptions, RESOURCES, type KubeObjects } from '../../src/actuators/index.js';
import { DEMO_DATASET } from '../../src/cli/local/dataset.js';
import type { AnalysisRun } from '../../src/model/index.js';
import { ACTUATION_ANNOTATION, Actuator, type ActuationRecord } from '../../src/queue/actuation.js';
import { RedisRunStore, connectRedis } from '../../src/queue/index.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { FakeKubeApiServer } from '../fakes/kube-api-server.js';
import { missingPermissions, rulesFromYaml } from '../fakes/kube-rbac.js';
import { api, startTestService, waitFor, type TestService } from '../support/service.js';

const NS = 'shop';
const AT = (DEMO_DATASET.start + 30 * 60_000) / 1000;

const template = (prometheus: string): string => `
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: canary-gate, namespace: ${NS}}
spec:
  args:
  - {name: service}
  - {name: canary-hash}
  - {name: count, value: "2"}
  metrics:
  - name: request-floor
    interval: 1s
    count: "{{args.count}}"
    successCondition: len(result) > 0 && result[0] >= 50
    failureCondition: "false"
    provider:
      prometheus:
        address: ${prometheus}
        query: sum(increase(http_requests_total{service="{{args.service}}"}[5m] @ ${AT}))
  - name: error-rate
    interval: 1s
    count: "{{args.count}}"
    successCondition: result[0] <= 0.01
    failureCondition: result[0] > 0.01
    provider:
      prometheus:
        address: ${prometheus}
        query: sum(rate(http_requests_total{service="{{args.service}}",code="500"}[5m] @ ${AT})) / sum(rate(http_requests_total{service="{{args.service}}"}[5m] @ ${AT}))
`;

/** A canary Rollout paused at its `pause: {}` step (index 1), opted in to metricgate. */
const rollout = (name: string, service: string, extra: { annotations?: Record<string, string>; status?: Record<string, unknown> } = {}): string =>
  JSON.stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {
      name,
      namespace: NS,
      annotations: { 'rollout.argoproj.io/revision': '2', 'metricgate.io/analysis': 'canary-gate', 'metricgate.io/args.service': service, ...extra.annotations },
    },
    spec: { strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }] } } },
    status: {
      phase: 'Paused',
      currentPodHash: `${name}-new`,
      stableRS: `${name}-old`,
      currentStepIndex: 1,
      controllerPause: true,
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }],
      ...extra.status,
    },
  });

let fake: FakeKubeApiServer;
let kube: KubeObjects;
let svc: TestService;

const ro = (name: string): Record<string, unknown> => fake.store.get(RESOURCES.rollouts, NS, name) ?? {};
const roStatus = (name: string): Record<string, unknown> => (ro(name)['status'] ?? {}) as Record<string, unknown>;
const roSpec = (name: string): Record<string, unknown> => (ro(name)['spec'] ?? {}) as Record<string, unknown>;
const patches = (name: string): string[] =>
  fake.accessLog.filter((r) => r.verb === 'patch' && r.resource === 'rollouts' && r.name === name).map((r) => `${r.subresource ?? 'main'} ${r.code}`);
const events = (name: string): Record<string, unknown>[] =>
  fake.store.list(RESOURCES.events, NS).filter((e) => (e['involvedObject'] as { name?: string } | undefined)?.name === name);

async function runsFor(name: string): Promise<AnalysisRun[]> {
  const { json } = await api(svc.url, 'GET', `/api/v1/runs?target=${encodeURIComponent(`argo:${NS}/${name}`)}&limit=100`);
  return (json as { items: AnalysisRun[] }).items;
}

/** Waits until the run for `name` has finished and its verdict has been applied (or skipped). */
async function actuated(name: string): Promise<{ run: AnalysisRun; record: ActuationRecord }> {
  return waitFor(async () => {
    const run = (await runsFor(name)).find((r) => r.metadata.annotations?.[ACTUATION_ANNOTATION]);
    return run ? { run, record: JSON.parse(run.metadata.annotations?.[ACTUATION_ANNOTATION] ?? '{}') as ActuationRecord } : undefined;
  }, `${name} to be actuated`);
}

beforeAll(async () => {
  fake = await FakeKubeApiServer.start({ seed: template(inject('prometheusUrl')) });
  kube = createKubeObjects(fromOptions({ server: fake.url }));
  svc = await startTestService({ redisUrl: inject('redisUrl'), controller: true, kube, env: { METRICGATE_LEASE_NAMESPACE: NS } });
});

afterAll(async () => {
  await svc.stop();
  await fake.close();
});

describe('rollout-step trigger with the Argo target', () => {
  it('given a healthy canary at a pause step, when the analysis succeeds, then the pause is cleared (promoted) with an Event naming the run', async () => {
    fake.store.put(JSON.parse(rollout('checkout', 'checkout')));
    const { run, record } = await actuated('checkout');
    expect(run.status?.phase).toBe('Successful');
    expect(run.metadata.labels).toMatchObject({ 'rollout-type': 'Step', 'step-index': '1', 'rollouts-pod-template-hash': 'checkout-new' });
    expect(run.status?.metricResults.find((m) => m.name === 'error-rate')?.metadata?.['query']).toContain('argo_rollouts_status="canary"');
    expect(record).toMatchObject({ action: 'advance', outcome: 'applied', patches: ['clear-pause-conditions'] });
    expect(roStatus('checkout')['pauseConditions']).toBeUndefined();
    expect(roStatus('checkout')['abort']).toBeUndefined();
    expect(patches('checkout')).toEqual(['status 200']);
    expect(events('checkout').map((e) => [e['reason'], e['type']])).toEqual([['MetricgatePromoted', 'Normal']]);
    expect(String(events('checkout')[0]?.['message'])).toContain(run.metadata.name ?? '?');
  });

  it('given a broken canary, when the analysis fails, then status.abort is set through /status and the Event says why', async () => {
    fake.store.put(JSON.parse(rollout('payments', 'payments')));
    const { run, record } = await actuated('payments');
    expect(run.status?.phase).toBe('Failed');
    expect(record).toMatchObject({ action: 'abort', outcome: 'applied' });
    expect(roStatus('payments')['abort']).toBe(true);
    expect(patches('payments')).toEqual(['status 200']);
    const event = events('payments')[0];
    expect(event?.['type']).toBe('Warning');
    expect(String(event?.['message'])).toContain('error-rate');
  });

  it('given an idle canary, when the analysis is inconclusive, then the rollout stays paused (spec.paused) with the cause', async () => {
    fake.store.put(JSON.parse(rollout('inventory', 'inventory')));
    const { run, record } = await actuated('inventory');
    expect(run.status?.phase).toBe('Inconclusive');
    expect(run.status?.message).toContain('request-floor');
    expect(record).toMatchObject({ action: 'pause', outcome: 'applied' });
    expect(roSpec('inventory')['paused']).toBe(true);
    expect(roStatus('inventory')['abort']).toBeUndefined();
    expect(roStatus('inventory')['pauseConditions']).toEqual([{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }]);
  });

  it('given a policy annotation Failed=pause, when the canary fails, then it is paused instead of aborted (argo-rollouts #2866)', async () => {
    fake.store.put(JSON.parse(rollout('payments-gentle', 'payments', { annotations: { 'metricgate.io/policy': 'Failed=pause' } })));
    const { run, record } = await actuated('payments-gentle');
    expect(run.status?.phase).toBe('Failed');
    expect(record).toMatchObject({ action: 'pause', outcome: 'applied' });
    expect(roSpec('payments-gentle')['paused']).toBe(true);
    expect(roStatus('payments-gentle')['abort']).toBeUndefined();
  });

  it('given repeated watch events for the same step, then exactly one run exists for it', async () => {
    fake.store.put(JSON.parse(rollout('search', 'search', { annotations: { 'metricgate.io/args.count': '4' } })));
    await waitFor(async () => ((await runsFor('search')).length > 0 ? true : undefined), 'a run for search');
    // Touch the object several times: each write is a MODIFIED event for the same step.
    for (let i = 0; i < 5; i++) fake.store.update(RESOURCES.rollouts, NS, 'search', (o) => void ((o['metadata'] as { labels?: unknown }).labels = { touch: String(i) }));
    await actuated('search');
    expect(await runsFor('search')).toHaveLength(1);
  });

  it('given a human promotes during the analysis, then the run is terminated and metricgate writes nothing over it', async () => {
    fake.store.put(JSON.parse(rollout('human', 'checkout', { annotations: { 'metricgate.io/args.count': '30' } })));
    await waitFor(async () => ((await runsFor('human'))[0]?.status?.metricResults[0]?.count ?? 0) >= 1 || undefined, 'the analysis to start measuring');
    // The human's promote, as the plugin writes it, and the controller moving to the next step.
    fake.store.update(RESOURCES.rollouts, NS, 'human', (o) => {
      const s = o['status'] as Record<string, unknown>;
      delete s['pauseConditions'];
      s['currentStepIndex'] = 2;
      s['phase'] = 'Progressing';
    });
    const { run, record } = await actuated('human');
    expect(run.status?.message).toBe('Run Terminated');
    expect(record.outcome).toBe('skipped');
    expect(patches('human')).toEqual([]);
    expect(roStatus('human')['currentStepIndex']).toBe(2);
    expect(roStatus('human')['abort']).toBeUndefined();
  });

  it('given an abort while a step run is in flight, then the run is terminated and nothing is promoted', async () => {
    fake.store.put(JSON.parse(rollout('aborted', 'checkout', { annotations: { 'metricgate.io/args.count': '30' } })));
    await waitFor(async () => ((await runsFor('aborted'))[0]?.status?.metricResults[0]?.count ?? 0) >= 1 || undefined, 'the analysis to start measuring');
    fake.store.update(RESOURCES.rollouts, NS, 'aborted', (o) => void ((o['status'] as Record<string, unknown>)['abort'] = true));
    const { run, record } = await actuated('aborted');
    expect(run.status?.message).toBe('Run Terminated');
    expect(record).toMatchObject({ action: 'advance', outcome: 'skipped' });
    expect(patches('aborted')).toEqual([]);
  });

  it('given a background-mode rollout not at any pause, when its canary fails, then it is aborted at once', async () => {
    fake.store.put(JSON.parse(rollout('payments-bg', 'payments', { annotations: { 'metricgate.io/background': 'true' }, status: { currentStepIndex: 0, pauseConditions: [], controllerPause: false, phase: 'Progressing' } })));
    const { run, record } = await actuated('payments-bg');
    expect(run.metadata.labels?.['rollout-type']).toBe('Background');
    expect(record).toMatchObject({ action: 'abort', outcome: 'applied' });
    expect(roStatus('payments-bg')['abort']).toBe(true);
  });

  it('given a worker died after patching but before recording, when the actuation is retried, then exactly one patch was written', async () => {
    const { run } = await actuated('payments');
    const uid = run.metadata.uid ?? '';
    const before = patches('payments');
    // Replay the crash: the verdict was applied, the record was lost.
    const redis = connectRedis(inject('redisUrl'));
    try {
      const store = new RedisRunStore(redis, { prefix: svc.prefix });
      const stored = await store.get(uid);
      if (!stored) throw new Error('run vanished');
      const { [ACTUATION_ANNOTATION]: _lost, ...rest } = stored.run.metadata.annotations ?? {};
      await store.update(uid, stored.version, { ...stored.run, metadata: { ...stored.run.metadata, annotations: rest } });
      const record = await new Actuator({ store, kube, logger: silentLogger }).apply(uid);
      expect(record).toMatchObject({ action: 'abort', outcome: 'skipped' });
      expect(record?.reason).toMatch(/already aborted/);
    } finally {
      redis.disconnect();
    }
    expect(patches('payments')).toEqual(before);
    expect(patches('payments')).toHaveLength(1);
  });

  it('given a new revision while a step run is in flight, then the old run is terminated and its verdict is not applied', async () => {
    fake.store.put(JSON.parse(rollout('search-rev', 'search', { annotations: { 'metricgate.io/args.count': '30' } })));
    await waitFor(async () => ((await runsFor('search-rev'))[0]?.status?.metricResults[0]?.count ?? 0) >= 1 || undefined, 'the first run to measure');
    fake.store.update(RESOURCES.rollouts, NS, 'search-rev', (o) => {
      const s = o['status'] as Record<string, unknown>;
      s['currentPodHash'] = 'search-rev-newer';
      s['currentStepIndex'] = 0;
      delete s['pauseConditions'];
      s['phase'] = 'Progressing';
    });
    const { run, record } = await actuated('search-rev');
    expect(run.metadata.labels?.['rollouts-pod-template-hash']).toBe('search-rev-new');
    expect(run.status?.message).toBe('Run Terminated');
    expect(record.outcome).toBe('skipped');
    expect(patches('search-rev')).toEqual([]);
  });

  it('every call the controller and workers made is granted by the RBAC in deploy/base, and nothing more is asked for', async () => {
    const used = fake.permissionsUsed();
    expect(used.map((p) => `${p.verb} ${p.group}/${p.resource}`)).toEqual(
      expect.arrayContaining(['list argoproj.io/rollouts', 'watch argoproj.io/rollouts', 'patch argoproj.io/rollouts/status', 'get argoproj.io/analysistemplates', 'create /events', 'create coordination.k8s.io/leases']),
    );
    const rbac = await readFile(join(import.meta.dirname, '../../deploy/base/rbac.yaml'), 'utf8');
    expect(missingPermissions(used, rulesFromYaml(rbac))).toEqual([]);
    // Nothing that deletes or replaces user objects.
    expect(used.filter((p) => p.group === 'argoproj.io' && (p.verb === 'delete' || p.verb === 'update'))).toEqual([]);
  });
});
