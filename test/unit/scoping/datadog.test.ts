/**
 * @module test/unit/scoping/datadog.test
 * Example tests for the Datadog scoper: the queries Argo Rollouts users gate on (Argo's own docs,
 * APM trace metrics, Istio, NGINX ingress, Kubernetes), every scope form Datadog accepts, the
 * places a metric term hides (functions, arithmetic, wrappers, aggregator-applied functions), and
 * the errors `lint` shows. Expected outputs are exact strings: everything but the added filter is
 * preserved byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { datadogScoper } from '../../../src/scoping/datadog.js';
import { getScoper } from '../../../src/scoping/scoper.js';
import type { ScopeTarget } from '../../../src/scoping/scoper.js';
import { scopeError } from './scope-error.js';

const canary: ScopeTarget = { label: 'argo-rollouts-status', value: 'canary' };
/** The filter the scoper adds for `canary`; spelled once so the tables stay readable. */
const C = 'argo-rollouts-status:canary';

describe('datadogScoper.scope on real-world queries', () => {
  it.each([
    {
      name: "when Argo's v1 doc query is scoped then the tag joins the comma scope",
      query: 'sum:requests.error.rate{service:checkout}',
      expected: `sum:requests.error.rate{service:checkout,${C}}`,
    },
    {
      name: "when Argo's v1 formula query is scoped then both terms inside and outside moving_rollup are scoped",
      query: "moving_rollup(sum:requests.errors{service:checkout}.as_count(), 60, 'sum') / sum:requests{service:checkout}.as_count()",
      expected: `moving_rollup(sum:requests.errors{service:checkout,${C}}.as_count(), 60, 'sum') / sum:requests{service:checkout,${C}}.as_count()`,
    },
    {
      name: "when Argo's restart query already pins the pod hash then the status tag is still added",
      query: 'max:kubernetes.containers.restarts{service-name:checkout,rollouts_pod_template_hash:7d9f8b6c5}',
      expected: `max:kubernetes.containers.restarts{service-name:checkout,rollouts_pod_template_hash:7d9f8b6c5,${C}}`,
    },
    {
      name: 'when a grouped APM error query is scoped then the scope changes and by {…} stays a group',
      query: 'sum:trace.http.request.errors{service:my-service} by {resource_name}.as_count()',
      expected: `sum:trace.http.request.errors{service:my-service,${C}} by {resource_name}.as_count()`,
    },
    {
      name: 'when an APM error ratio is scoped then hits and errors are both scoped',
      query: '100 * sum:trace.http.request.errors{service:checkout,env:prod}.as_count() / sum:trace.http.request.hits{service:checkout,env:prod}.as_count()',
      expected: `100 * sum:trace.http.request.errors{service:checkout,env:prod,${C}}.as_count() / sum:trace.http.request.hits{service:checkout,env:prod,${C}}.as_count()`,
    },
    {
      name: 'when a trace distribution percentile is scoped then the pNN aggregator is kept',
      query: 'p99:trace.http.request{service:checkout,env:prod}',
      expected: `p99:trace.http.request{service:checkout,env:prod,${C}}`,
    },
    {
      name: 'when the Istio 5xx count uses a wildcard value then the wildcard filter is kept',
      query: 'sum:istio.mesh.request.count{destination_service_name:checkout,response_code:5*}.as_count()',
      expected: `sum:istio.mesh.request.count{destination_service_name:checkout,response_code:5*,${C}}.as_count()`,
    },
    {
      name: 'when an NGINX ingress latency average is scoped then sum and count are scoped',
      query: 'sum:nginx_ingress.controller.request.duration.sum{ingress:checkout}.as_count() / sum:nginx_ingress.controller.request.duration.count{ingress:checkout}.as_count()',
      expected: `sum:nginx_ingress.controller.request.duration.sum{ingress:checkout,${C}}.as_count() / sum:nginx_ingress.controller.request.duration.count{ingress:checkout,${C}}.as_count()`,
    },
    {
      name: 'when the scope is {*} then it becomes the tag alone',
      query: 'avg:system.cpu.user{*}',
      expected: `avg:system.cpu.user{${C}}`,
    },
    {
      name: 'when the scope is { * } with spaces then only the star is replaced',
      query: 'avg:system.cpu.user{ * }',
      expected: `avg:system.cpu.user{ ${C} }`,
    },
    {
      name: 'when the scope is empty braces then the tag fills them',
      query: 'avg:system.cpu.user{}',
      expected: `avg:system.cpu.user{${C}}`,
    },
    {
      name: 'when the term has no scope then braces are added after the name',
      query: 'avg:system.load.1',
      expected: `avg:system.load.1{${C}}`,
    },
    {
      name: 'when an unscoped term has a method then the scope goes between name and method',
      query: 'sum:requests.count.as_count()',
      expected: `sum:requests.count{${C}}.as_count()`,
    },
    {
      name: 'when rollup and fill follow the scope then they are kept in order',
      query: 'sum:trace.http.request.hits{service:checkout}.rollup(sum, 60).fill(zero)',
      expected: `sum:trace.http.request.hits{service:checkout,${C}}.rollup(sum, 60).fill(zero)`,
    },
    {
      name: 'when fill takes null and a limit then the arguments are untouched',
      query: 'avg:kubernetes.cpu.usage.total{kube_deployment:checkout}.fill(null, 10)',
      expected: `avg:kubernetes.cpu.usage.total{kube_deployment:checkout,${C}}.fill(null, 10)`,
    },
    {
      name: 'when a boolean scope uses AND and OR then it is wrapped so OR cannot swallow the tag',
      query: 'avg:system.cpu.user{env:staging AND (availability-zone:us-east-1a OR availability-zone:us-east-1c)} by {availability-zone}',
      expected: `avg:system.cpu.user{(env:staging AND (availability-zone:us-east-1a OR availability-zone:us-east-1c)) AND ${C}} by {availability-zone}`,
    },
    {
      name: 'when a boolean scope is a plain OR then it is wrapped',
      query: 'sum:trace.http.request.hits{service:a OR service:b}.as_count()',
      expected: `sum:trace.http.request.hits{(service:a OR service:b) AND ${C}}.as_count()`,
    },
    {
      name: 'when the keywords are lower-case then they are still boolean syntax',
      query: 'avg:system.cpu.user{env:prod or env:staging}',
      expected: `avg:system.cpu.user{(env:prod or env:staging) AND ${C}}`,
    },
    {
      name: 'when the scope uses NOT IN then it is wrapped and the list kept',
      query: 'avg:system.cpu.user{env:prod AND location NOT IN (atlanta,seattle,las-vegas)}',
      expected: `avg:system.cpu.user{(env:prod AND location NOT IN (atlanta,seattle,las-vegas)) AND ${C}}`,
    },
    {
      name: 'when the scope is a bare NOT then it is wrapped',
      query: 'avg:system.cpu.user{NOT env:dev}',
      expected: `avg:system.cpu.user{(NOT env:dev) AND ${C}}`,
    },
    {
      name: 'when a space separates the name from an IN scope then the space is kept',
      query: 'avg:kubernetes.pods.running {team IN (ingestion, storage, query)} by {team}',
      expected: `avg:kubernetes.pods.running {(team IN (ingestion, storage, query)) AND ${C}} by {team}`,
    },
    {
      name: 'when an exclusion and a path wildcard are in the scope then they stay',
      query: 'avg:system.disk.in_use{!device:/dev/loop*} by {device}',
      expected: `avg:system.disk.in_use{!device:/dev/loop*,${C}} by {device}`,
    },
    {
      name: 'when a tag value contains colons then it is one filter',
      query: 'avg:kubernetes.cpu.usage.total{image:nginx:1.25}',
      expected: `avg:kubernetes.cpu.usage.total{image:nginx:1.25,${C}}`,
    },
    {
      name: 'when top() wraps a grouped query then the inner term is scoped and the arguments kept',
      query: "top(avg:system.cpu.user{env:prod} by {host}, 10, 'mean', 'desc')",
      expected: `top(avg:system.cpu.user{env:prod,${C}} by {host}, 10, 'mean', 'desc')`,
    },
    {
      name: 'when timeshift takes a negative offset then the number is kept',
      query: 'timeshift(avg:system.load.1{*}, -3600)',
      expected: `timeshift(avg:system.load.1{${C}}, -3600)`,
    },
    {
      name: 'when anomalies() has keyword arguments then they are kept',
      query: "anomalies(avg:system.load.1{host:a}, 'basic', 2, direction='above')",
      expected: `anomalies(avg:system.load.1{host:a,${C}}, 'basic', 2, direction='above')`,
    },
    {
      name: 'when an aggregator is applied to a function then the metric inside is scoped',
      query: 'avg:count_nonzero(uptime{app:shopist} by {host}.as_rate())',
      expected: `avg:count_nonzero(uptime{app:shopist,${C}} by {host}.as_rate())`,
    },
    {
      name: 'when by {…} comes before the method then both orders are understood',
      query: 'sum:kubernetes.pods.running{service:*-canary}.as_count() by {service}',
      expected: `sum:kubernetes.pods.running{service:*-canary,${C}}.as_count() by {service}`,
    },
    {
      name: "when Datadog's v1 doc query has no aggregator then it is still a metric term",
      query: 'system.cpu.idle{*}by{host}',
      expected: `system.cpu.idle{${C}}by{host}`,
    },
    {
      name: 'when a bare dotted metric is a function argument then it gets a scope',
      query: 'abs(system.cpu.idle)',
      expected: `abs(system.cpu.idle{${C}})`,
    },
    {
      name: 'when a term is negated then it is scoped',
      query: '-avg:a.b{x:y} + 1',
      expected: `-avg:a.b{x:y,${C}} + 1`,
    },
    {
      name: 'when several queries are comma-separated then each is scoped',
      query: 'avg:a.b{x:y}, avg:c.d{*}',
      expected: `avg:a.b{x:y,${C}}, avg:c.d{${C}}`,
    },
    {
      name: 'when the query spans YAML block lines then whitespace and the trailing newline are kept',
      query: 'sum:a.errors{service:x}.as_count()\n  /\n  sum:a.hits{service:x}.as_count()\n',
      expected: `sum:a.errors{service:x,${C}}.as_count()\n  /\n  sum:a.hits{service:x,${C}}.as_count()\n`,
    },
  ])('$name', ({ query, expected }) => {
    expect(datadogScoper.scope(query, canary)).toBe(expected);
  });
});

