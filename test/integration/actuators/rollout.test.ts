/**
 * The Argo RolloutTarget against the fake API server through the real client-node: the patches
 * land exactly as `kubectl argo rollouts` would leave the Rollout, every write is guarded and
 * idempotent, races resolve without undoing a human, each action leaves an Event naming its
 * cause — and the `metricgate promote|abort|pause|retry` commands do the same from a shell.
 * Assertions are on the objects in the fake's store and its access log.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeObjects, RESOURCES, type KubeObjects } from '../../../src/actuators/kube.js';
import { fromOptions } from '../../../src/actuators/kube-config.js';
import { NotFoundError } from '../../../src/actuators/kube-errors.js';
import { ArgoRolloutTarget } from '../../../src/actuators/rollout.js';
import { actOn, type ActionRequest } from '../../../src/actuators/target.js';
import { decideAction, resolveVerdictPolicy } from '../../../src/actuators/verdict.js';
import { DEFAULT_FAKE_RESOURCES, FakeKubeApiServer } from '../../fakes/kube-api-server.js';
import { cli } from '../../support/cli.js';

const NS = 'shop';
const CANARY = '6d4f8c7b9';
const STABLE = '5b8c6d7f4';

/** A canary paused at its `pause: {}` step (index 1), waiting for a verdict. */
const PAUSED_AT_STEP = `
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: checkout
  namespace: shop
  generation: 3
  annotations: {rollout.argoproj.io/revision: "3"}
spec:
  replicas: 4
  strategy:
    canary:
      steps:
      - setWeight: 20
      - pause: {}
      - analysis: {templates: [{templateName: success-rate}]}
      - setWeight: 50
      - pause: {duration: 10m}
status:
  phase: Paused
  message: CanaryPauseStep
  currentPodHash: ${CANARY}
  stableRS: ${STABLE}
  currentStepIndex: 1
  controllerPause: true
  pauseConditions:
  - {reason: CanaryPauseStep, startTime: "2026-01-01T00:00:00Z"}
  canary: {weights: {canary: {weight: 20, podTemplateHash: ${CANARY}}, stable: {weight: 80, podTemplateHash: ${STABLE}}}}
`;

const VERDICT = { runName: `checkout-${CANARY}-3-1`, phase: 'Successful', message: 'Metric "error-rate" assessed Successful: value [0.002] met successCondition "result[0] < 0.01"' } as const;
const AT_PAUSE: ActionRequest = { expect: { podHash: CANARY, revision: '3', stepIndex: 1 }, cause: VERDICT };

let api: FakeKubeApiServer;
let kube: KubeObjects;
let target: ArgoRolloutTarget;

async function startWith(seed: string, resources = DEFAULT_FAKE_RESOURCES): Promise<void> {
  api = await FakeKubeApiServer.start({ seed, resources });
  kube = createKubeObjects(fromOptions({ server: api.url }));
  target = new ArgoRolloutTarget(kube, NS, 'checkout');
  api.accessLog.length = 0;
}

const stored = (): Record<string, unknown> => api.store.get(RESOURCES.rollouts, NS, 'checkout') ?? {};
const status = (): Record<string, unknown> => (stored()['status'] ?? {}) as Record<string, unknown>;
const spec = (): Record<string, unknown> => (stored()['spec'] ?? {}) as Record<string, unknown>;
const meta = (): Record<string, unknown> => (stored()['metadata'] ?? {}) as Record<string, unknown>;
const writes = (): string[] => api.accessLog.filter((r) => r.verb === 'patch').map((r) => `${r.verb} ${r.resource}${r.subresource ? `/${r.subresource}` : ''} ${r.code}`);
const events = (): Record<string, unknown>[] => api.store.list(RESOURCES.events, NS);

/** What the Argo controller does after a pause step's conditions are cleared: move to the next step. */
function controllerAdvances(): void {
  api.store.update(RESOURCES.rollouts, NS, 'checkout', (ro) => {
    const s = ro['status'] as Record<string, unknown>;
    s['currentStepIndex'] = Number(s['currentStepIndex']) + 1;
    s['phase'] = 'Progressing';
    delete s['controllerPause'];
  });
}

afterEach(async () => {
  await api.close();
});

