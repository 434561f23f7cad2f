/**
 * Nothing lost, nothing duplicated: a worker killed with SIGKILL mid-run, a Redis restart mid-run,
 * and a flood of malformed requests. Real Redis, real worker processes, real Prometheus.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, startRedis, type LocalService } from '../../src/cli/local/processes.js';
import type { AnalysisRun } from '../../src/model/index.js';
import { TOKEN, api, liveRun, spawnWorker, startTestService, uniquePrefix, waitFor, type TestService } from '../support/service.js';

const prometheus = inject('prometheusUrl');

/** Reads a run, tolerating a Redis or API outage (undefined while unreachable). */
async function read(base: string, uid: string): Promise<AnalysisRun | undefined> {
  try {
    const { status, json } = await api(base, 'GET', `/api/v1/runs/${uid}`);
    return status === 200 ? (json as AnalysisRun) : undefined;
  } catch {
    return undefined;
  }
}

function expectExactly(run: AnalysisRun, count: number): void {
  expect(run.status?.phase, run.status?.message).toBe('Successful');
  for (const r of run.status?.metricResults ?? []) {
    expect(r.count, `${run.metadata.name}/${r.name} count`).toBe(count);
    expect(r.measurements, `${run.metadata.name}/${r.name} measurements`).toHaveLength(count);
    expect(r.error).toBe(0);
    const starts = r.measurements.map((m) => Date.parse(m.startedAt ?? ''));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    expect(new Set(starts).size).toBe(count);
  }
}

describe('a worker killed with SIGKILL mid-run', () => {
  it('when one of two worker processes dies then the other finishes every run with exactly its count', async () => {
    const redisUrl = inject('redisUrl');
    const prefix = uniquePrefix();
    const svc = await startTestService({ redisUrl, prefix, worker: false });
    const victim = spawnWorker(redisUrl, prefix);
    const survivor = spawnWorker(redisUrl, prefix);
    try {
      const uids: string[] = [];
      for (let i = 0; i < 30; i++) {
        const { json } = await api(svc.url, 'POST', '/api/v1/runs', liveRun(prometheus, `crash-${i}`, 5));
        uids.push((json as AnalysisRun).metadata.uid ?? '');
      }
      // Kill once the victim has provably done work, so it dies mid-run rather than before starting.
      const victimId = `-${victim.pid}-`;
      await waitFor(async () => {
        const runs = await Promise.all(uids.map((u) => read(svc.url, u)));
        const byVictim = runs.flatMap((r) => r?.status?.metricResults.flatMap((m) => m.measurements) ?? []).filter((m) => m.metadata?.['worker']?.includes(victimId));
        return byVictim.length >= 10 ? true : undefined;
      }, 'the victim worker to record measurements');
      victim.kill('SIGKILL');
      await once(victim, 'exit');
      const runs = await Promise.all(uids.map((u) => waitFor(async () => {
        const r = await read(svc.url, u);
        return r?.status?.completedAt ? r : undefined;
      }, `run ${u}`, 120_000)));
      for (const run of runs) expectExactly(run, 5);
      const workers = new Set(runs.flatMap((r) => r.status?.metricResults.flatMap((m) => m.measurements.map((x) => (x.metadata?.['worker'] ?? '').split('-')[1])) ?? []));
      expect(workers).toEqual(new Set([String(victim.pid), String(survivor.pid)]));
    } finally {
      victim.kill('SIGKILL');
      survivor.kill('SIGTERM');
      const running = (c: typeof victim): boolean => c.exitCode === null && c.signalCode === null;
      await Promise.all([running(victim) ? once(victim, 'exit') : undefined, running(survivor) ? once(survivor, 'exit') : undefined]);
      await svc.stop();
    }
  }, 180_000);
});

