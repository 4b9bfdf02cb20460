import { defineConfig } from 'vitest/config';

// One root config so `npm test` runs every project's specs in one process pool.
// Cluster tests spawn real processes and sockets; they need generous timeouts on 2 cores,
// but no test asserts a duration.
export default defineConfig({
  test: {
    include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts', 'test/**/*.spec.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
