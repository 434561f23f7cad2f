/**
 * @module cli/commands/demo
 * `metricgate demo`: the quick start. Starts a real local Prometheus over a generated
 * canary/stable dataset and judges a healthy and a broken canary with the same template, replayed
 * over the dataset's history — then shows what the same query says without canary scoping.
 */
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { DEMO_DATASET } from '../local/dataset.js';
import { startPrometheus, type LocalService } from '../local/processes.js';
import type { AnalysisRun } from '../../model/index.js';
import { EXIT, type CliIO } from '../io.js';
import { runAnalysis, type RunFlags } from './run.js';

/** The template the demo runs (also a ready-made gate users can copy). */
export const DEMO_TEMPLATE = fileURLToPath(new URL('../../../queries/templates/http-canary-gate.yaml', import.meta.url));

export interface DemoFlags {
  /** Keep Prometheus running after the demo (until Ctrl-C) so users can try commands. */
  readonly keep?: boolean;
  readonly output: string;
}

/** First error-rate value of a run, read from its JSON output. */
async function captureRun(flags: RunFlags, io: CliIO): Promise<number | undefined> {
  let json = '';
  await runAnalysis([DEMO_TEMPLATE], { ...flags, output: 'json' }, { ...io, stdout: { write: (s: string) => (json += s) } });
  const run = JSON.parse(json) as AnalysisRun;
  const value = run.status?.metricResults.find((m) => m.name === 'error-rate')?.measurements[0]?.value;
  const n = Number(value?.replace(/[[\]]/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

/** Runs the demo; exit 0 when both verdicts come out as expected. */
export async function runDemo(flags: DemoFlags, io: CliIO): Promise<number> {
  let prometheus: LocalService;
  try {
    prometheus = await startPrometheus(DEMO_DATASET);
  } catch (err) {
    io.stderr.write(`error: cannot start the local Prometheus: ${(err as Error).message}\n`);
    return EXIT.unavailable;
  }
  const at = new Date(DEMO_DATASET.start + 30 * 60_000).toISOString();
  try {
    io.stdout.write(
      `metricgate demo — a real Prometheus at ${prometheus.url} holds two hours of generated traffic for canary and stable pods,\n` +
        `labelled argo_rollouts_status. The same template judges two services, scoped to their canary pods,\n` +
        `replayed from ${at} on a virtual clock (5 measurements, 1 minute apart, no waiting).\n\n`,
    );
    const flagsFor = (service: string, scope: string): RunFlags => ({
      template: [],
      arg: [`service=${service}`, `prometheus-address=${prometheus.url}`],
      secret: [],
      scope,
      scopeLabel: [],
      at,
      output: flags.output,
      name: `${service}-canary`,
    });
    const results: { service: string; code: number; expected: number }[] = [];
    for (const [service, expected] of [
      ['checkout', EXIT.successful],
      ['payments', EXIT.failed],
    ] as const) {
      const scenario = DEMO_DATASET.services.find((s) => s.service === service);
      io.stdout.write(`▶ ${service}: ${scenario?.description ?? ''}\n`);
      const code = await runAnalysis([DEMO_TEMPLATE], flagsFor(service, 'canary'), io);
      results.push({ service, code, expected });
      io.stdout.write('\n');
    }
    // The same broken canary, measured with and without scoping, to show what scoping is for.
    const quiet = { ...io, stdout: { write: () => true } };
    const scoped = await captureRun(flagsFor('payments', 'canary'), quiet);
    const unscoped = await captureRun(flagsFor('payments', 'none'), quiet);
    const pct = (v: number | undefined): string => (v === undefined ? '?' : `${(v * 100).toFixed(1)}%`);
    io.stdout.write(
      `▶ why scoping: the payments error rate is ${pct(scoped)} on the canary pods but ${pct(unscoped)} across all pods —
` +
        `  the stable pods' traffic hides ${scoped && unscoped ? Math.round((1 - unscoped / scoped) * 100) : '?'}% of the canary's errors from an unscoped query.\n`,
    );
    const ok = results.every((r) => r.code === r.expected);
    io.stdout.write(
      `\n${results.map((r) => `${r.service}: exit ${r.code}`).join(', ')} — ${ok ? 'as expected' : 'NOT as expected'}.\n` +
        `${flags.keep ? 'Try' : 'With `metricgate demo --keep` the Prometheus stays up; then try'}: metricgate run ${DEMO_TEMPLATE} --arg service=search --arg prometheus-address=${prometheus.url} --scope canary --at 2026-01-01T00:58:00Z\n`,
    );
    if (flags.keep) {
      io.stdout.write(`Prometheus stays up at ${prometheus.url} until Ctrl-C.\n`);
      await new Promise<void>((resolve) => (io.signal ? io.signal.addEventListener('abort', () => resolve(), { once: true }) : resolve()));
    }
    return ok ? EXIT.successful : EXIT.error;
  } finally {
    await prometheus.stop();
  }
}

/** Registers `demo` on the program. */
export function registerDemo(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('start a local Prometheus with a canary/stable dataset and judge a healthy and a broken canary')
    .option('--keep', 'keep the local Prometheus running until Ctrl-C')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (flags: DemoFlags) => setExit(await runDemo(flags, io)));
}