describe('SIGTERM drains a worker', () => {
  it('when a worker is told to stop mid-measurement then it finishes and records the measurement, then exits 0', async () => {
    const redisUrl = inject('redisUrl');
    const prefix = uniquePrefix();
    let arrived: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const port = await freePort();
    const slow = createServer((_req, res) => {
      arrived();
      setTimeout(() => res.end(JSON.stringify({ ok: 1 })), 1500);
    });
    await new Promise<void>((r) => slow.listen(port, '127.0.0.1', () => r()));
    const svc = await startTestService({ redisUrl, prefix, worker: false });
    const worker = spawnWorker(redisUrl, prefix);
    try {
      const body = {
        analysisRun: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AnalysisRun',
          metadata: { name: 'drain' },
          spec: { metrics: [{ name: 'slow', successCondition: 'result == 1', provider: { web: { url: `http://127.0.0.1:${port}/ok`, jsonPath: '{$.ok}' } } }] },
        },
      };
      const { json } = await api(svc.url, 'POST', '/api/v1/runs', body);
      const uid = (json as AnalysisRun).metadata.uid ?? '';
      await inFlight;
      worker.kill('SIGTERM');
      const [code] = (await once(worker, 'exit')) as [number | null];
      expect(code).toBe(0);
      const run = await read(svc.url, uid);
      expect(run?.status?.phase).toBe('Successful');
      expect(run?.status?.metricResults[0]?.measurements).toHaveLength(1);
    } finally {
      if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
      slow.close();
      await svc.stop();
    }
  });
});

describe('Redis restarted mid-run', () => {
  let dir: string;
  let port: number;
  let redis: LocalService;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metricgate-restart-'));
    port = await freePort();
    redis = await startRedis({ port, dir, persist: true });
  });
  afterAll(async () => {
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('when Redis goes away and comes back then every run continues and ends with exactly its count', async () => {
    const svc = await startTestService({ redisUrl: redis.url });
    try {
      const uids: string[] = [];
      for (let i = 0; i < 10; i++) {
        const { json } = await api(svc.url, 'POST', '/api/v1/runs', liveRun(prometheus, `restart-${i}`, 6));
        uids.push((json as AnalysisRun).metadata.uid ?? '');
      }
      await waitFor(async () => ((await read(svc.url, uids[0] ?? ''))?.status?.metricResults[0]?.count ?? 0) >= 2 || undefined, 'two measurements');
      await redis.stop();
      await new Promise((r) => setTimeout(r, 1500));
      redis = await startRedis({ port, dir, persist: true });
      const runs = await Promise.all(uids.map((u) => waitFor(async () => {
        const r = await read(svc.url, u);
        return r?.status?.completedAt ? r : undefined;
      }, `run ${u}`, 120_000)));
      for (const run of runs) expectExactly(run, 6);
    } finally {
      await svc.stop();
    }
  }, 180_000);
});

