/**
 * @module test/integration/datadog-run.test
 * `metricgate run` end to end against the Datadog fake: Argo's documented Datadog templates
 * (docs/analysis/datadog.md) run unchanged and give the phases Argo gives; `--at` replays move
 * the data window (seconds for v1, milliseconds for v2); `--scope` reaches the fake as the
 * `argo-rollouts-status` tag; Datadog failures become Error measurements that carry Datadog's
 * text, and a rate limit makes the engine wait as long as Datadog asked.
 */
import { describe, expect, it } from 'vitest';
import type { AnalysisRun, Measurement } from '../../src/model/index.js';
import { fixtures, useDatadogFake } from '../fakes/datadog-server.js';
import { cli } from '../support/cli.js';

const AT = '2026-01-01T00:30:00Z';
const AT_S = Date.parse(AT) / 1000;

const dd = useDatadogFake();

interface Outcome {
  readonly code: number;
  readonly run: AnalysisRun;
  readonly measurements: readonly Measurement[];
}

async function run(yaml: string, flags: string[] = [], env: Record<string, string> = dd().env()): Promise<Outcome> {
  const out = await cli(['run', '-', '--at', AT, '--output', 'json', ...flags], { stdin: yaml, env });
  expect(out.stderr).toBe('');
  const parsed = JSON.parse(out.stdout) as AnalysisRun;
  return { code: out.code, run: parsed, measurements: parsed.status?.metricResults.flatMap((r) => r.measurements) ?? [] };
}

// ---- Argo's documented templates, verbatim apart from the YAML indentation. ----

const loqErrorRate = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: loq-error-rate
spec:
  args:
  - name: service-name
  metrics:
  - name: error-rate
    interval: 5m
    successCondition: result <= 0.01
    failureLimit: 3
    provider:
      datadog:
        apiVersion: v2
        interval: 5m
        query: |
          sum:requests.error.rate{service:{{args.service-name}}}
`;

const beforeV1 = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: log-error-rate
spec:
  args:
  - name: service-name
  metrics:
  - name: error-rate
    interval: 30s
    successCondition: default(result, 0) < 10
    failureLimit: 3
    provider:
      datadog:
        apiVersion: v1
        interval: 5m
        query: "moving_rollup(sum:requests.errors{service:{{args.service-name}}}.as_count(), 60, 'sum') / sum:requests{service:{{args.service-name}}}.as_count()"
`;

const afterV2 = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: loq-error-rate
spec:
  args:
  - name: service-name
  metrics:
  - name: error-rate
    # Polling rate against the Datadog API
    interval: 30s
    successCondition: default(result, 0) < 10
    failureLimit: 3
    provider:
      datadog:
        apiVersion: v2
        # The window of time we are looking at in DD. Basically we will fetch data from (now-5m) to now.
        interval: 5m
        queries:
          a: sum:requests.errors{service:{{args.service-name}}}.as_count()
          b: sum:requests{service:{{args.service-name}}}.as_count()
        formula: "moving_rollup(a, 60, 'sum') / b"
`;

const containerRestarts = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: canary-container-restarts
spec:
  args:
    # This is set in rollout using the valueFrom: podTemplateHashValue functionality
    - name: canary-hash
    - name: service-name
    - name: restarts.initial-delay
      value: "60s"
    - name: restarts.max-restarts
      value: "4"
  metrics:
    - name: kubernetes.containers.restarts
      initialDelay: "{{ args.restarts.initial-delay }}"
      interval: 15s
      failureCondition: default(result, 0) > {{ args.restarts.max-restarts }}
      failureLimit: 0
      provider:
        datadog:
          apiVersion: v2
          interval: 5m
          queries:
            # The key is arbitrary - you will use this key to refer to the query if you use a formula.
            q: "max:kubernetes.containers.restarts{service-name:{{args.service-name}},rollouts_pod_template_hash:{{args.canary-hash}}}"
`;

const errorPercentage = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: error-percentage
spec:
  metrics:
  - name: error-percentage
    interval: 30s
    successCondition: default(result, 0) < 5
    failureLimit: 3
    provider:
      datadog:
        apiVersion: v2
        interval: 5m
        aggregator: sum # override default aggregator
        queries:
          a: count:requests.errors{service:my-service}.as_count()
          b: count:requests{service:my-service}.as_count()
        formula: "moving_rollup(a, 300, 'sum') / moving_rollup(b, 300, 'sum') * 100" # percentage of requests with errors
