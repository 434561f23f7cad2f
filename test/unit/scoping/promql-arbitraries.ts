/**
 * @module test/unit/scoping/promql-arbitraries
 * fast-check generators of syntactically valid PromQL for the scoper's property tests. They aim
 * at the places a selector can hide (ranges, subqueries, function and aggregation arguments,
 * both sides of binary operations, modifiers) and at text that only looks like a selector
 * (comments, string arguments), in all the selector spellings users write.
 */
import fc from 'fast-check';

/** The label the property tests scope on. */
export const TARGET_LABEL = 'argo_rollouts_status';

const metricName = fc.constantFrom(
  'x',
  'up',
  'http_requests_total',
  'istio_requests_total',
  'nginx_ingress_controller_requests',
  'http_request_duration_seconds_bucket',
  'job:http_requests:rate5m',
);

/** Includes the target label so that "already constrained" selectors are common. */
const labelName = fc.constantFrom('job', 'pod', 'code', 'le', 'namespace', TARGET_LABEL);

const matchOp = fc.constantFrom('=', '!=', '=~', '!~');

/** Values never contain `_`, so a probe value with underscores cannot collide with them. */
const labelValue = fc.oneof(
  fc.constantFrom('', 'canary', 'stable', 'canary|stable', '5..', 'checkout', '.*'),
  fc.stringMatching(/^[a-z0-9.*|:-]{0,8}$/),
  fc.constantFrom('say "hi"', 'back\\slash', 'new\nline', 'x{a="b"}', 'comma,', '# not a comment', 'ünï'),
);

