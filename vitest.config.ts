import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['agent/src/**/*.test.ts', 'shared/src/**/*.test.ts', 'collector/src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end tests start real processes and mount tmpfs; two workers fit this 2-core machine.
    maxWorkers: 2,
  },
});
