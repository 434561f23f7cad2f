/**
 * @module test/unit/scoping/datadog-arbitraries
 * fast-check generators of valid Datadog metric queries for the scoper's property tests. Each
 * generated query comes with what the test needs to judge the rewrite without trusting the
 * scoper's own parser: how many metric terms it has, how many of them already filter on the
 * target tag, and the "normalized" text (a missing or empty scope written as `{*}`), which is what
 * removing the added filter must give back.
 */
import fc from 'fast-check';

/** The tag the property tests scope on. */
export const TARGET_TAG = 'argo-rollouts-status';

/** A generated query and the facts the properties are checked against. */
export interface GeneratedQuery {
  readonly text: string;
  /** `text` with every absent or empty scope written as `{*}`. */
  readonly normalized: string;
  readonly terms: number;
  /** Terms whose scope already mentions {@link TARGET_TAG} (exactly once each). */
  readonly constrained: number;
}

const metricName = fc.constantFrom(
  'trace.http.request.hits',
  'trace.http.request.errors',
  'istio.mesh.request.count',
  'nginx_ingress.controller.requests',
  'kubernetes.containers.restarts',
  'system.load.1',
  'requests',
);
const aggregator = fc.constantFrom('avg', 'sum', 'min', 'max', 'count', 'p99', 'p95');
const tagKey = fc.constantFrom('service', 'env', 'resource_name', 'availability-zone', 'kube_namespace', 'http.status_class');
/** Values never contain "zz", so a probe value with it cannot collide with them. */
const tagValue = fc.constantFrom('checkout', 'prod', '*-canary', 'us-east-1a', '5*', 'nginx:1.25', '/dev/loop*', 'canary', 'stable', '*', 'a_b.c-d');
const targetFilter = fc.constantFrom(`${TARGET_TAG}:canary`, `${TARGET_TAG}:stable`, `!${TARGET_TAG}:canary`, `${TARGET_TAG}:*`, TARGET_TAG);
const space = fc.constantFrom('', ' ');

interface Scope {
  readonly text: string;
  readonly normalized: string;
  readonly constrained: boolean;
}

const plainFilter = fc.tuple(fc.boolean(), tagKey, fc.option(tagValue, { nil: undefined })).map(([not, key, value]) => `${not ? '!' : ''}${key}${value === undefined ? '' : `:${value}`}`);

/** `{a:b, !c:d}`, optionally with one filter on the target tag at a random position. */
const symbolicScope: fc.Arbitrary<Scope> = fc
  .tuple(fc.array(plainFilter, { minLength: 1, maxLength: 4 }), fc.option(fc.tuple(targetFilter, fc.nat()), { nil: undefined }), space)
  .map(([filters, target, sp]) => {
    const all = [...filters];
    if (target) all.splice(target[1] % (all.length + 1), 0, target[0]);
    const text = `{${all.join(`,${sp}`)}}`;
    return { text, normalized: text, constrained: target !== undefined };
  });

const keyword = (word: string): fc.Arbitrary<string> => fc.constantFrom(word, word.toLowerCase());

/** A boolean scope tree; `withTarget` puts the target tag in exactly one leaf. */
function booleanExpr(depth: number, withTarget: boolean): fc.Arbitrary<string> {
  const leafValue = withTarget ? fc.constantFrom(`${TARGET_TAG}:canary`, `${TARGET_TAG}:stable`) : fc.tuple(tagKey, tagValue).map(([k, v]) => `${k}:${v}`);
  const inList = fc
    .tuple(withTarget ? fc.constant(TARGET_TAG) : tagKey, fc.boolean(), keyword('NOT'), keyword('IN'), fc.array(tagValue.filter((v) => !v.includes('*') && !v.includes(':')), { minLength: 1, maxLength: 3 }))
    .map(([key, not, notWord, inWord, values]) => `${key} ${not ? `${notWord} ` : ''}${inWord} (${values.join(', ')})`);
  const leaf = fc.oneof(leafValue, inList);
  if (depth <= 0) return leaf;
  const binary = fc
    .tuple(fc.boolean(), fc.constantFrom('AND', 'OR'), fc.boolean())
    .chain(([left, op, lower]) =>
      fc
        .tuple(booleanExpr(depth - 1, withTarget && left), booleanExpr(depth - 1, withTarget && !left))
        .map(([a, b]) => `${a} ${lower ? op.toLowerCase() : op} ${b}`),
    );
  const negated = fc.tuple(keyword('NOT'), booleanExpr(depth - 1, withTarget)).map(([not, e]) => `${not} ${e}`);
  const grouped = booleanExpr(depth - 1, withTarget).map((e) => `(${e})`);
  return fc.oneof({ weight: 2, arbitrary: leaf }, { weight: 2, arbitrary: binary }, negated, grouped);
}

