/**
 * @module queue/connection
 * Redis connections from one URL: `redis://` / `rediss://` (single node),
 * `redis+sentinel://[:password@]host:port[,host:port…]/<master>` (Sentinel) and
 * `redis+cluster://[:password@]host:port[,host:port…]` (Cluster). BullMQ workers need
 * `maxRetriesPerRequest: null` so a Redis restart pauses them instead of failing jobs.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

export interface ParsedRedisUrl {
  readonly mode: 'single' | 'sentinel' | 'cluster';
  readonly url: string;
  readonly nodes: readonly { host: string; port: number }[];
  readonly password?: string;
  readonly username?: string;
  readonly masterName?: string;
  readonly tls: boolean;
  readonly db?: number;
}

/** Parses and checks a Redis URL; the error says which forms are valid. */
export function parseRedisUrl(url: string): ParsedRedisUrl {
  const m = /^(redis|rediss|redis\+sentinel|redis\+cluster):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)(?:\/([^?#]*))?$/.exec(url.trim());
  if (!m) {
    throw new Error(
      `invalid Redis URL ${JSON.stringify(url.replace(/:[^:@/]*@/, ':***@'))}: expected redis://host:port[/db], rediss://…, redis+sentinel://host:port,…/master or redis+cluster://host:port,…`,
    );
  }
  const [, scheme = 'redis', user, pass, hosts = '', path = ''] = m;
  const nodes = hosts.split(',').map((h) => {
    const [host = '127.0.0.1', port] = h.split(':');
    return { host, port: Number(port ?? (scheme === 'redis+sentinel' ? 26379 : 6379)) };
  });
  if (nodes.some((n) => !Number.isInteger(n.port) || n.port <= 0)) throw new Error(`invalid port in Redis URL host list ${JSON.stringify(hosts)}`);
  const mode = scheme === 'redis+sentinel' ? 'sentinel' : scheme === 'redis+cluster' ? 'cluster' : 'single';
  if (mode === 'sentinel' && !path) throw new Error('redis+sentinel:// URLs need the master name as the path, e.g. redis+sentinel://s1:26379,s2:26379/mymaster');
  const db = mode === 'single' && path ? Number(path) : undefined;
  if (db !== undefined && !Number.isInteger(db)) throw new Error(`invalid Redis database ${JSON.stringify(path)} in URL: expected a number`);
  return {
    mode,
    url,
    nodes,
    password: pass ? decodeURIComponent(pass) : undefined,
    username: user ? decodeURIComponent(user) : undefined,
    masterName: mode === 'sentinel' ? path : undefined,
    tls: scheme === 'rediss',
    db,
  };
}

/**
 * Opens a connection. `forWorker` sets what BullMQ needs for blocking connections; every client
 * retries forever with capped backoff, so a Redis restart is ridden out, not fatal.
 */
export function connectRedis(url: string, options: { forWorker?: boolean; lazy?: boolean } = {}): RedisClient {
  const p = parseRedisUrl(url);
  const common: RedisOptions = {
    maxRetriesPerRequest: options.forWorker ? null : 20,
    enableReadyCheck: true,
    lazyConnect: options.lazy ?? false,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    ...(p.password ? { password: p.password } : {}),
    ...(p.username ? { username: p.username } : {}),
    ...(p.tls ? { tls: {} } : {}),
  };
  if (p.mode === 'cluster') {
    return new Cluster([...p.nodes], { redisOptions: common, clusterRetryStrategy: (times) => Math.min(100 * times, 2000) });
  }
  if (p.mode === 'sentinel') {
    return new Redis({ ...common, sentinels: [...p.nodes], name: p.masterName });
  }
  const node = p.nodes[0] ?? { host: '127.0.0.1', port: 6379 };
  return new Redis({ ...common, host: node.host, port: node.port, ...(p.db !== undefined ? { db: p.db } : {}) });
}
