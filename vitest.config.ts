import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Shared conformance suites (`*.case.ts`) are run by each plug-in's own test file.
    exclude: ['**/node_modules/**', 'test/**/*.case.ts'],
    globalSetup: ['test/services/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
