/**
 * Starts the real services the suite talks to — once per test run — and hands their URLs to the
 * tests through vitest's provide/inject. Redis: REDIS_URL when it is set and answers, else a
 * throw-away redis-server with --hz 100. Prometheus: always a fresh one over the generated
 * canary/stable dataset, so results are exact and repeatable.
 */
import type { TestProject } from 'vitest/node';
import { Redis } from 'ioredis';
import { DEMO_DATASET } from '../../src/cli/local/dataset.js';
import { startPrometheus, startRedis, type LocalService } from '../../src/cli/local/processes.js';

declare module 'vitest' {
  export interface ProvidedContext {
    prometheusUrl: string;
    redisUrl: string;
  }
}

async function reachable(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: LocalService[] = [];
  const prometheus = await startPrometheus(DEMO_DATASET);
  started.push(prometheus);
  let redisUrl = process.env['REDIS_URL'];
  if (!redisUrl || !(await reachable(redisUrl))) {
    const redis = await startRedis();
    started.push(redis);
    redisUrl = redis.url;
  }
  project.provide('prometheusUrl', prometheus.url);
  project.provide('redisUrl', redisUrl);
  return async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
}
