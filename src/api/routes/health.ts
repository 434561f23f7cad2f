/**
 * @module api/routes/health
 * Liveness, readiness, Prometheus metrics and the OpenAPI document.
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { openApiDocument } from '../openapi.js';

export function registerHealthRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/healthz', { config: { public: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { public: true } }, async (_req, reply) => {
    const checks: Record<string, boolean> = {};
    await Promise.all(
      Object.entries(deps.readiness).map(async ([name, check]) => {
        checks[name] = await Promise.race([check().catch(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref())]);
      }),
    );
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', async (_req, reply) => {
    // Gauges are sampled at scrape time from Redis, so they are right across every replica.
    const none: Record<string, number> = {};
    const [phases, jobs] = await Promise.all([
      deps.store.countByPhase().catch(() => none) as Promise<Record<string, number>>,
      deps.queueCounts ? deps.queueCounts().catch(() => none) : Promise.resolve(none),
    ]);
    for (const [phase, n] of Object.entries(phases)) deps.metrics.runsByPhase.set({ phase }, n);
    for (const [state, n] of Object.entries(jobs)) deps.metrics.queueJobs.set({ state }, n);
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.get('/api/v1/openapi.json', { config: { public: true } }, async () => openApiDocument);
}
