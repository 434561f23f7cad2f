/**
 * @module test/integration/queries-templates.test
 * The ready-made AnalysisTemplates in queries/templates give the verdicts their README promises:
 * the Prometheus ones through `metricgate run` against the real test Prometheus over the
 * generated dataset (checkout healthy, payments broken, search breaking at 01:00, inventory idle),
 * the Datadog ones against the Datadog fake with healthy, broken and idle fixtures.
 */
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { AnalysisPhase, AnalysisRun } from '../../src/model/index.js';
import { fixtures, queryTexts, useDatadogFake } from '../fakes/datadog-server.js';
import { cli } from '../support/cli.js';

const TEMPLATES = join(import.meta.dirname, '../../queries/templates');
const EXIT: Readonly<Record<string, number>> = { Successful: 0, Failed: 1, Inconclusive: 2, Error: 3 };

async function run(file: string, args: Record<string, string>, at: string, env: Record<string, string> = {}): Promise<AnalysisRun> {
  const argv = ['run', join(TEMPLATES, file), '--at', at, '--output', 'json', ...Object.entries(args).flatMap(([k, v]) => ['--arg', `${k}=${v}`])];
  const out = await cli(argv, { env });
  expect(out.stderr).toBe('');
  const result = JSON.parse(out.stdout) as AnalysisRun;
  expect(out.code, result.status?.message).toBe(EXIT[result.status?.phase ?? 'Error']);
  return result;
}

describe('Prometheus templates on the test dataset (real Prometheus)', () => {
  const prometheus = inject('prometheusUrl');
  const namespace = 'shop';
  /** The template's identifying args for one service of the dataset. */
  const target: Record<string, (service: string) => Record<string, string>> = {
    'istio-canary-gate.yaml': (s) => ({ namespace, service: s }),
    'nginx-canary-gate.yaml': (s) => ({ namespace, ingress: `${s}-${s}-canary`, workload: s }),
    'gateway-api-canary-gate.yaml': (s) => ({ cluster: `${namespace}_${s}-canary_80` }),
    'spring-canary-gate.yaml': (s) => ({ namespace, application: s }),
    'http-success-rate-gate.yaml': (s) => ({ namespace, service: s }),
    'kubernetes-saturation-gate.yaml': (s) => ({ namespace, workload: s }),
  };
  const traffic = ['istio-canary-gate.yaml', 'nginx-canary-gate.yaml', 'gateway-api-canary-gate.yaml', 'spring-canary-gate.yaml', 'http-success-rate-gate.yaml'];
  const cases: [string, string, string, AnalysisPhase][] = [
    ...traffic.flatMap((t): [string, string, string, AnalysisPhase][] => [
      [t, 'checkout', '00:30', 'Successful'],
      [t, 'payments', '00:30', 'Failed'],
      [t, 'inventory', '00:30', 'Inconclusive'],
      [t, 'search', '00:50', 'Successful'],
      [t, 'search', '00:58', 'Failed'],
    ]),
    ['kubernetes-saturation-gate.yaml', 'checkout', '00:30', 'Successful'],
    ['kubernetes-saturation-gate.yaml', 'payments', '00:30', 'Failed'],
    ['kubernetes-saturation-gate.yaml', 'inventory', '00:30', 'Successful'],
    ['kubernetes-saturation-gate.yaml', 'search', '00:50', 'Successful'],
    ['kubernetes-saturation-gate.yaml', 'search', '01:10', 'Failed'],
  ];

  it.each(cases)('when %s judges the %s canary from %s then the run is %s', async (file, service, at, phase) => {
    const targetArgs = target[file]?.(service) ?? {};
    const result = await run(file, { ...targetArgs, 'prometheus-address': prometheus }, `2026-01-01T${at}:00Z`);
    expect(result.status?.phase, result.status?.message).toBe(phase);
  });

  it('when the idle canary is judged then every traffic metric says why: too few requests, no data for the ratios', async () => {
    const result = await run('istio-canary-gate.yaml', { namespace, service: 'inventory', 'prometheus-address': prometheus }, '2026-01-01T00:30:00Z');
    const byName = Object.fromEntries((result.status?.metricResults ?? []).map((r) => [r.name, r]));
    expect(byName['request-floor']?.phase).toBe('Inconclusive');
    expect(Number(byName['request-floor']?.measurements[0]?.value?.replace(/[[\]]/g, ''))).toBeLessThan(100);
    expect(byName['success-rate']?.measurements[0]?.value).toBe('[]');
    expect(byName['success-rate']?.phase).toBe('Inconclusive');
  });

  it('when the nginx gate runs then ingress metrics stay unscoped and the restart metric is scoped to the canary', async () => {
    const result = await run('nginx-canary-gate.yaml', { namespace, ingress: 'checkout-checkout-canary', workload: 'checkout', 'prometheus-address': prometheus }, '2026-01-01T00:30:00Z');
    const first = (name: string) => result.status?.metricResults.find((r) => r.name === name)?.metadata;
    expect(first('error-rate')?.['scope']).toBe('none');
    expect(first('error-rate')?.['query']).not.toContain('argo_rollouts_status');
    expect(first('restarts')?.['scope']).toBe('canary');
    expect(first('restarts')?.['query']).toContain('argo_rollouts_status="canary"');
  });
});

