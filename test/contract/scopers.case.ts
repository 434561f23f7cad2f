/**
 * The QueryScoper contract, run by each query language's test file: scoping adds the target to
 * every series selection, is idempotent, leaves already-scoped queries alone, rejects what it
 * cannot parse with a position, and rejects targets it cannot write.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getScoper, ScopeError, type QueryScoper } from '../../src/scoping/index.js';

export interface ScoperSamples {
  readonly scoper: QueryScoper;
  /** The label/tag name valid in this language. */
  readonly label: string;
  /** A realistic query with at least two series selections. */
  readonly query: string;
  /** How many times the target must appear after scoping `query`. */
  readonly selections: number;
  /** The same query already constrained on the label. */
  readonly alreadyScoped: string;
  /** Queries that do not parse. */
  readonly broken: readonly string[];
  /** A label/tag name this language cannot carry. */
  readonly invalidLabel: string;
  /** Fragments of the language, joined at random into mostly-broken queries. */
  readonly tokens: readonly string[];
}

export function scoperContract(samples: ScoperSamples): void {
  const { scoper, label } = samples;
  const canary = { label, value: 'canary' };
  describe(`${scoper.language}: QueryScoper contract`, () => {
    it('is the registry entry for its language', () => {
      expect(getScoper(scoper.language)).toBe(scoper);
    });

    it('when a query is scoped then every series selection carries the target', () => {
      const scoped = scoper.scope(samples.query, canary);
      expect(scoped.split('canary').length - 1).toBe(samples.selections);
      expect(() => scoper.validate(scoped)).not.toThrow();
    });

    it('when scoped twice then the second pass changes nothing', () => {
      const once = scoper.scope(samples.query, canary);
      expect(scoper.scope(once, canary)).toBe(once);
    });

    it('when the query already constrains the label then it is left as written', () => {
      expect(scoper.scope(samples.alreadyScoped, canary)).toBe(samples.alreadyScoped);
    });

    it('when scoped to stable instead of canary then only the value differs', () => {
      expect(scoper.scope(samples.query, { label, value: 'stable' }).replaceAll('stable', 'canary')).toBe(scoper.scope(samples.query, canary));
    });

    it.each(samples.broken)('when the query %j does not parse then SCOPE_PARSE names a position', (query) => {
      for (const act of [() => scoper.validate(query), () => scoper.scope(query, canary)]) {
        const err = (() => {
          try {
            act();
            return undefined;
          } catch (e) {
            return e;
          }
        })();
        expect(err).toBeInstanceOf(ScopeError);
        expect((err as ScopeError).code).toBe('SCOPE_PARSE');
        if (query.trim() !== '') expect((err as ScopeError).column).toBeGreaterThan(0);
      }
    });

    it('when given arbitrary token soup then it either scopes to a parsable, stable query or throws SCOPE_PARSE', () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...samples.tokens), { maxLength: 14 }), (tokens) => {
          const query = tokens.join('');
          let scoped: string;
          try {
            scoped = scoper.scope(query, canary);
          } catch (error) {
            expect(error).toBeInstanceOf(ScopeError);
            expect((error as ScopeError).code).toBe('SCOPE_PARSE');
            return;
          }
          expect(() => scoper.validate(scoped)).not.toThrow();
          expect(scoper.scope(scoped, canary)).toBe(scoped);
        }),
        { numRuns: 1000 },
      );
    });

    it('when the target label cannot be written in this language then SCOPE_INVALID_TARGET', () => {
      expect(() => scoper.scope(samples.query, { label: samples.invalidLabel, value: 'canary' })).toThrow(expect.objectContaining({ code: 'SCOPE_INVALID_TARGET' }));
    });
  });
}
