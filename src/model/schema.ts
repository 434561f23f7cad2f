/**
 * @module model/schema
 * zod schemas for the Argo analysis kinds. Structure only: provider blocks are checked here for
 * "exactly one provider" and handed to the provider plug-in's own schema later, because the model
 * must not know which providers exist (DESIGN.md §4). Unknown fields are errors (a typo such as
 * `sucessCondition` silently disabling a gate is worse than a loud lint failure).
 */
import { z } from 'zod';
import { parseDuration, DURATION_UNITS } from './duration.js';

const HAS_PLACEHOLDER = /\{\{.*?\}\}/;

/** A string that may contain `{{args.x}}`; templated fields are checked after args resolve. */
export function hasPlaceholder(text: string): boolean {
  return HAS_PLACEHOLDER.test(text);
}

const duration = z.string().refine((s) => hasPlaceholder(s) || parseDuration(s) !== undefined, {
  error: (iss) =>
    `invalid duration ${JSON.stringify(iss.input)}: expected a Go duration such as "30s", "5m" or "1h30m" (units ${DURATION_UNITS})`,
});

const intOrString = z.union([z.number().int(), z.string()], {
  error: (iss) =>
    `expected an integer or a string such as "{{args.count}}", got ${iss.input === undefined ? 'nothing' : JSON.stringify(iss.input)}`,
});

const argumentSchema = z.strictObject({
  name: z.string().min(1),
  value: z.string({
    error: (iss) =>
      iss.input === undefined ? 'is required' : `must be a string; quote it in YAML: value: "${String(iss.input)}"`,
  }).optional(),
  valueFrom: z
    .strictObject({
      secretKeyRef: z.strictObject({ name: z.string().min(1), key: z.string().min(1) }).optional(),
      fieldRef: z.strictObject({ fieldPath: z.string().min(1) }).optional(),
      podTemplateHashValue: z.enum(['Stable', 'Latest']).optional(),
    })
    .optional(),
});

export const metricSchema = z.strictObject({
  name: z.string().min(1),
  interval: duration.optional(),
  initialDelay: duration.optional(),
  count: intOrString.optional(),
  successCondition: z.string().optional(),
  failureCondition: z.string().optional(),
  failureLimit: intOrString.optional(),
  inconclusiveLimit: intOrString.optional(),
  consecutiveErrorLimit: intOrString.optional(),
  consecutiveSuccessLimit: intOrString.optional(),
  provider: z.record(z.string(), z.unknown()),
});

const dryRunSchema = z.strictObject({ metricName: z.string().min(1) });
const retentionSchema = z.strictObject({ metricName: z.string().min(1), limit: z.number().int() });
const templateRefSchema = z.strictObject({ templateName: z.string().min(1), clusterScope: z.boolean().optional() });

/** Metadata is Kubernetes-owned; only the fields metricgate reads are typed, the rest pass through. */
const metadataSchema = z
  .looseObject({
    name: z.string().optional(),
    generateName: z.string().optional(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .default({});

export const templateSpecSchema = z.strictObject({
  metrics: z.array(metricSchema).optional(),
  args: z.array(argumentSchema).optional(),
  dryRun: z.array(dryRunSchema).optional(),
  measurementRetention: z.array(retentionSchema).optional(),
  templates: z.array(templateRefSchema).optional(),
});

export const runSpecSchema = z.strictObject({
  metrics: z.array(metricSchema),
  args: z.array(argumentSchema).optional(),
  terminate: z.boolean().optional(),
  dryRun: z.array(dryRunSchema).optional(),
  measurementRetention: z.array(retentionSchema).optional(),
  ttlStrategy: z
    .strictObject({
      secondsAfterCompletion: z.number().int().optional(),
      secondsAfterFailure: z.number().int().optional(),
      secondsAfterSuccess: z.number().int().optional(),
    })
    .optional(),
});

export const templateSchema = z.strictObject({
  apiVersion: z.literal('argoproj.io/v1alpha1'),
  kind: z.enum(['AnalysisTemplate', 'ClusterAnalysisTemplate']),
  metadata: metadataSchema,
  spec: templateSpecSchema,
});

export const runSchema = z.strictObject({
  apiVersion: z.literal('argoproj.io/v1alpha1'),
  kind: z.literal('AnalysisRun'),
  metadata: metadataSchema,
  spec: runSpecSchema,
  // A run read back from a cluster carries status; it is ignored on input (we start fresh).
  status: z.unknown().optional(),
});

const KEYS: Readonly<Record<string, readonly string[]>> = {
  '': ['apiVersion', 'kind', 'metadata', 'spec', 'status'],
  spec: ['metrics', 'args', 'dryRun', 'measurementRetention', 'templates', 'terminate', 'ttlStrategy'],
  metric: Object.keys(metricSchema.shape),
  arg: ['name', 'value', 'valueFrom'],
  valueFrom: ['secretKeyRef', 'fieldRef', 'podTemplateHashValue'],
};

/** Valid keys at a document path, for "did you mean" hints on unknown fields. */
export function knownKeysAt(path: readonly (string | number)[]): readonly string[] | undefined {
  const names = path.filter((p) => typeof p === 'string');
  const last = names[names.length - 1];
  if (path.length === 0) return KEYS[''];
  if (path.length === 1 && last === 'spec') return KEYS['spec'];
  if (last === 'metrics') return KEYS['metric'];
  if (last === 'args') return KEYS['arg'];
  if (last === 'valueFrom') return KEYS['valueFrom'];
  return undefined;
}
