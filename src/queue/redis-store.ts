/**
 * @module queue/redis-store
 * The RunStore and TemplateStore on Redis. A run is one hash (`v` version, `p` phase, `doc` JSON);
 * every write is a Lua compare-and-set on `v`, which is what makes "a measurement is appended
 * once" and "a run finishes once" hold across any number of workers. Phase indexes (sorted sets
 * by creation time) are maintained inside the same script, so they never disagree with the docs.
 * All keys share one hash tag (the prefix, `{metricgate}` by default) so Redis Cluster keeps them
 * in one slot, which multi-key scripts require.
 */
import type { Cluster, Redis } from 'ioredis';
import { TARGET_ANNOTATION, type RunFilter, type RunPage, type RunStore, type StoredRun, type TemplateStore } from '../engine/index.js';
import type { AnalysisPhase, AnalysisRun, AnalysisTemplate, TemplateKind } from '../model/index.js';

const PHASES: readonly AnalysisPhase[] = ['Pending', 'Running', 'Successful', 'Failed', 'Error', 'Inconclusive'];

/**
 * KEYS: run, all, sequence, phase indexes… ARGV: doc, phase, creation ms, uid, (unused), phase key.
 * The index score is creation ms × 1000 + a sequence, so runs created in the same millisecond
 * still page in a stable order with a plain score cursor.
 */
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {0, redis.call('HGET', KEYS[1], 'v'), redis.call('HGET', KEYS[1], 'doc')}
end
local score = tonumber(ARGV[3]) * 1000 + (redis.call('INCR', KEYS[3]) % 1000)
redis.call('HSET', KEYS[1], 'v', 1, 'p', ARGV[2], 'doc', ARGV[1], 's', score)
redis.call('ZADD', KEYS[2], score, ARGV[4])
for i = 4, #KEYS do
  if KEYS[i] == ARGV[6] then redis.call('ZADD', KEYS[i], score, ARGV[4]) end
end
return {1, '1', ARGV[1]}
`;

/** KEYS: run, all, sequence, phase indexes… ARGV: expected version, doc, new phase, uid, ttlSeconds, new phase key */
const UPDATE = `
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return -1 end
if v ~= ARGV[1] then return 0 end
local old = redis.call('HGET', KEYS[1], 'p')
local score = redis.call('HGET', KEYS[1], 's')
redis.call('HSET', KEYS[1], 'v', tonumber(v) + 1, 'p', ARGV[3], 'doc', ARGV[2])
if old ~= ARGV[3] then
  for i = 4, #KEYS do
    if KEYS[i] == ARGV[6] then redis.call('ZADD', KEYS[i], score, ARGV[4]) else redis.call('ZREM', KEYS[i], ARGV[4]) end
  end
