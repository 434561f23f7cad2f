/**
 * @module test/integration/queries-library.test
 * The queries/ library as shipped: every file loads, every query parses in its language and
 * scopes, every Prometheus query returns data from the real test Prometheus, the ready-made
 * AnalysisTemplates hold exactly the rendered library text (bound to `{{args.*}}`), and
 * queries/README.md documents every query and template.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DEMO_DATASET } from '../../src/cli/local/dataset.js';
import { QueryLibrary, parseQueryFile, type QueryEntry } from '../../src/model/query-library.js';
import { providers } from '../../src/providers/registry.js';
import { datadogScoper } from '../../src/scoping/datadog.js';
import { promqlScoper } from '../../src/scoping/promql.js';

const ROOT = join(import.meta.dirname, '../../queries');
/** Written before the library existed; other tests depend on its exact text, so it is not generated. */
// Written by hand, not generated from the library (the demo gate, and the Argo template that calls metricgate).
const HAND_WRITTEN = new Set(['http-canary-gate.yaml', 'argo-web-metric.yaml']);

const files = (['prometheus', 'datadog'] as const).flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ dir, name: f, parsed: parseQueryFile(readFileSync(join(ROOT, dir, f), 'utf8'), `queries/${dir}/${f}`) })),
);
const library = new QueryLibrary(files.map((f) => f.parsed));
const entries = library.entries();

