/**
 * Argo Rollouts' analysis semantics, case by case (reference/argo-analysis.md §1.2, §1.5, §1.6,
 * §1.8). Each case runs the real planner and engine on a virtual clock against a scripted
 * backend and checks the phases, the counters, and *when* the backend was queried.
 */
import { describe, expect, it } from 'vitest';
import type { AnalysisPhase } from '../../../src/model/index.js';
import type { Outcome } from '../../fakes/sequence-provider.js';
import { judge, type MetricSpec } from './harness.js';

const OK = 0;
const BAD = 5;
const ERR = { error: 'connect ECONNREFUSED 127.0.0.1:9090' };
const lt1 = { successCondition: 'result < 1' };

interface Case {
  readonly name: string;
  readonly metrics: readonly MetricSpec[];
  readonly series: Readonly<Record<string, readonly Outcome[]>>;
  readonly durationMs?: number;
  readonly spec?: Record<string, unknown>;
  readonly run: AnalysisPhase;
  /** Per metric: expected phase, counters, and measurement times in seconds from the start. */
  readonly expect: Readonly<Record<string, { phase: AnalysisPhase; times?: number[]; count?: number; failed?: number; error?: number; inconclusive?: number; kept?: number }>>;
  /** Substrings the run message must contain. */
  readonly message?: readonly string[];
}

