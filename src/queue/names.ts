/**
 * @module queue/names
 * Queue and job names, and the deterministic job ids that make every enqueue idempotent: the id
 * of a measurement job is (run uid, metric index, measurement index), so a retried or duplicated
 * enqueue of the same measurement is a no-op while the first one is still queued, and a late
 * duplicate finds the measurement already recorded in the run and does nothing.
 */

/** The one BullMQ queue metricgate uses; job names tell the work apart. */
export const RUN_QUEUE = 'runs';

export const JOB = {
  /** Take measurement `index` of metric `metric` of run `uid`. */
  measure: 'measure',
  /** Terminate run `uid` (open-ended runs with a duration). */
  terminate: 'terminate',
  /** Apply the verdict of a finished run to its target. */
  actuate: 'actuate',
} as const;

export type JobName = (typeof JOB)[keyof typeof JOB];

/** BullMQ rejects ':' in custom ids; uids are UUIDs, metric positions are numbers. */
export function measureJobId(uid: string, metricIndex: number, measurementIndex: number): string {
  return `m-${uid}-${metricIndex}-${measurementIndex}`;
}

export function terminateJobId(uid: string): string {
  return `t-${uid}`;
}

export function actuateJobId(uid: string): string {
  return `a-${uid}`;
}

/** Annotation holding the epoch-ms deadline of a run started with `durationSeconds` (the sweeper enforces it if the job is lost). */
export const TERMINATE_AT_ANNOTATION = 'metricgate.io/terminate-at';
