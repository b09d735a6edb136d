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
  /** An idle pooled connection failed; the pool replaces it, so this is only reported. */
  onBackgroundError?: (error: Error) => void;
}

const PG_INT8_OID = 20;
const PG_INT8_ARRAY_OID = 1016;
const PG_CONNECT_TIMEOUT_MS = 5000;
const PG_IDLE_TIMEOUT_MS = 30_000;

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

async function openPGlite(dataDir: string | null): Promise<Kysely<PlatformTables>> {
  const initialized = dataDir !== null && existsSync(join(dataDir, 'PG_VERSION'));
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const template = initialized ? null : readPGliteTemplate();
  const pglite = await PGlite.create(dataDir ?? undefined, {
    // Migration 004 creates pg_trgm, which PGlite provides only when loaded here.
    extensions: { pg_trgm },
    ...(template ? { loadDataDir: template } : {}),
  });
  return new Kysely<PlatformTables>({ dialect: new PGliteDialect(pglite) });
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
  const db =
    target.kind === 'pglite'
      ? await openPGlite(target.dataDir)
      : openPostgres(target.url, target.poolSize, events);
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
      await db.destroy();
    },
  };
}
