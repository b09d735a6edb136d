// `npm test` runs every test on the embedded defaults (PGlite, in-process
// store). When TEST_DATABASE_URL or TEST_REDIS_URL is set, the tests that
// touch storage (`*.storage.test.ts`) run a second time against the real
// PostgreSQL and Redis.
//
// Test files share their workers' module cache (`isolate: false`): loading
// the app's modules again for each of a hundred files cost more than the
// tests themselves. What a file must not leak (databases, Redis keys, child
// processes) is cleaned up by test/support/setup.ts. Three workers on two
// cores: many tests wait on sockets, child processes and the real servers.
import { defineConfig } from 'vitest/config';

const realBackends = Boolean(process.env.TEST_DATABASE_URL || process.env.TEST_REDIS_URL);

export default defineConfig({
  test: {
    // Bounds, not waits: a test ends when what it waits for happens, and a
    // busy machine must not turn a slow start into a failure.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // expect.poll waits for a condition: as long as test/support's waits (WAIT_BOUND_MS).
    expect: { poll: { timeout: 30_000, interval: 20 } },
    isolate: false,
    maxWorkers: 3,
    globalSetup: ['test/support/web-build.ts'],
    setupFiles: ['test/support/setup.ts'],
    projects: [
      {
        extends: true as const,
        test: {
          name: 'embedded',
          include: ['test/**/*.test.ts'],
          // Browser tests run on their own: `npm run test:e2e` (vitest.e2e.config.ts).
          exclude: ['**/node_modules/**', '**/.git/**', 'test/e2e/**'],
          env: { TRACERA_TEST_BACKENDS: 'embedded' },
        },
      },
      ...(realBackends
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres+redis',
                include: ['test/**/*.storage.test.ts'],
                env: { TRACERA_TEST_BACKENDS: 'real' },
              },
            },
          ]
        : []),
    ],
  },
});
