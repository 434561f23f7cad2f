/**
 * The RunStore / TemplateStore contract, run against every implementation (in-memory and Redis)
 * by their own test files. Excluded from direct runs by vitest.config.ts.
 */
import { describe, expect, it } from 'vitest';
import { mutateRun, type RunStore, type TemplateStore } from '../../src/engine/index.js';
import type { AnalysisPhase, AnalysisRun, AnalysisTemplate } from '../../src/model/index.js';

export interface StoreFactory {
  runs(): Promise<RunStore>;
  templates(): Promise<TemplateStore>;
}

let seq = 0;
export function sampleRun(overrides: { phase?: AnalysisPhase; labels?: Record<string, string>; target?: string; created?: number } = {}): AnalysisRun {
  seq++;
  const uid = `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name: `run-${seq}`,
      uid,
      creationTimestamp: new Date(overrides.created ?? Date.UTC(2026, 0, 1) + seq * 1000).toISOString(),
      labels: overrides.labels,
      annotations: overrides.target ? { 'metricgate.io/target': overrides.target } : undefined,
    },
    spec: { metrics: [{ name: 'm', provider: { prometheus: { query: 'up' } } }] },
    status: { phase: overrides.phase ?? 'Running', metricResults: [] },
  };
}

const withPhase = (run: AnalysisRun, phase: AnalysisPhase): AnalysisRun => ({ ...run, status: { phase, metricResults: run.status?.metricResults ?? [] } });

export function runStoreContract(name: string, factory: StoreFactory): void {
  describe(`${name}: RunStore contract`, () => {
    it('when a run is created then it reads back identically at version 1', async () => {
      const store = await factory.runs();
      const run = sampleRun();
      const { created, stored } = await store.create(run);
      expect(created).toBe(true);
      expect(stored.version).toBe(1);
      expect((await store.get(run.metadata.uid ?? ''))?.run).toEqual(run);
    });

    it('when the same uid is created twice then the second is a no-op returning the first', async () => {
      const store = await factory.runs();
      const run = sampleRun();
      await store.create(run);
      const again = await store.create({ ...run, metadata: { ...run.metadata, name: 'other' } });
      expect(again.created).toBe(false);
      expect(again.stored.run.metadata.name).toBe(run.metadata.name);
    });

    it('when updating with the current version then it writes and bumps; with a stale one it refuses', async () => {
      const store = await factory.runs();
      const run = sampleRun();
      const uid = run.metadata.uid ?? '';
      await store.create(run);
      const v2 = await store.update(uid, 1, withPhase(run, 'Successful'));
      expect(v2?.version).toBe(2);
      expect(await store.update(uid, 1, withPhase(run, 'Failed'))).toBeUndefined();
      expect((await store.get(uid))?.run.status?.phase).toBe('Successful');
      expect(await store.update('no-such-run', 1, run)).toBeUndefined();
    });

    it('when 25 writers race on one run then every change lands exactly once', async () => {
      const store = await factory.runs();
      const run = sampleRun();
      const uid = run.metadata.uid ?? '';
      await store.create(run);
      await Promise.all(
        Array.from({ length: 25 }, () =>
          mutateRun(store, uid, ({ run: r }) => ({ ...r, metadata: { ...r.metadata, labels: { n: String(Number(r.metadata.labels?.['n'] ?? '0') + 1) } } })),
        ),
      );
      const final = await store.get(uid);
      expect(final?.run.metadata.labels?.['n']).toBe('25');
      expect(final?.version).toBe(26);
    });

    it('when listing then runs come newest first, pages have no gaps or duplicates, and filters apply', async () => {
      const store = await factory.runs();
      const runs = Array.from({ length: 37 }, (_, i) => sampleRun({ phase: i % 3 === 0 ? 'Failed' : 'Running', labels: { team: i % 2 ? 'a' : 'b' }, target: i === 5 ? 'argo:shop/checkout' : undefined }));
      for (const r of runs) await store.create(r);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({ limit: 10, cursor });
        seen.push(...page.items.map((r) => r.metadata.uid ?? ''));
        cursor = page.nextCursor;
      } while (cursor);
      const mine = seen.filter((u) => runs.some((r) => r.metadata.uid === u));
      expect(mine).toEqual([...runs].reverse().map((r) => r.metadata.uid));
      const failed = await store.list({ phase: 'Failed', limit: 100 });
      expect(failed.items.filter((r) => runs.includes(runs.find((x) => x.metadata.uid === r.metadata.uid) as AnalysisRun)).length).toBe(13);
      expect(failed.items.every((r) => r.status?.phase === 'Failed')).toBe(true);
      const teamA = await store.list({ labels: { team: 'a' }, limit: 100 });
      expect(teamA.items.every((r) => r.metadata.labels?.['team'] === 'a')).toBe(true);
      const target = await store.list({ target: 'argo:shop/checkout' });
      expect(target.items.map((r) => r.metadata.uid)).toContain(runs[5]?.metadata.uid);
    });

    it('when a target’s running runs are asked for then only its running runs come back, and finished ones drop out', async () => {
      const store = await factory.runs();
      const target = `argo:shop/t-${seq}`;
      const a = sampleRun({ phase: 'Running', target });
      const b = sampleRun({ phase: 'Running', target });
      const other = sampleRun({ phase: 'Running', target: `${target}-other` });
      for (const r of [a, b, other]) await store.create(r);
      const uids = async (): Promise<(string | undefined)[]> => (await store.list({ phase: 'Running', target })).items.map((r) => r.metadata.uid).sort();
      expect(await uids()).toEqual([a.metadata.uid, b.metadata.uid].sort());
      await store.update(a.metadata.uid ?? '', 1, withPhase(a, 'Successful'));
      expect(await uids()).toEqual([b.metadata.uid]);
    });

    it('when a run changes phase then the phase index and counts follow', async () => {
      const store = await factory.runs();
      const run = sampleRun({ phase: 'Running' });
      const uid = run.metadata.uid ?? '';
      await store.create(run);
      const before = await store.countByPhase();
      await store.update(uid, 1, withPhase(run, 'Inconclusive'));
      const after = await store.countByPhase();
      expect((after.Inconclusive ?? 0) - (before.Inconclusive ?? 0)).toBe(1);
      expect((before.Running ?? 0) - (after.Running ?? 0)).toBe(1);
      const page = await store.list({ phase: 'Inconclusive', limit: 500 });
      expect(page.items.map((r) => r.metadata.uid)).toContain(uid);
      expect((await store.list({ phase: 'Running', limit: 500 })).items.map((r) => r.metadata.uid)).not.toContain(uid);
    });
  });

  describe(`${name}: TemplateStore contract`, () => {
    const template = (name: string, kind: AnalysisTemplate['kind'] = 'AnalysisTemplate'): AnalysisTemplate => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind,
      metadata: { name },
      spec: { metrics: [{ name: 'm', provider: { prometheus: { query: 'up' } } }] },
    });
    it('when templates are put, read, listed and deleted then each call reports what happened', async () => {
      const store = await factory.templates();
      expect(await store.put(template('a'))).toBe(false);
      expect(await store.put(template('a'))).toBe(true);
      await store.put(template('a', 'ClusterAnalysisTemplate'));
      expect((await store.get('AnalysisTemplate', 'a'))?.metadata.name).toBe('a');
      expect(await store.get('AnalysisTemplate', 'missing')).toBeUndefined();
      expect((await store.list()).map((t) => `${t.kind}/${t.metadata.name}`)).toEqual(['AnalysisTemplate/a', 'ClusterAnalysisTemplate/a']);
      expect(await store.delete('AnalysisTemplate', 'a')).toBe(true);
      expect(await store.delete('AnalysisTemplate', 'a')).toBe(false);
    });
  });
}
