/**
 * @module queue/jobs
 * Job payloads, validated when a worker picks a job up: a malformed job (an old version, a
 * hand-edited Redis) fails once with a clear message instead of crashing the worker.
 */
import { z } from 'zod';
import { JOB } from './names.js';

export const measureJob = z.strictObject({
  uid: z.string().min(1),
  /** Metric name (for logs) and position in spec.metrics (for the job id). */
  metric: z.string().min(1),
  metricIndex: z.number().int().min(0),
  /** Measurement index this job takes: errors included, trimming ignored. */
  index: z.number().int().min(0),
  /** When the measurement is due, epoch ms (for lateness metrics). */
  dueAt: z.number(),
});
export type MeasureJob = z.infer<typeof measureJob>;

export const terminateJob = z.strictObject({ uid: z.string().min(1), reason: z.string() });
export type TerminateJob = z.infer<typeof terminateJob>;

export const actuateJob = z.strictObject({ uid: z.string().min(1) });
export type ActuateJob = z.infer<typeof actuateJob>;

export const jobSchemas = {
  [JOB.measure]: measureJob,
  [JOB.terminate]: terminateJob,
  [JOB.actuate]: actuateJob,
} as const;
