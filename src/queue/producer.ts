/**
 * @module queue/producer
 * Typed, idempotent enqueueing. Every job has a deterministic id, and a delay equal to the time
 * until it is due, so BullMQ's delayed set is the schedule.
 */
import type { Queue } from 'bullmq';
import { JOB, actuateJobId, measureJobId, terminateJobId } from './names.js';
import type { MeasureJob } from './jobs.js';

/** The scheduling port the run service and the worker use; BullMQ behind it. */
export interface Scheduler {
  measure(job: MeasureJob, delayMs: number): Promise<void>;
  terminate(uid: string, reason: string, delayMs: number): Promise<void>;
  actuate(uid: string): Promise<void>;
}

/** How long BullMQ keeps finished jobs: enough to debug, bounded so Redis does not grow. */
export const KEEP_JOBS = { removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 24 * 3600, count: 5000 } } as const;

/** Scheduler on a BullMQ queue. */
export class BullScheduler implements Scheduler {
  constructor(private readonly queue: Queue) {}

  async measure(job: MeasureJob, delayMs: number): Promise<void> {
    await this.queue.add(JOB.measure, job, {
      jobId: measureJobId(job.uid, job.metricIndex, job.index),
      delay: Math.max(0, Math.round(delayMs)),
      // A failing attempt (Redis blip, crash) is retried — for hours, doubling from 250 ms — and
      // the run document makes retries harmless. The sweeper covers a job that still gives up.
      attempts: 20,
      backoff: { type: 'exponential', delay: 250 },
      ...KEEP_JOBS,
    });
  }

  async terminate(uid: string, reason: string, delayMs: number): Promise<void> {
    await this.queue.add(JOB.terminate, { uid, reason }, { jobId: terminateJobId(uid), delay: Math.max(0, Math.round(delayMs)), attempts: 5, ...KEEP_JOBS });
  }

  async actuate(uid: string): Promise<void> {
    await this.queue.add(JOB.actuate, { uid }, { jobId: actuateJobId(uid), attempts: 8, backoff: { type: 'exponential', delay: 1000 }, ...KEEP_JOBS });
  }
}
