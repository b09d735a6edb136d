// The database behind one small query layer (Kysely): PGlite, the embedded
// PostgreSQL, by default, and a `pg` pool when DATABASE_URL is set. Both speak
// the same SQL and return the same JavaScript types, so no capability knows
// which one it talks to.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { type Generated, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { HOUR_MS, MINUTE_MS } from '../time.js';
import { withTimeout } from '../timeout.js';
import { PGliteDialect } from './pglite-dialect.js';
import { readPGliteTemplate } from './pglite-template.js';

/** The platform's own tables; capabilities add theirs with `db.withTables<T>()`. */
export interface PlatformTables {
  schema_migrations: {
    version: number;
    name: string;
    checksum: string;
    applied_at: Generated<Date>;
  };
}

export interface Database {
  /** `absent` only when the app is built to read its routes (absent.ts). */
  readonly kind: 'pglite' | 'postgres' | 'absent';
  readonly db: Kysely<PlatformTables>;
  /** Resolves when the database answers a trivial query within `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { readonly kind: 'pglite'; readonly dataDir: string | null }
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number };

export interface DatabaseEvents {
  /**
   * An idle pooled connection failed (the pool replaces it), or PGlite's
   * periodic checkpoint or vacuum did (the next one tries again): only
   * reported.
   */
  onBackgroundError?: (error: Error) => void;
}

const PG_INT8_OID = 20;
const PG_INT8_ARRAY_OID = 1016;
const PG_CONNECT_TIMEOUT_MS = 5000;
const PG_IDLE_TIMEOUT_MS = 30_000;

/**
 * PGlite runs PostgreSQL as a single process, without the background
 * workers. Without the checkpointer it takes a checkpoint only when it
 * closes, and until then keeps every change in its write-ahead log, which
 * would outgrow the data: so it gets one every PGLITE_CHECKPOINT_INTERVAL_MS
 * (the server's own default timeout), with a small max_wal_size, so a
 * checkpoint leaves only a few segments for reuse. Without autovacuum the
 * space of deleted rows (raw prices past their retention) would never be
 * reused: so it gets a VACUUM every PGLITE_VACUUM_INTERVAL_MS, which is
 * quick when an hour's deletions are all there is to clean. Both run on the
 * connection's queue, between other statements and transactions.
 */
const PGLITE_CHECKPOINT_INTERVAL_MS = 5 * MINUTE_MS;
const PGLITE_VACUUM_INTERVAL_MS = HOUR_MS;
const PGLITE_WAL_SETTINGS = ['-c', 'max_wal_size=64MB', '-c', 'min_wal_size=32MB'];

/**
 * PostgreSQL's bigint (alone or in an array) arrives from `pg` as a string; PGlite gives a number.
 * Counts and cents fit in a double, so both backends return numbers, and a
 * value that would lose precision is an error rather than a silent rounding.
 */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`bigint ${text} exceeds 2^53`);
  return value;
}

function pgTypes(): pg.CustomTypesConfig {
  // The driver's TypeId enum lists scalar types only; its parsers cover arrays too.
  const arrayOid = PG_INT8_ARRAY_OID as unknown as Parameters<typeof pg.types.getTypeParser>[0];
  const parseInt8Array = pg.types.getTypeParser(arrayOid, 'text') as (text: string) => unknown;
  const parsers: Readonly<Record<number, (text: string) => unknown>> = {
    [PG_INT8_OID]: parseInt8,
    [PG_INT8_ARRAY_OID]: (text) =>
      (parseInt8Array(text) as (string | null)[]).map((element) =>
        element === null ? null : parseInt8(element),
      ),
  };
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      parsers[oid] ??
      pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
  };
}

async function openPGlite(
  dataDir: string | null,
  events: DatabaseEvents,
): Promise<{ readonly db: Kysely<PlatformTables>; readonly stop: () => void }> {
  const initialized = dataDir !== null && existsSync(join(dataDir, 'PG_VERSION'));
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const template = initialized ? null : readPGliteTemplate();
  const pglite = await PGlite.create(dataDir ?? undefined, {
    // Migration 004 creates pg_trgm, which PGlite provides only when loaded here.
    extensions: { pg_trgm },
    startParams: [...PGlite.defaultStartParams, ...PGLITE_WAL_SETTINGS],
    ...(template ? { loadDataDir: template } : {}),
  });
  const db = new Kysely<PlatformTables>({ dialect: new PGliteDialect(pglite) });
  const every = (ms: number, statement: 'checkpoint' | 'vacuum') => {
    const timer = setInterval(() => {
      sql
        .raw(statement)
        .execute(db)
        .catch((error: unknown) => {
          events.onBackgroundError?.(error instanceof Error ? error : new Error(String(error)));
        });
    }, ms);
    timer.unref();
    return timer;
  };
  const timers = [
    every(PGLITE_CHECKPOINT_INTERVAL_MS, 'checkpoint'),
    every(PGLITE_VACUUM_INTERVAL_MS, 'vacuum'),
  ];
  return { db, stop: () => timers.forEach(clearInterval) };
}

function openPostgres(
  url: string,
  poolSize: number,
  events: DatabaseEvents,
): Kysely<PlatformTables> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: PG_IDLE_TIMEOUT_MS,
    types: pgTypes(),
  });
  pool.on('error', (error) => events.onBackgroundError?.(error));
  return new Kysely<PlatformTables>({ dialect: new PostgresDialect({ pool }) });
}

export async function openDatabase(
  target: DatabaseTarget,
  events: DatabaseEvents = {},
): Promise<Database> {
  const { db, stop } =
    target.kind === 'pglite'
      ? await openPGlite(target.dataDir, events)
      : { db: openPostgres(target.url, target.poolSize, events), stop: () => {} };
  let closed = false;
  return {
    kind: target.kind,
    db,
    async ping(timeoutMs) {
      if (closed) throw new Error('database is closed');
      await withTimeout(sql`select 1`.execute(db), timeoutMs, 'database ping');
    },
    async close() {
      if (closed) return;
      closed = true;
      stop();
      await db.destroy();
    },
  };
}