describe('advance: the plugin promote decision tree on a live Rollout', () => {
  beforeEach(() => startWith(PAUSED_AT_STEP));

  it('when paused at a canary pause step then the pause conditions are cleared on /status and nothing else changes', async () => {
    const before = stored();
    const result = await target.advance(AT_PAUSE);
    expect(result).toMatchObject({ action: 'advance', outcome: 'applied', attempts: 1 });
    expect(result.patches).toEqual([
      { name: 'clear-pause-conditions', strategy: 'merge', subresource: 'status', body: { status: { pauseConditions: null } }, resourceVersion: meta()['resourceVersion'] },
    ]);
    expect(status()['pauseConditions']).toBeUndefined();
    expect(status()['currentStepIndex']).toBe(1);
    expect(status()['controllerPause']).toBe(true);
    expect(spec()).toEqual(before['spec']);
    expect(meta()['generation']).toBe(3);
    expect(writes()).toEqual(['patch rollouts/status 200']);
  });

  it('when applied twice then it writes once: the second finds the pause already cleared', async () => {
    await target.advance(AT_PAUSE);
    const rv = meta()['resourceVersion'];
    const again = await target.advance(AT_PAUSE);
    expect(again.outcome).toBe('skipped');
    expect(again.reason).toContain('no longer paused at step 1');
    expect(meta()['resourceVersion']).toBe(rv);
    expect(writes()).toHaveLength(1);
    expect(events()).toHaveLength(1);
  });

  it('when the controller has already moved to the next step then a repeated verdict is skipped', async () => {
    await target.advance(AT_PAUSE);
    controllerAdvances();
    const again = await target.advance(AT_PAUSE);
    expect(again).toMatchObject({ outcome: 'skipped', reason: 'the rollout is at step 2, the analysis judged step 1: someone already moved it' });
    expect(status()['currentStepIndex']).toBe(2);
  });

  it('when an analysis step is running and the verdict says skip it then the step index moves on', async () => {
    api.store.update(RESOURCES.rollouts, NS, 'checkout', (ro) => {
      ro['status'] = { ...(ro['status'] as object), currentStepIndex: 2, phase: 'Progressing', controllerPause: false, pauseConditions: null };
    });
    const result = await target.advance({ expect: { podHash: CANARY, stepIndex: 2, paused: false }, cause: VERDICT });
    expect(result.outcome).toBe('applied');
    expect(result.patches.map((p) => p.body)).toEqual([{ status: { pauseConditions: null, currentStepIndex: 3 } }]);
    expect(status()['currentStepIndex']).toBe(3);
    // The step index moved, so the same verdict again is a no-op.
    expect((await target.advance({ expect: { podHash: CANARY, stepIndex: 2, paused: false }, cause: VERDICT })).outcome).toBe('skipped');
  });

  it('when a step analysis was Inconclusive then controllerPause is cleared and the step index moves past it (#3015)', async () => {
    api.store.update(RESOURCES.rollouts, NS, 'checkout', (ro) => {
      ro['status'] = {
        ...(ro['status'] as object),
        currentStepIndex: 2,
        pauseConditions: [{ reason: 'InconclusiveAnalysisRun', startTime: '2026-01-01T00:05:00Z' }],
        controllerPause: true,
        canary: { currentStepAnalysisRunStatus: { name: `checkout-${CANARY}-3-2`, status: 'Inconclusive' } },
      };
    });
    const result = await target.advance({ expect: { podHash: CANARY, stepIndex: 2 }, cause: { runName: 'human-review', phase: 'Successful' } });
    expect(result.patches.map((p) => p.name)).toEqual(['clear-pause-conditions-and-controller-pause']);
    expect(status()).toMatchObject({ controllerPause: false, currentStepIndex: 3 });
    expect(status()['pauseConditions']).toBeUndefined();
  });

  it('when also paused by a user then the status patch goes first, then spec.paused=false', async () => {
    api.store.update(RESOURCES.rollouts, NS, 'checkout', (ro) => {
      (ro['spec'] as Record<string, unknown>)['paused'] = true;
    });
    const generation = meta()['generation'] as number;
    const result = await target.advance(AT_PAUSE);
    expect(result.patches.map((p) => `${p.name}${p.subresource ? '/status' : ''}`)).toEqual(['clear-pause-conditions/status', 'unpause']);
    expect(spec()['paused']).toBe(false);
    expect(status()['pauseConditions']).toBeUndefined();
    expect(meta()['generation']).toBe(generation + 1);
  });

  it('when promoted fully then status.promoteFull is set', async () => {
    const result = await target.advance({ ...AT_PAUSE, full: true });
    expect(result.patches.map((p) => p.body)).toEqual([{ status: { promoteFull: true } }]);
    expect(status()['promoteFull']).toBe(true);
    expect((await target.advance({ full: true })).reason).toBe('already fully promoted: nothing to promote');
  });
});