function quoteValue(value: string, style: 'double' | 'single' | 'raw'): string {
  if (style === 'single' && !/['\\\n]/.test(value)) return `'${value}'`;
  if (style === 'raw' && !value.includes('`')) return `\`${value}\``;
  return JSON.stringify(value);
}

const matcher = fc
  .record({
    name: labelName,
    quotedName: fc.boolean(),
    op: matchOp,
    value: labelValue,
    style: fc.constantFrom('double', 'single', 'raw'),
    spaced: fc.boolean(),
  })
  .map((m) => {
    const name = m.quotedName ? JSON.stringify(m.name) : m.name;
    const pad = m.spaced ? ' ' : '';
    return { label: m.name, text: `${name}${pad}${m.op}${pad}${quoteValue(m.value, m.style)}` };
  });

/** Every selector spelling the scoper promises to handle. */
const selectorForm = fc.constantFrom('bare', 'braces', 'dunder', 'dunderRegex', 'quotedName', 'nameless');

/** A vector selector, without modifiers. */
export const selector: fc.Arbitrary<string> = fc
  .record({
    name: metricName,
    form: selectorForm,
    matchers: fc.uniqueArray(matcher, { maxLength: 3, selector: (m) => m.label }),
    separator: fc.constantFrom(',', ', ', ' , '),
    trailingComma: fc.boolean(),
    padded: fc.boolean(),
  })
  .map((s) => {
    const pad = s.padded ? ' ' : '';
    const list = (lead: readonly string[]): string => {
      const all = [...lead, ...s.matchers.map((m) => m.text)];
      if (all.length === 0) return `{${pad}}`;
      return `{${pad}${all.join(s.separator)}${s.trailingComma ? ',' : ''}${pad}}`;
    };
    switch (s.form) {
      case 'bare':
        return s.matchers.length === 0 ? s.name : `${s.name}${list([])}`;
      case 'braces':
        return `${s.name}${list([])}`;
      case 'dunder':
        return list([`__name__="${s.name}"`]);
      case 'dunderRegex':
        return list([`__name__=~"${s.name}|up"`]);
      case 'quotedName':
        return list([`"${s.name}.v2"`]);
      case 'nameless':
        return s.matchers.length === 0 ? s.name : list([]);
    }
  });

const duration = fc.constantFrom('5m', '1h', '30s', '1h30m', '2d');
const step = fc.constantFrom('', '1m', '30s');
const modifier = fc.constantFrom('', '', ' offset 5m', ' offset -1h', ' @ 1700000000', ' @ start()', ' @ end() offset 1m');
const number = fc.constantFrom('1', '0.99', '100', '1e3', '0x1f', 'Inf', '-2');
const comment = fc.constantFrom('', '', ' # lhs up{job="x"} rate(x[5m])\n', '\n  ');

const instantSelector = fc.tuple(selector, modifier).map(([s, m]) => `${s}${m}`);
const matrix = fc.tuple(selector, duration, modifier).map(([s, d, m]) => `${s}[${d}]${m}`);

const rangeFunction = fc.constantFrom('rate', 'irate', 'increase', 'delta', 'avg_over_time', 'count_over_time', 'absent_over_time');
const vectorFunction = fc.constantFrom('abs', 'ceil', 'absent', 'sort_desc', 'timestamp');
const clampFunction = fc.constantFrom('clamp_min', 'clamp_max');
const aggregation = fc.constantFrom('sum', 'avg', 'max', 'min', 'count', 'group', 'stddev');
const grouping = fc.constantFrom('', ' by (pod)', ' without (instance)', ' by (le, pod)', ' by ()');
const arithmetic = fc.constantFrom('+', '-', '*', '/', '%', '^');
const comparison = fc.constantFrom('==', '!=', '>', '<', '>=', '<=');
const setOperator = fc.constantFrom('and', 'or', 'unless');
const vectorMatching = fc.constantFrom(
  '',
  ' on (pod)',
  ' ignoring (code)',
  ' on (pod) group_left (job)',
  ' ignoring (code) group_right (instance)',
);
const setMatching = fc.constantFrom('', ' on (pod)', ' ignoring (code)', ' on ()');

/**
 * A random PromQL expression: selectors (every form, 0–3 matchers, four operators) with
 * optional `offset`/`@`, range vectors, range and instant functions, `clamp_*`,
 * `histogram_quantile`, `label_replace`, aggregations with `by`/`without` before or after,
 * `topk`/`quantile`/`count_values`, arithmetic/comparison (`bool`)/set binary operations with
 * `on`/`ignoring`/`group_left`/`group_right`, subqueries with modifiers, parentheses, unary
 * minus, number literals, `vector()`/`time()`/`scalar()` and comments between operands.
 */
export const promqlExpression: fc.Arbitrary<string> = fc.letrec<{ vec: string; range: string }>((tie) => ({
  range: fc.oneof(
    matrix,
    fc.tuple(tie('vec'), duration, step, modifier).map(([v, d, s, m]) => `(${v})[${d}:${s}]${m}`),
    fc.tuple(selector, duration, step).map(([v, d, s]) => `${v}[${d}:${s}]`),
    fc.tuple(rangeFunction, matrix, duration, step).map(([f, r, d, s]) => `${f}(${r})[${d}:${s}]`),
  ),
  vec: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    instantSelector,
    number,
    fc.constantFrom('vector(1)', 'time()'),
    // Weighted up: range vectors are where real canary queries put most of their selectors.
    { arbitrary: fc.tuple(rangeFunction, tie('range')).map(([f, r]) => `${f}(${r})`), weight: 3 },
    fc.tuple(vectorFunction, tie('vec')).map(([f, v]) => `${f}(${v})`),
    fc.tuple(clampFunction, tie('vec'), number).map(([f, v, n]) => `${f}(${v}, ${n})`),
    tie('vec').map((v) => `scalar(${v})`),
    tie('vec').map((v) => `histogram_quantile(0.99, ${v})`),
    tie('vec').map((v) => `label_replace(${v}, "dst", "$1", "src", "up{job=\\"(.*)\\"}")`),
    fc.tuple(aggregation, grouping, fc.boolean(), tie('vec')).map(([a, g, after, v]) =>
      after ? `${a}(${v})${g}` : `${a}${g} (${v})`,
    ),
    tie('vec').map((v) => `topk(5, ${v})`),
    tie('vec').map((v) => `quantile(0.9, ${v})`),
    tie('vec').map((v) => `count_values("value", ${v})`),
    fc
      .tuple(tie('vec'), comment, arithmetic, vectorMatching, tie('vec'))
      .map(([l, c, op, m, r]) => `${l}${c} ${op}${m} ${r}`),
    fc
      .tuple(tie('vec'), comparison, fc.boolean(), vectorMatching, tie('vec'))
      .map(([l, op, bool, m, r]) => `${l} ${op}${bool ? ' bool' : ''}${m} ${r}`),
    fc.tuple(tie('vec'), setOperator, setMatching, tie('vec')).map(([l, op, m, r]) => `${l} ${op}${m} ${r}`),
    // A bare group_left would take a parenthesised right operand as its label list.
    fc.tuple(tie('vec'), arithmetic, instantSelector).map(([l, op, r]) => `${l} ${op} on (pod) group_left ${r}`),
    tie('vec').map((v) => `(${v})`),
    tie('vec').map((v) => `-(${v})`),
  ),
})).vec;
