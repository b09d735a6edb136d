// The storage a test runs on: embedded (PGlite in memory, the in-process store)
// in the `embedded` project, and the real PostgreSQL and Redis named by
// TEST_DATABASE_URL / TEST_REDIS_URL in the `postgres+redis` project. Each file
// gets its own database and each store its own key prefix, so files run in
// parallel. Opening and migrating a database costs over a second (PGlite
// compiles its WebAssembly each time), so a file migrates one database once
// (`fileDatabase`) and each test finds it emptied of what earlier tests wrote.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import pg from 'pg';
import { expect } from 'vitest';
import { type Database, migrate, openDatabase } from '../../src/platform/db/index.js';
import type { SortedSetEntry, Store } from '../../src/platform/store/index.js';
import { MemoryStore } from '../../src/platform/store/memory-store.js';
import { RedisStore } from '../../src/platform/store/redis-store.js';

/** Which backends this worker's modules were loaded for: one project's, since a worker serves one. */
export const backendsLoadedFor = process.env.TRACERA_TEST_BACKENDS;
const real = backendsLoadedFor === 'real';
export const testDatabaseUrl = real ? (process.env.TEST_DATABASE_URL ?? null) : null;
export const testRedisUrl = real ? (process.env.TEST_REDIS_URL ?? null) : null;

/** How long a test waits for something it started to happen: generous, the wait ends when it does. */
export const WAIT_BOUND_MS = 30_000;

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

const redisPrefixes = new Set<string>();

/** A Redis key prefix of a test's own; what it holds is deleted once the file's tests are done. */
export function testKeyPrefix(): string {
  const prefix = `${uniqueName('test')}:`;
  redisPrefixes.add(prefix);
  return prefix;
}

/** Deletes the keys of every prefix the file's tests took (test/support/setup.ts runs it). */
export async function deleteTestKeys(): Promise<void> {
  if (!testRedisUrl || redisPrefixes.size === 0) return;
  const client = new Redis(testRedisUrl);
  try {
    for (const prefix of redisPrefixes) {
      const batches = client.scanStream({ match: `${prefix}*`, count: 1000 });
      for await (const keys of batches as AsyncIterable<string[]>) {
        if (keys.length > 0) await client.del(...keys);
      }
    }
  } finally {
    redisPrefixes.clear();
    client.disconnect();
  }
}

function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl ?? undefined });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export interface TestDatabase extends Database {
  /** The connection URL of the fresh PostgreSQL database, or null on PGlite. */
  readonly url: string | null;
}

