/**
 * The MetricProvider contract, run by every provider plug-in's own test file (hono's shared
 * router suite, applied to providers). Each plug-in supplies a harness that knows how to make
 * its backend answer a number and how to point it at a misbehaving server; the cases check the
 * same behaviour for all: Argo-shaped values, backend failures as ProviderErrors with stable
 * codes and the backend's own words, timeouts honoured, schemas that name the bad field, and
 * queries reachable for scoping. A plug-in that cannot meet a case lists it in `skip` with a reason.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ExprValue } from '../../src/expr/index.js';
import { freePort } from '../../src/cli/local/processes.js';
import { ProviderError, type ProviderDeps, type ProviderPlugin } from '../../src/providers/index.js';
import { FAULT_TEXT, FaultServer } from '../fakes/fault-server.js';

export type ProviderCase = 'value' | 'http-error' | 'unreachable' | 'timeout' | 'schema' | 'queries';

export interface ProviderHarness {
  readonly plugin: ProviderPlugin;
  readonly deps: () => ProviderDeps;
  /** A provider block whose backend answers `n` (the harness sets its backend up). */
  readonly answering: (n: number) => Promise<Record<string, unknown>>;
  /** A provider block aimed at `url` with a request timeout of `timeoutSeconds`. */
  readonly aimedAt: (url: string, timeoutSeconds: number) => Record<string, unknown>;
  /** The number inside a result, in this provider's Argo shape (`[n]`, `n`, …). */
  readonly numberIn: (value: ExprValue) => number | undefined;
  /** Cases this plug-in cannot meet, each with the reason. */
  readonly skip?: Partial<Record<ProviderCase, string>>;
}

const AT = Date.UTC(2026, 0, 1, 0, 30);

export function providerContract(name: string, harness: () => Promise<ProviderHarness>): void {
  describe(`${name}: MetricProvider contract`, async () => {
    const h = await harness();
    const provider = h.plugin.create(h.deps());
    const parse = (block: Record<string, unknown>): unknown => h.plugin.schema.parse(block);
    const faults: FaultServer[] = [];
    afterAll(async () => Promise.all(faults.map((f) => f.close())));
    const when = (c: ProviderCase): typeof it | typeof it.skip => (h.skip?.[c] ? it.skip : it);

    when('value')('when the backend answers a number then measure returns it in Argo shape with a display string', async () => {
      const raw = await provider.measure(parse(await h.answering(0.25)), { at: AT });
      expect(h.numberIn(raw.value)).toBe(0.25);
      expect(raw.display).toMatch(/0\.25/);
    });

    when('http-error')('when the backend answers HTTP 500 then a PROVIDER_HTTP error carries the status and the backend’s text', async () => {
      const fault = await FaultServer.start('error500');
      faults.push(fault);
      const err = await provider.measure(parse(h.aimedAt(fault.url, 5)), { at: AT }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).code).toBe('PROVIDER_HTTP');
      expect((err as ProviderError).status).toBe(500);
      expect((err as ProviderError).message).toContain(FAULT_TEXT);
      expect(fault.received.length).toBeGreaterThan(0);
    });

    when('unreachable')('when nothing listens at the address then a PROVIDER_UNREACHABLE error names it', async () => {
      const port = await freePort();
      const err = await provider.measure(parse(h.aimedAt(`http://127.0.0.1:${port}`, 5)), { at: AT }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).code).toBe('PROVIDER_UNREACHABLE');
      expect((err as ProviderError).message).toContain(String(port));
    });

    when('timeout')('when the backend never answers then the configured timeout ends the call as PROVIDER_TIMEOUT', async () => {
      const fault = await FaultServer.start('hang');
      faults.push(fault);
      const err = await provider.measure(parse(h.aimedAt(fault.url, 1)), { at: AT }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).code).toBe('PROVIDER_TIMEOUT');
    });

    when('schema')('when the block is empty or has an unknown field then the schema rejects it naming the field', async () => {
      expect(h.plugin.schema.safeParse({}).success).toBe(false);
      const typo = h.plugin.schema.safeParse({ ...(await h.answering(1)), bogusField: 1 });
      expect(typo.success).toBe(false);
      expect(typo.error?.issues.some((i) => i.path.includes('bogusField') || JSON.stringify(i).includes('bogusField'))).toBe(true);
    });

    when('queries')('when queries are mapped then every query is reached and rewritten, nothing else changes', async () => {
      const config = parse(await h.answering(1));
      const seen: string[] = [];
      const mapped = h.plugin.mapQueries?.(config, (q, path) => {
        seen.push(path.join('.'));
        return `${q} /* mapped */`;
      });
      expect(h.plugin.queryLanguage).toBeDefined();
      expect(seen.length).toBeGreaterThan(0);
      expect(JSON.stringify(mapped)).toContain('/* mapped */');
      expect(JSON.stringify(mapped).replaceAll(' /* mapped */', '')).toBe(JSON.stringify(config));
    });

    it('describe() gives string metadata for the dashboard', async () => {
      const meta = provider.describe(parse(await h.answering(1)));
      expect(Object.values(meta).every((v) => typeof v === 'string')).toBe(true);
    });
  });
}