`;

const perEndpoint = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: per-endpoint
spec:
  metrics:
  - name: per-endpoint-error-rate
    interval: 30s
    successCondition: max(result) < 0.05 # fail if ANY endpoint exceeds the threshold
    failureLimit: 3
    provider:
      datadog:
        apiVersion: v2
        interval: 5m
        query: "sum:trace.http.request.errors{service:my-service} by {resource_name}.as_count()"
`;

/** A one-shot metric, for the cases where one measurement says it all. */
const oneShot = (condition: string, provider: string): string => `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: one-shot
spec:
  metrics:
  - name: m
    ${condition}
    provider:
      datadog:
${provider}`;

describe("Argo's documented Datadog templates through metricgate run", () => {
  it.each([
    { name: 'loq-error-rate with 0.5% errors', template: loqErrorRate, fixture: fixtures.value(0.005), duration: '10m', phase: 'Successful', code: 0 },
    { name: 'loq-error-rate with 5% errors (4 failures > failureLimit 3)', template: loqErrorRate, fixture: fixtures.value(0.05), duration: '30m', phase: 'Failed', code: 1 },
    { name: 'the v1 "before" formula with no data (default(result, 0))', template: beforeV1, fixture: fixtures.empty(), duration: '2m', phase: 'Successful', code: 0 },
    { name: 'the v1 "before" formula at 12 errors (4 failures)', template: beforeV1, fixture: fixtures.value(12), duration: '5m', phase: 'Failed', code: 1 },
    { name: 'the v2 "after" queries + formula at 3 errors', template: afterV2, fixture: fixtures.value(3), duration: '2m', phase: 'Successful', code: 0 },
    { name: 'the v2 "after" queries + formula with no data', template: afterV2, fixture: fixtures.empty(), duration: '2m', phase: 'Successful', code: 0 },
    { name: 'error-percentage (aggregator sum) at 7%', template: errorPercentage, fixture: fixtures.value(7), duration: '5m', phase: 'Failed', code: 1 },
    { name: 'per-endpoint max(result) with every endpoint under 5%', template: perEndpoint, fixture: fixtures.groups({ 'GET /a': 0.01, 'GET /b': 0.02 }), duration: '2m', phase: 'Successful', code: 0 },
    { name: 'per-endpoint max(result) with one endpoint at 9%', template: perEndpoint, fixture: fixtures.groups({ 'GET /a': 0.01, 'GET /b': 0.09 }), duration: '5m', phase: 'Failed', code: 1 },
  ])('when $name runs then it is $phase', async ({ template, fixture, duration, phase, code }) => {
    dd().on(':', fixture);
    const out = await run(template, ['--arg', 'service-name=checkout', '--duration', duration]);
    expect(out.run.status?.phase).toBe(phase);
    expect(out.code).toBe(code);
    expect(dd().problems).toEqual([]);
  });

  it('when the container-restart template sees 6 restarts then the first measurement fails it, after the initial delay', async () => {
    dd().on('kubernetes.containers.restarts', fixtures.value(6));
    const out = await run(containerRestarts, ['--arg', 'service-name=checkout', '--arg', 'canary-hash=7d9f8b6c5', '--duration', '5m']);
    expect(out.run.status?.phase).toBe('Failed');
    expect(out.measurements[0]?.startedAt).toBe('2026-01-01T00:31:00.000Z');
    expect(dd().last()?.queries?.[0]?.query).toBe('max:kubernetes.containers.restarts{service-name:checkout,rollouts_pod_template_hash:7d9f8b6c5}');
  });

  it('when the container-restart template sees no data then default(result, 0) passes it', async () => {
    dd().on('kubernetes.containers.restarts', fixtures.empty());
    const out = await run(containerRestarts, ['--arg', 'service-name=checkout', '--arg', 'canary-hash=7d9f8b6c5', '--duration', '2m']);
    expect(out.run.status?.phase).toBe('Successful');
    expect(out.measurements.every((m) => m.value === '[]')).toBe(true);
  });

  it('when the grouped query fails then metadata.groups names the endpoint that did it', async () => {
    dd().on(':', fixtures.groups({ 'GET /a': 0.01, 'GET /b': 0.09 }));
    const out = await run(perEndpoint, ['--duration', '1m']);
    const first = out.measurements[0];
    expect(first?.phase).toBe('Failed');
    expect(first?.value).toBe('[0.01,0.09]');
    expect(JSON.parse(first?.metadata?.['groups'] ?? '[]')).toContainEqual({ name: 'GET /b', value: 0.09 });
  });
});

