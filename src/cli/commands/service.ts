/**
 * @module cli/commands/service
 * `metricgate serve` (API + worker + dashboard in one process, the default deployment),
 * `metricgate worker`, `metricgate api`, and `metricgate status` (reads runs straight from Redis).
 */
import type { Command } from 'commander';
import { isCompleted, type AnalysisPhase, type AnalysisRun } from '../../model/index.js';
import { RedisRunStore, connectRedis } from '../../queue/index.js';
import { EXIT, type CliIO } from '../io.js';
import { renderIssues, renderRun } from '../render.js';
import { ENV, resolveConfig, startService, type Roles, type ServiceFlags } from '../service.js';

/** Runs the service until the process is signalled; returns the exit code. */
export async function serve(flags: ServiceFlags, roles: Roles, io: CliIO): Promise<number> {
  const { config, issues } = resolveConfig(flags, io.env);
  if (!config) {
    io.stderr.write(renderIssues(issues));
    return EXIT.usage;
  }
  if (roles.api && config.apiTokens.length === 0 && !config.insecureDev) {
    io.stderr.write(`error: no API tokens configured: set ${ENV.apiTokens} (comma-separated, each ≥ 16 characters) or pass --insecure-dev for local development\n`);
    return EXIT.usage;
  }
  let running;
  try {
    running = await startService(config, roles, io.env);
  } catch (err) {
    io.stderr.write(`error: cannot start: ${(err as Error).message}\n`);
    return EXIT.unavailable;
  }
  await new Promise<void>((resolve) => {
    if (!io.signal) return resolve();
    if (io.signal.aborted) return resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await running.stop();
  return EXIT.successful;
}

function age(from: string | undefined, now: number): string {
  const ms = now - Date.parse(from ?? '');
  if (!Number.isFinite(ms)) return '';
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : s < 172800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86400)}d`;
}

/** `metricgate status [RUN]`: one run in full, or the newest runs as a table. */
export async function status(runId: string | undefined, flags: { redisUrl?: string; prefix?: string; output: string; phase?: string }, io: CliIO): Promise<number> {
  const { config, issues } = resolveConfig({ redisUrl: flags.redisUrl, prefix: flags.prefix, insecureDev: true }, io.env);
  if (!config) {
    io.stderr.write(renderIssues(issues));
    return EXIT.usage;
  }
  const redis = connectRedis(config.redisUrl, { lazy: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (err) {
    io.stderr.write(`error: cannot reach Redis at ${config.redisUrl}: ${(err as Error).message}\n`);
    redis.disconnect();
    return EXIT.unavailable;
  }
  try {
    const store = new RedisRunStore(redis, { prefix: config.prefix });
    if (runId) {
      const found = (await store.get(runId)) ?? (await findByName(store, runId));
      if (!found) {
        io.stderr.write(`error: no run with uid or name ${JSON.stringify(runId)}\n`);
        return EXIT.failed;
      }
      io.stdout.write(flags.output === 'json' ? `${JSON.stringify(found.run, null, 2)}\n` : renderRun(found.run, { color: io.stdout.isTTY === true }));
      return EXIT.successful;
    }
    const phases: readonly AnalysisPhase[] = ['Pending', 'Running', 'Successful', 'Failed', 'Error', 'Inconclusive'];
    const phase = phases.find((p) => p === flags.phase);
    if (flags.phase !== undefined && !phase) {
      io.stderr.write(`error: --phase: expected one of ${phases.join(', ')}, got ${JSON.stringify(flags.phase)}\n`);
      return EXIT.usage;
    }
    const page = await store.list({ limit: 50, ...(phase ? { phase } : {}) });
    if (flags.output === 'json') {
      io.stdout.write(`${JSON.stringify(page.items, null, 2)}\n`);
      return EXIT.successful;
    }
    const now = Date.now();
    const rows = page.items.map((r) => [r.metadata.name ?? '', r.metadata.uid ?? '', r.status?.phase ?? 'Pending', age(r.metadata.creationTimestamp, now), isCompleted(r.status?.phase) ? (r.status?.message ?? '').slice(0, 80) : '']);
    const widths = [0, 1, 2, 3].map((i) => Math.max(['NAME', 'UID', 'PHASE', 'AGE'][i]?.length ?? 0, ...rows.map((r) => r[i]?.length ?? 0)));
    const line = (cells: string[]): string => `${cells.map((c, i) => (i < 4 ? c.padEnd(widths[i] ?? 0) : c)).join('  ')}\n`;
    io.stdout.write(line(['NAME', 'UID', 'PHASE', 'AGE', 'MESSAGE']));
    for (const r of rows) io.stdout.write(line(r));
    return EXIT.successful;
  } finally {
    redis.disconnect();
  }
}

async function findByName(store: RedisRunStore, name: string): Promise<{ run: AnalysisRun } | undefined> {
  const page = await store.list({ limit: 500 });
  const run = page.items.find((r) => r.metadata.name === name);
  return run ? { run } : undefined;
}

function serviceOptions(cmd: Command): Command {
  return cmd
    .option('--redis-url <url>', `Redis URL (env ${ENV.redisUrl}; default redis://127.0.0.1:6379)`)
    .option('--queue-prefix <prefix>', `Redis key prefix, a Cluster hash tag (env ${ENV.prefix}; default {metricgate})`)
    .option('--log-level <level>', `trace, debug, info, warn, error (env ${ENV.logLevel}; default info)`);
}

interface CommanderServiceFlags extends ServiceFlags {
  readonly queuePrefix?: string;
}

const toFlags = (f: CommanderServiceFlags): ServiceFlags => ({ ...f, prefix: f.queuePrefix });

/** Registers serve, worker, api and status. */
export function registerService(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const withApi = (cmd: Command): Command =>
    cmd
      .option('--listen <host:port>', `API address (env ${ENV.listen}; default 127.0.0.1:8080)`)
      .option('--api-tokens <tokens>', `comma-separated bearer tokens (env ${ENV.apiTokens})`)
      .option('--insecure-dev', 'disable API authentication (local development only)');
  const withWorker = (cmd: Command): Command => cmd.option('--concurrency <n>', `jobs processed at once (env ${ENV.concurrency}; default 50)`);
  const withKube = (cmd: Command): Command =>
    cmd
      .option('--kubeconfig <file>', 'kubeconfig to use (default: in-cluster, KUBECONFIG, ~/.kube/config; none found = no rollout watching or actuation)')
      .option('--context <name>', 'kubeconfig context')
      .option('--namespaces <list>', `namespaces whose Rollouts are watched, comma-separated (env ${ENV.namespaces}; default all)`);

  withKube(withWorker(withApi(serviceOptions(program.command('serve').description('run the API, a worker, the dashboard and (with Kubernetes access) the rollout watcher in one process; SIGTERM drains'))))).action(
    async (flags: CommanderServiceFlags) => setExit(await serve(toFlags(flags), { api: true, worker: true, controller: true }, io)),
  );
  withKube(withWorker(serviceOptions(program.command('worker').description('run only a worker (measures, and actuates when Kubernetes access is configured); any number can share one Redis')))).action(
    async (flags: CommanderServiceFlags) => setExit(await serve(toFlags(flags), { api: false, worker: true, controller: false }, io)),
  );
  withApi(serviceOptions(program.command('api').description('run only the API and dashboard'))).action(async (flags: CommanderServiceFlags) =>
    setExit(await serve(toFlags(flags), { api: true, worker: false, controller: false }, io)),
  );
  withKube(serviceOptions(program.command('controller').description('run only the rollout watcher (leader-elected through a Lease); needs Kubernetes access'))).action(
    async (flags: CommanderServiceFlags) => setExit(await serve(toFlags(flags), { api: false, worker: false, controller: 'required' }, io)),
  );
  program
    .command('status')
    .description('show one run (by uid or name) or the newest runs, read from Redis')
    .argument('[run]', 'run uid or name')
    .option('--redis-url <url>', `Redis URL (env ${ENV.redisUrl})`)
    .option('--queue-prefix <prefix>', `Redis key prefix (env ${ENV.prefix})`)
    .option('--phase <phase>', 'only runs in this phase')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (run: string | undefined, flags: { redisUrl?: string; queuePrefix?: string; output: string; phase?: string }) =>
      setExit(await status(run, { ...flags, prefix: flags.queuePrefix }, io)),
    );
}
