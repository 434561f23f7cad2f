/**
 * @module test/unit/scoping/promql.test
 * Example tests for the PromQL scoper: the queries Argo Rollouts users actually gate on, every
 * selector spelling, the places selectors hide, text that only looks like a selector, and the
 * errors `lint` shows. Expected outputs are exact strings because the promise is byte-for-byte
 * preservation of everything but the inserted matcher.
 */
import { describe, expect, it } from 'vitest';
import { promqlScoper } from '../../../src/scoping/promql.js';
import type { ScopeTarget } from '../../../src/scoping/scoper.js';
import { scopeError } from './scope-error.js';

const canary: ScopeTarget = { label: 'argo_rollouts_status', value: 'canary' };
/** The matcher the scoper adds for `canary`; spelled once so the tables stay readable. */
const C = 'argo_rollouts_status="canary"';

describe('promqlScoper.scope on real-world canary queries', () => {
  it.each([
    {
      name: 'when the Istio success rate is scoped then both ratio sides get the matcher first',
      query:
        'sum(irate(istio_requests_total{reporter="source",destination_service=~"checkout",response_code!~"5.*"}[5m])) / sum(irate(istio_requests_total{reporter="source",destination_service=~"checkout"}[5m]))',
      expected: `sum(irate(istio_requests_total{${C},reporter="source",destination_service=~"checkout",response_code!~"5.*"}[5m])) / sum(irate(istio_requests_total{${C},reporter="source",destination_service=~"checkout"}[5m]))`,
    },
    {
      name: 'when the NGINX ingress 5xx ratio is scoped then numerator and denominator are scoped',
      query:
        'sum(rate(nginx_ingress_controller_requests{ingress="checkout",status=~"5.."}[2m])) / sum(rate(nginx_ingress_controller_requests{ingress="checkout"}[2m]))',
      expected: `sum(rate(nginx_ingress_controller_requests{${C},ingress="checkout",status=~"5.."}[2m])) / sum(rate(nginx_ingress_controller_requests{${C},ingress="checkout"}[2m]))`,
    },
    {
      name: 'when a histogram_quantile over a bucket rate is scoped then the bucket selector is scoped',
      query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="x"}[5m])))',
      expected: `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${C},job="x"}[5m])))`,
    },
    {
      name: 'when a subquery wraps a rate then the inner selector is scoped and the subquery range kept',
      query: 'max_over_time(rate(http_requests_total{code=~"5.."}[1m])[30m:1m])',
      expected: `max_over_time(rate(http_requests_total{${C},code=~"5.."}[1m])[30m:1m])`,
    },
    {
      name: 'when count_over_time takes a selector subquery then the selector gets braces',
      query: 'count_over_time(x[1h:5m])',
      expected: `count_over_time(x{${C}}[1h:5m])`,
    },
    {
      name: 'when a week-over-week comparison uses offset then both selectors are scoped and offset kept',
      query: 'rate(http_requests_total[5m]) / rate(http_requests_total[5m] offset 1w)',
      expected: `rate(http_requests_total{${C}}[5m]) / rate(http_requests_total{${C}}[5m] offset 1w)`,
    },
    {
      name: 'when a selector is pinned with @ then the timestamp stays after the braces',
      query: 'http_requests_total @ 1700000000',
      expected: `http_requests_total{${C}} @ 1700000000`,
    },
    {
      name: 'when @ end() and a negative offset combine then both modifiers are preserved',
      query: 'rate(x{a="b"}[5m] @ end() offset -1h)',
      expected: `rate(x{${C},a="b"}[5m] @ end() offset -1h)`,
    },
    {
      name: 'when readiness is joined with and on (pod) then both sides are scoped and the numbers kept',
      query: 'up{job="checkout"} == 1 and on (pod) kube_pod_status_ready{condition="true"} == 1',
      expected: `up{${C},job="checkout"} == 1 and on (pod) kube_pod_status_ready{${C},condition="true"} == 1`,
    },
    {
      name: 'when CPU is divided by requests with group_left then the one side is scoped too',
      query:
        'sum by (pod) (rate(container_cpu_usage_seconds_total[5m])) / on (pod) group_left kube_pod_container_resource_requests{resource="cpu"}',
      expected: `sum by (pod) (rate(container_cpu_usage_seconds_total{${C}}[5m])) / on (pod) group_left kube_pod_container_resource_requests{${C},resource="cpu"}`,
    },
    {
      name: 'when ignoring with group_right is used then the label lists are untouched',
      query: 'x * ignoring (code) group_right (instance) y',
      expected: `x{${C}} * ignoring (code) group_right (instance) y{${C}}`,
    },
    {
      name: 'when absent guards a missing metric then the guarded selector is scoped',
      query: 'absent(up{job="x"})',
      expected: `absent(up{${C},job="x"})`,
    },
    {
      name: 'when label_replace is used then only the selector changes, not its string arguments',
      query: 'label_replace(rate(x[5m]), "svc", "$1", "service", "(.*)-canary")',
      expected: `label_replace(rate(x{${C}}[5m]), "svc", "$1", "service", "(.*)-canary")`,
    },
    {
      name: 'when the metric name is a __name__ regex then the matcher goes first inside the braces',
      query: 'sum(rate({__name__=~"http_.*"}[5m]))',
      expected: `sum(rate({${C},__name__=~"http_.*"}[5m]))`,
    },
    {
      name: 'when every selector already constrains the label with =~ then the query is untouched',
      query: 'sum(rate(http_requests_total{argo_rollouts_status=~"canary|stable",code=~"5.."}[5m]))',
      expected: 'sum(rate(http_requests_total{argo_rollouts_status=~"canary|stable",code=~"5.."}[5m]))',
    },
    {
      name: 'when one selector is constrained and one is not then only the other one is scoped',
      query:
        'sum(rate(http_requests_total{argo_rollouts_status="stable",code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
      expected: `sum(rate(http_requests_total{argo_rollouts_status="stable",code=~"5.."}[5m])) / sum(rate(http_requests_total{${C}}[5m]))`,
    },
    {
      name: 'when the query is a multi-line rule with comments then whitespace and comments survive',
      query: '# error ratio: errors{job="x"} / total\nsum(rate(errors_total[5m]))  # numerator\n  /\nsum(rate(requests_total{job = "x"}[5m]))\n',
      expected: `# error ratio: errors{job="x"} / total\nsum(rate(errors_total{${C}}[5m]))  # numerator\n  /\nsum(rate(requests_total{${C},job = "x"}[5m]))\n`,
    },
    {
      name: 'when scalar and time mix with a selector then only the selector changes',
      query: 'time() - scalar(max(process_start_time_seconds{job="x"})) > 300',
      expected: `time() - scalar(max(process_start_time_seconds{${C},job="x"})) > 300`,
    },
    {
      name: 'when a fallback uses or vector(0) then vector(0) stays as written',
      query: 'sum(rate(errors_total[5m])) or vector(0)',
      expected: `sum(rate(errors_total{${C}}[5m])) or vector(0)`,
    },
    {
      name: 'when topk, quantile and a trailing by clause are used then the parameters are untouched',
      query: 'topk(5, quantile(0.9, x) by (pod)) > bool 0.5',
      expected: `topk(5, quantile(0.9, x{${C}}) by (pod)) > bool 0.5`,
    },
    {
      name: 'when unary minus and parentheses wrap selectors then both selectors are scoped',
      query: '-(x + (y))',
      expected: `-(x{${C}} + (y{${C}}))`,
    },
    {
      name: 'when predict_linear and deriv use range vectors then each range selector is scoped',
      query: 'predict_linear(node_filesystem_free_bytes[1h], 4 * 3600) < 0 unless deriv(x[10m]) > 0',
      expected: `predict_linear(node_filesystem_free_bytes{${C}}[1h], 4 * 3600) < 0 unless deriv(x{${C}}[10m]) > 0`,
    },
  ])('$name', ({ query, expected }) => {
    expect(promqlScoper.scope(query, canary)).toBe(expected);
  });
});

