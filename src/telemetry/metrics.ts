/**
 * @module telemetry/metrics
 * prom-client metrics the service exposes on `/metrics`. One registry per process (not the
 * global default) so tests can build several services side by side.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metric handles the service updates. */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** Runs that reached a final phase, by phase. */
  readonly runsCompleted: Counter<'phase'>;
  /** Runs created through the API or a trigger. */
  readonly runsCreated: Counter<'source'>;
  /** Time a provider took to answer, by provider and measurement phase (seconds). */
  readonly measurementDuration: Histogram<'provider' | 'phase'>;
  /** How late a measurement started compared with when it was due (seconds). */
  readonly measurementLateness: Histogram;
  /** Queue jobs by state (waiting, delayed, active), sampled on scrape. */
  readonly queueJobs: Gauge<'state'>;
  /** Runs by phase, sampled on scrape from the store's indexes. */
  readonly runsByPhase: Gauge<'phase'>;
  /** Actuations by action and outcome (applied, skipped, failed). */
  readonly actuations: Counter<'action' | 'outcome'>;
  /** API responses by route and status code. */
  readonly httpRequests: Counter<'route' | 'status'>;
}

/** Creates a fresh registry with metricgate's metrics and Node's default process metrics. */
export function createMetrics(): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'metricgate_' });
  const r = [registry];
  return {
    registry,
    runsCompleted: new Counter({ name: 'metricgate_runs_completed_total', help: 'Runs that reached a final phase.', labelNames: ['phase'], registers: r }),
    runsCreated: new Counter({ name: 'metricgate_runs_created_total', help: 'Runs created.', labelNames: ['source'], registers: r }),
    measurementDuration: new Histogram({
      name: 'metricgate_measurement_duration_seconds',
      help: 'Provider query time per measurement.',
      labelNames: ['provider', 'phase'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: r,
    }),
    measurementLateness: new Histogram({
      name: 'metricgate_measurement_lateness_seconds',
      help: 'Delay between when a measurement was due and when it started (queue lag).',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: r,
    }),
    queueJobs: new Gauge({ name: 'metricgate_queue_jobs', help: 'Jobs in the run queue by state.', labelNames: ['state'], registers: r }),
    runsByPhase: new Gauge({ name: 'metricgate_runs', help: 'Stored runs by phase.', labelNames: ['phase'], registers: r }),
    actuations: new Counter({ name: 'metricgate_actuations_total', help: 'Rollout actions by outcome.', labelNames: ['action', 'outcome'], registers: r }),
    httpRequests: new Counter({ name: 'metricgate_http_requests_total', help: 'API responses.', labelNames: ['route', 'status'], registers: r }),
  };
}