describe('nil results behave as in Argo', () => {
  const provider = '        apiVersion: v1\n        query: avg:requests.error.rate{service:checkout}\n';

  it.each([
    { name: 'isNil(result) sees the empty series', condition: 'successCondition: isNil(result) || result < 0.01', fixture: fixtures.empty(), phase: 'Successful' },
    { name: 'default(result, 0) turns nil into 0', condition: 'successCondition: default(result, 0) < 0.01', fixture: fixtures.empty(), phase: 'Successful' },
    { name: 'a number is compared as usual', condition: 'successCondition: default(result, 0) < 0.01', fixture: fixtures.value(0.5), phase: 'Failed' },
  ])('when $name then the run is $phase', async ({ condition, fixture, phase }) => {
    dd().on('requests.error.rate', fixture);
    const out = await run(oneShot(condition, provider));
    expect(out.run.status?.phase).toBe(phase);
  });

  it('when nil meets a plain comparison then each measurement is an Error that explains the empty result (#2169)', async () => {
    dd().on('requests.error.rate', fixtures.empty());
    const out = await run(oneShot('successCondition: result <= 0.01', provider));
    expect(out.run.status?.phase).toBe('Error');
    expect(out.measurements[0]?.phase).toBe('Error');
    expect(out.measurements[0]?.message).toContain('metric result is nil or empty');
  });
});

describe('replay moves the Datadog window with the virtual clock', () => {
  it('when a v1 metric is replayed from 00:30 every 30s then each request covers the 5m before its measurement, in seconds', async () => {
    dd().on(':', fixtures.value(1));
    const out = await run(beforeV1, ['--arg', 'service-name=x', '--duration', '1m']);
    const starts = out.measurements.map((m) => Date.parse(m.startedAt ?? '') / 1000);
    expect(starts).toEqual([AT_S, AT_S + 30]);
    expect(dd().requests.map((r) => [r.from, r.to])).toEqual(starts.map((s) => [s - 300, s]));
  });

  it('when a v2 metric is replayed then the same window is sent in milliseconds', async () => {
    dd().on(':', fixtures.value(1));
    const out = await run(afterV2, ['--arg', 'service-name=x', '--duration', '1m']);
    const starts = out.measurements.map((m) => Date.parse(m.startedAt ?? ''));
    expect(starts).toEqual([AT_S * 1000, (AT_S + 30) * 1000]);
    expect(dd().requests.map((r) => [r.from, r.to])).toEqual(starts.map((s) => [s - 300_000, s]));
  });
});

describe('scoping reaches Datadog as the argo-rollouts-status tag', () => {
  const canaryBad = (): void => {
    // The templates pass below 10 errors: the stable pods have 1, the canary 20.
    dd().on('requests', fixtures.value(1));
    dd().on('argo-rollouts-status:canary', fixtures.value(20));
  };

  it('when run with --scope canary then every sub-query filters on the canary tag and the broken canary fails', async () => {
    canaryBad();
    const out = await run(afterV2, ['--arg', 'service-name=checkout', '--scope', 'canary', '--duration', '5m']);
    expect(out.run.status?.phase).toBe('Failed');
    expect(dd().requests[0]?.queries?.map((q) => q.query)).toEqual([
      'sum:requests.errors{service:checkout,argo-rollouts-status:canary}.as_count()',
      'sum:requests{service:checkout,argo-rollouts-status:canary}.as_count()',
    ]);
    expect(dd().requests[0]?.formulas).toEqual(["moving_rollup(a, 60, 'sum') / b"]);
    expect(out.run.status?.metricResults[0]?.metadata).toMatchObject({ scope: 'canary', scopeLabel: 'argo-rollouts-status' });
  });

  it('when run with --scope stable then the stable pods are judged and pass', async () => {
    canaryBad();
    const out = await run(beforeV1, ['--arg', 'service-name=checkout', '--scope', 'stable', '--duration', '1m']);
    expect(out.run.status?.phase).toBe('Successful');
    expect(dd().last()?.query).toBe(
      "moving_rollup(sum:requests.errors{service:checkout,argo-rollouts-status:stable}.as_count(), 60, 'sum') / sum:requests{service:checkout,argo-rollouts-status:stable}.as_count()",
    );
  });

  it('when the template says metricgate.io/scope: canary then queries are scoped without a flag', async () => {
    canaryBad();
    const annotated = loqErrorRate.replace('  name: loq-error-rate\n', '  name: loq-error-rate\n  annotations:\n    metricgate.io/scope: canary\n');
    await run(annotated, ['--arg', 'service-name=checkout', '--duration', '1m']);
    expect(dd().last()?.queries?.[0]?.query).toBe('sum:requests.error.rate{service:checkout,argo-rollouts-status:canary}\n');
  });

  it('when --scope-label names another tag then that tag is written', async () => {
    dd().on('rollout-role:canary', fixtures.value(0));
    await run(loqErrorRate, ['--arg', 'service-name=checkout', '--scope', 'canary', '--scope-label', 'datadog=rollout-role', '--duration', '1m']);
    expect(dd().last()?.queries?.[0]?.query).toContain('{service:checkout,rollout-role:canary}');
  });

  it('when no scope is asked then the query reaches Datadog as written', async () => {
    dd().on('requests', fixtures.value(0.001));
    await run(loqErrorRate, ['--arg', 'service-name=checkout', '--duration', '1m']);
    expect(dd().last()?.queries?.[0]?.query).toBe('sum:requests.error.rate{service:checkout}\n');
  });
});

