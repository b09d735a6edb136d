// `npm test` runs every test on the embedded defaults (PGlite, in-process
// store). When TEST_DATABASE_URL or TEST_REDIS_URL is set, the tests that
// touch storage (`*.storage.test.ts`) run a second time against the real
// PostgreSQL and Redis.
import { defineConfig } from 'vitest/config';

const realBackends = Boolean(process.env.TEST_DATABASE_URL || process.env.TEST_REDIS_URL);

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
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
