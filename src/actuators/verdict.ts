/**
 * @module actuators/verdict
 * The verdict policy: which action a finished run's phase asks of the rollout. The default is
 * what the Argo controller itself does with an AnalysisRun (reference §1.9): Successful →
 * advance, Inconclusive → pause, Failed and Error → abort. A run may override any phase — e.g.
 * `{ Failed: 'pause' }` for teams that do not yet trust their queries (argoproj/argo-rollouts
 * #2866) — or say `none` to only record the verdict. Pure: no I/O, no clock.
 */
import { z } from 'zod';
import { zodIssues, type AnalysisPhase, type Issue } from '../model/index.js';

/** What a verdict can ask of a rollout; `none` records the verdict and touches nothing. */
export const VERDICT_ACTIONS = ['advance', 'pause', 'abort', 'none'] as const;
/** One of {@link VERDICT_ACTIONS}. */
export type VerdictAction = (typeof VERDICT_ACTIONS)[number];

/** The phases a run can end in. */
export const FINAL_PHASES = ['Successful', 'Inconclusive', 'Failed', 'Error'] as const;
/** One of {@link FINAL_PHASES}. */
export type FinalPhase = (typeof FINAL_PHASES)[number];

/** One action per final phase. */
export type VerdictPolicy = Readonly<Record<FinalPhase, VerdictAction>>;

/** Argo's own reaction to each phase (rollout/analysis.go), the default. */
export const ARGO_VERDICT_POLICY: VerdictPolicy = Object.freeze({
  Successful: 'advance',
  Inconclusive: 'pause',
  Failed: 'abort',
  Error: 'abort',
});

const actionSchema = z.enum(VERDICT_ACTIONS);

/**
 * A run's overrides: any subset of the final phases, each mapped to an action. Unknown keys
 * are rejected so a typo (`failed:`) cannot silently fall back to the default.
 */
export const verdictPolicySchema = z.strictObject({
  Successful: actionSchema.optional(),
  Inconclusive: actionSchema.optional(),
  Failed: actionSchema.optional(),
  Error: actionSchema.optional(),
});

/** The overrides a run may carry. */
export type VerdictPolicyOverrides = z.infer<typeof verdictPolicySchema>;

/** Result of {@link parseVerdictPolicy}: a complete policy, or the problems found. */
export type ParsedVerdictPolicy = { readonly policy: VerdictPolicy; readonly issues: readonly [] } | { readonly policy?: undefined; readonly issues: readonly Issue[] };

/**
 * Validates overrides from YAML or JSON and completes them with Argo's defaults. Issues are
 * addressed from `prefix`, e.g. `['spec', 'verdictPolicy']` gives `spec.verdictPolicy.Failed`.
 * `undefined` and `null` mean "no overrides".
 */
export function parseVerdictPolicy(input: unknown, prefix: readonly (string | number)[] = []): ParsedVerdictPolicy {
  if (input === undefined || input === null) return { policy: ARGO_VERDICT_POLICY, issues: [] };
  const parsed = verdictPolicySchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    return { issues: zodIssues(parsed.error, { prefix, knownKeys: (path) => (path.length === 0 ? FINAL_PHASES : undefined) }) };
  }
  return { policy: resolveVerdictPolicy(parsed.data), issues: [] };
}

/** Argo's defaults with `overrides` laid over them. */
export function resolveVerdictPolicy(overrides: VerdictPolicyOverrides = {}): VerdictPolicy {
  const policy: Record<FinalPhase, VerdictAction> = { ...ARGO_VERDICT_POLICY };
  for (const phase of FINAL_PHASES) {
    const action = overrides[phase];
    if (action !== undefined) policy[phase] = action;
  }
  return Object.freeze(policy);
}

/** The action for a phase and why, in words fit for an Event or a log line. */
export interface VerdictDecision {
  readonly action: VerdictAction;
  readonly reason: string;
}

/**
 * Decides what a run's phase asks for. A run that has not finished (Pending, Running, or no
 * phase yet) asks for nothing.
 */
export function decideAction(phase: AnalysisPhase | undefined, policy: VerdictPolicy = ARGO_VERDICT_POLICY): VerdictDecision {
  if (phase === undefined || !(FINAL_PHASES as readonly string[]).includes(phase)) {
    return { action: 'none', reason: `the run has not finished (phase ${phase ?? 'unset'})` };
  }
  const final = phase as FinalPhase;
  const action = policy[final];
  const origin = action === ARGO_VERDICT_POLICY[final] ? 'the Argo default' : `the run's verdict policy (Argo would ${ARGO_VERDICT_POLICY[final]})`;
  return { action, reason: `${final} → ${action}, per ${origin}` };
}