const cases: readonly Case[] = [
  {
    name: 'when failures equal failureLimit then the metric is Successful (failed must be greater)',
    metrics: [{ name: 'm', interval: '1m', count: 3, failureLimit: 2, ...lt1 }],
    series: { m: [BAD, BAD, OK] },
    run: 'Successful',
    expect: { m: { phase: 'Successful', times: [0, 60, 120], count: 3, failed: 2 } },
  },
  {
    name: 'when failures exceed failureLimit then the metric fails at once, before count',
    metrics: [{ name: 'm', interval: '1m', count: 5, failureLimit: 1, ...lt1 }],
    series: { m: [BAD] },
    run: 'Failed',
    expect: { m: { phase: 'Failed', times: [0, 60], failed: 2 } },
    message: ['Metric "m" assessed Failed due to failed (2) > failureLimit (1)', 'value 5 did not satisfy successCondition "result < 1"'],
  },
  {
    name: 'when every measurement fails but failureLimit equals count then Successful (Argo #2026 trap, explained)',
    metrics: [{ name: 'm', interval: '1m', count: 3, failureLimit: 3, ...lt1 }],
    series: { m: [BAD] },
    run: 'Successful',
    expect: { m: { phase: 'Successful', times: [0, 60, 120], failed: 3 } },
  },
  {
    name: 'when failureLimit is omitted then the first failure fails the metric',
    metrics: [{ name: 'm', interval: '1m', count: 3, ...lt1 }],
    series: { m: [BAD] },
    run: 'Failed',
    expect: { m: { phase: 'Failed', times: [0] } },
  },
  {
    name: 'when consecutiveSuccessLimit is reached then Successful early, failureLimit -1',
    metrics: [{ name: 'm', interval: '1m', count: 5, failureLimit: -1, consecutiveSuccessLimit: 2, ...lt1 }],
    series: { m: [OK, BAD, OK, OK] },
    run: 'Successful',
    expect: { m: { phase: 'Successful', times: [0, 60, 120, 180], count: 4 } },
  },
  {
    name: 'when consecutiveSuccessLimit is not reached and failureLimit is -1 then Failed at count',
    metrics: [{ name: 'm', interval: '1m', count: 3, failureLimit: -1, consecutiveSuccessLimit: 2, ...lt1 }],
    series: { m: [OK, BAD, OK] },
    run: 'Failed',
    expect: { m: { phase: 'Failed', times: [0, 60, 120] } },
  },
  {
    name: 'when consecutiveSuccessLimit is not reached and failureLimit holds then Inconclusive at count',
    metrics: [{ name: 'm', interval: '1m', count: 3, failureLimit: 1, consecutiveSuccessLimit: 2, ...lt1 }],
    series: { m: [OK, BAD, OK] },
    run: 'Inconclusive',
    expect: { m: { phase: 'Inconclusive', times: [0, 60, 120], failed: 1 } },
  },
  {
    name: 'when a value meets neither condition then Inconclusive at once (inconclusiveLimit 0)',
    metrics: [{ name: 'm', interval: '1m', count: 3, successCondition: 'result < 1', failureCondition: 'result > 2' }],
    series: { m: [1.5] },
    run: 'Inconclusive',
    expect: { m: { phase: 'Inconclusive', times: [0], inconclusive: 1 } },
    message: ['inconclusive (1) > inconclusiveLimit (0)', 'met neither'],
  },
  {
    name: 'when inconclusiveLimit is 1 then the second inconclusive measurement ends the metric',
    metrics: [{ name: 'm', interval: '1m', count: 3, inconclusiveLimit: 1, successCondition: 'result < 1', failureCondition: 'result > 2' }],
    series: { m: [1.5, OK, 1.5] },
    run: 'Inconclusive',
    expect: { m: { phase: 'Inconclusive', times: [0, 60, 120], inconclusive: 2 } },
  },
  {
    name: 'when both conditions hold then failure wins',
    metrics: [{ name: 'm', successCondition: 'result > 0', failureCondition: 'result > 1' }],
    series: { m: [BAD] },
    run: 'Failed',
    expect: { m: { phase: 'Failed', times: [0] } },
  },
  {
    name: 'when a measurement errors then it is retried after 10 s and does not count toward count',
    metrics: [{ name: 'm', interval: '1m', count: 2, ...lt1 }],
    series: { m: [ERR, OK, OK] },
    run: 'Successful',
    expect: { m: { phase: 'Successful', times: [0, 10, 70], count: 2, error: 1 } },
  },
  {
    name: 'when errors persist then the 5th consecutive error ends the metric (default limit 4)',
    metrics: [{ name: 'm', interval: '1m', count: 3, ...lt1 }],
    series: { m: [ERR] },
    run: 'Error',
    expect: { m: { phase: 'Error', times: [0, 10, 20, 30, 40], count: 0, error: 5 } },
    message: ['consecutiveErrors (5) > consecutiveErrorLimit (4)', 'ECONNREFUSED'],
  },
  {
    name: 'when consecutiveErrorLimit is 0 then the first error ends the metric',
    metrics: [{ name: 'm', interval: '1m', count: 3, consecutiveErrorLimit: 0, ...lt1 }],
    series: { m: [ERR] },
    run: 'Error',
    expect: { m: { phase: 'Error', times: [0], error: 1 } },
  },
  {
    name: 'when a success comes between errors then the consecutive error count resets',
    metrics: [{ name: 'm', interval: '1m', count: 2, ...lt1 }],
    series: { m: [ERR, ERR, ERR, ERR, OK, ERR, ERR, ERR, ERR, OK] },
    run: 'Successful',
    expect: { m: { phase: 'Successful', times: [0, 10, 20, 30, 40, 100, 110, 120, 130, 140], count: 2, error: 8 } },
  },
  {
    name: 'when a metric has no conditions then any answer is Successful',
    metrics: [{ name: 'm' }],
    series: { m: [BAD] },
    run: 'Successful',
    expect: { m: { phase: 'Successful', times: [0] } },
  },
  {
    name: 'when a condition indexes an empty result then the measurement is an Error naming the cause',
    metrics: [{ name: 'm', consecutiveErrorLimit: 0, successCondition: 'result[0] < 1' }],
    series: { m: [[]] },
    run: 'Error',
    expect: { m: { phase: 'Error', times: [0] } },
    message: ['no data returned from the metric provider', 'result[0] < 1'],
  },
  {
    name: 'when the condition guards with len then an empty result fails instead of erroring',
    metrics: [{ name: 'm', successCondition: 'len(result) > 0 && result[0] < 1' }],
    series: { m: [[]] },
    run: 'Failed',
    expect: { m: { phase: 'Failed', times: [0] } },
  },
  {
    name: 'when the value is NaN then a < comparison is false and the metric fails',
    metrics: [{ name: 'm', ...lt1 }],
    series: { m: [Number.NaN] },
    run: 'Failed',
    expect: { m: { phase: 'Failed' } },
  },
  {
    name: 'when the template accepts NaN with isNaN then NaN passes',
    metrics: [{ name: 'm', successCondition: 'isNaN(result) || result < 1' }],
    series: { m: [Number.NaN] },
    run: 'Successful',
    expect: { m: { phase: 'Successful' } },
  },
  {
    name: 'when the value is +Inf then isInf detects it',
    metrics: [{ name: 'm', failureCondition: 'isInf(result)' }],
    series: { m: [Number.POSITIVE_INFINITY] },
    run: 'Failed',
    expect: { m: { phase: 'Failed' } },
  },
  {
    name: 'when the backend reports too little data then the measurement is Inconclusive',
    metrics: [{ name: 'm', ...lt1 }],
    series: { m: [{ noData: 'fewer than 50 requests in the canary scope' }] },
    run: 'Inconclusive',
    expect: { m: { phase: 'Inconclusive' } },
  },
  {
    name: 'when a dry-run metric fails then the run still succeeds',
    metrics: [
      { name: 'experimental', ...lt1 },
      { name: 'gate', ...lt1 },
    ],
    series: { experimental: [BAD], gate: [OK] },
    spec: { dryRun: [{ metricName: 'exp.*' }] },
    run: 'Successful',
    expect: { experimental: { phase: 'Failed' }, gate: { phase: 'Successful' } },
  },
  {
    name: 'when one metric fails then the others stop measuring and count as Successful',
    metrics: [
      { name: 'fast', ...lt1 },
      { name: 'slow', interval: '1m', count: 5, ...lt1 },
    ],
    series: { fast: [BAD], slow: [OK] },
    run: 'Failed',
    expect: { fast: { phase: 'Failed', times: [0] }, slow: { phase: 'Successful', times: [0] } },
  },
  {
    name: 'when one metric errors and another fails then Failed wins (worst phase order)',
    metrics: [
      { name: 'a', consecutiveErrorLimit: 0, ...lt1 },
      { name: 'b', ...lt1 },
    ],
    series: { a: [ERR], b: [BAD] },
    run: 'Failed',
    expect: { a: { phase: 'Error' }, b: { phase: 'Failed' } },
  },
  {
    name: 'when one metric errors and another is inconclusive then Error wins',
    metrics: [
      { name: 'a', consecutiveErrorLimit: 0, ...lt1 },
      { name: 'b', successCondition: 'result < 1', failureCondition: 'result > 2' },
    ],
    series: { a: [ERR], b: [1.5] },
    run: 'Error',
    expect: { a: { phase: 'Error' }, b: { phase: 'Inconclusive' } },
  },
  {
    name: 'when initialDelay is set then the first measurement waits for it',
    metrics: [{ name: 'm', initialDelay: '30s', interval: '1m', count: 2, ...lt1 }],
    series: { m: [OK] },
    run: 'Successful',
    expect: { m: { phase: 'Successful', times: [30, 90] } },
  },
  {
    name: 'when an open-ended metric reaches --duration then the run terminates Successful',
    metrics: [{ name: 'm', interval: '1m', ...lt1 }],
    series: { m: [OK] },
    durationMs: 5 * 60_000,
    run: 'Successful',
    expect: { m: { phase: 'Successful', times: [0, 60, 120, 180, 240] } },
    message: ['Run Terminated'],
  },
  {
    name: 'when an open-ended metric exceeds failureLimit then it fails without waiting for --duration',
    metrics: [{ name: 'm', interval: '1m', failureLimit: 1, ...lt1 }],
    series: { m: [OK, BAD, BAD] },
    durationMs: 60 * 60_000,
    run: 'Failed',
    expect: { m: { phase: 'Failed', times: [0, 60, 120] } },
  },
  {
    name: 'when more than 10 measurements are taken then only the last 10 are kept',
    metrics: [{ name: 'm', interval: '1m', count: 12, ...lt1 }],
    series: { m: [OK] },
    run: 'Successful',
    expect: { m: { phase: 'Successful', count: 12, kept: 10 } },
  },
  {
    name: 'when measurementRetention sets a limit then that many are kept',
    metrics: [{ name: 'm', interval: '1m', count: 5, ...lt1 }],
    series: { m: [OK] },
    spec: { measurementRetention: [{ metricName: 'm', limit: 3 }] },
    run: 'Successful',
    expect: { m: { phase: 'Successful', count: 5, kept: 3 } },
  },
  {
    name: 'when count comes from an arg then it is resolved before scheduling',
    metrics: [{ name: 'm', interval: '1m', count: '{{args.n}}', ...lt1 }],
    series: { m: [OK] },
    spec: { args: [{ name: 'n', value: '3' }] },
    run: 'Successful',
    expect: { m: { phase: 'Successful', times: [0, 60, 120] } },
  },
];

