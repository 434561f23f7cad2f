/**
 * Runs an AnalysisRun through the real plan + engine on a virtual clock against a
 * {@link SequenceBackend}, so Argo's semantics are checked end to end without HTTP or waiting.
 */
import { expect } from 'vitest';
import { planRun, runToCompletion, VirtualClock } from '../../../src/engine/index.js';
import type { AnalysisRun, AnalysisRunSpec, Metric, MetricResult } from '../../../src/model/index.js';
import { SequenceBackend, type Outcome } from '../../fakes/sequence-provider.js';

/** Virtual start of every run in these tests. */
export const START = Date.UTC(2026, 0, 1, 0, 0, 0);

/** A metric without the provider block; the harness points it at the fake backend. */
export type MetricSpec = Omit<Metric, 'provider'> & { readonly provider?: Metric['provider'] };

export interface Judged {
  readonly run: AnalysisRun;
  readonly backend: SequenceBackend;
  result(name: string): MetricResult;
  /** Offsets (seconds from START) at which `metric` was measured. */
  times(name: string): number[];
}

/** Builds the AnalysisRun the harness runs. */
export function analysisRun(metrics: readonly MetricSpec[], spec: Partial<AnalysisRunSpec> = {}): AnalysisRun {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name: 'test-run', namespace: 'default', uid: '00000000-0000-0000-0000-000000000001' },
    spec: {
      ...spec,
      metrics: metrics.map((m) => ({ ...m, provider: m.provider ?? { prometheus: { address: 'http://prometheus.invalid', query: m.name } } })),
    },
  };
}

/** Plans and runs to completion; fails the test on any validation issue. */
export async function judge(
  metrics: readonly MetricSpec[],
  series: Readonly<Record<string, readonly Outcome[]>>,
  options: { spec?: Partial<AnalysisRunSpec>; durationMs?: number } = {},
): Promise<Judged> {
  const input = analysisRun(metrics, options.spec);
  const { plan, issues } = await planRun(input, { secrets: 'resolve' });
  expect(issues).toEqual([]);
  if (!plan) throw new Error('no plan');
  const backend = new SequenceBackend(series);
  const run = await runToCompletion(input, plan, {
    clock: new VirtualClock(START),
    providers: new Map([['prometheus', backend]]),
    durationMs: options.durationMs,
  });
  return {
    run,
    backend,
    result: (name) => {
      const r = run.status?.metricResults.find((x) => x.name === name);
      if (!r) throw new Error(`no result for ${name}`);
      return r;
    },
    times: (name) => backend.times(name, START).map((ms) => ms / 1000),
  };
}