describe('abort, pause, retry', () => {
  beforeEach(() => startWith(PAUSED_AT_STEP));

  it('when aborted then status.abort=true is written on /status and spec is untouched', async () => {
    const before = stored();
    const result = await target.abort({ expect: { podHash: CANARY, stepIndex: 1 }, cause: { runName: VERDICT.runName, phase: 'Failed', message: 'Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)' } });
    expect(result).toMatchObject({ action: 'abort', outcome: 'applied', reason: 'aborted (status.abort=true): abort on /status' });
    expect(status()['abort']).toBe(true);
    expect(spec()).toEqual(before['spec']);
    expect(meta()['generation']).toBe(3);
    expect(api.accessLog.filter((r) => r.verb === 'patch')).toEqual([expect.objectContaining({ resource: 'rollouts', subresource: 'status', contentType: 'application/merge-patch+json', code: 200 })]);
  });

  it('when aborted twice then the second writes nothing', async () => {
    await target.abort(AT_PAUSE);
    const rv = meta()['resourceVersion'];
    const again = await target.abort(AT_PAUSE);
    expect(again).toMatchObject({ outcome: 'skipped', reason: 'already aborted (status.abort is true)', patches: [] });
    expect(meta()['resourceVersion']).toBe(rv);
    expect(writes()).toEqual(['patch rollouts/status 200']);
    // Once the controller has reacted (step index reset to 0), a retried job still reads "already aborted".
    api.store.update(RESOURCES.rollouts, NS, 'checkout', (ro) => void ((ro['status'] as Record<string, unknown>)['currentStepIndex'] = 0));
    expect((await target.abort(AT_PAUSE)).reason).toBe('already aborted (status.abort is true)');
  });

  it('when the Rollout CRD has no status subresource then abort falls back to the main resource, as the plugin does', async () => {
    await api.close();
    await startWith(
      PAUSED_AT_STEP,
      DEFAULT_FAKE_RESOURCES.map((r) => (r.plural === 'rollouts' ? { ...r, statusSubresource: false } : r)),
    );
    const result = await target.abort();
    expect(result.outcome).toBe('applied');
    expect(result.patches).toEqual([expect.objectContaining({ name: 'abort', body: { status: { abort: true } } })]);
    expect(result.patches[0]?.subresource).toBeUndefined();
    expect(writes()).toEqual(['patch rollouts/status 404', 'patch rollouts 200']);
    expect(status()['abort']).toBe(true);
  });

  it('when paused then spec.paused=true is written on the main resource, once', async () => {
    const result = await target.pause({ cause: { runName: VERDICT.runName, phase: 'Inconclusive' } });
    expect(result.patches).toEqual([expect.objectContaining({ name: 'pause', body: { spec: { paused: true } } })]);
    expect(spec()['paused']).toBe(true);
    expect(meta()['generation']).toBe(4);
    expect((await target.pause()).outcome).toBe('skipped');
    expect(writes()).toEqual(['patch rollouts 200']);
  });

  it('when an aborted rollout is retried then status.abort=false; retrying a healthy one writes nothing', async () => {
    await target.abort();
    const result = await target.retry({ cause: { requestedBy: 'on-call' } });
    expect(result.patches).toEqual([expect.objectContaining({ name: 'retry', subresource: 'status', body: { status: { abort: false } } })]);
    expect(status()['abort']).toBe(false);
    expect(await target.retry()).toMatchObject({ outcome: 'skipped', reason: 'not aborted (status.abort is not true); nothing to retry' });
  });

  it('when a verdict is applied through the policy then the action follows it, and none writes nothing', async () => {
    const failedToPause = resolveVerdictPolicy({ Failed: 'pause' });
    const paused = await actOn(target, decideAction('Failed', failedToPause).action, AT_PAUSE);
    expect(paused.action).toBe('pause');
    expect(spec()['paused']).toBe(true);
    const none = await actOn(target, decideAction('Failed', resolveVerdictPolicy({ Failed: 'none' })).action, AT_PAUSE);
    expect(none).toMatchObject({ action: 'none', outcome: 'skipped', attempts: 0 });
    expect(writes()).toHaveLength(1);
  });
});