describe('datadogScoper.scope leaves terms that already filter on the tag', () => {
  it.each([
    { name: 'when the term already asks for canary then nothing changes', query: `sum:a.b{service:x,${C}}` },
    { name: 'when the term asks for stable then the explicit choice wins', query: 'sum:a.b{argo-rollouts-status:stable}' },
    { name: 'when the term excludes a value then the exclusion is the filter', query: 'sum:a.b{!argo-rollouts-status:canary}' },
    { name: 'when the term asks for any value then it is left alone', query: 'sum:a.b{argo-rollouts-status:*}' },
    { name: 'when the term compares both scopes with IN then it is left alone', query: 'sum:a.b{argo-rollouts-status IN (canary, stable)}' },
    { name: 'when the tag appears negated in a boolean scope then it is left alone', query: 'sum:a.b{env:prod AND NOT argo-rollouts-status:canary}' },
    { name: 'when the tag key differs only in case then it counts as the same tag', query: 'sum:a.b{Argo-Rollouts-Status:canary}' },
  ])('$name', ({ query }) => {
    expect(datadogScoper.scope(query, canary)).toBe(query);
  });

  it('when only one side of a ratio has the tag then only the other side is scoped', () => {
    expect(datadogScoper.scope('sum:a.errors{argo-rollouts-status:canary} / sum:a.hits{service:x}', canary)).toBe(
      `sum:a.errors{argo-rollouts-status:canary} / sum:a.hits{service:x,${C}}`,
    );
  });

  it('when a different tag name and the stable scope are asked then that filter is written', () => {
    expect(datadogScoper.scope('sum:a.b{service:x}', { label: 'rollout-role', value: 'stable' })).toBe('sum:a.b{service:x,rollout-role:stable}');
  });

  it('when the query holds no metric term then there is nothing to scope', () => {
    expect(datadogScoper.scope('1 + 2', canary)).toBe('1 + 2');
  });
});

