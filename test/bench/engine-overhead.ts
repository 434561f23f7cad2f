/**
 * @module bench/engine-overhead
 * DESIGN.md §8: "engine overhead per measurement ≤ 1.2 × a raw HTTP query to the same
 * Prometheus". The baseline is the least any client can do — `fetch` the instant-query URL and
 * parse the JSON — and the candidate is what a worker does per measurement: `takeMeasurement()`
 * on a planned metric (provider → prometheus-query → Argo result shape → condition evaluated →
 * Measurement). The same scoped query at the same evaluation times, interleaved in small blocks
 * so drift (Prometheus caches, CPU frequency, GC) hits all arms alike.
 */
import { DEMO_DATASET } from '../../src/cli/local/dataset.js';
import { planRun, systemClock, takeMeasurement } from '../../src/engine/index.js';
import { createProviders, type PrometheusConfig } from '../../src/providers/index.js';
import { benchRun, fastProviders } from './fixtures.js';
import { printResult, progress, type BenchResult } from './report.js';
import { elapsedMs, round, rounded, summarize } from './stats.js';

export interface EngineOverheadOptions {
  readonly prometheusUrl: string;
  /** Measured calls per arm. */
  readonly samples?: number;
  /** Unmeasured calls per arm first (JIT, connection pools, Prometheus' own warm-up). */
  readonly warmup?: number;
  /** Calls per arm per block; arms alternate block by block, first arm rotating. 1 = call by call. */
  readonly block?: number;
}

type Arm = (at: number) => Promise<void>;