describe('1,000 malformed requests', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ redisUrl: inject('redisUrl'), env: { METRICGATE_WRITE_RATE_LIMIT: '1000000' } });
  });
  afterAll(async () => svc.stop());

  const validTemplate = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'fuzz' },
    spec: { args: [{ name: 'service' }], metrics: [{ name: 'm', interval: '1m', count: 2, successCondition: 'result[0] < 1', provider: { prometheus: { address: 'http://p:9090', query: 'up{service="{{args.service}}"}' } } }] },
  };

  /** One malformed request: method, path, content type, body. */
  const malformed = fc.oneof(
    // Truncated or corrupted JSON.
    fc.tuple(fc.jsonValue(), fc.nat()).map(([v, cut]) => {
      const text = JSON.stringify({ analysisRun: v });
      return { method: 'POST', path: '/api/v1/runs', type: 'application/json', body: text.slice(0, Math.max(1, cut % text.length)) + '}{' };
    }),
    // Valid JSON with wrong shapes or types.
    fc.jsonValue().map((v) => ({ method: 'POST', path: '/api/v1/runs', type: 'application/json', body: JSON.stringify(typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...v, templates: v } : { analysisRun: v }) })),
    // Templates with a field replaced by garbage.
    fc.tuple(fc.constantFrom('interval', 'count', 'successCondition', 'provider', 'name', 'failureLimit'), fc.jsonValue()).map(([field, v]) => ({
      method: 'PUT',
      path: '/api/v1/templates/fuzz',
      type: 'application/json',
      // Wrapped in an object so the value can never happen to be valid for that field.
      body: JSON.stringify({ ...validTemplate, spec: { ...validTemplate.spec, metrics: [{ ...validTemplate.spec.metrics[0], [field]: { garbage: v } }] } }),
    })),
    // Hostile expressions.
    fc.constantFrom('result.constructor', 'constructor.constructor("return process")()', 'result[', '1 +* 2', '__proto__', 'result ? :', 'require("fs")', 'this', "eval('1')", 'x => x').map((expr) => ({
      method: 'POST',
      path: '/api/v1/runs',
      type: 'application/json',
      body: JSON.stringify({ analysisRun: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name: 'x' }, spec: { metrics: [{ name: 'm', successCondition: expr, provider: { prometheus: { address: 'http://p:9090', query: 'up' } } }] } } }),
    })),
    // Bad queries, bad paths, random bytes, YAML bombs.
    fc.string().map((q) => ({ method: 'POST', path: '/api/v1/runs', type: 'application/json', body: JSON.stringify({ analysisRun: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: {}, spec: { metrics: [{ name: 'm', provider: { prometheus: { address: 'http://p:9090', query: `sum(${q}) +` } } }] } } }) })),
    fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => ({ method: 'POST', path: '/api/v1/runs', type: 'application/json', body: Buffer.from(bytes).toString('latin1') })),
    fc.string().map((s) => ({ method: 'GET', path: `/api/v1/runs/${encodeURIComponent(s)}x`, type: undefined, body: undefined })),
    fc.constant({ method: 'PUT', path: '/api/v1/templates/fuzz', type: 'application/yaml', body: 'a: &a [*a, *a]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b]\n' }),
    fc.constant({ method: 'POST', path: '/api/v1/runs', type: 'application/json', body: '['.repeat(20000) + ']'.repeat(20000) }),
    fc.constant({ method: 'POST', path: '/api/v1/runs', type: 'application/json', body: JSON.stringify({ analysisRun: {}, labels: { big: 'x'.repeat(2 * 1024 * 1024) } }) }),
  );

  it('when 1,000 malformed requests arrive then each gets a 4xx with a code, the service stays up and no run is corrupted', async () => {
    const { json } = await api(svc.url, 'POST', '/api/v1/runs', liveRun(prometheus, 'bystander', 3));
    const bystander = (json as AnalysisRun).metadata.uid ?? '';
    const requests = fc.sample(malformed, { numRuns: 1000, seed: 20261126 });
    const outcomes: { status: number; code?: string; req: string }[] = [];
    for (let i = 0; i < requests.length; i += 20) {
      await Promise.all(
        requests.slice(i, i + 20).map(async (r) => {
          const res = await fetch(`${svc.url}${r.path}`, { method: r.method, headers: { authorization: `Bearer ${TOKEN}`, ...(r.type ? { 'content-type': r.type } : {}) }, body: r.body });
          const text = await res.text();
          let code: string | undefined;
          try {
            code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
          } catch {
            code = undefined;
          }
          outcomes.push({ status: res.status, code, req: `${r.method} ${r.path} ${String(r.body).slice(0, 80)}` });
        }),
      );
    }
    const bad = outcomes.filter((o) => o.status < 400 || o.status >= 500 || !o.code?.startsWith('MG_'));
    expect(bad, JSON.stringify(bad.slice(0, 5))).toEqual([]);
    expect(outcomes).toHaveLength(1000);
    expect((await fetch(`${svc.url}/healthz`)).status).toBe(200);
    const run = await waitFor(async () => {
      const r = await read(svc.url, bystander);
      return r?.status?.completedAt ? r : undefined;
    }, 'the bystander run');
    expectExactly(run, 3);
    const listed = (await api(svc.url, 'GET', '/api/v1/runs?limit=500')).json as { items: AnalysisRun[] };
    expect(listed.items.map((r) => r.metadata.uid)).toEqual([bystander]);
  });
});
