/**
 * @module queue/run-service
 * Starting and stopping runs in the service. A request becomes an AnalysisRun (from stored
 * templates or inline), is validated exactly like `metricgate lint` plus real secrets, is stored
 * once (the uid is deterministic when the caller gives an idempotency key), and its first
 * measurements are scheduled. Everything after that is the worker's job.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  TARGET_ANNOTATION,
  assessRun,
  dueAt,
  initialStatus,
  isTerminating,
  mutateRun,
  planRun,
  type Clock,
  type PlannedMetric,
  type RunPlan,
  type RunStore,
  type StoredRun,
  type TemplateStore,
} from '../engine/index.js';
import {
  ANNOTATIONS,
  ValidationError,
  isCompleted,
  libraryOf,
  loadObject,
  runFromTemplates,
  type AnalysisRun,
  type AnalysisTemplate,
  type ArgSources,
  type Issue,
} from '../model/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { ServiceMetrics } from '../telemetry/metrics.js';
import { TERMINATE_AT_ANNOTATION } from './names.js';
import type { Scheduler } from './producer.js';
import type { RunRequest, RunTarget } from './run-request.js';

/** Annotation holding the JSON target spec the actuator reads. */
export const TARGET_SPEC_ANNOTATION = 'metricgate.io/target-spec';

export interface RunServiceDeps {
  readonly store: RunStore;
  readonly templates: TemplateStore;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  /** Where secret args come from (env, Kubernetes). */
  readonly sources?: ArgSources;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
}