describe('guards and races', () => {
  beforeEach(() => startWith(PAUSED_AT_STEP));

  it('when a human promoted between the decision and the write then the verdict is skipped, not undone', async () => {
    // The human's promote lands right before ours: our write is refused (409), the re-read
    // shows the rollout already past the judged step, so nothing more is written.
    const human = new ArgoRolloutTarget(kube, NS, 'checkout');
    api.beforeNext({ verb: 'patch', subresource: 'status' }, async () => {
      await human.advance({ cause: { requestedBy: 'a human' } });
      controllerAdvances();
    });
    const result = await target.advance(AT_PAUSE);
    expect(result).toMatchObject({ outcome: 'skipped', attempts: 2, reason: 'the rollout is at step 2, the analysis judged step 1: someone already moved it' });
    expect(status()['currentStepIndex']).toBe(2);
    // Arrival order: ours arrived first (and lost), the human's landed in between.
    expect(writes()).toEqual(['patch rollouts/status 409', 'patch rollouts/status 200']);
  });

  it('when a human fully promoted before an abort verdict then the abort is skipped', async () => {
    api.store.update(RESOURCES.rollouts, NS, 'checkout', (ro) => {
      ro['status'] = { ...(ro['status'] as object), stableRS: CANARY, currentStepIndex: 5, pauseConditions: null, phase: 'Healthy' };
    });
    const result = await target.abort({ expect: { podHash: CANARY }, cause: { runName: VERDICT.runName, phase: 'Failed' } });
    expect(result).toMatchObject({ outcome: 'skipped', reason: `the rollout is already fully promoted (stable pod hash ${CANARY})` });
    expect(status()['abort']).toBeUndefined();
  });

  it('when a new revision started before the verdict landed then nothing is written', async () => {
    api.store.update(RESOURCES.rollouts, NS, 'checkout', (ro) => {
      (ro['status'] as Record<string, unknown>)['currentPodHash'] = '7f9e1a2b3';
    });
    const result = await target.abort(AT_PAUSE);
    expect(result).toMatchObject({ outcome: 'skipped', reason: `the rollout moved on to pod hash 7f9e1a2b3; the analysis judged ${CANARY}` });
    expect(writes()).toEqual([]);
  });

  it('when the rollout was aborted after the analysis started then advance is skipped', async () => {
    await target.abort();
    expect((await target.advance(AT_PAUSE)).reason).toBe('the rollout is aborted; retry it first');
  });

  it('when an unrelated write races ours then the 409 is followed by a re-read and the action still lands', async () => {
    api.beforeNext({ verb: 'patch', subresource: 'status' }, () =>
      api.store.update(RESOURCES.rollouts, NS, 'checkout', (ro) => {
        (ro['status'] as Record<string, unknown>)['message'] = 'controller heartbeat';
      }),
    );
    const result = await target.abort({ expect: { podHash: CANARY, stepIndex: 1 }, cause: { runName: VERDICT.runName, phase: 'Error' } });
    expect(result).toMatchObject({ outcome: 'applied', attempts: 2 });
    expect(status()).toMatchObject({ abort: true, message: 'controller heartbeat' });
    expect(writes()).toEqual(['patch rollouts/status 409', 'patch rollouts/status 200']);
  });

  it('when conflicts never stop then the action fails after the bounded attempts, having written nothing', async () => {
    const impatient = new ArgoRolloutTarget(kube, NS, 'checkout', { maxAttempts: 3 });
    for (let i = 0; i < 3; i++) {
      api.beforeNext({ verb: 'patch' }, () => api.store.update(RESOURCES.rollouts, NS, 'checkout', (ro) => void ((ro['status'] as Record<string, unknown>)['message'] = `tick ${i}`)));
    }
    const result = await impatient.pause();
    expect(result).toMatchObject({ outcome: 'failed', attempts: 3, error: { code: 'Conflict', status: 409 } });
    expect(spec()['paused']).toBeUndefined();
  });

  it('when the spec half of a two-part promote conflicts then only the spec half is retried', async () => {
    api.store.update(RESOURCES.rollouts, NS, 'checkout', (ro) => void ((ro['spec'] as Record<string, unknown>)['paused'] = true));
    api.beforeNext({ verb: 'patch', subresource: null }, () => api.store.update(RESOURCES.rollouts, NS, 'checkout', (ro) => void ((ro['status'] as Record<string, unknown>)['message'] = 'reconciled')));
    const result = await target.advance(AT_PAUSE);
    expect(result).toMatchObject({ outcome: 'applied', attempts: 2 });
    expect(result.patches.map((p) => p.name)).toEqual(['clear-pause-conditions', 'unpause']);
    expect(status()['currentStepIndex']).toBe(1);
    expect(spec()['paused']).toBe(false);
  });

  it('when a new revision appears between the two halves of a promote then the second half is not sent', async () => {
    api.store.update(RESOURCES.rollouts, NS, 'checkout', (ro) => void ((ro['spec'] as Record<string, unknown>)['paused'] = true));
    api.beforeNext({ verb: 'patch', subresource: null }, () => api.store.update(RESOURCES.rollouts, NS, 'checkout', (ro) => void ((ro['status'] as Record<string, unknown>)['currentPodHash'] = 'c0ffee123')));
    const result = await target.advance(AT_PAUSE);
    expect(result).toMatchObject({ outcome: 'applied', attempts: 2 });
    expect(result.reason).toBe(`promoted partly (clear-pause-conditions on /status); stopped: the rollout moved on to pod hash c0ffee123; the analysis judged ${CANARY}`);
    expect(spec()['paused']).toBe(true);
  });

  it('when the API server refuses the write then the result is failed with the typed error', async () => {
    api.failNext({ verb: 'patch' }, { code: 403, reason: 'Forbidden', message: 'rollouts.argoproj.io "checkout" is forbidden: User "system:serviceaccount:mg:worker" cannot patch resource "rollouts/status"' });
    const result = await target.abort();
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'Forbidden', status: 403 } });
    expect(result.reason).toContain('cannot patch resource "rollouts/status"');
  });

  it('when the Rollout does not exist then state() throws NotFoundError and actions fail naming it', async () => {
    const missing = new ArgoRolloutTarget(kube, NS, 'nope');
    await expect(missing.state()).rejects.toBeInstanceOf(NotFoundError);
    expect(await missing.abort()).toMatchObject({ outcome: 'failed', error: { code: 'NotFound', message: 'Rollout shop/nope not found' } });
  });

  it('when state() is read then it reports what the decisions use', async () => {
    expect(await target.state()).toMatchObject({
      namespace: NS,
      name: 'checkout',
      revision: '3',
      strategy: 'canary',
      stepCount: 5,
      paused: false,
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }],
      controllerPause: true,
      currentStepIndex: 1,
      currentPodHash: CANARY,
      stableRS: STABLE,
      abort: false,
      phase: 'Paused',
      message: 'CanaryPauseStep',
    });
  });
});

