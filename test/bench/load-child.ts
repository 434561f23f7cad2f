/**
 * @module bench/load-child
 * Closed-loop HTTP load for the API benchmark, in its own process so the clients' CPU is not
 * taken from the server's event loop (which would inflate every latency, the baseline's too).
 * `concurrency` loops each send a request, wait for the full response, and send the next;
 * latency is measured per request with `performance.now()` around fetch + body read. Requests
 * started during the warm-up are not recorded. Config comes as JSON in BENCH_LOAD_CONFIG.
 */
import type { LoadConfig, LoadPhase, LoadPhaseResult } from './protocol.js';

async function runPhase(config: LoadConfig, phase: LoadPhase): Promise<LoadPhaseResult> {
  const url = `${config.url}${phase.path}`;
  const body = phase.body === undefined ? undefined : JSON.stringify(phase.body);
  const headers: Record<string, string> = { authorization: `Bearer ${config.token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const measureFrom = performance.now() + phase.warmupMs;
  const until = measureFrom + phase.durationMs;
  let lastDone = measureFrom;
  const loop = async (): Promise<void> => {
    while (performance.now() < until) {
      const t0 = performance.now();
      let status = 'network error';
      try {
        const res = await fetch(url, { method: phase.method, headers, body });
        await res.text();
        status = String(res.status);
      } catch {
        // Counted under "network error"; a benchmark that errors shows it in the statuses.
      }
      const t1 = performance.now();
      if (t0 >= measureFrom) {
        latencies.push(t1 - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
        lastDone = Math.max(lastDone, t1);
      }
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, loop));
  return { type: 'phase', name: phase.name, latencies, statuses, seconds: (lastDone - measureFrom) / 1000 };
}

async function main(): Promise<void> {
  const raw = process.env['BENCH_LOAD_CONFIG'];
  if (!raw) throw new Error('BENCH_LOAD_CONFIG is required');
  const config = JSON.parse(raw) as LoadConfig;
  for (const phase of config.phases) {
    const result = await runPhase(config, phase);
    await new Promise<void>((resolve) => process.send?.(result, undefined, {}, () => resolve()));
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`load-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