describe('promqlScoper.scope on every selector spelling', () => {
  it.each([
    { name: 'when the selector is a bare metric name then braces are appended', query: 'metric', expected: `metric{${C}}` },
    { name: 'when the braces are empty then the matcher fills them', query: 'metric{}', expected: `metric{${C}}` },
    {
      name: 'when the braces only hold whitespace then the whitespace is kept',
      query: 'metric{ }',
      expected: `metric{${C} }`,
    },
    {
      name: 'when the braces hold matchers then the new matcher comes first',
      query: 'metric{a="b"}',
      expected: `metric{${C},a="b"}`,
    },
    {
      name: 'when the matcher list has a trailing comma then it is kept',
      query: 'metric{a="b",}',
      expected: `metric{${C},a="b",}`,
    },
    {
      name: 'when the name is given as __name__ then the matcher precedes it',
      query: '{__name__="metric"}',
      expected: `{${C},__name__="metric"}`,
    },
    {
      name: 'when __name__ is a regex next to another matcher then both are kept in order',
      query: '{__name__=~"a|b", job="x"}',
      expected: `{${C},__name__=~"a|b", job="x"}`,
    },
    {
      name: 'when a Prometheus 3 quoted metric name leads then it stays first',
      query: '{"metric.with.dots", a="b"}',
      expected: `{"metric.with.dots",${C}, a="b"}`,
    },
    {
      name: 'when a quoted metric name stands alone then the matcher follows it',
      query: '{"metric.with.dots"}',
      expected: `{"metric.with.dots",${C}}`,
    },
    {
      name: 'when a quoted metric name comes after a matcher then the matcher goes first',
      query: '{a="b", "metric.with.dots"}',
      expected: `{${C},a="b", "metric.with.dots"}`,
    },
    {
      name: 'when a label name is quoted then the matcher is still inserted first',
      query: 'metric{"service.name"="checkout"}',
      expected: `metric{${C},"service.name"="checkout"}`,
    },
    {
      name: 'when the metric is a recording rule with colons then braces follow the full name',
      query: 'job:http_requests:rate5m',
      expected: `job:http_requests:rate5m{${C}}`,
    },
    {
      name: 'when the metric is named like a function then it is still a selector',
      query: 'rate + sum',
      expected: `rate{${C}} + sum{${C}}`,
    },
    {
      name: 'when a comment separates name and braces then the matcher goes into the braces',
      query: 'metric # note\n{a="b"}',
      expected: `metric # note\n{${C},a="b"}`,
    },
  ])('$name', ({ query, expected }) => {
    expect(promqlScoper.scope(query, canary)).toBe(expected);
  });

  it.each([
    { name: 'when the label uses != then the selector is untouched', query: 'x{argo_rollouts_status!="stable"}' },
    { name: 'when the label uses !~ then the selector is untouched', query: 'x{argo_rollouts_status!~"stable"}' },
    { name: 'when the label uses = with another value then the selector is untouched', query: 'x{argo_rollouts_status="stable"}' },
    { name: 'when the label name is quoted then it still counts', query: 'x{"argo_rollouts_status"=~"canary|stable"}' },
    { name: 'when the quoted label name uses single quotes then it still counts', query: "x{'argo_rollouts_status'!=''}" },
    { name: 'when the quoted label name uses escapes then it still counts', query: 'x{"argo\\x5frollouts\\u005fstatus"="c"}' },
    { name: 'when the quoted label name uses an octal escape then it still counts', query: 'x{"argo_rollouts_statu\\163"="c"}' },
    { name: 'when the quoted label name is a raw string then it still counts', query: 'x{`argo_rollouts_status`="c"}' },
  ])('$name', ({ query }) => {
    expect(promqlScoper.scope(query, canary)).toBe(query);
  });
});

