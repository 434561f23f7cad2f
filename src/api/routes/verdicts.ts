/**
 * @module api/routes/verdicts
 * The endpoint an Argo `web` metric calls. Argo polls it every `interval`; the first call starts a
 * metricgate run for (namespace, rollout, revision, templates, args, scope) — a deterministic id,
 * so repeated or concurrent calls share one run — and every call answers within Argo's timeout
 * with the current verdict: `Running` until the run ends, then its phase. See
 * queries/templates/argo-web-metric.yaml for the matching Argo AnalysisTemplate.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SCOPES, ValidationError, isCompleted, type AnalysisRun } from '../../model/index.js';
import { parseRunRequest } from '../../queue/index.js';
import type { AppDeps } from '../deps.js';
import { parse } from './runs.js';

const params = z.strictObject({
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: 'expected a Kubernetes namespace' }).max(63),
  rollout: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: 'expected a Rollout name' }).max(253),
  revision: z.string().min(1).max(128),
});

const body = z.strictObject({
  templates: z.array(z.strictObject({ name: z.string().min(1), clusterScope: z.boolean().optional() })).min(1),
  args: z.array(z.strictObject({ name: z.string().min(1), value: z.string() })).optional(),
  scope: z.enum(SCOPES).optional(),
  /** Seconds to wait for a final verdict before answering Running. */
  wait: z.number().min(0).optional(),
});

/** The JSON an Argo web metric reads (`result.verdict`, `result.done`, …). */
export interface VerdictResponse {
  readonly verdict: 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';
  readonly done: boolean;
  readonly message: string;
  readonly run: { readonly uid: string; readonly name: string };
  readonly metrics: readonly { name: string; phase: string; value?: string; message?: string }[];
}

function fromQuery(req: FastifyRequest): z.infer<typeof body> {
  const q = (req.query ?? {}) as Record<string, string | string[] | undefined>;
  const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const templates = [...list(q['template']).map((name) => ({ name })), ...list(q['clusterTemplate']).map((name) => ({ name, clusterScope: true }))];
  const args = Object.entries(q)
    .filter(([k]) => k.startsWith('arg.'))
    .map(([k, v]) => ({ name: k.slice(4), value: list(v)[0] ?? '' }));
  const wait = q['wait'] !== undefined ? Number(list(q['wait'])[0]) : undefined;
  const scope = list(q['scope'])[0];
  return parse(body, { templates, args, ...(scope !== undefined ? { scope } : {}), ...(wait !== undefined ? { wait } : {}) }, 'query');
}

function respond(run: AnalysisRun): VerdictResponse {
  const phase = run.status?.phase;
  const done = isCompleted(phase);
  return {
    verdict: done && phase !== 'Running' && phase !== 'Pending' && phase !== undefined ? phase : 'Running',
    done,
    message: run.status?.message ?? '',
    run: { uid: run.metadata.uid ?? '', name: run.metadata.name ?? '' },
    metrics: (run.status?.metricResults ?? []).map((r) => {
      const last = r.measurements[r.measurements.length - 1];
      return { name: r.name, phase: r.phase, ...(last?.value !== undefined ? { value: last.value } : {}), ...(r.message ? { message: r.message } : {}) };
    }),
  };
}

/**
 * Not rate-limited like the write routes: every Rollout polls it on its own interval, and a
 * repeated call is idempotent (it finds the same run).
 */
export function registerVerdictRoutes(app: FastifyInstance, deps: AppDeps, options: { maxWaitMs: number }): void {
  const handler = async (req: FastifyRequest): Promise<VerdictResponse> => {
    const p = parse(params, req.params, 'path');
    const b = req.method === 'POST' ? parse(body, req.body ?? {}, 'body') : fromQuery(req);
    const key = createHash('sha256')
      .update(JSON.stringify([p.namespace, p.rollout, p.revision, [...b.templates].sort((x, y) => x.name.localeCompare(y.name)), [...(b.args ?? [])].sort((x, y) => x.name.localeCompare(y.name)), b.scope ?? 'canary']))
      .digest('hex');
    const { request, issues } = parseRunRequest({
      templates: b.templates,
      args: b.args ?? [],
      scope: b.scope ?? 'canary',
      namespace: p.namespace,
      name: `${p.rollout}-${p.revision}-mg`.toLowerCase().replace(/[^a-z0-9.-]/g, '-').slice(0, 253),
      idempotencyKey: `verdict:${key}`,
      labels: { 'rollouts-pod-template-hash': p.revision.slice(0, 63), 'metricgate.io/rollout': p.rollout },
    });
    if (!request) throw new ValidationError(issues);
    let { run } = await deps.runs.submit(request, 'web-metric');
    const deadline = Date.now() + Math.min(options.maxWaitMs, (b.wait ?? options.maxWaitMs / 1000) * 1000);
    // Long-poll so a short analysis answers in one call; always well inside Argo's 10 s timeout.
    while (!isCompleted(run.status?.phase) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.min(250, Math.max(0, deadline - Date.now()))));
      run = (await deps.store.get(run.metadata.uid ?? ''))?.run ?? run;
    }
    return respond(run);
  };
  const route = '/api/v1/verdicts/:namespace/:rollout/:revision';
  app.get(route, handler);
  app.post(route, handler);
}