describe('Datadog templates against the Datadog fake', () => {
  const dd = useDatadogFake();

  /** What the fake answers per kind of query, for one scenario. */
  interface Scenario {
    readonly requests: number | null;
    readonly ratio: number | null;
    readonly latency: number | null;
    readonly restarts: number | null;
    readonly throttling: number | null;
  }
  const HEALTHY: Scenario = { requests: 1500, ratio: 0.002, latency: 0.2, restarts: 0, throttling: 0.02 };
  const BROKEN: Scenario = { requests: 1200, ratio: 0.08, latency: 0.9, restarts: 3, throttling: 0.4 };
  /** Few requests: the ratio formulas are null below min-requests (cutoff_min), latency is noise. */
  const IDLE: Scenario = { requests: 6, ratio: null, latency: 0.1, restarts: 0, throttling: null };

  /** Routes each query to the scenario's value by what it measures; success rates are 1 - ratio. */
  function answer(s: Scenario): void {
    const value = (v: number | null) => (v === null ? fixtures.empty() : fixtures.value(v));
    dd().on(() => true, fixtures.badRequest('no fixture'));
    dd().on((r) => queryTexts(r).some((t) => /\.hits\{|request\.count\{|controller\.requests\{/.test(t)), value(s.requests));
    dd().on((r) => (r.formulas ?? []).some((f) => f.includes('errors /')), value(s.ratio));
    dd().on((r) => (r.formulas ?? []).some((f) => f.startsWith('1 - ')), value(s.ratio === null ? null : 1 - s.ratio));
    // p99 distribution queries, and the mean-latency formulas (duration / cutoff_min(requests, …)).
    dd().on((r) => queryTexts(r).some((t) => /^p99:|^duration \//.test(t)), value(s.latency));
    dd().on('kubernetes.containers.restarts', value(s.restarts));
    dd().on('throttled / periods', value(s.throttling));
  }

  const apm = { service: 'checkout', env: 'prod' };
  const targets: Record<string, Record<string, string>> = {
    'datadog-apm-canary-gate.yaml': apm,
    'datadog-istio-canary-gate.yaml': { namespace: 'shop', service: 'checkout' },
    'datadog-nginx-canary-gate.yaml': { namespace: 'shop', ingress: 'checkout-checkout-canary', service: 'checkout' },
    'datadog-kubernetes-saturation-gate.yaml': { namespace: 'shop', service: 'checkout' },
  };
  const latencyOf = (file: string, seconds: number): number => (file.includes('istio') ? seconds * 1000 : seconds);

  it.each([
    ['datadog-apm-canary-gate.yaml', 'healthy', HEALTHY, 'Successful'],
    ['datadog-apm-canary-gate.yaml', 'broken', BROKEN, 'Failed'],
    ['datadog-apm-canary-gate.yaml', 'idle', IDLE, 'Inconclusive'],
    ['datadog-istio-canary-gate.yaml', 'healthy', HEALTHY, 'Successful'],
    ['datadog-istio-canary-gate.yaml', 'broken', BROKEN, 'Failed'],
    ['datadog-istio-canary-gate.yaml', 'idle', IDLE, 'Inconclusive'],
    ['datadog-nginx-canary-gate.yaml', 'healthy', HEALTHY, 'Successful'],
    ['datadog-nginx-canary-gate.yaml', 'broken', BROKEN, 'Failed'],
    ['datadog-nginx-canary-gate.yaml', 'idle', IDLE, 'Inconclusive'],
    ['datadog-kubernetes-saturation-gate.yaml', 'healthy', HEALTHY, 'Successful'],
    ['datadog-kubernetes-saturation-gate.yaml', 'throttled', BROKEN, 'Failed'],
    ['datadog-kubernetes-saturation-gate.yaml', 'no data', IDLE, 'Inconclusive'],
  ] as const)('when %s sees a %s canary then the run is %s', async (file, _scenario, scenario, phase) => {
    answer({ ...scenario, latency: scenario.latency === null ? null : latencyOf(file, scenario.latency) });
    const result = await run(file, targets[file] ?? {}, '2026-01-01T00:30:00Z', dd().env());
    expect(result.status?.phase, result.status?.message).toBe(phase);
    expect(dd().problems).toEqual([]);
    expect(dd().requests.every((r) => r.status === 200), JSON.stringify(dd().requests.filter((r) => r.status !== 200).map(queryTexts))).toBe(true);
  });

  it('when the APM gate runs then every query reaching Datadog carries the canary tag', async () => {
    answer(HEALTHY);
    await run('datadog-apm-canary-gate.yaml', apm, '2026-01-01T00:30:00Z', dd().env());
    const sent = dd().requests.flatMap((r) => r.queries ?? []).map((q) => q.query);
    expect(sent.length).toBeGreaterThan(0);
    for (const q of sent) expect(q).toContain('argo-rollouts-status:canary');
    expect(sent).toContain('sum:trace.http.request.errors{service:checkout,env:prod,argo-rollouts-status:canary}.as_count()');
  });

  it('when the NGINX gate runs then ingress queries are unscoped and the restart query is scoped', async () => {
    answer(HEALTHY);
    await run('datadog-nginx-canary-gate.yaml', targets['datadog-nginx-canary-gate.yaml'] ?? {}, '2026-01-01T00:30:00Z', dd().env());
    const sent = dd().requests.flatMap((r) => r.queries ?? []).map((q) => q.query);
    expect(sent.filter((q) => q.includes('nginx_ingress')).every((q) => !q.includes('argo-rollouts-status'))).toBe(true);
    expect(sent).toContain('max:kubernetes.containers.restarts{kube_namespace:shop,service:checkout,argo-rollouts-status:canary}');
  });
});