/** Maps an idempotency key to a stable UUID-shaped run id. */
export function uidFromKey(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class RunService {
  constructor(private readonly deps: RunServiceDeps) {}

  /**
   * Creates (or, for a repeated idempotency key, returns) a run. Throws ValidationError with
   * every problem when the request cannot run.
   */
  async submit(request: RunRequest, source: string): Promise<{ run: AnalysisRun; created: boolean }> {
    const now = this.deps.clock.now();
    const uid = request.idempotencyKey ? uidFromKey(request.idempotencyKey) : randomUUID();
    if (request.idempotencyKey) {
      const existing = await this.deps.store.get(uid);
      if (existing) return { run: existing.run, created: false };
    }
    const built = await this.build(request, uid, now);
    const { plan, issues } = await planRun(built, { secrets: 'resolve', sources: this.deps.sources ?? {}, scope: request.scope });
    if (!plan || issues.length > 0) throw new ValidationError(issues);
    // Record each metric's effective scope on the run, so every worker plans it the same way.
    const scopes: Record<string, string> = {};
    for (const m of plan.metrics) scopes[`${ANNOTATIONS.scopePrefix}${m.name}`] = m.scope;
    const run: AnalysisRun = {
      ...built,
      metadata: { ...built.metadata, annotations: { ...built.metadata.annotations, ...scopes } },
      status: initialStatus(now),
    };
    const { created, stored } = await this.deps.store.create(run);
    if (created) {
      this.deps.metrics?.runsCreated.inc({ source });
      this.deps.logger.info({ run: uid, name: run.metadata.name, source, metrics: plan.metrics.map((m) => m.name) }, 'run created');
      await this.scheduleAll(stored.run, plan);
      if (request.durationSeconds !== undefined) await this.deps.scheduler.terminate(uid, `duration ${request.durationSeconds}s reached`, request.durationSeconds * 1000);
    }
    return { run: stored.run, created };
  }

  /** Ends a run now: Successful unless a limit was already violated (Argo's terminate). */
  async terminate(uid: string, reason: string, plan?: RunPlan): Promise<StoredRun | undefined> {
    const resolved = plan ?? (await this.planFor(uid));
    const result = await mutateRun(this.deps.store, uid, ({ run }) => {
      if (isCompleted(run.status?.phase) || !resolved) return undefined;
      const terminated: AnalysisRun = { ...run, spec: { ...run.spec, terminate: true } };
      return assessRun(terminated, resolved, this.deps.clock.now());
    });
    if (result?.changed) {
      this.deps.logger.info({ run: uid, reason, phase: result.stored.run.status?.phase }, 'run terminated');
      await this.completed(result.stored.run);
    }
    return result?.stored;
  }

  /** Schedules the next measurement of every metric that is due or will be. */
  async scheduleAll(run: AnalysisRun, plan: RunPlan): Promise<void> {
    await Promise.all(plan.metrics.map((m) => this.scheduleNext(run, m)));
  }

  /** Schedules `metric`'s next measurement if it needs one (idempotent: the job id is deterministic). */
  async scheduleNext(run: AnalysisRun, metric: PlannedMetric): Promise<void> {
    if (isCompleted(run.status?.phase) || isTerminating(run)) return;
    const at = dueAt(run, metric);
    const uid = run.metadata.uid;
    if (at === undefined || !uid) return;
    const result = run.status?.metricResults.find((r) => r.name === metric.name);
    const index = result ? result.count + result.error : 0;
    await this.deps.scheduler.measure({ uid, metric: metric.name, metricIndex: metric.index, index, dueAt: at }, at - this.deps.clock.now());
  }

  /** Bookkeeping when a run reaches its final phase: metrics, logs, and the actuation job. */
  async completed(run: AnalysisRun): Promise<void> {
    const phase = run.status?.phase ?? 'Error';
    this.deps.metrics?.runsCompleted.inc({ phase });
    this.deps.logger.info({ run: run.metadata.uid, name: run.metadata.name, phase, message: run.status?.message }, 'run completed');
    if (run.metadata.annotations?.[TARGET_SPEC_ANNOTATION] && run.metadata.uid) await this.deps.scheduler.actuate(run.metadata.uid);
  }

  /** The run's plan with real secrets, or undefined when it no longer validates (recorded as Error by the caller). */
  async planFor(uid: string): Promise<RunPlan | undefined> {
    const stored = await this.deps.store.get(uid);
    if (!stored) return undefined;
    const { plan } = await planRun(stored.run, { secrets: 'resolve', sources: this.deps.sources ?? {} });
    return plan;
  }

  private async build(request: RunRequest, uid: string, now: number): Promise<AnalysisRun> {
    const annotations: Record<string, string> = {};
    if (request.scopeLabel) annotations[ANNOTATIONS.scopeLabel] = request.scopeLabel;
    if (request.durationSeconds !== undefined) annotations[TERMINATE_AT_ANNOTATION] = String(now + request.durationSeconds * 1000);
    if (request.target) {
      annotations[TARGET_ANNOTATION] = targetKey(request.target);
      annotations[TARGET_SPEC_ANNOTATION] = JSON.stringify(request.target);
    }
    const metadata = { uid, creationTimestamp: new Date(now).toISOString() };
    if ('analysisRun' in request) {
      const loaded = loadObject(request.analysisRun, 'analysisRun');
      const doc = loaded.documents[0]?.object;
      const issues: Issue[] = [...loaded.issues];
      if (!issues.length && doc?.kind !== 'AnalysisRun') issues.push({ code: 'UNSUPPORTED_KIND', path: 'analysisRun.kind', message: `expected kind AnalysisRun, got ${doc?.kind ?? 'nothing'}` });
      if (issues.length > 0 || doc?.kind !== 'AnalysisRun') throw new ValidationError(issues.map((i) => ({ ...i, path: i.path ? `analysisRun.${i.path}` : 'analysisRun' })));
      return {
        ...doc,
        metadata: {
          ...doc.metadata,
          ...metadata,
          name: doc.metadata.name ?? `run-${uid.slice(0, 8)}`,
          labels: { ...doc.metadata.labels, ...request.labels },
          annotations: { ...doc.metadata.annotations, ...annotations },
        },
      };
    }
    const all = await this.deps.templates.list();
    const issues: Issue[] = [];
    const chosen: AnalysisTemplate[] = [];
    request.templates.forEach((ref, i) => {
      const kind = ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
      const t = all.find((x) => x.kind === kind && x.metadata.name === ref.name);
      if (t) chosen.push(t);
      else {
        const known = all.filter((x) => x.kind === kind).map((x) => x.metadata.name);
        issues.push({ code: 'TEMPLATE_NOT_FOUND', path: `templates[${i}].name`, message: `no stored ${kind} named ${JSON.stringify(ref.name)}${known.length ? `; stored: ${known.join(', ')}` : '; store one with PUT /api/v1/templates/:name'}` });
      }
    });
    if (issues.length > 0) throw new ValidationError(issues);
    const built = runFromTemplates(chosen, libraryOf(all), {
      name: request.name ?? `${chosen.map((t) => t.metadata.name).join('-')}-${uid.slice(0, 5)}`,
      namespace: request.namespace,
      uid,
      args: request.args,
      labels: request.labels,
      annotations,
    });
    if (!built.run) throw new ValidationError(built.issues);
    return { ...built.run, metadata: { ...built.run.metadata, ...metadata } };
  }
}

/** `argo:<namespace>/<name>`, the value runs are filtered by. */
export function targetKey(target: RunTarget): string {
  return `${target.kind}:${target.namespace}/${target.name}`;
}
