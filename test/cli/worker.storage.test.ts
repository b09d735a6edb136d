// `tracera worker` on the configured storage: it fills in the demo market's
// history and ingests its ticks into the database without serving HTTP,
// then stops cleanly on SIGTERM.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { type Database, migrate, openDatabase } from '../../src/platform/db/index.js';
import {
  openTestDatabase,
  type TestDatabase,
  testKeyPrefix,
  testRedisUrl,
} from '../support/backends.js';
import { CHILD_TEST_TIMEOUT_MS, tracera } from '../support/cli.js';

let database: TestDatabase | undefined;

afterEach(async () => {
  await database?.close();
  database = undefined;
});

/** Two catalog items, so the worker has something to price without loading the whole catalog. */
async function seedItems(target: Database): Promise<void> {
  await migrate(target);
  await sql`insert into items (market_hash_name, category)
    values ('AK-47 | Redline (Field-Tested)', 'weapon skin'),
      ('AWP | Asiimov (Field-Tested)', 'weapon skin')`.execute(target.db);
}

it('fills in and ingests the demo market without a web server, then stops cleanly on SIGTERM', {
  timeout: CHILD_TEST_TIMEOUT_MS,
}, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracera-worker-'));
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    MARKET_PROVIDERS: 'demo',
    INGEST_INTERVAL_SECONDS: '1',
    LOG_LEVEL: 'info',
  };
  database = await openTestDatabase();
  if (database.url) {
    env.DATABASE_URL = database.url;
    await seedItems(database);
  } else {
    const embedded = await openDatabase({ kind: 'pglite', dataDir: join(dataDir, 'pglite') });
    await seedItems(embedded);
    await embedded.close();
  }
  if (testRedisUrl) {
    env.REDIS_URL = testRedisUrl;
    env.REDIS_KEY_PREFIX = testKeyPrefix();
  }
  const run = tracera(['worker'], env);
  await run.outputMatching(/"msg":"ingestion cycle done"/);
  // Both items priced by the backfill before the first cycle, which yields their ticks since.
  expect(run.output()).toMatch(/"phase":"latest","rows":2,/);
  expect(run.output()).toMatch(/"msg":"demo market history filled in"/);
  expect(run.output()).toMatch(/"source":"demo","batches":\d+,"quotes":\d+,"rejected":0/);
  expect(run.output()).toMatch(/"msg":"leading ingestion"/);
  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(0);
  expect(run.output()).toMatch(/"msg":"stopped"/);
});
