/**
 * The promote decision tree, row by row against the plugin (reference §4; promote.go
 * `getPatches`), plus the fixed patches against the plugin's literal patch text.
 */
import { describe, expect, it } from 'vitest';
import { planPromote, ROLLOUT_PATCHES, type PromoteInput } from '../../../src/actuators/rollout-patches.js';

const UNPAUSE = { spec: { paused: false } };
const UNIFIED = { spec: { paused: false }, status: { pauseConditions: null } };

/** A canary at step 2 of 5, new revision `new`, stable `old`, nothing paused. */
const canary = (over: Partial<PromoteInput> = {}): PromoteInput => ({
  strategy: 'canary',
  stepCount: 5,
  paused: false,
  pauseConditions: [],
  controllerPause: false,
  currentStepIndex: 2,
  currentPodHash: 'new',
  stableRS: 'old',
  currentStepAnalysisRun: undefined,
  ...over,
});
const blueGreen = (over: Partial<PromoteInput> = {}): PromoteInput => canary({ strategy: 'blueGreen', stepCount: 0, currentStepIndex: undefined, ...over });
const inconclusive = { currentStepAnalysisRun: { name: 'ro-new-3-2', status: 'Inconclusive' } };
const pausedBy = (reason: string): PromoteInput['pauseConditions'] => [{ reason, startTime: '2026-01-01T00:00:00Z' }];

interface Row {
  readonly when: string;
  readonly input: PromoteInput;
  readonly full?: boolean;
  readonly branch: string;
  readonly status?: unknown;
  readonly spec?: unknown;
  readonly unified: unknown;
}

const rows: Row[] = [
  // --full
  { when: 'full, paused, new revision not yet stable', input: canary({ paused: true }), full: true, branch: 'full', spec: UNPAUSE, status: { status: { promoteFull: true } }, unified: { spec: { paused: false }, status: { promoteFull: true } } },
  { when: 'full, not paused, new revision not yet stable', input: canary(), full: true, branch: 'full', status: { status: { promoteFull: true } }, unified: { spec: { paused: false }, status: { promoteFull: true } } },
  { when: 'full, paused, already stable', input: canary({ paused: true, currentPodHash: 'old' }), full: true, branch: 'full', spec: UNPAUSE, unified: { spec: { paused: false }, status: { promoteFull: true } } },
  { when: 'full, not paused, already stable', input: canary({ currentPodHash: 'old' }), full: true, branch: 'full', unified: { spec: { paused: false }, status: { promoteFull: true } } },
  { when: 'full on a blue-green awaiting promotion', input: blueGreen({ pauseConditions: pausedBy('BlueGreenPause'), controllerPause: true }), full: true, branch: 'full', status: { status: { promoteFull: true } }, unified: { spec: { paused: false }, status: { promoteFull: true } } },
  // (a) inconclusive step analysis
  {
    when: '(a) canary, Inconclusive step run, pause condition and controllerPause',
    input: canary({ ...inconclusive, pauseConditions: pausedBy('InconclusiveAnalysisRun'), controllerPause: true }),
    branch: 'inconclusive-step',
    status: { status: { pauseConditions: null, controllerPause: false, currentStepIndex: 3 } },
    unified: UNIFIED,
  },
  {
    when: '(a) and also paused by a user',
    input: canary({ ...inconclusive, paused: true, pauseConditions: pausedBy('InconclusiveAnalysisRun'), controllerPause: true }),
    branch: 'inconclusive-step',
    spec: UNPAUSE,
    status: { status: { pauseConditions: null, controllerPause: false, currentStepIndex: 3 } },
    unified: UNIFIED,
  },
  {
    when: '(a) with no currentStepIndex yet (counts as step 0)',
    input: canary({ ...inconclusive, currentStepIndex: undefined, pauseConditions: pausedBy('InconclusiveAnalysisRun'), controllerPause: true }),
    branch: 'inconclusive-step',
    status: { status: { pauseConditions: null, controllerPause: false, currentStepIndex: 1 } },
    unified: UNIFIED,
  },
  {
    when: '(a) at the last index (capped at len(steps))',
    input: canary({ ...inconclusive, currentStepIndex: 5, pauseConditions: pausedBy('InconclusiveAnalysisRun'), controllerPause: true }),
    branch: 'inconclusive-step',
    status: { status: { pauseConditions: null, controllerPause: false, currentStepIndex: 5 } },
    unified: UNIFIED,
  },
  {
    when: '(a) needs controllerPause: without it, only the pause conditions are cleared (b)',
    input: canary({ ...inconclusive, pauseConditions: pausedBy('InconclusiveAnalysisRun'), controllerPause: false }),
    branch: 'clear-pause-conditions',
    status: { status: { pauseConditions: null } },
    unified: UNIFIED,
  },
  {
    when: '(a) needs pause conditions: without them the step is skipped (c)',
    input: canary({ ...inconclusive, controllerPause: true }),
    branch: 'skip-step',
    status: { status: { pauseConditions: null, currentStepIndex: 3 } },
    unified: { spec: { paused: false }, status: { pauseConditions: null, currentStepIndex: 3 } },
  },
  {
    when: '(a) needs a canary: an Inconclusive status on a blue-green clears pause conditions (b)',
    input: blueGreen({ ...inconclusive, pauseConditions: pausedBy('BlueGreenPause'), controllerPause: true }),
    branch: 'clear-pause-conditions',
    status: { status: { pauseConditions: null } },
    unified: UNIFIED,
  },
  // (b) pause conditions
  { when: '(b) canary at a pause step', input: canary({ pauseConditions: pausedBy('CanaryPauseStep'), controllerPause: true }), branch: 'clear-pause-conditions', status: { status: { pauseConditions: null } }, unified: UNIFIED },
  {
    when: '(b) canary at a pause step and paused by a user',
    input: canary({ paused: true, pauseConditions: pausedBy('CanaryPauseStep'), controllerPause: true }),
    branch: 'clear-pause-conditions',
    spec: UNPAUSE,
    status: { status: { pauseConditions: null } },
    unified: UNIFIED,
  },
  { when: '(b) blue-green awaiting promotion', input: blueGreen({ pauseConditions: pausedBy('BlueGreenPause'), controllerPause: true }), branch: 'clear-pause-conditions', status: { status: { pauseConditions: null } }, unified: UNIFIED },
  // (c) skip the current step
  {
    when: '(c) canary mid-analysis step, nothing paused',
    input: canary(),
    branch: 'skip-step',
    status: { status: { pauseConditions: null, currentStepIndex: 3 } },
    unified: { spec: { paused: false }, status: { pauseConditions: null, currentStepIndex: 3 } },
  },
  {
    when: '(c) and paused by a user',
    input: canary({ paused: true }),
    branch: 'skip-step',
    spec: UNPAUSE,
    status: { status: { pauseConditions: null, currentStepIndex: 3 } },
    unified: { spec: { paused: false }, status: { pauseConditions: null, currentStepIndex: 3 } },
  },
  {
    when: '(c) past the last step (index stays at len(steps))',
    input: canary({ currentStepIndex: 5 }),
    branch: 'skip-step',
    status: { status: { pauseConditions: null, currentStepIndex: 5 } },
    unified: { spec: { paused: false }, status: { pauseConditions: null, currentStepIndex: 5 } },
  },
  // neither
  { when: 'canary without steps, paused by a user', input: canary({ stepCount: 0, paused: true }), branch: 'unpause-only', spec: UNPAUSE, unified: UNIFIED },
  { when: 'canary without steps, not paused', input: canary({ stepCount: 0 }), branch: 'unpause-only', unified: UNIFIED },
  { when: 'blue-green paused by a user only', input: blueGreen({ paused: true }), branch: 'unpause-only', spec: UNPAUSE, unified: UNIFIED },
  { when: 'blue-green not paused at all', input: blueGreen(), branch: 'unpause-only', unified: UNIFIED },
];

