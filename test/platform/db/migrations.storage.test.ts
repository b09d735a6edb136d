import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/platform/db/index.js';
import {
  MigrationError,
  type MigrationFile,
  migrate,
  readMigrationFiles,
} from '../../../src/platform/db/migrations.js';
import { openTestDatabase, type TestDatabase } from '../../support/backends.js';

let database: TestDatabase;

beforeEach(async () => {
  database = await openTestDatabase();
});

afterEach(async () => {
  await database.close();
});

async function tableNames(): Promise<string[]> {
  const result = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() order by table_name`.execute(database.db);
  return result.rows.map((row) => row.table_name);
}

function migrationFile(version: number, name: string, text: string): MigrationFile {
  return {
    version,
    name: `${String(version).padStart(3, '0')}_${name}.sql`,
    checksum: text,
    sql: text,
  };
}

describe(`migrations on ${process.env.TRACERA_TEST_BACKENDS === 'real' ? 'PostgreSQL' : 'PGlite'}`, () => {
  it('apply every shipped migration, then find nothing to do when run again', async () => {
    const files = await readMigrationFiles();
    const first = await migrate(database);
    expect(first.applied).toEqual(files.map((file) => file.name));
    const second = await migrate(database);
    expect(second).toEqual({ applied: [], alreadyApplied: files.length });
    expect(await tableNames()).toEqual(
      expect.arrayContaining(['items', 'prices', 'schema_migrations']),
    );
    const recorded = await database.db.selectFrom('schema_migrations').selectAll().execute();
    expect(recorded.map((row) => row.checksum)).toEqual(files.map((file) => file.checksum));
  });

  it('store a duplicate price observation once', async () => {
    await migrate(database);
    await sql`insert into items (market_hash_name, category) values ('AK-47 | Redline (Field-Tested)', 'weapon_skin')`.execute(
      database.db,
    );
    const insert = sql`
      insert into prices (item_id, source, observed_at, price_cents, volume)
      values (1, 'demo', '2026-11-22T12:00:00Z', 1234, 5)
      on conflict do nothing`;
    await insert.execute(database.db);
    await insert.execute(database.db);
    const rows = await sql<{ n: number }>`select count(*)::int as n from prices`.execute(
      database.db,
    );
    expect(rows.rows[0]?.n).toBe(1);
  });

  it('run each migration in a transaction: a failing one leaves nothing behind', async () => {
    const files = [
      migrationFile(1, 'good', 'create table good_table (id integer);'),
      migrationFile(2, 'bad', 'create table half_done (id integer); select * from no_such_table;'),
    ];
    await expect(migrate(database, files)).rejects.toThrow(/002_bad\.sql failed/);
    expect(await tableNames()).toContain('good_table');
    expect(await tableNames()).not.toContain('half_done');
    const versions = await database.db.selectFrom('schema_migrations').select('version').execute();
    expect(versions).toEqual([{ version: 1 }]);
  });

  it('refuse a migration that changed after it was applied', async () => {
    await migrate(database, [migrationFile(1, 'first', 'create table t (id integer);')]);
    const edited = migrationFile(1, 'first', 'create table t (id bigint);');
    await expect(migrate(database, [edited])).rejects.toThrow(MigrationError);
    await expect(migrate(database, [edited])).rejects.toThrow(/changed after it was applied/);
  });

  it('apply each migration once when several processes migrate at the same time', async () => {
    const peers = database.url
      ? await Promise.all(
          [1, 2, 3].map(() =>
            openDatabase({ kind: 'postgres', url: database.url as string, poolSize: 2 }),
          ),
        )
      : [database, database, database];
    try {
      const files = [
        migrationFile(1, 'one', 'create table one (id integer);'),
        migrationFile(2, 'two', 'create table two (id integer);'),
      ];
      const reports = await Promise.all(peers.map((peer) => migrate(peer, files)));
      const applied = reports.flatMap((report) => report.applied).sort();
      expect(applied).toEqual(['001_one.sql', '002_two.sql']);
    } finally {
      if (database.url) await Promise.all(peers.map((peer) => peer.close()));
    }
  });
});

describe('migration files', () => {
  it('refuse a badly named file and a reused version', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tracera-migrations-'));
    await writeFile(join(dir, '001_First.sql'), 'select 1;');
    await expect(readMigrationFiles(dir)).rejects.toThrow(/NNN_lower_snake_case/);
    const dir2 = await mkdtemp(join(tmpdir(), 'tracera-migrations-'));
    await writeFile(join(dir2, '001_a.sql'), 'select 1;');
    await writeFile(join(dir2, '0001_b.sql'), 'select 1;');
    await expect(readMigrationFiles(dir2)).rejects.toThrow(/version 1 is used by two files/);
  });
});
