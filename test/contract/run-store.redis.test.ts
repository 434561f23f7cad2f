import { randomUUID } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { connectRedis, RedisRunStore, RedisTemplateStore, type RedisClient } from '../../src/queue/index.js';
import { runStoreContract } from './run-store.case.js';

const clients: RedisClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
});
const fresh = (): { redis: RedisClient; prefix: string } => {
  const redis = connectRedis(inject('redisUrl'));
  clients.push(redis);
  return { redis, prefix: `{mg-test-${randomUUID()}}` };
};

runStoreContract('redis', {
  runs: async () => {
    const { redis, prefix } = fresh();
    return new RedisRunStore(redis, { prefix });
  },
  templates: async () => {
    const { redis, prefix } = fresh();
    return new RedisTemplateStore(redis, { prefix });
  },
});