/** A new empty database; closing it drops it. */
export async function openTestDatabase(): Promise<TestDatabase> {
  if (!testDatabaseUrl) {
    const database = await openDatabase({ kind: 'pglite', dataDir: null });
    return { ...database, url: null };
  }
  const name = uniqueName('tracera_test');
  await adminQuery(`create database ${name}`);
  const url = databaseUrl(testDatabaseUrl, name);
  const database = await openDatabase({ kind: 'postgres', url, poolSize: 5 });
  return {
    ...database,
    url,
    async close() {
      await database.close();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

interface FileDatabase {
  readonly database: TestDatabase;
  /** A test has started since the tables were last emptied. */
  stale: boolean;
}

let fileDatabaseOpening: Promise<FileDatabase> | null = null;

/** Marks the file's database for emptying before the test uses it (test/support/setup.ts). */
export async function startTest(): Promise<void> {
  const opened = await fileDatabaseOpening;
  if (opened) opened.stale = true;
}

/** Closes (and on PostgreSQL drops) the file's database once its tests are done. */
export async function closeFileDatabase(): Promise<void> {
  const opened = await fileDatabaseOpening;
  fileDatabaseOpening = null;
  await opened?.database.close();
}

/**
 * Empties every table but the migration record, restarting identities.
 * `prices` is left to the trigger that empties it with `items` (migration
 * 006): one statement cannot truncate it twice. The rollup watermarks are
 * rows a migration seeded and the rollup job only updates, so they are
 * reset rather than removed.
 */
async function emptyTables(database: Database): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    select format('%I.%I', schemaname, tablename) as name from pg_tables
    where schemaname = 'public'
      and tablename not in ('schema_migrations', 'prices', 'price_rollup_watermarks')`.execute(
    database.db,
  );
  await sql`update price_rollup_watermarks set rolled_up_to = null`.execute(database.db);
  if (rows.length === 0) return;
  await sql
    .raw(`truncate table ${rows.map((row) => row.name).join(', ')} restart identity cascade`)
    .execute(database.db);
}

/**
 * The file's migrated database, opened on first use, with the tables emptied
 * at the first call of each test: the same isolation as a new database per
 * test, at a fraction of the cost. Apps built in one test share it, as
 * instances share one in production. Closing the handle (an app closes its
 * database) leaves it open; it is closed, and dropped, after the file.
 */
export async function fileDatabase(): Promise<TestDatabase> {
  fileDatabaseOpening ??= (async () => {
    const database = await openTestDatabase();
    await migrate(database);
    return { database, stale: false };
  })();
  const opened = await fileDatabaseOpening;
  if (opened.stale) {
    opened.stale = false;
    await emptyTables(opened.database);
  }
  return { ...opened.database, close: async () => {} };
}

/**
 * Until at least `count` other sessions of this PostgreSQL database wait for a
 * lock: how a test knows statements it started have reached the lock it holds.
 */
export async function sessionsWaitingForLocks(database: Database, count = 1): Promise<void> {
  const waiting = async () => {
    const { rows } = await sql<{ waiting: number }>`select count(*)::int as waiting
      from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`.execute(database.db);
    return rows[0]?.waiting ?? 0;
  };
  await expect
    .poll(waiting, { timeout: WAIT_BOUND_MS, interval: 20 })
    .toBeGreaterThanOrEqual(count);
}

export interface TestStore {
  readonly store: Store;
  /**
   * Every key and value the store holds, as text: Redis is read back with
   * SCAN; the in-process store records what was written to it.
   */
  contents(): Promise<string>;
  /** Lets `ms` pass for the store: the injected clock in memory, real time on Redis. */
  advance(ms: number): Promise<void>;
}

export interface TestStoreOptions {
  /** Point a Redis store somewhere else, such as a proxy a test can cut. */
  readonly redisUrl?: string;
  readonly keyPrefix?: string;
}

export async function openTestStore(options: TestStoreOptions = {}): Promise<TestStore> {
  const redisUrl = options.redisUrl ?? testRedisUrl;
  if (!redisUrl) {
    let now = 1_700_000_000_000;
    const written: string[] = [];
    const memory = new MemoryStore({ now: () => now });
    const store: Store = Object.assign(Object.create(memory) as MemoryStore, {
      set: (key: string, value: string, ttlMs?: number) => {
        written.push(key, value);
        return memory.set(key, value, ttlMs);
      },
      setIfAbsent: (key: string, value: string, ttlMs: number) => {
        written.push(key, value);
        return memory.setIfAbsent(key, value, ttlMs);
      },
      replace: (key: string, value: string, ttlMs: number) => {
        written.push(key, value);
        return memory.replace(key, value, ttlMs);
      },
      sortedSetAdd: (key: string, entries: readonly SortedSetEntry[]) => {
        written.push(key, ...entries.map((entry) => entry.member));
        return memory.sortedSetAdd(key, entries);
      },
    });
    return {
      store,
      contents: async () => written.join('\n'),
      async advance(ms) {
        now += ms;
      },
    };
  }
  const keyPrefix = options.keyPrefix ?? testKeyPrefix();
  const store = await RedisStore.connect({
    url: redisUrl,
    keyPrefix,
    connectTimeoutMs: 1000,
    commandTimeoutMs: 1000,
  });
  return {
    store,
    async contents() {
      const client = new Redis(redisUrl);
      try {
        const lines: string[] = [];
        for (const key of await client.keys(`${keyPrefix}*`)) {
          const type = await client.type(key);
          const values =
            type === 'zset'
              ? await client.zrange(key, '0', '-1')
              : type === 'list'
                ? await client.lrange(key, 0, -1)
                : [(await client.get(key)) ?? ''];
          lines.push(key, ...values);
        }
        return lines.join('\n');
      } finally {
        client.disconnect();
      }
    },
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
