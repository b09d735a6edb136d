// Plain numbered SQL migrations (`migrations/001_name.sql`, ...), applied in
// order, each in its own transaction together with the row that records it.
//
// Several instances may start at once against one PostgreSQL: every step takes
// a transaction-scoped advisory lock and checks again under it whether the
// migration is still pending, so each file runs exactly once. A file changed
// after it was applied is refused (its checksum no longer matches), because
// the database would no longer be what the file says.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, PlatformTables } from './database.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));

/** Arbitrary constant naming "Tracera schema migrations" among advisory locks. */
const MIGRATION_LOCK_KEY = 7_238_110_001;
const FILE_NAME = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

export interface MigrationFile {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
  readonly sql: string;
}

export interface MigrationReport {
  readonly applied: readonly string[];
  readonly alreadyApplied: number;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export async function readMigrationFiles(dir: string = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    const match = FILE_NAME.exec(name);
    if (!match) {
      throw new MigrationError(`${name}: migration files are named NNN_lower_snake_case.sql`);
    }
    const version = Number(match[1]);
    if (files.some((file) => file.version === version)) {
      throw new MigrationError(`${name}: version ${version} is used by two files`);
    }
    const text = await readFile(join(dir, name), 'utf8');
    const checksum = createHash('sha256').update(text).digest('hex');
    files.push({ version, name, checksum, sql: text });
  }
  return files;
}

async function lock(trx: Transaction<PlatformTables>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY}::bigint)`.execute(trx);
}

async function ensureMigrationsTable(db: Kysely<PlatformTables>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lock(trx);
    await sql`
      create table if not exists schema_migrations (
        version integer primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`.execute(trx);
  });
}

function checkUnchanged(
  files: readonly MigrationFile[],
  applied: ReadonlyMap<number, string>,
): void {
  for (const file of files) {
    const checksum = applied.get(file.version);
    if (checksum !== undefined && checksum !== file.checksum) {
      throw new MigrationError(
        `${file.name} was changed after it was applied; add a new migration instead`,
      );
    }
  }
}

/** Applies every pending migration; safe to run any number of times, from any number of processes. */
export async function migrate(
  database: Database,
  files?: readonly MigrationFile[],
  onApplied: (file: MigrationFile) => void = () => {},
): Promise<MigrationReport> {
  const migrations = files ?? (await readMigrationFiles());
  const { db } = database;
  await ensureMigrationsTable(db);
  const rows = await db.selectFrom('schema_migrations').select(['version', 'checksum']).execute();
  const known = new Map(rows.map((row) => [row.version, row.checksum]));
  checkUnchanged(migrations, known);

  const applied: string[] = [];
  for (const file of migrations) {
    if (known.has(file.version)) continue;
    const ran = await db.transaction().execute(async (trx) => {
      await lock(trx);
      const done = await trx
        .selectFrom('schema_migrations')
        .select('version')
        .where('version', '=', file.version)
        .executeTakeFirst();
      if (done) return false;
      try {
        await sql.raw(file.sql).execute(trx);
      } catch (error) {
        throw new MigrationError(`${file.name} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      await trx
        .insertInto('schema_migrations')
        .values({ version: file.version, name: file.name, checksum: file.checksum })
        .execute();
      return true;
    });
    if (ran) {
      applied.push(file.name);
      onApplied(file);
    }
  }
  return { applied, alreadyApplied: migrations.length - applied.length };
}
