/**
 * @module cli/local/dataset
 * A deterministic canary/stable dataset for the local Prometheus that `metricgate demo` and the
 * test suite start: several services, each with canary and stable pods labelled
 * `argo_rollouts_status`, request counters by status code and latency histograms. Written as
 * OpenMetrics for `promtool tsdb create-blocks-from openmetrics`.
 *
 * The scenarios are chosen to exercise what matters: a healthy canary, a broken one, one that
 * breaks half-way (for `--at` backtests), and one with almost no traffic (minimum-sample guards).
 */

/** Traffic shape of one side (canary or stable) of a service. */
export interface TrafficProfile {
  readonly pods: number;
  /** Requests per second per pod. */
  readonly rps: number;
  /** Fraction of requests answered 5xx, as a function of minutes since the dataset start. */
  readonly errorRatio: (minute: number) => number;
  /** Median latency in seconds, as a function of minutes since the dataset start. */
  readonly medianLatency: (minute: number) => number;
  readonly podTemplateHash: string;
}

export interface ServiceScenario {
  readonly service: string;
  /** What the scenario shows, for the demo output. */
  readonly description: string;
  readonly canary: TrafficProfile;
  readonly stable: TrafficProfile;
}

export interface Dataset {
  /** First sample, epoch ms. */
  readonly start: number;
  /** Last sample, epoch ms. */
  readonly end: number;
  /** Sample spacing, ms. */
  readonly stepMs: number;
  readonly namespace: string;
  readonly services: readonly ServiceScenario[];
}

const constant = (v: number) => (): number => v;

/** Latency histogram buckets, seconds (Prometheus client defaults). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** The canonical demo/test dataset: 2026-01-01T00:00Z to 02:00Z every 15 s. */
export const DEMO_DATASET: Dataset = {
  start: Date.UTC(2026, 0, 1, 0, 0, 0),
  end: Date.UTC(2026, 0, 1, 2, 0, 0),
  stepMs: 15_000,
  namespace: 'shop',
  services: [
    {
      service: 'checkout',
      description: 'healthy canary: 0.4% errors, 80 ms median latency on both sides',
      canary: { pods: 1, rps: 5, errorRatio: constant(0.004), medianLatency: constant(0.08), podTemplateHash: '7d9f8b6c5' },
      stable: { pods: 3, rps: 5, errorRatio: constant(0.004), medianLatency: constant(0.08), podTemplateHash: '5f6d7c8b9' },
    },
    {
      service: 'payments',
      description: 'broken canary: 8% errors and 600 ms median latency while stable stays at 0.3% / 90 ms',
      canary: { pods: 1, rps: 4, errorRatio: constant(0.08), medianLatency: constant(0.6), podTemplateHash: '6c8d9e7f1' },
      stable: { pods: 3, rps: 4, errorRatio: constant(0.003), medianLatency: constant(0.09), podTemplateHash: '4b5c6d7e8' },
    },
    {
      service: 'search',
      description: 'canary breaks at 01:00 (errors 0.5% → 12%): replay with --at to see when a gate would have fired',
      canary: {
        pods: 1,
        rps: 6,
        errorRatio: (minute) => (minute < 60 ? 0.005 : 0.12),
        medianLatency: (minute) => (minute < 60 ? 0.05 : 0.3),
        podTemplateHash: '8e9f0a1b2',
      },
      stable: { pods: 2, rps: 6, errorRatio: constant(0.005), medianLatency: constant(0.05), podTemplateHash: '3a4b5c6d7' },
    },
    {
      service: 'inventory',
      description: 'idle canary: about one request a minute, so ratios are noise and a request floor should hold the verdict',
      canary: { pods: 1, rps: 0.02, errorRatio: constant(0.05), medianLatency: constant(0.07), podTemplateHash: '9b8a7c6d5' },
      stable: { pods: 2, rps: 3, errorRatio: constant(0.002), medianLatency: constant(0.07), podTemplateHash: '2c3d4e5f6' },
    },
  ],
};

/** Small deterministic PRNG (mulberry32), so the dataset is identical on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal CDF (Abramowitz–Stegun erf), for log-normal latency buckets. */
function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(z / Math.SQRT2));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

