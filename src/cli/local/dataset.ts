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
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}
