/**
 * @module test/unit/model/query-library.test
 * The query library's strict renderer and loader: a value for an undeclared variable, a missing
 * value, a placeholder nobody declared and a declaration nobody uses are all errors that name the
 * variable and list the declared ones; rendering replaces every placeholder and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { QueryLibrary, QueryLibraryError, parseQueryFile, renderQuery } from '../../../src/model/query-library.js';

const FILE = `provider: prometheus
source: demo
description: demo queries
queries:
  - name: error-rate
    description: 5xx share
    variables:
      - {name: service, description: the service label}
      - {name: window, description: rate window, default: 5m}
    query: sum(rate(x{service="\${service}",code=~"5.."}[\${window}])) / sum(rate(x{service="\${service}"}[\${window}]))
  - name: ratio
    description: a formula
    aggregator: sum
    variables:
      - {name: service, description: the service tag}
    queries:
      errors: sum:a.errors{service:\${service}}.as_count()
      hits: sum:a.hits{service:\${service}}.as_count()
    formula: errors / hits
`;

function libraryError(run: () => unknown): QueryLibraryError {
  try {
    run();
  } catch (error) {
    if (error instanceof QueryLibraryError) return error;
    throw error;
  }
  throw new Error('expected a QueryLibraryError');
}

const file = parseQueryFile(FILE, 'demo.yaml');
const library = new QueryLibrary([file]);

describe('renderQuery', () => {
  it('when every variable is bound then each placeholder is replaced, repeated ones included', () => {
    expect(library.render('prometheus/demo/error-rate', { service: 'checkout', window: '2m' })).toEqual({
      query: 'sum(rate(x{service="checkout",code=~"5.."}[2m])) / sum(rate(x{service="checkout"}[2m]))',
    });
  });

  it('when a variable with a default is not bound then the default is used', () => {
    expect(library.render('prometheus/demo/error-rate', { service: 'checkout' }).query).toContain('[5m]');
  });

  it('when an entry has queries and a formula then all are rendered and the aggregator is passed on', () => {
    expect(library.render('prometheus/demo/ratio', { service: 's' })).toEqual({
      queries: { errors: 'sum:a.errors{service:s}.as_count()', hits: 'sum:a.hits{service:s}.as_count()' },
      formula: 'errors / hits',
      aggregator: 'sum',
    });
  });

  it('when values hold Argo placeholders then they are inserted unchanged for Argo to fill', () => {
    expect(library.render('prometheus/demo/error-rate', { service: '{{args.service}}', window: '{{args.window}}' }).query).toBe(
      'sum(rate(x{service="{{args.service}}",code=~"5.."}[{{args.window}}])) / sum(rate(x{service="{{args.service}}"}[{{args.window}}]))',
    );
  });

  it.each<{ name: string; bindings: Record<string, string>; code: string; text: string }>([
    { name: 'when a required variable is missing then it is named with the declared list', bindings: {}, code: 'MISSING_VARIABLE', text: 'missing variable "service" (the service label) for query prometheus/demo/error-rate; declared: service, window' },
    { name: 'when an undeclared variable is bound then it is named with the declared list', bindings: { service: 'x', namespace: 'shop' }, code: 'UNKNOWN_VARIABLE', text: 'unknown variable "namespace" for query prometheus/demo/error-rate; declared: service, window' },
  ])('$name', ({ bindings, code, text }) => {
    const error = libraryError(() => renderQuery(library.get('prometheus/demo/error-rate'), bindings));
    expect(error.code).toBe(code);
    expect(error.message).toBe(text);
  });

  it('when an unknown query is asked then the queries of that source are listed', () => {
    const error = libraryError(() => library.get('prometheus/demo/success-rate'));
    expect(error.code).toBe('UNKNOWN_QUERY');
    expect(error.message).toContain('prometheus/demo/error-rate, prometheus/demo/ratio');
  });

  it('when a binding is named like an object property then it is still unknown', () => {
    expect(libraryError(() => library.render('prometheus/demo/error-rate', JSON.parse('{"service":"x","__proto__":"y"}') as Record<string, string>)).code).toBe('UNKNOWN_VARIABLE');
    expect(libraryError(() => library.render('prometheus/demo/error-rate', { constructor: 'x' } as Record<string, string>)).code).toBe('UNKNOWN_VARIABLE');
  });
});

describe('parseQueryFile', () => {
  const entry = (body: string): string => `provider: datadog\nsource: demo\ndescription: d\nqueries:\n  - name: q\n    description: d\n${body}`;

  it.each([
    { name: 'when a placeholder is not declared then it is named with the declared list', body: '    variables:\n      - {name: a, description: d}\n    query: avg:x{a:${a},b:${b}}\n', text: '${b} is not declared; declared: a' },
    { name: 'when a variable is declared but unused then it is named', body: '    variables:\n      - {name: a, description: d}\n      - {name: b, description: d}\n    query: avg:x{a:${a}}\n', text: '"b" is declared but not used' },
    { name: 'when a variable is declared twice then it is named', body: '    variables:\n      - {name: a, description: d}\n      - {name: a, description: d}\n    query: avg:x{a:${a}}\n', text: '"a" is declared twice' },
    { name: 'when a placeholder is not closed then it says so', body: '    variables:\n      - {name: a, description: d}\n    query: "avg:x{a:${a},b:${b"\n', text: 'unterminated' },
    { name: 'when both query and queries are set then exactly one is asked for', body: '    query: avg:x{*}\n    queries:\n      a: avg:x{*}\n', text: 'set exactly one of query or queries' },
    { name: 'when several queries have no formula then a formula is required', body: '    queries:\n      a: avg:x{*}\n      b: avg:y{*}\n', text: 'formula: required' },
    { name: 'when a variable name is not kebab-case then it is refused', body: '    variables:\n      - {name: Service, description: d}\n    query: avg:x{s:${Service}}\n', text: 'kebab-case' },
    { name: 'when the provider is unknown then it is refused', body: '    query: x\n', text: 'provider', replaceProvider: true },
  ])('$name', ({ body, text, replaceProvider }) => {
    const source = replaceProvider ? entry(body).replace('provider: datadog', 'provider: graphite') : entry(body);
    const error = libraryError(() => parseQueryFile(source, 'demo.yaml'));
    expect(error.code).toBe('LIBRARY_INVALID');
    expect(error.message).toContain(text);
    expect(error.message).toContain('demo.yaml');
  });

  it('when the YAML is broken then the file is named', () => {
    expect(libraryError(() => parseQueryFile('queries: [', 'broken.yaml')).message).toMatch(/^broken\.yaml: not valid YAML/);
  });

  it('when two files define the same reference then the library refuses them', () => {
    expect(libraryError(() => new QueryLibrary([file, file])).message).toContain('prometheus/demo/error-rate is defined twice');
  });

  it('when a file parses then each entry knows its reference', () => {
    expect(file.queries.map((q) => q.ref)).toEqual(['prometheus/demo/error-rate', 'prometheus/demo/ratio']);
  });
});
