import { afterAll } from 'vitest';
import { datadogProvider } from '../../src/providers/datadog/index.js';
import type { ProviderPlugin } from '../../src/providers/index.js';
import { DatadogFake, FAKE_API_KEY, FAKE_APP_KEY, fixtures } from '../fakes/datadog-server.js';
import { providerContract } from './providers.case.js';

const fake = await DatadogFake.start();
afterAll(() => fake.close());
let ddAddress = fake.url;

providerContract('datadog', async () => ({
  plugin: datadogProvider as ProviderPlugin,
  // The address travels in the credentials (DD_ADDRESS), as in Argo; aimedAt swaps it.
  deps: () => ({ env: { DD_API_KEY: FAKE_API_KEY, DD_APP_KEY: FAKE_APP_KEY, get DD_ADDRESS() { return ddAddress; } } }),
  answering: async (n) => {
    ddAddress = fake.url;
    fake.reset();
    fake.on(() => true, fixtures.value(n));
    return { apiVersion: 'v2', query: 'avg:trace.http.request.errors{service:checkout}.as_count()' };
  },
  aimedAt: (url, timeout) => {
    ddAddress = url;
    return { apiVersion: 'v2', query: 'avg:trace.http.request.errors{service:checkout}', requestTimeout: `${timeout}s` };
  },
  numberIn: (v) => (typeof v === 'number' ? v : undefined),
}));
