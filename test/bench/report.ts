/**
 * @module bench/report
 * How benchmark results are shown and kept. Each result carries its target, the baseline measured
 * in the same run, the candidate and their ratio, so a reader never compares a figure against a
 * number from another machine. PASS/MISS is printed, never enforced: the process exits 0 either
 * way (project policy: benchmarks report, tests assert behaviour).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { round } from './stats.js';

export interface BenchResult {
  readonly name: string;
  /** The target in words, including where it comes from. */
  readonly target: string;
  readonly baseline: number;
  readonly candidate: number;
  readonly ratio: number;
  readonly unit: string;
  /** null: reported for context only, no target applies. */
  readonly pass: boolean | null;
  /** Method, sample counts, percentiles and whatever else explains the headline figures. */
  readonly details?: Readonly<Record<string, unknown>>;
}

const started = process.hrtime.bigint();

/** Progress line with seconds since the bench started, so a slow step is visible as it happens. */
export function progress(message: string): void {
  const s = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`[bench +${s.toFixed(1).padStart(6)}s] ${message}\n`);
}

export function verdict(pass: boolean | null): string {
  return pass === null ? 'INFO' : pass ? 'PASS' : 'MISS';
}

/** One block per result as soon as it is known. */
export function printResult(r: BenchResult): void {
  progress(`${verdict(r.pass)} ${r.name}: baseline ${fmt(r.baseline)} ${r.unit}, candidate ${fmt(r.candidate)} ${r.unit}, ratio ${fmt(r.ratio)} — target: ${r.target}`);
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3);
}

export function printTable(results: readonly BenchResult[]): void {
  const rows = [
    ['result', 'benchmark', 'baseline', 'candidate', 'ratio', 'unit', 'target'],
    ...results.map((r) => [verdict(r.pass), r.name, fmt(r.baseline), fmt(r.candidate), fmt(r.ratio), r.unit, r.target]),
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length))) ?? [];
  const line = (row: readonly string[]): string => row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd();
  process.stdout.write(`\n${line(rows[0] ?? [])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows.slice(1)) process.stdout.write(`${line(row)}\n`);
  process.stdout.write('\n');
}

export async function writeResults(path: string, results: readonly BenchResult[], extra: Readonly<Record<string, unknown>> = {}): Promise<void> {
  const cpuList = cpus();
  const doc = {
    machine: { cpus: cpuList.length, cpuModel: cpuList[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}` },
    finishedAt: new Date().toISOString(),
    percentileMethod: 'nearest-rank: the ceil(p/100 * n)-th smallest sample',
    ...extra,
    results: results.map((r) => ({ ...r, baseline: round(r.baseline), candidate: round(r.candidate), ratio: round(r.ratio) })),
  };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(doc, null, 2)}\n`);
}
