import { createServer } from 'node:http';
import { afterAll } from 'vitest';
import { freePort } from '../../src/cli/local/processes.js';
import type { ProviderPlugin } from '../../src/providers/index.js';
import { webProvider } from '../../src/providers/web.js';
import { providerContract } from './providers.case.js';

// A JSON endpoint answering whatever number the last case asked for.
let current = 0;
const port = await freePort();
const server = createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ data: { errorRate: current } }));
});
await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
afterAll(() => server.close());

providerContract('web', async () => ({
  plugin: webProvider as ProviderPlugin,
  deps: () => ({ env: {} }),
  answering: async (n) => {
    current = n;
    return { url: `http://127.0.0.1:${port}/status`, jsonPath: '{$.data.errorRate}' };
  },
  aimedAt: (url, timeout) => ({ url: `${url}/status`, timeoutSeconds: timeout }),
  numberIn: (v) => (typeof v === 'number' ? v : undefined),
  skip: { queries: 'web calls a URL; it has no query language for scoping to act on' },
}));