describe('promqlScoper.scope on text that is not a selector', () => {
  it.each([
    { name: 'when the query is a number then it is returned unchanged', query: '42' },
    { name: 'when the query is a string literal then it is returned unchanged', query: '"up{job=\\"x\\"}"' },
    { name: 'when the query is vector(1) then it is returned unchanged', query: 'vector(1)' },
    { name: 'when the query is time() arithmetic then it is returned unchanged', query: 'time() % 3600 > bool 60' },
    { name: 'when the query is only comments around a number then it is returned unchanged', query: '# x{a="b"}\n1 # rate(y[5m])' },
  ])('$name', ({ query }) => {
    expect(promqlScoper.scope(query, canary)).toBe(query);
  });

  it('when info() is given a data-label selector then only its first argument is scoped', () => {
    expect(promqlScoper.scope('info(rate(x[5m]), {k8s_cluster_name=~".+"})', canary)).toBe(
      `info(rate(x{${C}}[5m]), {k8s_cluster_name=~".+"})`,
    );
  });
});

describe('promqlScoper.scope target handling', () => {
  it('when the label is configured differently then that label is used', () => {
    expect(promqlScoper.scope('x{a="b"}', { label: 'rollouts_pod_template_hash', value: '6d4b' })).toBe(
      'x{rollouts_pod_template_hash="6d4b",a="b"}',
    );
  });

  it('when the value contains quotes, backslashes and newlines then they are escaped', () => {
    expect(promqlScoper.scope('x', { label: 'l', value: 'a"b\\c\nd\te\u0001' })).toBe(
      'x{l="a\\"b\\\\c\\nd\\te\\u0001"}',
    );
  });

  it('when the value is not ASCII then it is written as is', () => {
    expect(promqlScoper.scope('x', { label: 'l', value: 'kanárek-🐤' })).toBe('x{l="kanárek-🐤"}');
  });

  it('when a query is scoped twice then the second pass changes nothing', () => {
    const once = promqlScoper.scope('sum(rate(x[5m])) / on (pod) group_left {__name__="y"}', canary);
    expect(promqlScoper.scope(once, canary)).toBe(once);
  });

  it.each([
    { name: 'when the label has a dash then it is rejected', label: 'argo-rollouts-status', value: 'canary', mention: 'argo-rollouts-status' },
    { name: 'when the label starts with a digit then it is rejected', label: '1status', value: 'canary', mention: '[a-zA-Z_][a-zA-Z0-9_]*' },
    { name: 'when the label has a dot then it is rejected', label: 'argo.status', value: 'canary', mention: '[a-zA-Z_][a-zA-Z0-9_]*' },
    { name: 'when the label is empty then it is rejected', label: '', value: 'canary', mention: '[a-zA-Z_][a-zA-Z0-9_]*' },
    { name: 'when the label is reserved (__name__) then it is rejected', label: '__name__', value: 'canary', mention: 'reserved' },
    { name: 'when the value is empty then it is rejected', label: 'argo_rollouts_status', value: '', mention: 'must not be empty' },
    { name: 'when the value has a lone surrogate then it is rejected', label: 'l', value: 'a\uD800', mention: 'Unicode' },
  ])('$name', ({ label, value, mention }) => {
    const error = scopeError(() => promqlScoper.scope('x', { label, value }));
    expect(error.code).toBe('SCOPE_INVALID_TARGET');
    expect(error.message).toContain(mention);
    expect(error.query).toBe('x');
    expect(error.line).toBeUndefined();
  });

  it('when both target and query are invalid then the target error wins', () => {
    expect(scopeError(() => promqlScoper.scope('x{', { label: 'a-b', value: 'c' })).code).toBe('SCOPE_INVALID_TARGET');
  });
});

