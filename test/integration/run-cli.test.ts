/**
 * `metricgate run` end to end: real Prometheus over the generated dataset, the shipped
 * http-canary-gate template, canary scoping, and replay on a virtual clock.
 */
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { AnalysisRun } from '../../src/model/index.js';
import { cli } from '../support/cli.js';

const prometheus = inject('prometheusUrl');
const template = join(import.meta.dirname, '../../queries/templates/http-canary-gate.yaml');

async function run(service: string, extra: string[] = []): Promise<{ code: number; run: AnalysisRun; stderr: string }> {
  const out = await cli(['run', template, '--arg', `service=${service}`, '--arg', `prometheus-address=${prometheus}`, '--output', 'json', ...extra]);
  return { code: out.code, run: JSON.parse(out.stdout) as AnalysisRun, stderr: out.stderr };
}

const first = (r: AnalysisRun, metric: string): number => Number(r.status?.metricResults.find((m) => m.name === metric)?.measurements[0]?.value?.replace(/[[\]]/g, ''));

describe('metricgate run (real Prometheus, replayed)', () => {
  it('when the canary is healthy then exit 0 and every measurement is Successful, one minute apart', async () => {
    const { code, run: r } = await run('checkout', ['--scope', 'canary', '--at', '2026-01-01T00:30:00Z']);
    expect(code).toBe(0);
    expect(r.status?.phase).toBe('Successful');
    const errorRate = r.status?.metricResults.find((m) => m.name === 'error-rate');
    expect(errorRate?.measurements.map((m) => m.startedAt)).toEqual([
      '2026-01-01T00:30:00.000Z',
      '2026-01-01T00:31:00.000Z',
      '2026-01-01T00:32:00.000Z',
      '2026-01-01T00:33:00.000Z',
      '2026-01-01T00:34:00.000Z',
    ]);
    expect(errorRate?.metadata?.['query']).toContain('argo_rollouts_status="canary"');
    expect(errorRate?.metadata?.['scope']).toBe('canary');
  });

  it('when the canary is broken then exit 1 and the message names metric, limit, value, condition and query', async () => {
    const { code, run: r } = await run('payments', ['--scope', 'canary', '--at', '2026-01-01T00:30:00Z']);
    expect(code).toBe(1);
    expect(r.status?.phase).toBe('Failed');
    const message = r.status?.message ?? '';
    expect(message).toMatch(/^Metric "(error-rate|latency-p99)" assessed Failed due to failed \(2\) > failureLimit \(1\)/);
    expect(message).toMatch(/value \[[0-9.]+\] met failureCondition "len\(result\) > 0 && result\[0\] > [0-9.]+"/);
    expect(message).toContain('argo_rollouts_status="canary"');
    // The run stops as soon as the limit is exceeded: two measurements, not five.
    expect(r.status?.metricResults.find((m) => m.phase === 'Failed')?.measurements).toHaveLength(2);
  });

  it('when scoping is off then the stable pods dilute the canary error rate', async () => {
    const scoped = await run('payments', ['--scope', 'canary', '--at', '2026-01-01T00:30:00Z']);
    const unscoped = await run('payments', ['--scope', 'none', '--at', '2026-01-01T00:30:00Z']);
    expect(first(scoped.run, 'error-rate')).toBeGreaterThan(0.07);
    expect(first(unscoped.run, 'error-rate')).toBeLessThan(first(scoped.run, 'error-rate') / 2);
    expect(unscoped.run.status?.metricResults[0]?.metadata?.['query']).not.toContain('argo_rollouts_status');
  });

  it('when the stable scope is asked then the stable pods are judged', async () => {
    const { code, run: r } = await run('payments', ['--scope', 'stable', '--at', '2026-01-01T00:30:00Z']);
    expect(code).toBe(0);
    expect(first(r, 'error-rate')).toBeLessThan(0.01);
  });

  it.each([
    ['2026-01-01T00:50:00Z', 0, 'Successful'],
    ['2026-01-01T00:58:00Z', 1, 'Failed'],
  ])('when the search incident is replayed from %s then the verdict is exit %i', async (at, exit, phase) => {
    const { code, run: r } = await run('search', ['--scope', 'canary', '--at', at]);
    expect(code).toBe(exit);
    expect(r.status?.phase).toBe(phase);
    if (phase === 'Failed') {
      const failed = r.status?.metricResults.flatMap((m) => m.measurements.filter((x) => x.phase === 'Failed')) ?? [];
      // The canary broke at 01:00; no measurement before that may have failed.
      for (const m of failed) expect(Date.parse(m.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse('2026-01-01T01:00:00Z'));
    }
  });

  it('when the canary has almost no traffic then the verdict is Inconclusive (exit 2), not a pass or a fail', async () => {
    const { code, run: r } = await run('inventory', ['--scope', 'canary', '--at', '2026-01-01T00:30:00Z']);
    expect(r.status?.phase).toBe('Inconclusive');
    expect(code).toBe(2);
  });

  it('when Prometheus is unreachable then exit 3 after the consecutive error limit, with the cause', async () => {
    const out = await cli(['run', template, '--arg', 'service=checkout', '--arg', 'prometheus-address=http://127.0.0.1:9', '--at', '2026-01-01T00:30:00Z', '--output', 'json']);
    const r = JSON.parse(out.stdout) as AnalysisRun;
    expect(out.code).toBe(3);
    expect(r.status?.phase).toBe('Error');
    expect(r.status?.message).toContain('consecutiveErrors (5) > consecutiveErrorLimit (4)');
    expect(r.status?.message).toContain('unreachable');
    // Errors are retried every 10 s (Argo's DefaultErrorRetryInterval), not every interval.
    const times = r.status?.metricResults[0]?.measurements.map((m) => m.startedAt?.slice(11, 19));
    expect(times).toEqual(['00:30:00', '00:30:10', '00:30:20', '00:30:30', '00:30:40']);
  });

  it('when a required arg is missing then exit 64 names it and nothing is measured', async () => {
    const out = await cli(['run', template, '--at', '2026-01-01T00:30:00Z']);
    expect(out.code).toBe(64);
    expect(out.stderr).toContain('argument "service" has no value and no default');
    expect(out.stdout).toBe('');
  });

  it('when --at is not a time then exit 64 says what is valid', async () => {
    const out = await cli(['run', template, '--arg', 'service=x', '--at', 'yesterday']);
    expect(out.code).toBe(64);
    expect(out.stderr).toContain('--at: expected an RFC 3339 time');
  });

  it('when text output is used then the verdict block names each metric and the decision', async () => {
    const out = await cli(['run', template, '--arg', 'service=payments', '--arg', `prometheus-address=${prometheus}`, '--scope', 'canary', '--at', '2026-01-01T00:30:00Z']);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/error-rate #1 .*Failed value=\[/);
    expect(out.stdout).toMatch(/Verdict: Failed — Metric "/);
  });

  it('when an open-ended AnalysisRun is given with --duration then it terminates Successful', async () => {
    const yaml = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisRun
metadata: {name: watch}
spec:
  metrics:
  - name: requests
    interval: 2m
    successCondition: result[0] > 0
    provider:
      prometheus:
        address: ${prometheus}
        query: sum(rate(http_requests_total{service="checkout"}[5m]))
`;
    const out = await cli(['run', '-', '--at', '2026-01-01T00:10:00Z', '--duration', '10m', '--output', 'json'], { stdin: yaml });
    const r = JSON.parse(out.stdout) as AnalysisRun;
    expect(out.code).toBe(0);
    expect(r.status?.message).toBe('Run Terminated');
    expect(r.status?.metricResults[0]?.measurements).toHaveLength(5);
  });
});
