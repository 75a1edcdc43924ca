import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/unit/setup.ts'],
        },
      },
      {
        test: {
          name: 'local',
          include: ['test/local/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          // One backend for all files; files that compare store snapshots must not interleave.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          // Each file synthesises the CDK app once (esbuild bundling included) in beforeAll: on a shared
          // two-core machine the stateless stack's 23 bundles alone took over three minutes.
          testTimeout: 60_000,
          hookTimeout: 600_000,
        },
      },
      // The admin console's component tests (jsdom) and its build checks: console/vite.config.ts.
      'console/vite.config.ts',
    ],
  },
});
