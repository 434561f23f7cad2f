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
import type { AnalysisRun, ArgSources } from '../model/index.js';
import type { Logger } from '../telemetry/logger.js';
import { TERMINATE_AT_ANNOTATION, measureJobId } from './names.js';
import type { RunService } from './run-service.js';

export interface SweeperOptions {
  /** Time between sweeps, ms. @defaultValue 30000 */
  readonly intervalMs?: number;
  /** A measurement counts as lost once it is this overdue, ms. @defaultValue 30000 */
  readonly graceMs?: number;
  /** Running runs examined per sweep; the next sweep continues where this one stopped. @defaultValue 5000 */
  readonly maxRuns?: number;
}

export interface SweepResult {
  readonly examined: number;
  readonly rescheduled: number;
  readonly retried: number;
  readonly terminated: number;
}

/**
 * True when none of the run's metrics can be overdue yet: a next measurement is never due before
 * the last one finished (or, before the first, before the run started), so if every metric was
 * active within the grace period there is nothing to repair — and no plan has to be built.
 */
export function recentlyActive(run: AnalysisRun, metricCount: number, now: number, graceMs: number): boolean {
  const started = Date.parse(run.status?.startedAt ?? '');
  const results = run.status?.metricResults ?? [];
  if (results.length < metricCount && !(started + graceMs > now)) return false;
  return results.every((r) => {
    const last = r.measurements[r.measurements.length - 1];
    const at = Date.parse(last?.finishedAt ?? run.status?.startedAt ?? '');
    return Number.isFinite(at) && at + graceMs > now;
  });
}

export class Sweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<SweepResult>;
  /** Where the previous sweep stopped, so successive sweeps cover every run, not just the newest. */
  private cursor?: string;

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
    const maxRuns = this.options.maxRuns ?? 5000;
    let cursor = this.cursor;
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
        if (isTerminating(run) || recentlyActive(run, run.spec.metrics.length, now, grace)) continue;
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
      }
      if (examined >= maxRuns) break;
    } while (cursor);
    // Resume after the last page next time; start over once the end was reached.
    this.cursor = cursor;
    return { examined, rescheduled, retried, terminated };
  }
}
