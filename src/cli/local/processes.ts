/**
 * @module cli/local/processes
 * Starting the real local services metricgate runs against on a developer machine and in tests:
 * Prometheus over a backfilled TSDB, and Redis. Each gets a free loopback port and a temporary
 * directory, and is stopped (and its directory removed) by the returned handle.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { renderOpenMetrics, type Dataset } from './dataset.js';

const execFileAsync = promisify(execFile);

/** A started local process. */
export interface LocalService {
  /** Base URL (`http://127.0.0.1:PORT`) or connection URL (`redis://127.0.0.1:PORT`). */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Debian package that provides each binary, for the "how to install" hint. */
const PACKAGES: Readonly<Record<string, string>> = {
  prometheus: 'prometheus',
  promtool: 'prometheus',
  'redis-server': 'redis-server',
  'prometheus-alertmanager': 'prometheus-alertmanager',
};

/** Finds a binary on PATH (or /usr/bin, /usr/sbin); the error says which package installs it. */
export function findBinary(name: string): string {
  const dirs = [...(process.env['PATH'] ?? '').split(':'), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} is not installed: run \`sudo apt-get install -y ${PACKAGES[name] ?? name}\` (or deploy/local/setup.sh)`);
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntil(check: () => Promise<boolean>, what: string, child: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}: ${log().slice(-2000)}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s: ${log().slice(-2000)}`);
}

function stopper(child: ChildProcess, dir?: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  };
}

function capture(child: ChildProcess): () => string {
  let out = '';
  const add = (chunk: Buffer): void => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => out;
}

/**
 * Starts a real Prometheus over a TSDB backfilled from `dataset`. Retention is 100 years and no
 * scrape targets are configured, otherwise Prometheus would delete the old blocks at start.
 */
export async function startPrometheus(dataset?: Dataset, options: { port?: number } = {}): Promise<LocalService> {
  const prometheus = findBinary('prometheus');
  const promtool = findBinary('promtool');
  const dir = await mkdtemp(join(tmpdir(), 'metricgate-prom-'));
  const data = join(dir, 'data');
  const input = join(dir, 'dataset.om');
  await writeFile(input, renderOpenMetrics(dataset));
  await execFileAsync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', input, data], { maxBuffer: 16 * 1024 * 1024 });
  const config = join(dir, 'prometheus.yml');
  await writeFile(config, 'global:\n  scrape_interval: 15s\n');
  const port = options.port ?? (await freePort());
  const child = spawn(
    prometheus,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${data}`,
      '--storage.tsdb.retention.time=100y',
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = capture(child);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${url}/-/ready`)).ok, 'prometheus', child, log);
  return { url, port, stop: stopper(child, dir) };
}

/**
 * Starts a throw-away redis-server with no persistence. `--hz 100` makes BullMQ's delayed jobs
 * fire on time (p99 lateness ~12 ms instead of ~85 ms at the default hz 10).
 */
export async function startRedis(options: { port?: number; dir?: string; persist?: boolean } = {}): Promise<LocalService> {
  const redis = findBinary('redis-server');
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'metricgate-redis-')));
  const port = options.port ?? (await freePort());
  // `persist` keeps an fsync-always append-only file, so a restart on the same dir loses nothing.
  const persistence = options.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const child = spawn(redis, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--hz', '100', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = capture(child);
  await waitUntil(async () => log().includes('Ready to accept connections'), 'redis-server', child, log);
  // A caller-owned directory survives stop() so the next server can load it.
  return { url: `redis://127.0.0.1:${port}`, port, stop: stopper(child, options.dir === undefined ? dir : undefined) };
}
