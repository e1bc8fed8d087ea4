import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20000,
    hookTimeout: 20000,
    pool: 'forks',
    // At least two files at once, also on two cores (vitest's default there is one): most of a file's time is spent
    // waiting on servers it started, not computing. freePort() gives each worker its own ports.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    globalSetup: ['test/global-setup.ts'],
  },
});
