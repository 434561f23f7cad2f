/**
 * @module queue/run-request
 * What a caller (the API, a trigger, the Argo web-metric endpoint) asks for when it starts a run:
 * either an inline AnalysisRun, or stored templates plus args, a scope and a target. Validated
 * with zod so every bad field is reported with its path.
 */
import { z } from 'zod';
import { SCOPES, zodIssues, type Issue } from '../model/index.js';

const argument = z.strictObject({ name: z.string().min(1), value: z.string() });

/** What the run acts on when it finishes (used by the actuators). */
export const targetSchema = z.strictObject({
  /** `argo`: the Argo Rollout object. */
  kind: z.enum(['argo']),
  namespace: z.string().min(1),
  name: z.string().min(1),
  /** The revision (pod-template hash) and step the analysis is for; an action is skipped if the rollout moved on. */
  podHash: z.string().optional(),
  stepIndex: z.number().int().min(0).optional(),
  /** Phase → action overrides, e.g. `{ "Failed": "pause" }`. */
  policy: z.partialRecord(z.enum(['Successful', 'Failed', 'Error', 'Inconclusive']), z.enum(['advance', 'pause', 'abort', 'none'])).optional(),
});
export type RunTarget = z.infer<typeof targetSchema>;

const common = {
  /** Pods the queries see; overrides the templates' default scope (per-metric annotations still win). */
  scope: z.enum(SCOPES).optional(),
  /** Label/tag that scoping adds. */
  scopeLabel: z.string().min(1).optional(),
  target: targetSchema.optional(),
  /** Terminate an open-ended run after this many seconds (Successful unless a limit was violated). */
  durationSeconds: z.number().positive().max(7 * 24 * 3600).optional(),
  /**
   * Makes the request idempotent: the same key always maps to the same run, so a retried or
   * duplicated request (two API replicas, a re-delivered event) starts one run.
   */
  idempotencyKey: z.string().min(1).max(512).optional(),
  labels: z.record(z.string(), z.string()).optional(),
};

export const inlineRunRequest = z.strictObject({
  /** An inline `argoproj.io/v1alpha1` AnalysisRun (validated like `metricgate lint`). */
  analysisRun: z.record(z.string(), z.unknown()),
  ...common,
});

export const templateRunRequest = z.strictObject({
  templates: z
    .array(z.strictObject({ name: z.string().min(1), clusterScope: z.boolean().optional() }))
    .min(1, { error: 'name at least one stored template' }),
  args: z.array(argument).optional(),
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: 'must be a DNS-1123 name: lower-case letters, digits, "-" and "."' })
    .max(253)
    .optional(),
  namespace: z.string().min(1).optional(),
  ...common,
});

export type RunRequest = z.infer<typeof inlineRunRequest> | z.infer<typeof templateRunRequest>;

/**
 * Validates a request body. The shape is chosen by its key (`analysisRun` or `templates`) so
 * errors point at the real field instead of "matched neither alternative".
 */
export function parseRunRequest(body: unknown): { request: RunRequest; issues: Issue[] } | { request?: undefined; issues: Issue[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { issues: [{ code: 'INVALID_TYPE', path: '', message: 'expected a JSON object: {"analysisRun": {…}} or {"templates": [{"name": …}], "args": […]}' }] };
  }
  const schema = 'analysisRun' in body ? inlineRunRequest : templateRunRequest;
  const parsed = schema.safeParse(body, { reportInput: true });
  if (!parsed.success) return { issues: zodIssues(parsed.error) };
  return { request: parsed.data, issues: [] };
}
