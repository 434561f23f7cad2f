/**
 * @module cli/commands/run
 * `metricgate run`: judge templates (merged as a Rollout would merge them) or an AnalysisRun to
 * completion in-process, with no Redis — the embedded default a CI pipeline can gate on.
 * `--at` replays the analysis over history on a virtual clock, so backtests and tests are exact
 * and never wait.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { createProviders } from '../../providers/index.js';
import { ReplayClock, planRun, runToCompletion, systemClock, type Clock } from '../../engine/index.js';
import {
  libraryOf,
  runFromTemplates,
  type AnalysisPhase,
  type AnalysisRun,
  type AnalysisTemplate,
  type Issue,
} from '../../model/index.js';
import { EXIT, type CliIO } from '../io.js';
import { loadFiles, parseArgFlags, parseAt, parseDurationFlag, parseScope, parseScopeLabels, rolloutSources, secretSource } from '../inputs.js';
import { renderIssues, renderMeasurement, renderRun } from '../render.js';

export interface RunFlags {
  readonly template: string[];
  readonly arg: string[];
  readonly secret: string[];
  readonly scope?: string;
  readonly scopeLabel: string[];
  readonly at?: string;
  readonly duration?: string;
  readonly output: string;
  readonly rollout?: string;
  readonly prometheusAddress?: string;
  readonly name?: string;
}

/** Exit code for a final run phase. */
export function exitCodeFor(phase: AnalysisPhase | undefined): number {
  switch (phase) {
    case 'Successful':
      return EXIT.successful;
    case 'Failed':
      return EXIT.failed;
    case 'Inconclusive':
      return EXIT.inconclusive;
    default:
      return EXIT.error;
  }
}

/** Runs the analysis; returns the exit code. */
export async function runAnalysis(files: readonly string[], flags: RunFlags, io: CliIO): Promise<number> {
  const json = flags.output === 'json';
  const issues: Issue[] = [];
  if (!['text', 'json'].includes(flags.output)) issues.push({ code: 'INVALID_VALUE', path: '--output', message: `expected text or json, got ${JSON.stringify(flags.output)}` });
  const args = parseArgFlags(flags.arg, issues);
  const secret = secretSource(flags.secret, io.env, issues);
  const at = parseAt(flags.at, issues);
  const durationMs = parseDurationFlag(flags.duration, issues);
  const scope = parseScope(flags.scope, issues);
  const labels = parseScopeLabels(flags.scopeLabel);
  const loaded = await loadFiles(files, io);
  issues.push(...loaded.issues);
  const rollout = flags.rollout !== undefined ? await readRollout(flags.rollout, io, issues) : undefined;
  const run = issues.length === 0 ? selectRun(loaded.documents.map((d) => d.object), flags, args, issues) : undefined;
  const planned = run
    ? await planRun(run, {
        secrets: 'resolve',
        sources: { secret, ...(rollout !== undefined ? rolloutSources(rollout) : {}) },
        scope,
        labels,
      })
    : undefined;
  issues.push(...(planned?.issues ?? []));
  if (issues.length > 0 || !run || !planned?.plan) return fail(io, json, issues);

  const env = { ...io.env, ...(flags.prometheusAddress ? { METRICGATE_PROMETHEUS_ADDRESS: flags.prometheusAddress } : {}) };
  const clock: Clock = at !== undefined ? new ReplayClock(at) : systemClock;
  const style = { color: io.stdout.isTTY === true && io.env['NO_COLOR'] === undefined };
  const printed = new Map<string, number>();
  const final = await runToCompletion(run, planned.plan, {
    clock,
    providers: createProviders({ env }),
    durationMs,
    signal: io.signal,
    onUpdate: json
      ? undefined
      : (current) => {
          for (const r of current.status?.metricResults ?? []) {
            const total = r.count + r.error;
            const seen = printed.get(r.name) ?? 0;
            const fresh = r.measurements.slice(Math.max(0, r.measurements.length - (total - seen)));
            fresh.forEach((m, i) => io.stdout.write(renderMeasurement(r.name, seen + i, m, style)));
            printed.set(r.name, total);
          }
        },
  });
  if (json) io.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
  else io.stdout.write(renderRun(final, style, at !== undefined ? `replayed from ${new Date(at).toISOString()}` : undefined));
  return exitCodeFor(final.status?.phase);
}

async function readRollout(path: string, io: CliIO, issues: Issue[]): Promise<unknown> {
  try {
    const docs = parseAllDocuments(await io.readFile(path));
    const objects = (Array.isArray(docs) ? docs : []).map((d) => d.toJS() as unknown);
    const rollout = objects.find((o) => typeof o === 'object' && o !== null && (o as { kind?: unknown }).kind === 'Rollout');
    if (rollout === undefined) issues.push({ code: 'INVALID_VALUE', path: '--rollout', message: `${path} holds no object of kind Rollout` });
    return rollout;
  } catch (err) {
    issues.push({ code: 'INVALID_VALUE', path: '--rollout', message: `cannot read ${path}: ${(err as Error).message}` });
    return undefined;
  }
}