describe('events and RBAC', () => {
  beforeEach(() => startWith(PAUSED_AT_STEP));

  it('when an action is applied then an Event on the Rollout names the run and its verdict', async () => {
    const result = await target.abort({ expect: { podHash: CANARY }, cause: { runName: VERDICT.runName, phase: 'Failed', message: 'Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)' } });
    const [event] = events();
    expect(result.event?.name).toBe((event?.['metadata'] as { name: string }).name);
    expect(event).toMatchObject({
      involvedObject: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'checkout', namespace: NS, uid: meta()['uid'] },
      reason: 'MetricgateAborted',
      type: 'Warning',
      action: 'Abort',
      source: { component: 'metricgate' },
      message: `Aborted by metricgate (status.abort=true) because AnalysisRun "${VERDICT.runName}" ended Failed: Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)`,
    });
    await target.advance({ cause: VERDICT });
    expect(events().map((e) => [e['reason'], e['type']])).toEqual(expect.arrayContaining([['MetricgatePromoted', 'Normal']]));
  });

  it('when recording the Event fails then the action still stands and the result says why', async () => {
    api.failNext({ verb: 'create', resource: 'events' }, { code: 403, reason: 'Forbidden', message: 'events is forbidden' });
    const result = await target.pause();
    expect(result.outcome).toBe('applied');
    expect(result.event?.error).toContain('events is forbidden');
    expect(spec()['paused']).toBe(true);
  });

  it('when every action runs then the permissions used are exactly these (for deploy/ RBAC)', async () => {
    await target.state();
    await target.advance({ cause: VERDICT });
    await target.pause();
    await target.abort();
    await target.retry();
    expect(api.permissionsUsed()).toEqual([
      { verb: 'create', group: '', resource: 'events' },
      { verb: 'get', group: 'argoproj.io', resource: 'rollouts' },
      { verb: 'patch', group: 'argoproj.io', resource: 'rollouts' },
      { verb: 'patch', group: 'argoproj.io', resource: 'rollouts/status' },
    ]);
  });
});

