/**
 * @module model/types
 * The `argoproj.io/v1alpha1` analysis objects as plain data. Field names and shapes follow Argo
 * Rollouts' `analysis_types.go` exactly so that an Argo YAML round-trips unchanged; metricgate
 * extensions live only in annotations and in measurement/metric `metadata` maps.
 */

/** Phase of a measurement, a metric or a whole run (Argo's `AnalysisPhase`). */
export type AnalysisPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

/** Phases after which nothing more happens. */
export const COMPLETED_PHASES: ReadonlySet<AnalysisPhase> = new Set(['Successful', 'Failed', 'Error', 'Inconclusive']);

/** True for Successful, Failed, Error and Inconclusive (Argo's `AnalysisPhase.Completed`). */
export function isCompleted(phase: AnalysisPhase | undefined): boolean {
  return phase !== undefined && COMPLETED_PHASES.has(phase);
}

/** Kubernetes IntOrString: a number, or a string that may hold `{{args.x}}` until args resolve. */
export type IntOrString = number | string;

/** Go duration string such as `30s`, `5m`, `1h30m`. */
export type DurationString = string;

export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export interface FieldRef {
  /** e.g. `metadata.labels['env']` or `status.canary.weights.canary.podTemplateHash` */
  readonly fieldPath: string;
}

export interface ValueFrom {
  readonly secretKeyRef?: SecretKeyRef;
  readonly fieldRef?: FieldRef;
  /** Rollout-side only: the `rollouts-pod-template-hash` of the stable or newest ReplicaSet. */
  readonly podTemplateHashValue?: 'Stable' | 'Latest';
}

/** A template argument; without `value` and `valueFrom` it is required from the caller. */
export interface Argument {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: ValueFrom;
}

/**
 * Provider block of a metric: exactly one key naming the provider kind (`prometheus`, `datadog`,
 * `web`, …) whose value is that provider's own configuration, validated by its plug-in.
 */
export type MetricProviderSpec = Readonly<Record<string, unknown>>;

export interface Metric {
  readonly name: string;
  /** Delay between measurements, from the previous measurement's finish. Omitted: one measurement. */
  readonly interval?: DurationString;
  /** Wait after the run starts before the first measurement. */
  readonly initialDelay?: DurationString;
  /** Measurements to take; omitted with an interval means unbounded (until terminated). */
  readonly count?: IntOrString;
  readonly successCondition?: string;
  readonly failureCondition?: string;
  /** Failed when failed measurements > failureLimit. @defaultValue 0; -1 disables. */
  readonly failureLimit?: IntOrString;
  /** Inconclusive when inconclusive measurements > inconclusiveLimit. @defaultValue 0 */
  readonly inconclusiveLimit?: IntOrString;
  /** Error when consecutive errors > consecutiveErrorLimit. @defaultValue 4 */
  readonly consecutiveErrorLimit?: IntOrString;
  /** Successful as soon as consecutive successes >= this. @defaultValue 0 (disabled) */
  readonly consecutiveSuccessLimit?: IntOrString;
  readonly provider: MetricProviderSpec;
}

export interface DryRun {
  /** Regular expression, matched unanchored against metric names (`.*` matches all). */
  readonly metricName: string;
}

export interface MeasurementRetention {
  /** Regular expression, matched unanchored against metric names. */
  readonly metricName: string;
  /** Measurements to keep; 0 or less keeps the default of 10. */
  readonly limit: number;
}

export interface AnalysisTemplateRef {
  readonly templateName: string;
  readonly clusterScope?: boolean;
}

export interface TTLStrategy {
  readonly secondsAfterCompletion?: number;
  readonly secondsAfterFailure?: number;
  readonly secondsAfterSuccess?: number;
}

export interface ObjectMeta {
  readonly name?: string;
  readonly generateName?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly creationTimestamp?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface AnalysisTemplateSpec {
  readonly metrics?: readonly Metric[];
  readonly args?: readonly Argument[];
  readonly dryRun?: readonly DryRun[];
  readonly measurementRetention?: readonly MeasurementRetention[];
  readonly templates?: readonly AnalysisTemplateRef[];
}

export type TemplateKind = 'AnalysisTemplate' | 'ClusterAnalysisTemplate';

export interface AnalysisTemplate {
  readonly apiVersion: 'argoproj.io/v1alpha1';
  readonly kind: TemplateKind;
  readonly metadata: ObjectMeta;
  readonly spec: AnalysisTemplateSpec;
}

export interface AnalysisRunSpec {
  readonly metrics: readonly Metric[];
  readonly args?: readonly Argument[];
  /** Stop measuring; the run ends Successful unless a limit was already violated. */
  readonly terminate?: boolean;
  readonly dryRun?: readonly DryRun[];
  readonly measurementRetention?: readonly MeasurementRetention[];
  readonly ttlStrategy?: TTLStrategy;
}

export interface Measurement {
  readonly phase: AnalysisPhase;
  readonly message?: string;
  /** RFC 3339 with milliseconds. */
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** The provider's rendering of the result: `0.97`, `[0.97,0.5]`, `NaN`, `[]`. */
  readonly value?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly resumeAt?: string;
}

export interface MetricResult {
  readonly name: string;
  readonly phase: AnalysisPhase;
  readonly measurements: readonly Measurement[];
  readonly message?: string;
  readonly count: number;
  readonly successful: number;
  readonly failed: number;
  readonly inconclusive: number;
  readonly error: number;
  readonly consecutiveError: number;
  readonly consecutiveSuccess: number;
  readonly dryRun?: boolean;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface RunSummary {
  readonly count: number;
  readonly successful: number;
  readonly failed: number;
  readonly inconclusive: number;
  readonly error: number;
}

export interface AnalysisRunStatus {
  readonly phase: AnalysisPhase;
  readonly message?: string;
  readonly metricResults: readonly MetricResult[];
  readonly startedAt?: string;
  readonly completedAt?: string;
  readonly runSummary?: RunSummary;
  readonly dryRunSummary?: RunSummary;
}

export interface AnalysisRun {
  readonly apiVersion: 'argoproj.io/v1alpha1';
  readonly kind: 'AnalysisRun';
  readonly metadata: ObjectMeta;
  readonly spec: AnalysisRunSpec;
  readonly status?: AnalysisRunStatus;
}

/** Any of the three kinds metricgate reads. */
export type AnalysisObject = AnalysisTemplate | AnalysisRun;

export const API_VERSION = 'argoproj.io/v1alpha1';

/** Annotation keys metricgate reads from templates and runs (extensions stay out of `spec`). */
export const ANNOTATIONS = {
  /** Default scope for every metric: `canary`, `stable` or `none`. */
  scope: 'metricgate.io/scope',
  /** Prefix for a per-metric scope override: `metricgate.io/scope.<metric-name>`. */
  scopePrefix: 'metricgate.io/scope.',
  /**
   * Written when templates are merged: the template-level scope carried per metric, so a merged
   * run still knows which template asked for which default (`metricgate.io/default-scope.<metric>`).
   */
  defaultScopePrefix: 'metricgate.io/default-scope.',
  /** Overrides the label (PromQL) / tag (Datadog) that scoping adds. */
  scopeLabel: 'metricgate.io/scope-label',
} as const;

/** Values a scope may take; `none` leaves the query as written. */
export const SCOPES = ['canary', 'stable', 'none'] as const;
export type Scope = (typeof SCOPES)[number];
