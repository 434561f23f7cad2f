import { inject } from 'vitest';
import { prometheusProvider } from '../../src/providers/prometheus.js';
import type { ProviderPlugin } from '../../src/providers/index.js';
import { providerContract } from './providers.case.js';

providerContract('prometheus', async () => ({
  plugin: prometheusProvider as ProviderPlugin,
  deps: () => ({ env: {} }),
  // The real test Prometheus; vector() answers exactly the number asked for.
  answering: async (n) => ({ address: inject('prometheusUrl'), query: `vector(${n})` }),
  aimedAt: (url, timeout) => ({ address: url, query: 'up', timeout }),
  numberIn: (v) => (Array.isArray(v) && typeof v[0] === 'number' ? v[0] : undefined),
}));