describe('Argo analysis semantics', () => {
  it.each(cases)('$name', async (c) => {
    const judged = await judge(c.metrics, c.series, { durationMs: c.durationMs, spec: c.spec });
    expect(judged.run.status?.phase).toBe(c.run);
    for (const [name, want] of Object.entries(c.expect)) {
      const r = judged.result(name);
      expect(r.phase, `${name} phase`).toBe(want.phase);
      if (want.times) expect(judged.times(name), `${name} measured at`).toEqual(want.times);
      if (want.count !== undefined) expect(r.count, `${name} count`).toBe(want.count);
      if (want.failed !== undefined) expect(r.failed, `${name} failed`).toBe(want.failed);
      if (want.error !== undefined) expect(r.error, `${name} error`).toBe(want.error);
      if (want.inconclusive !== undefined) expect(r.inconclusive, `${name} inconclusive`).toBe(want.inconclusive);
      if (want.kept !== undefined) expect(r.measurements, `${name} kept`).toHaveLength(want.kept);
    }
    for (const fragment of c.message ?? []) expect(judged.run.status?.message ?? '').toContain(fragment);
    expect(judged.run.status?.completedAt).toBeDefined();
  });

  it('when a dry-run metric fails then it is counted in dryRunSummary, not runSummary', async () => {
    const judged = await judge(
      [
        { name: 'experimental', ...lt1 },
        { name: 'gate', ...lt1 },
      ],
      { experimental: [BAD], gate: [OK] },
      { spec: { dryRun: [{ metricName: 'experimental' }] } },
    );
    expect(judged.run.status?.runSummary).toEqual({ count: 1, successful: 1, failed: 0, inconclusive: 0, error: 0 });
    expect(judged.run.status?.dryRunSummary).toEqual({ count: 1, successful: 0, failed: 1, inconclusive: 0, error: 0 });
    expect(judged.result('experimental').dryRun).toBe(true);
  });

  it('when every failure is within the limit then the message says so instead of hiding it', async () => {
    const judged = await judge([{ name: 'm', interval: '1m', count: 3, failureLimit: 3, ...lt1 }], { m: [BAD] });
    expect(judged.result('m').message).toContain('3 failed, allowed by failureLimit 3');
  });
});
