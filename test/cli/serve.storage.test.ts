// `tracera serve` on the configured storage: embedded defaults, or the real
// PostgreSQL and Redis when the storage tests run against them.
import { afterEach, expect, it } from 'vitest';
import {
  openTestDatabase,
  type TestDatabase,
  testKeyPrefix,
  testRedisUrl,
} from '../support/backends.js';
import { CHILD_TEST_TIMEOUT_MS, freePort, tracera } from '../support/cli.js';

let database: TestDatabase | undefined;

afterEach(async () => {
  await database?.close();
  database = undefined;
});

it('serves health on the configured storage, then stops cleanly on SIGTERM', {
  timeout: CHILD_TEST_TIMEOUT_MS,
}, async () => {
  const env: Record<string, string> = { PORT: String(await freePort()), DATA_DIR: './data' };
  database = await openTestDatabase();
  if (database.url) env.DATABASE_URL = database.url;
  if (testRedisUrl) {
    env.REDIS_URL = testRedisUrl;
    env.REDIS_KEY_PREFIX = testKeyPrefix();
  }
  const run = tracera(['serve'], env);
  await run.outputMatching(/Tracera is serving/);
  const response = await fetch(`http://127.0.0.1:${env.PORT}/api/v1/health`);
  expect(await response.json()).toEqual({
    status: 'ok',
    database: 'up',
    redis: testRedisUrl ? 'up' : 'embedded',
  });
  // A quiet server still shows its access lines within the flush interval.
  await run.outputMatching(/"msg":"request completed"/);
  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(0);
  expect(run.output()).toMatch(/"msg":"stopped"/);
});