/** A scope in functional syntax; always holds at least one keyword so it cannot read as symbolic. */
const functionalScope: fc.Arbitrary<Scope> = fc
  .tuple(fc.boolean(), fc.constantFrom(0, 1, 2), space)
  .chain(([withTarget, depth, sp]) =>
    fc
      .tuple(booleanExpr(depth, withTarget), tagKey, tagValue, keyword('AND'))
      .map(([expr, k, v, and]) => {
        const text = `{${sp}${k}:${v} ${and} ${expr}${sp}}`;
        return { text, normalized: text, constrained: withTarget };
      }),
  );

const allScope: fc.Arbitrary<Scope> = fc.constantFrom(
  { text: '{*}', normalized: '{*}', constrained: false },
  { text: '{ * }', normalized: '{ * }', constrained: false },
  { text: '{}', normalized: '{*}', constrained: false },
);

const method = fc.constantFrom('.as_count()', '.as_rate()', '.rollup(sum, 60)', '.rollup(avg)', '.fill(zero)', '.fill(null, 10)');
const group = fc.constantFrom(' by {host}', ' by {resource_name,env}', 'by{host}');

/** One metric term in every scope form. */
const metricTerm: fc.Arbitrary<GeneratedQuery> = fc
  .record({
    agg: fc.option(aggregator, { nil: undefined }),
    name: metricName,
    scope: fc.option(fc.oneof(symbolicScope, functionalScope, allScope), { nil: undefined, freq: 5 }),
    gap: space,
    group: fc.option(group, { nil: undefined }),
    groupFirst: fc.boolean(),
    methods: fc.array(method, { maxLength: 2 }),
  })
  // Without an aggregator a scope is what marks the name as a metric.
  .filter((t) => t.agg !== undefined || t.scope !== undefined)
  .map((t) => {
    const head = `${t.agg === undefined ? '' : `${t.agg}:`}${t.name}`;
    const suffix = (g: string | undefined): string => (t.groupFirst ? `${g ?? ''}${t.methods.join('')}` : `${t.methods.join('')}${g ?? ''}`);
    const scopeText = t.scope ? `${t.gap}${t.scope.text}` : '';
    const scopeNormalized = t.scope ? `${t.gap}${t.scope.normalized}` : '{*}';
    // "by{host}" right after a bare name would read as part of an identifier-less group; keep a space.
    const g = t.group === 'by{host}' && !t.scope ? ' by{host}' : t.group;
    return {
      text: `${head}${scopeText}${suffix(g)}`,
      normalized: `${head}${scopeNormalized}${suffix(g)}`,
      terms: 1,
      constrained: t.scope?.constrained ? 1 : 0,
    };
  });

const combine = (parts: readonly GeneratedQuery[], render: (texts: string[]) => string, renderNormalized: (texts: string[]) => string): GeneratedQuery => ({
  text: render(parts.map((p) => p.text)),
  normalized: renderNormalized(parts.map((p) => p.normalized)),
  terms: parts.reduce((n, p) => n + p.terms, 0),
  constrained: parts.reduce((n, p) => n + p.constrained, 0),
});

const same = (f: (texts: string[]) => string): [(t: string[]) => string, (t: string[]) => string] => [f, f];

/** Expressions: arithmetic, numbers, parentheses and function wrappers around metric terms. */
const expression: fc.Arbitrary<GeneratedQuery> = fc.letrec<{ expr: GeneratedQuery }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: metricTerm },
    fc.tuple(tie('expr'), fc.constantFrom(' + ', ' - ', ' * ', ' / ', '/'), tie('expr')).map(([a, op, b]) => combine([a, b], ...same(([x, y]) => `${x}${op}${y}`))),
    fc.tuple(fc.constantFrom('100 * ', '1 - ', '-'), tie('expr')).map(([prefix, e]) => combine([e], ...same(([x]) => `${prefix}${x}`))),
    tie('expr').map((e) => combine([e], ...same(([x]) => `(${x})`))),
    fc
      .tuple(fc.constantFrom('abs(#)', "top(#, 10, 'mean', 'desc')", "moving_rollup(#, 60, 'sum')", 'timeshift(#, -3600)', "anomalies(#, 'basic', 2, direction='above')", 'avg:count_nonzero(#)'), tie('expr'))
      .map(([wrapper, e]) => combine([e], ...same(([x]) => wrapper.replace('#', x ?? '')))),
  ),
})).expr;

/** A whole query: one expression, or several separated by commas (v1 multi-query). */
export const datadogQuery: fc.Arbitrary<GeneratedQuery> = fc
  .tuple(fc.array(expression, { minLength: 1, maxLength: 2 }), fc.constantFrom('', '\n'))
  .map(([parts, trailing]) => combine(parts, ...same((texts) => `${texts.join(', ')}${trailing}`)));
