/**
 * The verdict policy: Argo's defaults, per-run overrides (argoproj/argo-rollouts #2866), and
 * path-addressed validation errors for bad overrides.
 */
import { describe, expect, it } from 'vitest';
import { ARGO_VERDICT_POLICY, decideAction, parseVerdictPolicy, resolveVerdictPolicy } from '../../../src/actuators/verdict.js';
import type { AnalysisPhase } from '../../../src/model/index.js';

describe('decideAction', () => {
  it.each([
    ['Successful', 'advance'],
    ['Inconclusive', 'pause'],
    ['Failed', 'abort'],
    ['Error', 'abort'],
    ['Running', 'none'],
    ['Pending', 'none'],
    [undefined, 'none'],
  ] as const)('when the run ends %s then Argo would %s', (phase, action) => {
    expect(decideAction(phase as AnalysisPhase | undefined).action).toBe(action);
  });

  it('when the policy turns Failed into pause then Failed pauses and the reason names the override', () => {
    const decision = decideAction('Failed', resolveVerdictPolicy({ Failed: 'pause' }));
    expect(decision).toEqual({ action: 'pause', reason: "Failed → pause, per the run's verdict policy (Argo would abort)" });
  });

  it('when the default applies then the reason says so', () => {
    expect(decideAction('Inconclusive').reason).toBe('Inconclusive → pause, per the Argo default');
  });

  it('when the policy says none then nothing is asked', () => {
    expect(decideAction('Successful', resolveVerdictPolicy({ Successful: 'none' })).action).toBe('none');
  });
});

describe('parseVerdictPolicy', () => {
  it('when nothing is given then it is the Argo policy', () => {
    expect(parseVerdictPolicy(undefined)).toEqual({ policy: ARGO_VERDICT_POLICY, issues: [] });
    expect(parseVerdictPolicy(null).policy).toEqual({ Successful: 'advance', Inconclusive: 'pause', Failed: 'abort', Error: 'abort' });
  });

  it('when some phases are overridden then the rest keep the defaults', () => {
    expect(parseVerdictPolicy({ Failed: 'pause', Error: 'none' }).policy).toEqual({ Successful: 'advance', Inconclusive: 'pause', Failed: 'pause', Error: 'none' });
  });

  it('when an action is unknown then the issue names the path and the valid actions', () => {
    const { policy, issues } = parseVerdictPolicy({ Failed: 'promote' }, ['spec', 'verdictPolicy']);
    expect(policy).toBeUndefined();
    expect(issues).toEqual([
      { code: 'INVALID_VALUE', path: 'spec.verdictPolicy.Failed', message: 'must be one of "advance", "pause", "abort", "none", got "promote"', document: undefined },
    ]);
  });

  it('when a phase is misspelt then the issue suggests the right one', () => {
    const { issues } = parseVerdictPolicy({ failed: 'pause' }, ['verdictPolicy']);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'UNKNOWN_FIELD', path: 'verdictPolicy.failed' });
    expect(issues[0]?.message).toContain('did you mean "Failed"?');
  });

  it('when the policy is not a mapping then it says what was expected', () => {
    const { issues } = parseVerdictPolicy('abort', ['verdictPolicy']);
    expect(issues[0]).toMatchObject({ code: 'INVALID_TYPE', path: 'verdictPolicy', message: 'expected a mapping, got string "abort"' });
  });

  it('when a policy is resolved then it cannot be mutated', () => {
    expect(Object.isFrozen(resolveVerdictPolicy({ Failed: 'pause' }))).toBe(true);
    expect(Object.isFrozen(ARGO_VERDICT_POLICY)).toBe(true);
  });
});
