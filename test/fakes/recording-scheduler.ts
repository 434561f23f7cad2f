/**
 * A Scheduler that keeps the jobs it was given (by deterministic id, as BullMQ does), for tests
 * of the run service and the API that need no queue.
 */
import type { MeasureJob, Scheduler } from '../../src/queue/index.js';
import { measureJobId, terminateJobId, actuateJobId } from '../../src/queue/index.js';

export interface RecordedJob {
  readonly id: string;
  readonly name: 'measure' | 'terminate' | 'actuate';
  readonly data: unknown;
  readonly delayMs: number;
}

export class RecordingScheduler implements Scheduler {
  readonly jobs = new Map<string, RecordedJob>();

  async measure(job: MeasureJob, delayMs: number): Promise<void> {
    const id = measureJobId(job.uid, job.metricIndex, job.index);
    if (!this.jobs.has(id)) this.jobs.set(id, { id, name: 'measure', data: job, delayMs });
  }

  async terminate(uid: string, reason: string, delayMs: number): Promise<void> {
    const id = terminateJobId(uid);
    if (!this.jobs.has(id)) this.jobs.set(id, { id, name: 'terminate', data: { uid, reason }, delayMs });
  }

  async actuate(uid: string): Promise<void> {
    const id = actuateJobId(uid);
    if (!this.jobs.has(id)) this.jobs.set(id, { id, name: 'actuate', data: { uid }, delayMs: 0 });
  }
}