/** Fraction of requests at or under `le` seconds for a log-normal with this median (σ = 0.5). */
export function latencyCdf(le: number, median: number): number {
  return normalCdf((Math.log(le) - Math.log(median)) / 0.5);
}

interface Series {
  readonly labels: string;
  readonly points: number[];
}

function labelText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(',');
}

/** Renders the dataset as OpenMetrics text (timestamps in seconds, ending with `# EOF`). */
export function renderOpenMetrics(dataset: Dataset = DEMO_DATASET): string {
  const steps = Math.floor((dataset.end - dataset.start) / dataset.stepMs) + 1;
  const requests: Series[] = [];
  const buckets: Series[] = [];
  const counts: Series[] = [];
  const sums: Series[] = [];
  dataset.services.forEach((svc, si) => {
    for (const scope of ['canary', 'stable'] as const) {
      const profile = svc[scope];
      for (let pod = 0; pod < profile.pods; pod++) {
        const random = rng(1000 * si + (scope === 'canary' ? 0 : 500) + pod);
        const base = {
          namespace: dataset.namespace,
          service: svc.service,
          pod: `${svc.service}-${profile.podTemplateHash}-${pod}`,
          argo_rollouts_status: scope,
          rollouts_pod_template_hash: profile.podTemplateHash,
        };
        const ok: number[] = [];
        const err: number[] = [];
        const bucketCounts: number[][] = LATENCY_BUCKETS.map(() => []);
        const inf: number[] = [];
        const sum: number[] = [];
        let okTotal = 0;
        let errTotal = 0;
        let sumTotal = 0;
        let carry = 0;
        const bucketTotals = LATENCY_BUCKETS.map(() => 0);
        for (let i = 0; i < steps; i++) {
          const minute = (i * dataset.stepMs) / 60_000;
          // Fractional requests carry over so low-traffic pods still see whole requests now and then.
          const expected = profile.rps * (dataset.stepMs / 1000) * (0.9 + 0.2 * random()) + carry;
          const n = Math.floor(expected);
          carry = expected - n;
          const errors = Math.min(n, Math.round(n * profile.errorRatio(minute) + (random() - 0.5) * Math.min(1, n * 0.02)));
          okTotal += n - Math.max(0, errors);
          errTotal += Math.max(0, errors);
          const median = profile.medianLatency(minute);
          LATENCY_BUCKETS.forEach((le, b) => {
            bucketTotals[b] = (bucketTotals[b] ?? 0) + Math.round(n * latencyCdf(le, median));
            bucketCounts[b]?.push(bucketTotals[b] ?? 0);
          });
          sumTotal += n * median * Math.exp(0.125);
          ok.push(okTotal);
          err.push(errTotal);
          inf.push(okTotal + errTotal);
          sum.push(Number(sumTotal.toFixed(6)));
        }
        requests.push({ labels: labelText({ ...base, code: '200' }), points: ok });
        requests.push({ labels: labelText({ ...base, code: '500' }), points: err });
        LATENCY_BUCKETS.forEach((le, b) => buckets.push({ labels: labelText({ ...base, le: String(le) }), points: bucketCounts[b] ?? [] }));
        buckets.push({ labels: labelText({ ...base, le: '+Inf' }), points: inf });
        counts.push({ labels: labelText(base), points: inf });
        sums.push({ labels: labelText(base), points: sum });
      }
    }
  });
  const lines: string[] = [];
  const emit = (name: string, series: Series[]): void => {
    for (const s of series) {
      s.points.forEach((v, i) => lines.push(`${name}{${s.labels}} ${v} ${(dataset.start + i * dataset.stepMs) / 1000}`));
    }
  };
  lines.push('# HELP http_requests Requests served, by status code.', '# TYPE http_requests counter');
  emit('http_requests_total', requests);
  lines.push('# HELP http_request_duration_seconds Request latency.', '# TYPE http_request_duration_seconds histogram');
  emit('http_request_duration_seconds_bucket', buckets);
  emit('http_request_duration_seconds_count', counts);
  emit('http_request_duration_seconds_sum', sums);
  for (const line of renderMeshAndRuntimeFamilies(dataset)) lines.push(line);
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Families added for the queries/ library: the same four scenarios as seen by an Istio sidecar,
// a Spring Boot (Micrometer) app, an NGINX ingress controller, an Envoy-based Gateway API
// implementation, cAdvisor and kube-state-metrics. They are generated from their own random
// streams and appended after the families above, which stay byte-for-byte what they were.

/** Saturation behaviour of one side of a service, for the cAdvisor and kube-state-metrics families. */
export interface SaturationProfile {
  /** Fraction of CFS periods throttled, as a function of minutes since the dataset start. */
  readonly cpuThrottle: (minute: number) => number;
  /** A container restart every this many minutes; undefined means never. */
  readonly restartEveryMinutes?: number;
}

/** Saturation per service and side: payments' canary is throttled and crash-looping, search's canary throttles from 01:00. */
export const SATURATION: Readonly<Record<string, { readonly canary: SaturationProfile; readonly stable: SaturationProfile }>> = {
  checkout: { canary: { cpuThrottle: constant(0.02) }, stable: { cpuThrottle: constant(0.02) } },
  payments: { canary: { cpuThrottle: constant(0.4), restartEveryMinutes: 10 }, stable: { cpuThrottle: constant(0.02) } },
  search: { canary: { cpuThrottle: (minute) => (minute < 60 ? 0.03 : 0.35) }, stable: { cpuThrottle: constant(0.03) } },
  inventory: { canary: { cpuThrottle: constant(0.01) }, stable: { cpuThrottle: constant(0.01) } },
};

const NO_SATURATION: SaturationProfile = { cpuThrottle: constant(0) };

/** Requests one pod served in each step: totals, errors, and the latency bucket counts. */
interface PodTraffic {
  readonly requests: number[];
  readonly errors: number[];
  /** Per bucket of LATENCY_BUCKETS, requests at or under it, per step (not cumulative over time). */
  readonly buckets: number[][];
  /** Summed latency per step, seconds. */
  readonly latencySum: number[];
}

function simulatePod(profile: TrafficProfile, dataset: Dataset, seed: number): PodTraffic {
  const steps = Math.floor((dataset.end - dataset.start) / dataset.stepMs) + 1;
  const random = rng(seed);
  const traffic: PodTraffic = { requests: [], errors: [], buckets: LATENCY_BUCKETS.map(() => []), latencySum: [] };
  let carry = 0;
  for (let i = 0; i < steps; i++) {
    const minute = (i * dataset.stepMs) / 60_000;
    const expected = profile.rps * (dataset.stepMs / 1000) * (0.9 + 0.2 * random()) + carry;
    const n = Math.floor(expected);
    carry = expected - n;
    const errors = Math.max(0, Math.min(n, Math.round(n * profile.errorRatio(minute) + (random() - 0.5) * Math.min(1, n * 0.02))));
    const median = profile.medianLatency(minute);
    traffic.requests.push(n);
    traffic.errors.push(errors);
    LATENCY_BUCKETS.forEach((le, b) => traffic.buckets[b]?.push(Math.round(n * latencyCdf(le, median))));
    traffic.latencySum.push(n * median * Math.exp(0.125));
  }
  return traffic;
}

/** Running totals of per-step increments, as a counter exposes them. */
function cumulative(steps: readonly number[], scale = 1): number[] {
  let total = 0;
  return steps.map((v) => {
    total += v * scale;
    return Number(total.toFixed(6));
  });
}

function sumSteps(all: readonly (readonly number[])[]): number[] {
  const length = all[0]?.length ?? 0;
  return Array.from({ length }, (_, i) => all.reduce((acc, steps) => acc + (steps[i] ?? 0), 0));
}

/** Histogram series (buckets in `unit`, +Inf, count, sum) for per-step traffic. */
function histogram(name: string, labels: Readonly<Record<string, string>>, traffic: Pick<PodTraffic, 'requests' | 'buckets' | 'latencySum'>, unit: number): { name: string; series: Series }[] {
  const out: { name: string; series: Series }[] = [];
  LATENCY_BUCKETS.forEach((le, b) => out.push({ name: `${name}_bucket`, series: { labels: labelText({ ...labels, le: String(le * unit) }), points: cumulative(traffic.buckets[b] ?? []) } }));
  out.push({ name: `${name}_bucket`, series: { labels: labelText({ ...labels, le: '+Inf' }), points: cumulative(traffic.requests) } });
  out.push({ name: `${name}_count`, series: { labels: labelText(labels), points: cumulative(traffic.requests) } });
  out.push({ name: `${name}_sum`, series: { labels: labelText(labels), points: cumulative(traffic.latencySum, unit) } });
  return out;
}

/**
 * The appended families as OpenMetrics lines (no `# EOF`). Counter names that real exporters
 * publish without a `_total` suffix (ingress-nginx, Envoy) are typed `unknown`, which OpenMetrics
 * allows to keep any sample name.
 */
export function renderMeshAndRuntimeFamilies(dataset: Dataset = DEMO_DATASET): string[] {
  const families = new Map<string, { type: string; help: string; samples: { name: string; series: Series }[] }>();
  const add = (family: string, type: string, help: string, samples: { name: string; series: Series }[]): void => {
    const entry = families.get(family) ?? { type, help, samples: [] };
    entry.samples.push(...samples);
    families.set(family, entry);
  };
  const ok = (t: PodTraffic): number[] => t.requests.map((n, i) => n - (t.errors[i] ?? 0));
  const stepSeconds = dataset.stepMs / 1000;
  dataset.services.forEach((svc, si) => {
    for (const side of ['canary', 'stable'] as const) {
      const profile = svc[side];
      const saturation = SATURATION[svc.service]?.[side] ?? NO_SATURATION;
      const pods: PodTraffic[] = [];
      for (let pod = 0; pod < profile.pods; pod++) {
        const traffic = simulatePod(profile, dataset, 100_000 + 1000 * si + (side === 'canary' ? 0 : 500) + pod);
        pods.push(traffic);
        const podName = `${svc.service}-${profile.podTemplateHash}-${pod}`;
        const base = { namespace: dataset.namespace, pod: podName, argo_rollouts_status: side, rollouts_pod_template_hash: profile.podTemplateHash };
        const istio = { ...base, reporter: 'destination', destination_service_name: svc.service, destination_workload: svc.service, destination_workload_namespace: dataset.namespace };
        add('istio_requests', 'counter', 'Istio requests by response code (destination reporter).', [
          { name: 'istio_requests_total', series: { labels: labelText({ ...istio, response_code: '200' }), points: cumulative(ok(traffic)) } },
          { name: 'istio_requests_total', series: { labels: labelText({ ...istio, response_code: '503' }), points: cumulative(traffic.errors) } },
        ]);
        add('istio_request_duration_milliseconds', 'histogram', 'Istio request duration in milliseconds.', histogram('istio_request_duration_milliseconds', istio, traffic, 1000));
        const spring = { ...base, application: svc.service, method: 'GET', uri: '/api/orders', exception: 'None' };
        const springOk: PodTraffic = { ...traffic, requests: ok(traffic), buckets: traffic.buckets.map((b) => b.map((v, i) => Math.round(v * (1 - (traffic.errors[i] ?? 0) / Math.max(1, traffic.requests[i] ?? 1))))) };
        const springErr: PodTraffic = { ...traffic, requests: traffic.errors, buckets: traffic.buckets.map((b, bi) => b.map((v, i) => v - (springOk.buckets[bi]?.[i] ?? 0))) };
        add('http_server_requests_seconds', 'histogram', 'Spring Boot (Micrometer) server requests.', [
          ...histogram('http_server_requests_seconds', { ...spring, status: '200', outcome: 'SUCCESS' }, { ...springOk, latencySum: springOk.latencySum.map((s, i) => s * ((springOk.requests[i] ?? 0) / Math.max(1, traffic.requests[i] ?? 1))) }, 1),
          ...histogram('http_server_requests_seconds', { ...spring, status: '500', outcome: 'SERVER_ERROR' }, { ...springErr, latencySum: springErr.latencySum.map((s, i) => s * ((springErr.requests[i] ?? 0) / Math.max(1, traffic.requests[i] ?? 1))) }, 1),
        ]);
        const container = { ...base, container: svc.service };
        const periodsPerStep = stepSeconds * 10; // 100 ms CFS periods
        const minutes = traffic.requests.map((_, i) => (i * dataset.stepMs) / 60_000);
        add('container_cpu_cfs_periods', 'counter', 'cAdvisor: elapsed CFS enforcement periods.', [
          { name: 'container_cpu_cfs_periods_total', series: { labels: labelText(container), points: cumulative(minutes.map(() => periodsPerStep)) } },
        ]);
        add('container_cpu_cfs_throttled_periods', 'counter', 'cAdvisor: throttled CFS periods.', [
          { name: 'container_cpu_cfs_throttled_periods_total', series: { labels: labelText(container), points: cumulative(minutes.map((m) => Math.round(periodsPerStep * saturation.cpuThrottle(m)))) } },
        ]);
        const every = saturation.restartEveryMinutes;
        add('kube_pod_container_status_restarts', 'counter', 'kube-state-metrics: container restarts.', [
          { name: 'kube_pod_container_status_restarts_total', series: { labels: labelText(container), points: minutes.map((m) => (every === undefined ? 0 : Math.floor(m / every))) } },
        ]);
      }
      // Gateway-level families: seen at the ingress controller / Envoy, labelled by route and
      // backend Service, not by the pods' own labels.
      const side_: PodTraffic = {
        requests: sumSteps(pods.map((p) => p.requests)),
        errors: sumSteps(pods.map((p) => p.errors)),
        buckets: LATENCY_BUCKETS.map((_, b) => sumSteps(pods.map((p) => p.buckets[b] ?? []))),
        latencySum: sumSteps(pods.map((p) => p.latencySum)),
      };
      const ingress = side === 'canary' ? `${svc.service}-${svc.service}-canary` : svc.service;
      const nginx = { controller_class: 'k8s.io/ingress-nginx', controller_namespace: 'ingress-nginx', controller_pod: 'ingress-nginx-controller-7c9d8-0', namespace: dataset.namespace, ingress, service: `${svc.service}-${side}`, host: `${svc.service}.shop.example`, path: '/', method: 'GET' };
      add('nginx_ingress_controller_requests', 'unknown', 'ingress-nginx: client requests.', [
        { name: 'nginx_ingress_controller_requests', series: { labels: labelText({ ...nginx, status: '200' }), points: cumulative(ok(side_)) } },
        { name: 'nginx_ingress_controller_requests', series: { labels: labelText({ ...nginx, status: '500' }), points: cumulative(side_.errors) } },
      ]);
      add('nginx_ingress_controller_request_duration_seconds', 'histogram', 'ingress-nginx: request processing time.', histogram('nginx_ingress_controller_request_duration_seconds', nginx, side_, 1));
      const envoy = { envoy_cluster_name: `${dataset.namespace}_${svc.service}-${side}_80` };
      add('envoy_cluster_upstream_rq', 'counter', 'Envoy: upstream requests.', [{ name: 'envoy_cluster_upstream_rq_total', series: { labels: labelText(envoy), points: cumulative(side_.requests) } }]);
      add('envoy_cluster_upstream_rq_xx', 'unknown', 'Envoy: upstream requests by response code class.', [
        { name: 'envoy_cluster_upstream_rq_xx', series: { labels: labelText({ ...envoy, envoy_response_code_class: '2' }), points: cumulative(ok(side_)) } },
        { name: 'envoy_cluster_upstream_rq_xx', series: { labels: labelText({ ...envoy, envoy_response_code_class: '5' }), points: cumulative(side_.errors) } },
      ]);
      add('envoy_cluster_upstream_rq_time', 'histogram', 'Envoy: upstream request time in milliseconds.', histogram('envoy_cluster_upstream_rq_time', envoy, side_, 1000));
    }
  });
  const lines: string[] = [];
  for (const [family, { type, help, samples }] of families) {
    lines.push(`# HELP ${family} ${help}`, `# TYPE ${family} ${type}`);
    for (const { name, series } of samples) {
      series.points.forEach((v, i) => lines.push(`${name}{${series.labels}} ${v} ${(dataset.start + i * dataset.stepMs) / 1000}`));
    }
  }
  return lines;
}
