/**
 * @module api/routes/runs
 * Submit, list, read and terminate runs. Runs are returned as AnalysisRun objects with `status`
 * in Argo's shape — the same JSON `metricgate run --output json` prints — and `metadata.uid` is
 * the run id. Secret args are stored as references (`valueFrom.secretKeyRef`), never as values,
 * and measurement messages are redacted before they are stored, so nothing here can leak one.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ValidationError, type AnalysisPhase } from '../../model/index.js';
import { parseRunRequest } from '../../queue/index.js';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../errors.js';

const PHASES = ['Pending', 'Running', 'Successful', 'Failed', 'Error', 'Inconclusive'] as const;

const listQuery = z.strictObject({
  phase: z.enum(PHASES).optional(),
  /** `key=value`, repeatable. */
  label: z.union([z.string(), z.array(z.string())]).optional(),
  /** `argo:<namespace>/<rollout>` */
  target: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().optional(),
});

const uidParam = z.strictObject({ id: z.string().regex(/^[0-9a-f-]{8,64}$/i, { error: 'expected a run uid (metadata.uid)' }) });

/** Parses query/params with zod; failures are 400s naming the parameter. */
export function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return r.data;
  const detail = r.error.issues.map((i) => `${where}.${i.path.join('.') || '?'}: ${i.message}`).join('; ');
  throw new ApiError('MG_BAD_REQUEST', detail);
}

export function registerRunRoutes(app: FastifyInstance, deps: AppDeps, rateLimit: { max: number; timeWindow: string }): void {
  app.post('/api/v1/runs', { config: { rateLimit } }, async (req, reply) => {
    const { request, issues } = parseRunRequest(req.body);
    if (!request) throw new ValidationError(issues);
    const { run, created } = await deps.runs.submit(request, 'api');
    return reply
      .code(created ? 201 : 200)
      .header('location', `/api/v1/runs/${run.metadata.uid ?? ''}`)
      .send(run);
  });

  app.get('/api/v1/runs', async (req) => {
    const q = parse(listQuery, req.query, 'query');
    const labels: Record<string, string> = {};
    for (const l of typeof q.label === 'string' ? [q.label] : (q.label ?? [])) {
      const i = l.indexOf('=');
      if (i <= 0) throw new ApiError('MG_BAD_REQUEST', `query.label: expected key=value, got ${JSON.stringify(l)}`);
      labels[l.slice(0, i)] = l.slice(i + 1);
    }
    const page = await deps.store.list({ phase: q.phase as AnalysisPhase | undefined, labels, target: q.target, limit: q.limit ?? 50, cursor: q.cursor });
    return { items: page.items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  });

  app.get('/api/v1/runs/:id', async (req) => {
    const { id } = parse(uidParam, req.params, 'path');
    const stored = await deps.store.get(id);
    if (!stored) throw new ApiError('MG_NOT_FOUND', `no run with uid ${id}`);
    return stored.run;
  });

  app.post('/api/v1/runs/:id/terminate', { config: { rateLimit } }, async (req) => {
    const { id } = parse(uidParam, req.params, 'path');
    const stored = await deps.runs.terminate(id, 'terminated through the API');
    if (!stored) throw new ApiError('MG_NOT_FOUND', `no run with uid ${id}`);
    return stored.run;
  });
}