describe('promqlScoper parse errors', () => {
  it.each([
    { name: 'when an aggregation misses its closing paren then the end of the query is reported', query: 'sum(rate(x[5m])', line: 1, column: 16, message: 'PromQL parse error at line 1, column 16 near "sum(rate(x[5m])": unexpected end of query' },
    { name: 'when a matcher has no value then the closing brace is reported', query: 'x{a=}', line: 1, column: 5, message: 'PromQL parse error at line 1, column 5 near "}"' },
    { name: 'when a function misses its closing paren then the end is reported', query: 'rate(x[5m]', line: 1, column: 11, message: 'PromQL parse error at line 1, column 11 near "rate(x[5m]": unexpected end of query' },
    { name: 'when the query is empty then line 1 column 1 is reported', query: '', line: 1, column: 1, message: 'PromQL parse error at line 1, column 1: the query is empty' },
    { name: 'when the query is only whitespace then it is reported as empty', query: '  \n ', line: 2, column: 2, message: 'PromQL parse error at line 2, column 2: the query is empty' },
    { name: 'when two expressions follow each other then the second is reported', query: 'x y', line: 1, column: 3, message: 'PromQL parse error at line 1, column 3 near "y"' },
    { name: 'when the error is on a later line then line and column point there', query: 'sum(\n  rate(x[5m]) +\n  y{a=~}\n)', line: 3, column: 8, message: 'PromQL parse error at line 3, column 8 near "}"' },
    { name: 'when a string is not closed then the end is reported', query: 'x{a="b}', line: 1, column: 8, message: 'PromQL parse error at line 1, column 8 near "x{a=\\"b}": unexpected end of query' },
    { name: 'when the text before the error is long then the excerpt is shortened', query: 'sum(rate(http_requests_total{job="checkout"}[5m])', line: 1, column: 50, message: 'PromQL parse error at line 1, column 50 near "…job=\\"checkout\\"}[5m])": unexpected end of query' },
  ])('$name', ({ query, line, column, message }) => {
    for (const run of [() => promqlScoper.validate(query), () => promqlScoper.scope(query, canary)]) {
      const error = scopeError(run);
      expect(error).toMatchObject({ code: 'SCOPE_PARSE', line, column, query, message, name: 'ScopeError' });
    }
  });

  it('when columns are counted then non-ASCII characters count once', () => {
    const error = scopeError(() => promqlScoper.validate('x{a="🐤"} y'));
    expect(error).toMatchObject({ line: 1, column: 10 });
  });

  it('when a query parses then validate returns without throwing', () => {
    expect(() => promqlScoper.validate('sum by (le) (rate(x[5m])) # ok')).not.toThrow();
  });
});
