/**
 * Helpers to run the real service in tests: in-process (startService) or as child processes
 * (`metricgate worker` through tsx, so a test can kill -9 one), each on its own Redis key prefix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { KubeObjects } from '../../src/actuators/index.js';
import { freePort } from '../../src/cli/local/processes.js';
import { resolveConfig, startService, type RunningService } from '../../src/cli/service.js';
import type { AnalysisRun } from '../../src/model/index.js';
import { createLogger } from '../../src/telemetry/logger.js';

export const TOKEN = 'integration-token-0123456789';
const ROOT = join(import.meta.dirname, '../..');

export function uniquePrefix(): string {
  return `{mg-it-${randomUUID().slice(0, 8)}}`;
}

export interface TestService extends RunningService {
  readonly url: string;
  readonly prefix: string;
}

/** Starts API and/or worker in this process. */
export async function startTestService(options: { redisUrl: string; prefix?: string; api?: boolean; worker?: boolean; controller?: boolean; kube?: KubeObjects; env?: Record<string, string> }): Promise<TestService> {
  const prefix = options.prefix ?? uniquePrefix();
  const port = await freePort();
  const env = { METRICGATE_LOCK_DURATION_MS: '2000', ...options.env };
  const { config, issues } = resolveConfig({ redisUrl: options.redisUrl, prefix, listen: `127.0.0.1:${port}`, apiTokens: TOKEN, logLevel: 'warn' }, env);
  if (!config) throw new Error(JSON.stringify(issues));
  const running = await startService(config, { api: options.api ?? true, worker: options.worker ?? true, controller: options.controller ?? false }, env, createLogger({ level: 'silent' }), options.kube ? { kube: options.kube } : {});
  return { ...running, url: running.url ?? `http://127.0.0.1:${port}`, prefix };
}

/** A `metricgate worker` child process. */
export function spawnWorker(redisUrl: string, prefix: string, extraEnv: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'worker'], {
    cwd: ROOT,
    env: { ...process.env, METRICGATE_REDIS_URL: redisUrl, METRICGATE_QUEUE_PREFIX: prefix, METRICGATE_LOG_LEVEL: 'warn', METRICGATE_LOCK_DURATION_MS: '2000', ...extraEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Calls the API with the test token. */
export async function api(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Polls until `check` returns a value; the cap only prevents a hung test, it asserts nothing about speed. */
export async function waitFor<T>(check: () => Promise<T | undefined>, what: string, capMs = 60_000): Promise<T> {
  const deadline = Date.now() + capMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An inline run measuring `vector(1)` on the test Prometheus `count` times, `interval` apart. */
export function liveRun(prometheus: string, name: string, count: number, interval = '1s'): { analysisRun: AnalysisRun } {
  return {
    analysisRun: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name },
      spec: {
        metrics: [
          { name: 'always-one', interval, count, successCondition: 'result[0] == 1', provider: { prometheus: { address: prometheus, query: 'vector(1)' } } },
          { name: 'also-one', interval, count, successCondition: 'len(result) == 1', provider: { prometheus: { address: prometheus, query: 'vector(1) * 1' } } },
        ],
      },
    },
  };
}
