// `npm run test:e2e`: the browser tests in test/e2e, driving Debian's
// Chromium (/usr/bin/chromium) through playwright-core against the real app
// listening on 127.0.0.1. Kept out of `npm test`, which needs no browser.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.e2e.test.ts'],
    env: { TRACERA_TEST_BACKENDS: 'embedded' },
    testTimeout: 90_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    globalSetup: ['test/support/web-build.ts'],
    setupFiles: ['test/support/setup.ts'],
  },
});