describe('planPromote (kubectl argo rollouts promote)', () => {
  it.each(rows)('when $when then $branch', (row) => {
    const plan = planPromote(row.input, { full: row.full === true });
    expect(plan.branch).toBe(row.branch);
    expect(plan.status?.body).toEqual(row.status);
    expect(plan.spec?.body).toEqual(row.spec);
    expect(plan.unified.body).toEqual(row.unified);
    expect(plan.status?.strategy ?? 'merge').toBe('merge');
  });

  it('when the status patch moves the step then nextStepIndex says where to', () => {
    expect(planPromote(canary()).nextStepIndex).toBe(3);
    expect(planPromote(canary({ pauseConditions: pausedBy('CanaryPauseStep') })).nextStepIndex).toBeUndefined();
  });
});

describe('fixed patches match the plugin text', () => {
  it.each([
    ['pause', ROLLOUT_PATCHES.pause, '{"spec":{"paused":true}}'],
    ['abort', ROLLOUT_PATCHES.abort, '{"status":{"abort":true}}'],
    ['retry', ROLLOUT_PATCHES.retry, '{"status":{"abort":false}}'],
    ['unpause', ROLLOUT_PATCHES.unpause, '{"spec":{"paused":false}}'],
    ['clear pause conditions', ROLLOUT_PATCHES.clearPauseConditions, '{"status":{"pauseConditions":null}}'],
    ['unified unpause', ROLLOUT_PATCHES.unpauseAndClearPauseConditions, '{"spec":{"paused":false},"status":{"pauseConditions":null}}'],
    ['promote full', ROLLOUT_PATCHES.promoteFull, '{"status":{"promoteFull":true}}'],
    ['unified promote full', ROLLOUT_PATCHES.unpauseAndPromoteFull, '{"spec":{"paused":false},"status":{"promoteFull":true}}'],
  ])('when the %s patch is sent then its body is %s, as a merge patch', (_name, patch, text) => {
    expect(patch.body).toEqual(JSON.parse(text));
    expect(patch.strategy).toBe('merge');
    expect(Object.isFrozen(patch)).toBe(true);
  });
});