describe('Datadog failures become Error measurements with Datadog’s text', () => {
  const provider = '        apiVersion: v2\n        query: sum:requests.error.rate{service:checkout}\n';
  const template = oneShot('successCondition: default(result, 0) < 0.01', provider);

  it('when Datadog answers 500 then the run ends Error after 5 tries, 10s apart, quoting Datadog', async () => {
    dd().on(':', fixtures.serverError('query engine overloaded'));
    const out = await run(template);
    expect(out.code).toBe(3);
    expect(out.run.status?.phase).toBe('Error');
    expect(out.run.status?.message).toContain('consecutiveErrors (5) > consecutiveErrorLimit (4)');
    expect(out.run.status?.message).toContain('query engine overloaded');
    expect(out.measurements.map((m) => m.startedAt?.slice(11, 19))).toEqual(['00:30:00', '00:30:10', '00:30:20', '00:30:30', '00:30:40']);
    expect(out.measurements[0]?.metadata?.['errorCode']).toBe('PROVIDER_HTTP');
  });

  it('when the keys are wrong then the Error says authentication and shows no key', async () => {
    dd().on(':', fixtures.value(0));
    const env = { ...dd().env(), DD_API_KEY: 'not-the-right-key-9999' };
    const out = await run(template, [], env);
    expect(out.run.status?.phase).toBe('Error');
    expect(out.measurements[0]?.message).toContain('authentication error');
    expect(JSON.stringify(out.run)).not.toContain('not-the-right-key-9999');
  });

  it('when no credentials are set then the Error names the variables to set', async () => {
    const out = await run(template, [], {});
    expect(out.run.status?.phase).toBe('Error');
    expect(out.measurements[0]?.message).toContain('set DD_API_KEY and DD_APP_KEY');
    expect(out.measurements[0]?.metadata?.['errorCode']).toBe('PROVIDER_CONFIG');
  });

  it('when Datadog rate-limits with X-RateLimit-Reset 30 then the engine waits 30s (not 10s) before each retry', async () => {
    dd().on(':', fixtures.rateLimited(30));
    const out = await run(template);
    expect(out.run.status?.phase).toBe('Error');
    expect(out.measurements[0]?.metadata).toMatchObject({ errorCode: 'PROVIDER_RATE_LIMITED', retryAfterMs: '30000' });
    expect(out.measurements.map((m) => m.startedAt?.slice(11, 19))).toEqual(['00:30:00', '00:30:30', '00:31:00', '00:31:30', '00:32:00']);
  });

  it('when Datadog reports errors in a 200 body then the measurement is an Error with them', async () => {
    dd().on(':', fixtures.queryErrors('Unknown metric: requests.error.rate'));
    const out = await run(template);
    expect(out.measurements[0]?.phase).toBe('Error');
    expect(out.measurements[0]?.message).toContain('Unknown metric: requests.error.rate');
  });
});
