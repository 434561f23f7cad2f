/**
 * @module queue/worker
 * The BullMQ worker: takes one measurement per job and records it with compare-and-set.
 *
 * Crash-safety comes from the run document, not from the queue: a job for measurement `i` of a
 * metric measures only if exactly `i` measurements are recorded; otherwise it was already done
 * (a retried or duplicated job) and only makes sure the next one is scheduled. So a worker killed
 * between measuring and recording measures again, a worker killed between recording and
 * scheduling is covered by the retry, and no measurement is ever recorded twice or lost.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DelayedError, Worker, type Job } from 'bullmq';
import {
  assessRun,
  dueAt,
  isTerminating,
  measurementsTaken,
  planRun,
  recordMeasurement,
  takeMeasurement,
  trimMeasurements,
  type Clock,
  type ProviderSet,
  type RunPlan,
  type RunStore,
  type StoredRun,
} from '../engine/index.js';
import { isCompleted, type AnalysisRun, type ArgSources, type Measurement } from '../model/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { ServiceMetrics } from '../telemetry/metrics.js';
import type { RedisClient } from './connection.js';
import { actuateJob, measureJob, terminateJob, type MeasureJob } from './jobs.js';
import { JOB, RUN_QUEUE } from './names.js';
import type { RunService } from './run-service.js';

export interface WorkerDeps {
  readonly store: RunStore;
  readonly service: RunService;
  readonly providers: ProviderSet;
  readonly clock: Clock;
  readonly sources?: ArgSources;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
  /** Applies a finished run's verdict to its target (set when Kubernetes access is configured). */
  readonly actuate?: (uid: string) => Promise<void>;
}

export interface WorkerOptions {
  /** Jobs processed at once by this process. @defaultValue 50 */
  readonly concurrency?: number;
  /** BullMQ key prefix (hash-tagged for Redis Cluster). @defaultValue '{metricgate}' */
  readonly prefix?: string;
  /** A job is stalled (and handed to another worker) when its lock is not renewed for this long, ms. @defaultValue 10000 */
  readonly lockDurationMs?: number;
  /**
   * Distinct plans kept in memory (runs with the same spec, args and scope share one). Keep it
   * above the number of distinct active run specs: runs are measured round-robin, so a smaller LRU
   * misses on every measurement and each one re-plans (validation, PromQL parse, compile).
   * @defaultValue 20000
   */
  readonly planCacheSize?: number;
  /** Recorded on each measurement (`metadata.worker`), to trace which process measured. @defaultValue host-pid-random */
  readonly workerId?: string;
}

/** How early a delayed job may fire and still count as on time (BullMQ delay granularity), ms. */
const EARLY_TOLERANCE_MS = 5;

/**
 * Plans are pure functions of what a run asks for (namespace, spec without `terminate`, scope
 * annotations), so they are cached by that content, not by run: the many runs of one template
 * and args — every revision of a rollout, every step — share one plan, which keeps the worker's
 * memory flat however many runs are active. LRU-evicted.
 */
class PlanCache {
  private readonly plans = new Map<string, RunPlan>();
  /** Run uid → its plan (shared objects), so a run's next measurement skips hashing its spec. */
  private readonly byRun = new Map<string, RunPlan>();
  constructor(private readonly size: number) {}

  /** The plan of a run seen before. */
  forRun(uid: string): RunPlan | undefined {
    return this.byRun.get(uid);
  }

  remember(uid: string, plan: RunPlan): void {
    this.byRun.set(uid, plan);
    if (this.byRun.size > this.size) {
      const oldest = this.byRun.keys().next().value;
      if (oldest !== undefined) this.byRun.delete(oldest);
    }
  }

  /** The content key of a run's plan. */
  static key(run: AnalysisRun): string {
    const { terminate: _terminate, ...spec } = run.spec;
    const scoping = Object.entries(run.metadata.annotations ?? {})
      .filter(([k]) => k.startsWith('metricgate.io/scope') || k.startsWith('metricgate.io/default-scope'))
      .sort(([a], [b]) => a.localeCompare(b));
    return createHash('sha1').update(JSON.stringify([run.metadata.namespace, spec, scoping])).digest('base64');
  }

  get(key: string): RunPlan | undefined {
    const p = this.plans.get(key);
    if (p) {
      this.plans.delete(key);
      this.plans.set(key, p);
    }
    return p;
  }

  set(key: string, plan: RunPlan): void {
    this.plans.set(key, plan);
    if (this.plans.size > this.size) {
      const oldest = this.plans.keys().next().value;
      if (oldest !== undefined) this.plans.delete(oldest);
    }
  }
}

/** The job processor, separate from BullMQ wiring so it can be driven directly. */
export class RunProcessor {
  private readonly plans: PlanCache;
  private readonly workerId: string;

