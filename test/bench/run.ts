/**
 * @module bench/run
 * `npm run bench`: the performance targets of DESIGN.md §8, each measured against a baseline taken
 * in this same run on this same machine, printed as ratios with PASS/MISS and written to
 * test/bench/results/latest.json. It starts everything it needs (a dedicated redis-server with
 * `--hz 100` per benchmark, one Prometheus over the generated dataset) and never touches a Redis
 * it did not start. Exit code 0 whatever the verdicts (this reports, CI does not gate on it); 1
 * only when a benchmark could not run at all, which is a broken benchmark, not a slow metricgate.
 *
 * `npm run bench -- engine worker` runs a subset (names: engine, worker, lateness, api).
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DEMO_DATASET } from '../../src/cli/local/dataset.js';
import { startPrometheus, startRedis, type LocalService } from '../../src/cli/local/processes.js';
import { benchApiLatency } from './api-latency.js';
import { benchEngineOverhead } from './engine-overhead.js';
import { BENCH_DIR } from './fixtures.js';
import { benchLateness } from './lateness.js';
import { printTable, progress, writeResults, type BenchResult } from './report.js';
import { benchWorkerThroughput } from './worker-throughput.js';

const ALL = ['engine', 'worker', 'lateness', 'api'] as const;
type BenchName = (typeof ALL)[number];

/** A fresh Redis per benchmark, so keys, memory and delayed sets left by one never slow the next. */
async function withRedis<T>(use: (redis: LocalService) => Promise<T>): Promise<T> {
  const redis = await startRedis();
  try {
    return await use(redis);
  } finally {
    await redis.stop();
  }
}

async function main(): Promise<boolean> {
  const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = asked.filter((a) => !(ALL as readonly string[]).includes(a));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${ALL.join(', ')}`);
  const chosen: readonly BenchName[] = asked.length > 0 ? (asked as BenchName[]) : ALL;
  const results: BenchResult[] = [];
  const failures: string[] = [];
  const services: LocalService[] = [];
  const t0 = process.hrtime.bigint();
  // Other work on the machine shifts every figure; the load average says whether a run was quiet.
  const loadAtStart = loadavg();
  if ((loadAtStart[0] ?? 0) > 0.5) progress(`note: 1-min load average is ${(loadAtStart[0] ?? 0).toFixed(2)} before starting; other processes compete for the CPU`);
  try {
    let prometheus: LocalService | undefined;
    if (chosen.includes('engine') || chosen.includes('api')) {
      progress('starting Prometheus over the generated dataset (promtool backfill)…');
      prometheus = await startPrometheus(DEMO_DATASET);
      services.push(prometheus);
      progress(`Prometheus at ${prometheus.url}`);
    }
    const steps: Record<BenchName, () => Promise<BenchResult[]>> = {
      engine: () => benchEngineOverhead({ prometheusUrl: requirePrometheus(prometheus) }),
      worker: () => withRedis((redis) => benchWorkerThroughput({ redisUrl: redis.url })),
      lateness: () => withRedis((redis) => benchLateness({ redisUrl: redis.url })),
      api: () => withRedis((redis) => benchApiLatency({ redisUrl: redis.url, prometheusUrl: requirePrometheus(prometheus) })),
    };
    for (const name of chosen) {
      progress(`=== ${name} ===`);
      try {
        results.push(...(await steps[name]()));
      } catch (err) {
        // One broken benchmark must not hide the others' figures.
        const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
        failures.push(`${name}: ${message}`);
        progress(`benchmark ${name} failed: ${message}`);
      }
    }
  } finally {
    await Promise.all(services.map((s) => s.stop()));
  }
  printTable(results);
  const out = join(BENCH_DIR, 'results', 'latest.json');
  const load = (l: number[]): number[] => l.map((v) => Math.round(v * 100) / 100);
  await writeResults(out, results, {
    benchmarks: chosen,
    failures,
    durationSeconds: Math.round(Number(process.hrtime.bigint() - t0) / 1e9),
    loadAverage: { atStart: load(loadAtStart), atEnd: load(loadavg()) },
  });
  progress(`wrote ${out}`);
  if (failures.length > 0) progress(`${failures.length} benchmark(s) did not complete: see "failures" in the JSON`);
  return failures.length === 0;
}

function requirePrometheus(p: LocalService | undefined): string {
  if (!p) throw new Error('Prometheus was not started');
  return p.url;
}

main().then(
  (complete) => process.exit(complete ? 0 : 1),
  (err: unknown) => {
    process.stderr.write(`bench could not run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