/** An AnalysisRun in the files runs as is; otherwise the selected (or all) templates are merged. */
function selectRun(objects: readonly (AnalysisTemplate | AnalysisRun)[], flags: RunFlags, args: RunFromArgs, issues: Issue[]): AnalysisRun | undefined {
  const runs = objects.filter((o): o is AnalysisRun => o.kind === 'AnalysisRun');
  const templates = objects.filter((o): o is AnalysisTemplate => o.kind !== 'AnalysisRun');
  if (runs.length > 0) {
    if (runs.length > 1 || flags.template.length > 0) {
      issues.push({
        code: 'INVALID_VALUE',
        path: 'files',
        message: runs.length > 1 ? `found ${runs.length} AnalysisRuns; run one at a time` : '--template selects templates, but the files hold an AnalysisRun; drop --template or the run',
      });
      return undefined;
    }
    const run = runs[0] as AnalysisRun;
    const spec = args.length ? { ...run.spec, args: overrideArgs(run.spec.args ?? [], args) } : run.spec;
    return { ...run, metadata: { ...run.metadata, uid: run.metadata.uid ?? randomUUID(), name: flags.name ?? run.metadata.name ?? 'run' }, spec };
  }
  if (templates.length === 0) {
    issues.push({ code: 'NO_METRICS', path: 'files', message: 'no AnalysisTemplate, ClusterAnalysisTemplate or AnalysisRun found in the given files' });
    return undefined;
  }
  const selected: AnalysisTemplate[] = [];
  for (const name of flags.template) {
    const t = templates.filter((x) => x.metadata.name === name);
    if (t.length === 0) {
      issues.push({ code: 'TEMPLATE_NOT_FOUND', path: '--template', message: `no template named ${JSON.stringify(name)}; found: ${templates.map((x) => x.metadata.name).join(', ')}` });
    }
    selected.push(...t);
  }
  const chosen = flags.template.length > 0 ? selected : templates;
  if (issues.length > 0) return undefined;
  const uid = randomUUID();
  const base = chosen.map((t) => t.metadata.name).join('-') || 'run';
  const built = runFromTemplates(chosen, libraryOf(templates), { name: flags.name ?? `${base}-${uid.slice(0, 5)}`, uid, args });
  issues.push(...built.issues);
  return built.run;
}

type RunFromArgs = readonly { name: string; value?: string }[];

function overrideArgs(declared: readonly { name: string; value?: string }[], given: RunFromArgs): { name: string; value?: string }[] {
  return declared.map((a) => given.find((g) => g.name === a.name) ?? a);
}

function fail(io: CliIO, json: boolean, issues: readonly Issue[]): number {
  if (json) io.stdout.write(`${JSON.stringify({ error: { code: 'VALIDATION', issues } }, null, 2)}\n`);
  else io.stderr.write(renderIssues(issues));
  return EXIT.usage;
}

/** Registers `run` on the program. */
export function registerRun(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('run an analysis to completion in-process and exit with its verdict (0 Successful, 1 Failed, 2 Inconclusive, 3 Error, 64 invalid input)')
    .argument('<files...>', 'YAML files with AnalysisTemplates / ClusterAnalysisTemplates / an AnalysisRun ("-" reads stdin)')
    .option('-t, --template <name>', 'template to run (repeatable; default: every template in the files, merged)', collect, [])
    .option('-a, --arg <name=value>', 'argument value (repeatable)', collect, [])
    .option('--secret <secret/key=value>', 'value for a valueFrom.secretKeyRef arg (repeatable; or env METRICGATE_SECRET_<SECRET>_<KEY>)', collect, [])
    .option('--scope <scope>', 'pods the queries see: canary, stable or none (default: template annotation, else none)')
    .option('--scope-label <name>', 'label/tag scoping adds (default argo_rollouts_status for PromQL); LANG=NAME for one language', collect, [])
    .option('--at <time>', 'replay over history starting at TIME (RFC 3339 or Unix seconds) on a virtual clock')
    .option('--duration <duration>', 'terminate an open-ended run after this Go duration (e.g. 10m)')
    .option('-o, --output <format>', 'text or json (the final AnalysisRun in Argo shape)', 'text')
    .option('--rollout <file>', 'Rollout YAML that valueFrom.fieldRef and podTemplateHashValue args read from')
    .option('--prometheus-address <url>', 'default Prometheus address for metrics that set none (env METRICGATE_PROMETHEUS_ADDRESS)')
    .option('--name <name>', 'name of the AnalysisRun (default: templates + random suffix)')
    .action(async (files: string[], flags: RunFlags) => setExit(await runAnalysis(files, flags, io)));
}

/** commander helper for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