describe('datadogScoper parse errors', () => {
  it.each([
    { name: 'when the query is empty then it says so at 1:1', query: '', line: 1, column: 1, text: 'the query is empty' },
    { name: 'when the query is only whitespace then it is empty', query: '  \n ', line: 1, column: 1, text: 'the query is empty' },
    { name: 'when a scope is never closed then the opening brace is pointed at', query: 'avg:a.b{service:x', line: 1, column: 8, text: 'unbalanced braces' },
    { name: 'when a closing brace has no opening one then it is pointed at', query: 'avg:a.b{x:y}}', line: 1, column: 13, text: 'without a matching "{"' },
    { name: 'when a scope contains a brace then the inner brace is pointed at', query: 'avg:a.b{x{y}}', line: 1, column: 10, text: '"{" inside a scope' },
    { name: 'when a parenthesis is never closed then the end is reported', query: 'abs(avg:a.b{*}', line: 1, column: 15, text: 'expected "," or ")"' },
    { name: 'when a grouping parenthesis is never closed then it says so', query: '(avg:a.b{*} / 2', line: 1, column: 16, text: 'expected ")"' },
    { name: 'when the aggregator colon is missing then the fix is named', query: 'avg system.cpu.user{*}', line: 1, column: 5, text: 'missing ":" between the aggregator "avg" and the metric "system.cpu.user"' },
    { name: 'when the aggregator has no metric then it says so', query: 'avg:', line: 1, column: 5, text: 'expected a metric name after the aggregator "avg:"' },
    { name: 'when an operator has no right operand then it says so', query: 'avg:a.b{*} +', line: 1, column: 13, text: 'expected a metric query' },
    { name: 'when two terms have no operator between them then it says so', query: 'avg:a.b{*} avg:c.d{*}', line: 1, column: 12, text: 'expected an operator' },
    { name: 'when ! is mixed with AND then Datadog would reject it too', query: 'avg:a.b{env:prod AND !region:us-east}', line: 1, column: 22, text: 'does not allow "!" together with AND/OR/NOT/IN' },
    { name: 'when a comma is mixed with OR then Datadog would reject it too', query: 'avg:a.b{env:prod, a:b OR c:d}', line: 1, column: 17, text: 'does not allow "," together with AND/OR/NOT/IN' },
    { name: 'when two filters have no comma between them then it says so', query: 'avg:a.b{a:b c:d}', line: 1, column: 13, text: 'expected "," or "}"' },
    { name: 'when AND has no right operand then it says so', query: 'avg:a.b{a:b AND}', line: 1, column: 16, text: 'expected a tag filter' },
    { name: 'when a boolean group is not closed then it says so', query: 'avg:a.b{(a:b OR c:d}', line: 1, column: 20, text: 'expected ")" to close the group' },
    { name: 'when a comma list ends with a comma then it says so', query: 'avg:a.b{a:b,}', line: 1, column: 13, text: 'expected a tag filter' },
    { name: 'when a by group is empty then it says so', query: 'avg:a.b{*} by {}', line: 1, column: 16, text: 'expected a tag key in "by {…}"' },
    { name: 'when by is not followed by a group then it says so', query: 'avg:a.b{*} by host', line: 1, column: 15, text: 'expected "{tag, …}" after by' },
    { name: 'when a method has no parentheses then it says so', query: 'sum:a.b{*}.as_count', line: 1, column: 20, text: 'expected "("' },
    { name: 'when a character is not part of the syntax then it is named', query: 'avg:a.b{*} # note', line: 1, column: 12, text: 'unexpected character "#"' },
    { name: 'when a string is not terminated then it says so', query: "top(avg:a.b{*}, 5, 'mean)", line: 1, column: 20, text: 'unterminated string' },
    { name: 'when the error is on a later line then line and column point there', query: 'sum:a{x:y}\n/\nsum:b{x:y', line: 3, column: 6, text: 'unbalanced braces' },
    { name: 'when a scope has no metric name before it then it says so', query: '{service:x}', line: 1, column: 1, text: 'needs a metric name before it' },
  ])('$name', ({ query, line, column, text }) => {
    const error = scopeError(() => datadogScoper.scope(query, canary));
    expect(error.code).toBe('SCOPE_PARSE');
    expect(error.message).toContain(text);
    expect(error.message).toMatch(/^Datadog query parse error at line \d+, column \d+: /);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    expect(error.query).toBe(query);
    // validate() reports exactly what scope() reports.
    expect(scopeError(() => datadogScoper.validate(query)).message).toBe(error.message);
  });
});