describe('metricgate promote | abort | pause | retry', () => {
  let dir: string;
  let kubeconfig: string;

  beforeEach(async () => {
    await startWith(PAUSED_AT_STEP);
    dir = await mkdtemp(join(tmpdir(), 'metricgate-kube-'));
    kubeconfig = join(dir, 'config');
    await writeFile(kubeconfig, api.kubeconfig({ namespace: NS }));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when promote is run then the pause step is cleared, with the namespace from the context', async () => {
    const out = await cli(['promote', 'checkout', '--kubeconfig', kubeconfig]);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout).toBe("rollout 'checkout' in shop promoted (clear-pause-conditions): clear-pause-conditions on /status\n");
    expect(status()['pauseConditions']).toBeUndefined();
    expect(events()[0]?.['message']).toBe('Promoted by metricgate (clear-pause-conditions) because requested by metricgate CLI');
  });

  it('when promote --full is run then status.promoteFull is set', async () => {
    expect((await cli(['promote', 'checkout', '--full', '-n', NS, '--kubeconfig', kubeconfig])).code).toBe(0);
    expect(status()['promoteFull']).toBe(true);
  });

  it('when abort -o json is run then status.abort is set and the result is printed', async () => {
    const out = await cli(['abort', 'checkout', '-n', NS, '--kubeconfig', kubeconfig, '-o', 'json']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ action: 'abort', outcome: 'applied', target: { kind: 'argo', namespace: NS, name: 'checkout' } });
    expect(status()['abort']).toBe(true);
  });

  it('when pause then retry are run then spec.paused and status.abort follow, and a repeat says unchanged', async () => {
    expect((await cli(['pause', 'checkout', '--kubeconfig', kubeconfig])).code).toBe(0);
    expect(spec()['paused']).toBe(true);
    const again = await cli(['pause', 'checkout', '--kubeconfig', kubeconfig]);
    expect(again).toMatchObject({ code: 0, stdout: "rollout 'checkout' in shop unchanged: already paused (spec.paused is true)\n" });
    await cli(['abort', 'checkout', '--kubeconfig', kubeconfig]);
    expect((await cli(['retry', 'checkout', '--kubeconfig', kubeconfig])).code).toBe(0);
    expect(status()['abort']).toBe(false);
  });

  it('when the Rollout does not exist then exit 1 and the message names namespace/name', async () => {
    const out = await cli(['abort', 'nope', '-n', 'payments', '--kubeconfig', kubeconfig]);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe('error: abort payments/nope: Rollout payments/nope not found\n');
  });

  it('when the API server is unreachable then exit 69', async () => {
    await api.close();
    const out = await cli(['promote', 'checkout', '--kubeconfig', kubeconfig]);
    expect(out.code).toBe(69);
    expect(out.stderr).toContain('cannot reach the Kubernetes API server');
    api = await FakeKubeApiServer.start();
  });

  it.each([
    [['promote'], 'a missing rollout name'],
    [['abort', 'a', 'b'], 'an extra argument'],
    [['pause', 'checkout', '--output', 'yaml'], 'an unknown output format'],
    [['retry', 'checkout', '--context', 'nowhere'], 'an unknown context'],
    [['retry', 'checkout', '--kubeconfig', '/nonexistent/config'], 'a missing kubeconfig file'],
    [['promote', 'checkout', '--bogus'], 'an unknown flag'],
  ])('when run with %j (%s) then exit 64 and nothing is written', async (argv, _why) => {
    const args = argv.includes('--kubeconfig') ? argv : [...argv, '--kubeconfig', kubeconfig];
    const out = await cli(args);
    expect(out.code).toBe(64);
    expect(writes()).toEqual([]);
  });

  it('when no kubeconfig exists anywhere then exit 69', async () => {
    const out = await cli(['pause', 'checkout'], { env: { HOME: dir } });
    expect(out.code).toBe(69);
    expect(out.stderr).toContain('no kubeconfig found');
  });

  it('when KUBECONFIG names the file then it is used', async () => {
    const out = await cli(['pause', 'checkout'], { env: { KUBECONFIG: kubeconfig, HOME: dir } });
    expect(out.code).toBe(0);
    expect(spec()['paused']).toBe(true);
  });
});