end
if tonumber(ARGV[5]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[5]) end
return tonumber(v) + 1
`;

export interface RedisStoreOptions {
  /** Key prefix; keep the braces so Redis Cluster hashes every key to one slot. @defaultValue '{metricgate}' */
  readonly prefix?: string;
  /**
   * Seconds a finished run is kept when its spec has no ttlStrategy. @defaultValue 604800 (7 days)
   */
  readonly finishedRunTtlSeconds?: number;
}

type Client = Redis | Cluster;

interface ScriptClient {
  mgCreateRun(...args: (string | number)[]): Promise<[number, string, string]>;
  mgUpdateRun(...args: (string | number)[]): Promise<number>;
}

/** Redis-backed RunStore (and TemplateStore, see {@link RedisTemplateStore}). */
export class RedisRunStore implements RunStore {
  private readonly prefix: string;
  private readonly ttl: number;

  constructor(
    private readonly redis: Client,
    options: RedisStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? '{metricgate}';
    this.ttl = options.finishedRunTtlSeconds ?? 7 * 24 * 3600;
    if (!('mgCreateRun' in redis)) {
      redis.defineCommand('mgCreateRun', { lua: CREATE });
      redis.defineCommand('mgUpdateRun', { lua: UPDATE });
    }
  }

  private get scripts(): ScriptClient {
    return this.redis as unknown as ScriptClient;
  }

  private key(uid: string): string {
    return `${this.prefix}:run:${uid}`;
  }

  private phaseKey(phase: AnalysisPhase): string {
    return `${this.prefix}:runs:${phase}`;
  }

  private keys(uid: string): string[] {
    return [this.key(uid), `${this.prefix}:runs`, `${this.prefix}:runs:seq`, ...PHASES.map((p) => this.phaseKey(p))];
  }

  /** Running runs per target, so a rollout's watcher finds its runs without scanning every run. */
  private targetKey(target: string): string {
    return `${this.prefix}:running:${target}`;
  }

  async create(run: AnalysisRun): Promise<{ created: boolean; stored: StoredRun }> {
    const uid = run.metadata.uid;
    if (!uid) throw new Error(`run ${run.metadata.name ?? '?'} has no metadata.uid`);
    const target = run.metadata.annotations?.[TARGET_ANNOTATION];
    // Indexed before the run exists: a crash in between leaves an entry that reads skip and drop,
    // never a running run the index misses.
    if (target) await this.redis.sadd(this.targetKey(target), uid);
    const phase = run.status?.phase ?? 'Pending';
    const score = Date.parse(run.metadata.creationTimestamp ?? '') || Date.now();
    const keys = this.keys(uid);
    const [created, version, doc] = await this.scripts.mgCreateRun(keys.length, ...keys, JSON.stringify(run), phase, score, uid, 0, this.phaseKey(phase));
    return { created: created === 1, stored: { run: JSON.parse(doc) as AnalysisRun, version: Number(version) } };
  }

  async get(uid: string): Promise<StoredRun | undefined> {
    const [v, doc] = await this.redis.hmget(this.key(uid), 'v', 'doc');
    if (v === null || v === undefined || doc === null || doc === undefined) return undefined;
    return { run: JSON.parse(doc) as AnalysisRun, version: Number(v) };
  }

  async update(uid: string, expectedVersion: number, run: AnalysisRun): Promise<StoredRun | undefined> {
    const phase = run.status?.phase ?? 'Pending';
    const keys = this.keys(uid);
    const result = await this.scripts.mgUpdateRun(keys.length, ...keys, String(expectedVersion), JSON.stringify(run), phase, uid, this.expiry(run), this.phaseKey(phase));
    return result > 0 ? { run, version: result } : undefined;
  }

  /** Finished runs expire (Argo's ttlStrategy when set, else the store default). */
  private expiry(run: AnalysisRun): number {
    const phase = run.status?.phase;
    if (phase === undefined || phase === 'Running' || phase === 'Pending') return 0;
    const ttl = run.spec.ttlStrategy;
    const specific = phase === 'Successful' ? ttl?.secondsAfterSuccess : phase === 'Failed' ? ttl?.secondsAfterFailure : undefined;
    return Math.max(1, specific ?? ttl?.secondsAfterCompletion ?? this.ttl);
  }

  async list(filter: RunFilter = {}): Promise<RunPage> {
    if (filter.target && filter.phase === 'Running') return this.runningFor(filter.target, filter);
    const limit = Math.max(1, Math.min(filter.limit ?? 50, 500));
    const index = filter.phase ? this.phaseKey(filter.phase) : `${this.prefix}:runs`;
    const items: { run: AnalysisRun; score: string }[] = [];
    // The cursor is the index score of the last run returned; scan on strictly below it.
    let max = filter.cursor && /^\d+$/.test(filter.cursor) ? `(${filter.cursor}` : '+inf';
    for (let batches = 0; batches < 50 && items.length <= limit; batches++) {
      const batch = await this.redis.zrevrangebyscore(index, max, '-inf', 'WITHSCORES', 'LIMIT', 0, 200);
      const entries: { uid: string; score: string }[] = [];
      for (let i = 0; i + 1 < batch.length; i += 2) entries.push({ uid: batch[i] ?? '', score: batch[i + 1] ?? '0' });
      await this.collect(entries, filter, items, index);
      const lowest = entries[entries.length - 1];
      if (!lowest || entries.length < 200) break;
      max = `(${lowest.score}`;
    }
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map((i) => i.run), ...(items.length > limit && last ? { nextCursor: last.score } : {}) };
  }

  /** Running runs of one target from the target index; finished or expired entries are dropped as met. */
  private async runningFor(target: string, filter: RunFilter): Promise<RunPage> {
    const key = this.targetKey(target);
    const uids = await this.redis.smembers(key);
    if (uids.length === 0) return { items: [] };
    const pipeline = this.redis.pipeline();
    for (const uid of uids) pipeline.hget(this.key(uid), 'doc');
    const docs = (await pipeline.exec()) ?? [];
    const items: AnalysisRun[] = [];
    const stale: string[] = [];
    docs.forEach(([, doc], i) => {
      const run = typeof doc === 'string' ? (JSON.parse(doc) as AnalysisRun) : undefined;
      if (!run || run.status?.phase !== 'Running') stale.push(uids[i] ?? '');
      else if (Object.entries(filter.labels ?? {}).every(([k, v]) => run.metadata.labels?.[k] === v)) items.push(run);
    });
    if (stale.length > 0) await this.redis.srem(key, ...stale);
    items.sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
    return { items: items.slice(0, filter.limit ?? 500) };
  }

  private async collect(entries: readonly { uid: string; score: string }[], filter: RunFilter, into: { run: AnalysisRun; score: string }[], index: string): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const e of entries) pipeline.hget(this.key(e.uid), 'doc');
    const docs = (await pipeline.exec()) ?? [];
    const gone: string[] = [];
    docs.forEach(([, doc], i) => {
      const entry = entries[i];
      if (!entry) return;
      if (typeof doc !== 'string') {
        gone.push(entry.uid);
        return;
      }
      const run = JSON.parse(doc) as AnalysisRun;
      const labelsOk = Object.entries(filter.labels ?? {}).every(([k, v]) => run.metadata.labels?.[k] === v);
      const targetOk = !filter.target || run.metadata.annotations?.[TARGET_ANNOTATION] === filter.target;
      if (labelsOk && targetOk) into.push({ run, score: entry.score });
    });
    // Expired runs leave index entries behind; drop them as they are met.
    if (gone.length > 0) await this.redis.zrem(index, ...gone);
  }

  async countByPhase(): Promise<Partial<Record<AnalysisPhase, number>>> {
    const pipeline = this.redis.pipeline();
    for (const p of PHASES) pipeline.zcard(this.phaseKey(p));
    const counts = (await pipeline.exec()) ?? [];
    const out: Partial<Record<AnalysisPhase, number>> = {};
    PHASES.forEach((p, i) => {
      out[p] = Number(counts[i]?.[1] ?? 0);
    });
    return out;
  }
}

/** Stored templates in one Redis hash keyed `<kind>/<name>`. */
export class RedisTemplateStore implements TemplateStore {
  private readonly key: string;

  constructor(
    private readonly redis: Client,
    options: { prefix?: string } = {},
  ) {
    this.key = `${options.prefix ?? '{metricgate}'}:templates`;
  }

  async put(template: AnalysisTemplate): Promise<boolean> {
    const added = await this.redis.hset(this.key, `${template.kind}/${template.metadata.name ?? ''}`, JSON.stringify(template));
    return added === 0;
  }

  async get(kind: TemplateKind, name: string): Promise<AnalysisTemplate | undefined> {
    const doc = await this.redis.hget(this.key, `${kind}/${name}`);
    return doc ? (JSON.parse(doc) as AnalysisTemplate) : undefined;
  }

  async list(): Promise<AnalysisTemplate[]> {
    const all = await this.redis.hgetall(this.key);
    return Object.keys(all)
      .sort()
      .map((k) => JSON.parse(all[k] ?? '{}') as AnalysisTemplate);
  }

  async delete(kind: TemplateKind, name: string): Promise<boolean> {
    return (await this.redis.hdel(this.key, `${kind}/${name}`)) > 0;
  }
}