describe('datadogScoper targets', () => {
  it.each([
    { name: 'when the tag contains a colon then it is refused', target: { label: 'a:b', value: 'canary' }, text: 'invalid scope tag "a:b"' },
    { name: 'when the tag contains a space then it is refused', target: { label: 'a b', value: 'canary' }, text: 'invalid scope tag' },
    { name: 'when the tag is a boolean keyword then it is refused', target: { label: 'and', value: 'canary' }, text: 'invalid scope tag' },
    { name: 'when the value is empty then it is refused', target: { label: 'argo-rollouts-status', value: '' }, text: 'invalid scope value ""' },
    { name: 'when the value is a wildcard then it is refused', target: { label: 'argo-rollouts-status', value: '*' }, text: 'no spaces, commas, parentheses or wildcards' },
    { name: 'when the value contains a comma then it is refused', target: { label: 'argo-rollouts-status', value: 'a,b' }, text: 'invalid scope value' },
    { name: 'when the value starts with ! then it is refused', target: { label: 'argo-rollouts-status', value: '!canary' }, text: 'invalid scope value' },
  ])('$name', ({ target, text }) => {
    const error = scopeError(() => datadogScoper.scope('avg:a.b{*}', target));
    expect(error.code).toBe('SCOPE_INVALID_TARGET');
    expect(error.message).toContain(text);
  });

  it('when the target is invalid then that is reported even for a query that does not parse', () => {
    expect(scopeError(() => datadogScoper.scope('avg:a.b{', { label: 'bad tag', value: 'canary' })).code).toBe('SCOPE_INVALID_TARGET');
  });
});

describe('datadog scoper registration', () => {
  it('when the datadog language is requested then this scoper is returned', () => {
    expect(getScoper('datadog')).toBe(datadogScoper);
  });
});
