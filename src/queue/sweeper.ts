/**
 * @module queue/sweeper
 * The safety net under the job chain. Each measurement job schedules the next one; if a job is
 * lost anyway (it exhausted its retries during a long Redis outage, or its queue entry was
 * removed by hand) the run would stay Running forever. The sweeper looks for running runs whose
 * next measurement is overdue and re-creates or retries that job. Every replica may sweep: job
 * ids are deterministic and the run document decides what is recorded, so a double repair is
 * harmless.
 */
import type { Queue } from 'bullmq';
import { dueAt, isTerminating, planRun, type Clock, type RunStore } from '../engine/index.js';
import type { ArgSources } from '../model/index.js';
import type { Logger } from '../telemetry/logger.js';
import { TERMINATE_AT_ANNOTATION, measureJobId } from './names.js';
import type { RunService } from './run-service.js';

export interface SweeperOptions {
  /** Time between sweeps, ms. @defaultValue 30000 */
  readonly intervalMs?: number;
  /** A measurement counts as lost once it is this overdue, ms. @defaultValue 30000 */
  readonly graceMs?: number;
  /** Running runs examined per sweep. @defaultValue 5000 */
  readonly maxRuns?: number;
}

export interface SweepResult {
  readonly examined: number;
  readonly rescheduled: number;
  readonly retried: number;
  readonly terminated: number;
}

export class Sweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<SweepResult>;

  constructor(
    private readonly deps: { store: RunStore; queue: Queue; service: RunService; clock: Clock; sources?: ArgSources; logger: Logger },
    private readonly options: SweeperOptions = {},
  ) {}

  /** Starts sweeping periodically (first sweep after one interval). */
  start(): void {
    const every = this.options.intervalMs ?? 30_000;
    this.timer = setInterval(() => {
      if (!this.running) {
        this.running = this.sweep()
          .catch((err: unknown) => {
            this.deps.logger.warn({ err: (err as Error).message }, 'sweep failed');
            return { examined: 0, rescheduled: 0, retried: 0, terminated: 0 };
          })
          .finally(() => {
            this.running = undefined;
          });
      }
    }, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass over running runs. */
  async sweep(): Promise<SweepResult> {
    const { store, queue, service, clock, logger } = this.deps;
    const grace = this.options.graceMs ?? 30_000;
    const now = clock.now();
    let examined = 0;
    let rescheduled = 0;
    let retried = 0;
    let terminated = 0;
    let cursor: string | undefined;
    do {
      const page = await store.list({ phase: 'Running', limit: 500, cursor });
      cursor = page.nextCursor;
      for (const run of page.items) {
        examined++;
        const uid = run.metadata.uid ?? '';
        const deadline = Number(run.metadata.annotations?.[TERMINATE_AT_ANNOTATION] ?? Number.NaN);
        if (Number.isFinite(deadline) && deadline + grace < now) {
          await service.terminate(uid, 'duration reached (sweeper)');
          terminated++;
          continue;
        }
        if (isTerminating(run)) continue;
        const { plan } = await planRun(run, { secrets: 'resolve', sources: this.deps.sources ?? {} });
        for (const metric of plan?.metrics ?? []) {
          const at = dueAt(run, metric);
          if (at === undefined || at + grace > now) continue;
          const result = run.status?.metricResults.find((r) => r.name === metric.name);
          const id = measureJobId(uid, metric.index, result ? result.count + result.error : 0);
          const job = await queue.getJob(id);
          const state = job ? await job.getState() : 'missing';
          if (state === 'failed' && job) {
            await job.retry();
            retried++;
            logger.warn({ run: uid, metric: metric.name, job: id }, 'retrying a failed measurement job');
          } else if (state === 'missing' || state === 'completed' || state === 'unknown') {
            // Completed yet not recorded means the job ended without recording (e.g. it was
            // superseded); remove the stale entry so the deterministic id can be used again.
            if (job && state === 'completed') await job.remove();
            await service.scheduleNext(run, metric);
            rescheduled++;
            logger.warn({ run: uid, metric: metric.name, job: id, state }, 'rescheduled a lost measurement');
          }
        }
        if (examined >= (this.options.maxRuns ?? 5000)) return { examined, rescheduled, retried, terminated };
      }
    } while (cursor);
    return { examined, rescheduled, retried, terminated };
  }
}
