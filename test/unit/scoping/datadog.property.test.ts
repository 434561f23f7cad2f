/**
 * @module test/unit/scoping/datadog.property.test
 * Property tests for the Datadog scoper: on random valid metric queries (every scope form ×
 * functions × arithmetic × wrappers × groups) the rewrite must re-parse, give every term exactly
 * one filter on the tag, add nothing but that filter, be idempotent and depend on the value only
 * where it writes it. Example tables cannot reach the combinations where insertion offsets go wrong.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { datadogScoper } from '../../../src/scoping/datadog.js';
import type { ScopeTarget } from '../../../src/scoping/scoper.js';
import { TARGET_TAG, datadogQuery } from './datadog-arbitraries.js';

/** Contains "zz", which generated values never do, so every occurrence was inserted. */
const PROBE = 'zzprobe';
const canary: ScopeTarget = { label: TARGET_TAG, value: 'canary' };
const stable: ScopeTarget = { label: TARGET_TAG, value: 'stable' };
const probe: ScopeTarget = { label: TARGET_TAG, value: PROBE };
const RUNS = { numRuns: 400 };

const scope = (query: string, target: ScopeTarget = canary): string => datadogScoper.scope(query, target);
const count = (text: string, needle: string): number => text.split(needle).length - 1;

/** Undoes the three insertion forms, independently of the scoper's parser. */
function removeProbe(scoped: string): string {
  const filter = `${TARGET_TAG}:${PROBE}`;
  return scoped
    .replace(new RegExp(`\\{(\\s*)\\(([^{}]*)\\) AND ${filter}(\\s*)\\}`, 'g'), '{$1$2$3}')
    .replaceAll(`,${filter}`, '')
    .replaceAll(filter, '*');
}

describe('datadog scoper properties', () => {
  it('when queries are generated then they parse (guards the generator itself)', () => {
    fc.assert(
      fc.property(datadogQuery, (q) => {
        expect(() => datadogScoper.validate(q.text)).not.toThrow();
      }),
      RUNS,
    );
  });

  it('when a valid query is scoped then the result parses', () => {
    fc.assert(
      fc.property(datadogQuery, (q) => {
        expect(() => datadogScoper.validate(scope(q.text))).not.toThrow();
      }),
      RUNS,
    );
  });

  it('when a valid query is scoped then every term filters on the tag exactly once', () => {
    fc.assert(
      fc.property(datadogQuery, (q) => {
        const scoped = scope(q.text, probe);
        expect(count(scoped, `${TARGET_TAG}:${PROBE}`)).toBe(q.terms - q.constrained);
        // Terms that had the tag keep their single mention; the others gained exactly one.
        expect(count(scoped, TARGET_TAG)).toBe(q.terms);
      }),
      RUNS,
    );
  });

  it('when the inserted filters are removed then the original query remains (empty scopes read as {*})', () => {
    fc.assert(
      fc.property(datadogQuery, (q) => {
        expect(removeProbe(scope(q.text, probe))).toBe(q.normalized);
      }),
      RUNS,
    );
  });

  it('when a scoped query is scoped again then it is unchanged', () => {
    fc.assert(
      fc.property(datadogQuery, (q) => {
        const once = scope(q.text);
        expect(scope(once)).toBe(once);
      }),
      RUNS,
    );
  });

  it('when scoping to stable instead of canary then only the inserted value differs', () => {
    fc.assert(
      fc.property(datadogQuery, (q) => {
        const template = scope(q.text, probe);
        const withValue = (value: string): string => template.replaceAll(`${TARGET_TAG}:${PROBE}`, `${TARGET_TAG}:${value}`);
        expect(scope(q.text, canary)).toBe(withValue('canary'));
        expect(scope(q.text, stable)).toBe(withValue('stable'));
      }),
      RUNS,
    );
  });
});