export async function benchEngineOverhead(options: EngineOverheadOptions): Promise<BenchResult[]> {
  const samples = options.samples ?? 2000;
  const warmup = options.warmup ?? 200;
  // Call by call: a Prometheus GC pause or a neighbour's CPU burst then lands on any arm alike.
  const block = options.block ?? 1;
  const run = benchRun({ name: 'engine-overhead', count: 1, interval: '1m', address: options.prometheusUrl });
  // Scope canary from the run's annotation, as a template with `metricgate.io/scope: canary` does.
  const { plan, issues } = await planRun(run, { secrets: 'resolve' });
  const metric = plan?.metrics[0];
  if (!plan || !metric) throw new Error(`bench run does not plan: ${JSON.stringify(issues)}`);
  const scopedQuery = (metric.providerConfig as PrometheusConfig).query;
  if (!scopedQuery.includes('argo_rollouts_status="canary"')) throw new Error(`query was not scoped: ${scopedQuery}`);
  progress(`engine overhead: scoped query ${scopedQuery}`);

  const providers = createProviders({ env: {} });
  const prometheus = providers.get('prometheus');
  if (!prometheus) throw new Error('prometheus provider missing');
  const base = `${options.prometheusUrl}/api/v1/query?query=${encodeURIComponent(scopedQuery)}`;

  const arms: Record<'raw' | 'engine' | 'provider', Arm> = {
    // What every client must do at least: one HTTP round trip and the JSON decoded.
    raw: async (at) => {
      const res = await fetch(`${base}&time=${at / 1000}`);
      const body = (await res.json()) as { status?: string };
      if (!res.ok || body.status !== 'success') throw new Error(`raw query failed: HTTP ${res.status}`);
    },
    engine: async (at) => {
      const m = await takeMeasurement(metric, plan, { providers, clock: systemClock, at, namespace: 'shop' });
      if (m.phase !== 'Successful' && m.phase !== 'Failed') throw new Error(`engine measurement ${m.phase}: ${m.message ?? ''}`);
    },
    // Diagnostic only: the provider alone, to split the overhead into client library vs engine.
    provider: async (at) => {
      await prometheus.measure(metric.providerConfig, { at, namespace: 'shop' });
    },
  };

  // Evaluation times walk the dataset (minute 10 to the end, every 15 s) so no arm gets a luckier slice.
  const steps = Math.floor((DEMO_DATASET.end - DEMO_DATASET.start - 10 * 60_000) / DEMO_DATASET.stepMs);
  const timeAt = (i: number): number => DEMO_DATASET.start + 10 * 60_000 + (i % steps) * DEMO_DATASET.stepMs;

  const names = Object.keys(arms) as (keyof typeof arms)[];
  const collected: Record<keyof typeof arms, number[]> = { raw: [], engine: [], provider: [] };
  const total = warmup + samples;
  for (let done = 0, blockNo = 0; done < total; done += block, blockNo++) {
    const n = Math.min(block, total - done);
    for (let k = 0; k < names.length; k++) {
      const name = names[(blockNo + k) % names.length] as keyof typeof arms;
      const arm = arms[name];
      for (let i = 0; i < n; i++) {
        const t0 = process.hrtime.bigint();
        await arm(timeAt(done + i));
        const ms = elapsedMs(t0);
        if (done + i >= warmup) collected[name].push(ms);
      }
    }
    if (blockNo % 400 === 0) progress(`engine overhead: ${Math.min(done + n, total)}/${total} calls per arm (first ${warmup} are warm-up)`);
  }

  const raw = summarize(collected.raw);
  const engine = summarize(collected.engine);
  const provider = summarize(collected.provider);
  const ratio = engine.mean / raw.mean;
  const planTimes: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = process.hrtime.bigint();
    await planRun(run, { secrets: 'resolve' });
    planTimes.push(elapsedMs(t0));
  }
  // The engine's own work (condition, Measurement, redaction) with an instant provider: the part
  // of the ratio that is metricgate's, free of network and Prometheus noise.
  const own: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const t0 = process.hrtime.bigint();
    await takeMeasurement(metric, plan, { providers: fastProviders, clock: systemClock, at: timeAt(i) });
    if (i >= 5000) own.push(elapsedMs(t0) * 1000);
  }
  const result: BenchResult = {
    name: 'engine overhead per measurement',
    target: 'candidate mean <= 1.2 x raw HTTP query mean (DESIGN.md §8)',
    baseline: raw.mean,
    candidate: engine.mean,
    ratio,
    unit: 'ms',
    pass: ratio <= 1.2,
    details: {
      method:
        `${samples} sequential calls per arm after ${warmup} warm-up calls, arms interleaved ${block === 1 ? 'call by call' : `in blocks of ${block}`} with rotating order; ` +
        'baseline = fetch(/api/v1/query?query=<scoped query>&time=<t>) + JSON decode; candidate = takeMeasurement() on a planRun() plan ' +
        '(scope canary, successCondition "result[0] < 0.5"); same Prometheus, same evaluation times. ratio = mean/mean.',
      query: scopedQuery,
      rawMs: rounded(raw),
      engineMs: rounded(engine),
      ratioP50: round(engine.p50 / raw.p50),
      ratioP99: round(engine.p99 / raw.p99),
      providerOnlyMs: rounded(provider),
      providerOnlyRatio: round(provider.mean / raw.mean),
      note: 'providerOnly = prometheus provider.measure() alone (prometheus-query/axios + result shaping); engine - providerOnly = what the engine itself adds',
      engineOwnMicros: rounded(summarize(own), 2),
      engineOwnNote: 'takeMeasurement() with a provider answering at once (15,000 calls after 5,000 warm-up): the engine\'s own CPU per measurement, in µs',
      planRunMsPerRun: rounded(summarize(planTimes.slice(50))),
      planRunNote: 'planRun (validation, args, PromQL scoping, condition compile) runs once per run, not per measurement: the worker caches plans',
    },
  };
  printResult(result);
  progress(
    `  raw p50/p99 ${raw.p50.toFixed(3)}/${raw.p99.toFixed(3)} ms; engine p50/p99 ${engine.p50.toFixed(3)}/${engine.p99.toFixed(3)} ms; ` +
      `provider-only mean ${provider.mean.toFixed(3)} ms (${(provider.mean / raw.mean).toFixed(3)}x); engine's own work ${summarize(own).mean.toFixed(1)} µs/measurement`,
  );
  return [result];
}
