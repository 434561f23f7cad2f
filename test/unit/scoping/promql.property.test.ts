/**
 * @module test/unit/scoping/promql.property.test
 * Property tests for the PromQL scoper: on random valid queries the rewrite must parse, cover
 * every selector exactly once, add nothing but the matcher, be idempotent and depend on the
 * target value only where it inserts it. Example tables cannot reach the combinations
 * (selector spelling × nesting × modifiers × comments) where insertion offsets go wrong.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { promqlScoper } from '../../../src/scoping/promql.js';
import type { ScopeTarget } from '../../../src/scoping/scoper.js';
import { TARGET_LABEL, promqlExpression } from './promql-arbitraries.js';
import { errorCount, removeInsertedMatchers, selectorsOf } from './promql-tree.js';

/** Contains `_`, which generated label values never do, so every occurrence was inserted. */
const PROBE = '__probe__';
const canary: ScopeTarget = { label: TARGET_LABEL, value: 'canary' };
const stable: ScopeTarget = { label: TARGET_LABEL, value: 'stable' };
const probe: ScopeTarget = { label: TARGET_LABEL, value: PROBE };
const RUNS = { numRuns: 300 };

const scope = (query: string, target: ScopeTarget = canary): string => promqlScoper.scope(query, target);

describe('promql scoper properties', () => {
  it('when queries are generated then they parse (guards the generator itself)', () => {
    fc.assert(
      fc.property(promqlExpression, (query) => {
        expect(errorCount(query)).toBe(0);
      }),
      RUNS,
    );
  });

  it('when a valid query is scoped then the result parses', () => {
    fc.assert(
      fc.property(promqlExpression, (query) => {
        expect(errorCount(scope(query))).toBe(0);
      }),
      RUNS,
    );
  });

  it('when a valid query is scoped then every selector has exactly one matcher on the label', () => {
    fc.assert(
      fc.property(promqlExpression, (query) => {
        for (const selector of selectorsOf(scope(query))) {
          expect(selector.matchers.filter((m) => m.label === TARGET_LABEL)).toHaveLength(1);
        }
      }),
      RUNS,
    );
  });

  it('when the inserted matchers are removed then exactly the original query remains', () => {
    fc.assert(
      fc.property(promqlExpression, (query) => {
        const scoped = scope(query, probe);
        expect(removeInsertedMatchers(scoped, query, TARGET_LABEL, PROBE)).toBe(query);
      }),
      RUNS,
    );
  });

  it('when scoping then exactly the selectors lacking a matcher on the label receive one', () => {
    fc.assert(
      fc.property(promqlExpression, (query) => {
        const unconstrained = selectorsOf(query).filter((s) => !s.matchers.some((m) => m.label === TARGET_LABEL));
        const inserted = selectorsOf(scope(query, probe)).filter((s) =>
          s.matchers.some((m) => m.label === TARGET_LABEL && m.literal === JSON.stringify(PROBE)),
        );
        expect(inserted).toHaveLength(unconstrained.length);
      }),
      RUNS,
    );
  });

  it('when a scoped query is scoped again then it is unchanged', () => {
    fc.assert(
      fc.property(promqlExpression, (query) => {
        const once = scope(query);
        expect(scope(once)).toBe(once);
      }),
      RUNS,
    );
  });

  it('when scoping to stable instead of canary then only the inserted value differs', () => {
    fc.assert(
      fc.property(promqlExpression, (query) => {
        const template = scope(query, probe);
        const withValue = (value: string): string =>
          template.replaceAll(`${TARGET_LABEL}="${PROBE}"`, `${TARGET_LABEL}="${value}"`);
        expect(scope(query, canary)).toBe(withValue('canary'));
        expect(scope(query, stable)).toBe(withValue('stable'));
      }),
      RUNS,
    );
  });

  it('when the value is any well-formed Unicode then it is written as a literal that reads back as the value', () => {
    const value = fc.string({ unit: 'binary', minLength: 1 }).filter((v) => !/\p{Cs}/u.test(v));
    fc.assert(
      fc.property(value, (v) => {
        const scoped = scope('x', { label: TARGET_LABEL, value: v });
        expect(errorCount(scoped)).toBe(0);
        const [selector] = selectorsOf(scoped);
        const literal = selector?.matchers.find((m) => m.label === TARGET_LABEL)?.literal ?? '';
        // The scoper only emits escapes that Go (Prometheus) and JSON read identically.
        expect(JSON.parse(literal)).toBe(v);
      }),
      RUNS,
    );
  });
});