  constructor(
    private readonly deps: WorkerDeps,
    options: WorkerOptions = {},
  ) {
    this.plans = new PlanCache(options.planCacheSize ?? 20_000);
    this.workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 4)}`;
  }

  /** Dispatches by job name; returns a short outcome string stored as the job's return value. */
  async process(job: Job, token?: string): Promise<string> {
    switch (job.name) {
      case JOB.measure:
        return this.measure(measureJob.parse(job.data), job, token);
      case JOB.terminate: {
        const data = terminateJob.parse(job.data);
        await this.deps.service.terminate(data.uid, data.reason);
        return 'terminated';
      }
      case JOB.actuate: {
        const data = actuateJob.parse(job.data);
        if (!this.deps.actuate) return 'no actuator configured';
        await this.deps.actuate(data.uid);
        return 'actuated';
      }
      default:
        throw new Error(`unknown job name ${JSON.stringify(job.name)} (known: ${Object.values(JOB).join(', ')})`);
    }
  }

  private async plan(run: AnalysisRun): Promise<RunPlan | undefined> {
    const uid = run.metadata.uid ?? '';
    const known = this.plans.forRun(uid);
    if (known) return known;
    const key = PlanCache.key(run);
    const cached = this.plans.get(key);
    if (cached) {
      this.plans.remember(uid, cached);
      return cached;
    }
    const { plan, issues } = await planRun(run, { secrets: 'resolve', sources: this.deps.sources ?? {} });
    if (plan) {
      this.plans.set(key, plan);
      this.plans.remember(uid, plan);
    }
    else this.deps.logger.error({ run: uid, issues }, 'stored run no longer validates');
    return plan;
  }

  private async measure(data: MeasureJob, job: Job | undefined, token: string | undefined): Promise<string> {
    const { store, clock, logger } = this.deps;
    const stored = await store.get(data.uid);
    if (!stored || isCompleted(stored.run.status?.phase)) return 'run finished';
    const plan = await this.plan(stored.run);
    const metric = plan?.metrics.find((m) => m.name === data.metric);
    if (!plan || !metric) return 'metric not in plan';
    const result = stored.run.status?.metricResults.find((r) => r.name === metric.name);
    const taken = measurementsTaken(result);
    if (taken !== data.index) {
      // Already recorded (a retry after a crash, or a duplicate): just make sure the chain goes on.
      if (taken > data.index) await this.deps.service.scheduleNext(stored.run, metric);
      return taken > data.index ? 'already recorded' : 'stale';
    }
    if (isTerminating(stored.run)) return 'run terminating';
    const due = dueAt(stored.run, metric);
    if (due === undefined) return 'nothing due';
    const now = clock.now();
    if (due > now + EARLY_TOLERANCE_MS && job && token) {
      await job.moveToDelayed(due, token);
      throw new DelayedError();
    }
    this.deps.metrics?.measurementLateness.observe(Math.max(0, now - due) / 1000);
    const log = logger.child({ run: data.uid, metric: metric.name, index: data.index });
    const raw = await takeMeasurement(metric, plan, { providers: this.deps.providers, clock, namespace: stored.run.metadata.namespace });
    const measurement: Measurement = { ...raw, metadata: { ...raw.metadata, worker: this.workerId } };
    this.observe(metric.providerKind, measurement);
    log.debug({ phase: measurement.phase, value: measurement.value }, 'measured');
    // A one-metric run has no sibling job writing it, so the snapshot read above is almost always
    // still current: writing against it saves a Redis round trip per measurement, and the CAS
    // still rejects it (→ re-read) if a terminate or sweep wrote meanwhile. Runs with several
    // metrics re-read, because their metrics' jobs often write while this one measures.
    return this.record(data, measurement, plan, log, plan.metrics.length === 1 ? stored : undefined);
  }

  /** Appends the measurement exactly once, reassesses, then schedules or completes. */
  private async record(data: MeasureJob, measurement: Measurement, plan: RunPlan, log: Logger, snapshot?: StoredRun): Promise<string> {
    const metric = plan.metrics.find((m) => m.name === data.metric);
    if (!metric) return 'metric not in plan';
    let known = snapshot;
    for (let attempt = 0; attempt < 50; attempt++) {
      const current = known ?? (await this.deps.store.get(data.uid));
      known = undefined;
      if (!current || isCompleted(current.run.status?.phase)) return 'run finished meanwhile';
      const result = current.run.status?.metricResults.find((r) => r.name === metric.name);
      if (measurementsTaken(result) !== data.index) return 'recorded by another worker';
      const status = current.run.status;
      if (!status) return 'run has no status';
      let next = assessRun({ ...current.run, status: recordMeasurement(status, metric, measurement) }, plan, this.deps.clock.now());
      next = { ...next, status: trimMeasurements(next.status ?? status, plan) };
      const written = await this.deps.store.update(data.uid, current.version, next);
      if (!written) continue; // another metric of the same run wrote first: re-read and re-apply
      if (isCompleted(next.status?.phase)) {
        await this.deps.service.completed(next);
        return `recorded; run ${next.status?.phase ?? ''}`;
      }
      await this.deps.service.scheduleNext(next, metric);
      return `recorded ${measurement.phase}`;
    }
    log.warn('gave up recording after repeated conflicts; the job will be retried');
    throw new Error(`run ${data.uid}: too many concurrent writes while recording ${metric.name}#${data.index}`);
  }

  private observe(provider: string, m: Measurement): void {
    const started = Date.parse(m.startedAt ?? '');
    const finished = Date.parse(m.finishedAt ?? '');
    if (Number.isFinite(started) && Number.isFinite(finished)) {
      this.deps.metrics?.measurementDuration.observe({ provider, phase: m.phase }, Math.max(0, finished - started) / 1000);
    }
  }
}

/** Starts a BullMQ worker on the run queue. Call `close()` to drain (SIGTERM). */
export function startWorker(connection: RedisClient, deps: WorkerDeps, options: WorkerOptions = {}): Worker {
  const processor = new RunProcessor(deps, options);
  const worker = new Worker(RUN_QUEUE, (job, token) => processor.process(job, token), {
    connection,
    prefix: options.prefix ?? '{metricgate}',
    concurrency: options.concurrency ?? 50,
    lockDuration: options.lockDurationMs ?? 10_000,
    stalledInterval: Math.max(1000, Math.floor((options.lockDurationMs ?? 10_000) / 2)),
    maxStalledCount: 10,
  });
  worker.on('failed', (job, err) => deps.logger.warn({ job: job?.id, name: job?.name, err: err.message }, 'job failed'));
  worker.on('error', (err) => deps.logger.error({ err: err.message }, 'worker error'));
  return worker;
}
