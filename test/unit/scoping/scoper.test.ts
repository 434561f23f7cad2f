/**
 * @module test/unit/scoping/scoper.test
 * Tests for the scoper registry: a metric's query language must find its scoper or fail
 * loudly, because a silent fallback would run an unscoped query and judge the wrong pods.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCOPE_LABELS, ScopeError, getScoper, scopers } from '../../../src/scoping/scoper.js';
import { promqlScoper } from '../../../src/scoping/promql.js';
import * as scoping from '../../../src/scoping/index.js';

describe('scoper registry', () => {
  it('when promql is requested then the PromQL scoper is returned', () => {
    expect(getScoper('promql')).toBe(promqlScoper);
    expect(getScoper('promql').language).toBe('promql');
  });

  it('when the registry is listed then each scoper is keyed by its own language', () => {
    expect([...scopers.keys()]).toContain('promql');
    for (const [language, scoper] of scopers) expect(scoper.language).toBe(language);
  });

  it('when an unknown language is requested then the error lists the known ones', () => {
    expect(() => getScoper('sql')).toThrow(new Error('unknown query language "sql"; known: datadog, promql'));
  });

  it('when the language differs only in case then it is still unknown', () => {
    expect(() => getScoper('PromQL')).toThrow('unknown query language "PromQL"');
  });
});

describe('DEFAULT_SCOPE_LABELS', () => {
  it('when PromQL has no configured label then argo_rollouts_status is used', () => {
    expect(DEFAULT_SCOPE_LABELS['promql']).toBe('argo_rollouts_status');
  });

  it('when a default exists then its language has a scoper that accepts it', () => {
    for (const [language, label] of Object.entries(DEFAULT_SCOPE_LABELS)) {
      expect(() => getScoper(language).scope('x', { label, value: 'canary' })).not.toThrow();
    }
  });
});

describe('scoping barrel', () => {
  it('when other folders import the barrel then registry, error and scopers are all there', () => {
    expect(scoping.getScoper).toBe(getScoper);
    expect(scoping.scopers).toBe(scopers);
    expect(scoping.ScopeError).toBe(ScopeError);
    expect(scoping.DEFAULT_SCOPE_LABELS).toBe(DEFAULT_SCOPE_LABELS);
    expect(scoping.promqlScoper).toBe(promqlScoper);
  });
});

describe('ScopeError', () => {
  it('when constructed with a position then it carries code, position and query', () => {
    const error = new ScopeError('SCOPE_PARSE', 'bad', { query: 'x{', line: 1, column: 3 });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'ScopeError', code: 'SCOPE_PARSE', message: 'bad', query: 'x{', line: 1, column: 3 });
  });

  it('when constructed without a position then line and column are absent', () => {
    const error = new ScopeError('SCOPE_INVALID_TARGET', 'bad label', { query: 'x' });
    expect(error.line).toBeUndefined();
    expect(error.column).toBeUndefined();
  });
});