/** Values that make every query concrete: the checkout service of the test dataset. */
const CHECKOUT: Readonly<Record<string, string>> = {
  namespace: DEMO_DATASET.namespace,
  service: 'checkout',
  application: 'checkout',
  workload: 'checkout',
  ingress: 'checkout-checkout-canary',
  cluster: 'shop_checkout-canary_80',
  env: 'prod',
};
const bindingsFor = (entry: QueryEntry, values: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(entry.variables.flatMap((v) => (values[v.name] !== undefined ? [[v.name, values[v.name] as string]] : [])));
const texts = (entry: QueryEntry, values: Readonly<Record<string, string>>): string[] => {
  const rendered = library.render(entry.ref, bindingsFor(entry, values));
  return [...(rendered.query !== undefined ? [rendered.query] : []), ...Object.values(rendered.queries ?? {})];
};

describe('queries/ library files', () => {
  it('when the library is loaded then it has the sources the README promises', () => {
    expect(files.map((f) => `${f.dir}/${f.parsed.source}`).sort()).toEqual([
      'datadog/apm',
      'datadog/istio',
      'datadog/kubernetes',
      'datadog/nginx-ingress',
      'prometheus/gateway-api',
      'prometheus/http',
      'prometheus/istio',
      'prometheus/kubernetes',
      'prometheus/nginx-ingress',
      'prometheus/spring-micrometer',
    ]);
  });

  it.each(files.map((f) => [`${f.dir}/${f.name}`, f] as const))('when %s is loaded then its folder and file name match its provider and source', (_name, f) => {
    expect(f.parsed.provider).toBe(f.dir);
    expect(f.name).toBe(`${f.parsed.source}.yaml`);
  });

  it.each(entries.map((e) => [e.ref, e] as const))('when %s is rendered then every query parses and scopes in its language', (_ref, entry) => {
    const scoper = entry.ref.startsWith('prometheus/') ? promqlScoper : datadogScoper;
    const label = entry.ref.startsWith('prometheus/') ? 'argo_rollouts_status' : 'argo-rollouts-status';
    for (const text of texts(entry, CHECKOUT)) {
      expect(() => scoper.validate(text)).not.toThrow();
      expect(scoper.scope(text, { label, value: 'canary' })).toContain('canary');
    }
  });
});

describe('queries/ Prometheus library against the real test Prometheus', () => {
  const address = inject('prometheusUrl');
  const plugin = providers.get('prometheus');
  if (!plugin) throw new Error('prometheus provider not registered');
  const provider = plugin.create({ env: {} });
  const at = DEMO_DATASET.start + 30 * 60_000;
  /** Gateway-level metrics carry no pod labels; everything else is scoped to the canary pods. */
  const gatewayLevel = (ref: string): boolean => ref.includes('/nginx-ingress/') || ref.includes('/gateway-api/');

  it.each(entries.filter((e) => e.ref.startsWith('prometheus/')).map((e) => [e.ref, e] as const))(
    'when %s runs for the checkout canary at 00:30 then Prometheus returns one number',
    async (ref, entry) => {
      const [text = ''] = texts(entry, CHECKOUT);
      const query = gatewayLevel(ref) ? text : promqlScoper.scope(text, { label: 'argo_rollouts_status', value: 'canary' });
      const result = await provider.measure(plugin.schema.parse({ address, query }), { at });
      expect(result.value, `${query} gave ${result.display}`).toHaveLength(1);
      expect(Number.isFinite((result.value as number[])[0])).toBe(true);
    },
  );
});

interface TemplateMetric {
  name: string;
  provider: { prometheus?: { query: string }; datadog?: { query?: string; queries?: Record<string, string>; formula?: string; aggregator?: string } };
}
interface TemplateDoc {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { args?: { name: string; value?: string }[]; metrics: TemplateMetric[] };
}

const templateDir = join(ROOT, 'templates');
const templates = readdirSync(templateDir)
  .filter((f) => f.endsWith('.yaml') && !HAND_WRITTEN.has(f))
  .map((f) => ({ file: f, doc: parseYaml(readFileSync(join(templateDir, f), 'utf8')) as TemplateDoc }));

describe('queries/templates stay in sync with the library', () => {
  it('when the templates folder is read then every provider and gate is there', () => {
    expect(templates.map((t) => t.file).sort()).toEqual([
      'datadog-apm-canary-gate.yaml',
      'datadog-istio-canary-gate.yaml',
      'datadog-kubernetes-saturation-gate.yaml',
      'datadog-nginx-canary-gate.yaml',
      'gateway-api-canary-gate.yaml',
      'http-success-rate-gate.yaml',
      'istio-canary-gate.yaml',
      'kubernetes-saturation-gate.yaml',
      'nginx-canary-gate.yaml',
      'spring-canary-gate.yaml',
    ]);
  });

  const metrics = templates.flatMap((t) => t.doc.spec.metrics.map((m) => [`${t.file} ${m.name}`, t.doc, m] as const));

  it.each(metrics)('when %s is compared with its library query then the text is exactly the rendered query', (_name, doc, metric) => {
    const ref = doc.metadata.annotations?.[`metricgate.io/query.${metric.name}`];
    expect(ref, `annotation metricgate.io/query.${metric.name}`).toBeDefined();
    const entry = library.get(ref ?? '');
    const declared = new Set((doc.spec.args ?? []).map((a) => a.name));
    for (const v of entry.variables) expect(declared, `arg ${v.name} for ${entry.ref}`).toContain(v.name);
    const rendered = library.render(entry.ref, Object.fromEntries(entry.variables.map((v) => [v.name, `{{args.${v.name}}}`])));
    if (entry.ref.startsWith('prometheus/')) {
      expect(metric.provider.prometheus?.query).toBe(rendered.query);
    } else {
      const dd = metric.provider.datadog;
      expect({ query: dd?.query, queries: dd?.queries, formula: dd?.formula, aggregator: dd?.aggregator }).toEqual({
        query: rendered.query,
        queries: rendered.queries,
        formula: rendered.formula,
        aggregator: rendered.aggregator,
      });
    }
  });

  it.each(templates.map((t) => [t.file, t.doc] as const))('when %s is read then it defaults to the canary scope', (_file, doc) => {
    expect(doc.metadata.annotations?.['metricgate.io/scope']).toBe('canary');
  });
});

describe('queries/README.md', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it.each(entries.map((e) => [e.ref] as const))('when %s exists then the README documents it', (ref) => {
    expect(readme).toContain(`\`${ref}\``);
  });

  it.each(templates.map((t) => [t.file] as const))('when %s exists then the README lists it', (file) => {
    expect(readme).toContain(file);
  });
});
