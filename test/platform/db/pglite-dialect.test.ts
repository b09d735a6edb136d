// PGlite is one session: the dialect must keep a transaction's statements
// together, with nobody else's query run inside it.
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../../src/platform/db/index.js';

let database: Database;

beforeEach(async () => {
  database = await openDatabase({ kind: 'pglite', dataDir: null });
  await sql`create table counter (n integer not null)`.execute(database.db);
  await sql`insert into counter values (0)`.execute(database.db);
});

afterEach(async () => {
  await database.close();
});

it('does not let a query from outside run inside an open transaction', async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const transaction = database.db.transaction().execute(async (trx) => {
    await sql`update counter set n = 1`.execute(trx);
    await held;
    await sql`update counter set n = 2`.execute(trx);
    throw new Error('roll back');
  });
  const outside = sql<{ n: number }>`select n from counter`.execute(database.db);
  release();
  await expect(transaction).rejects.toThrow('roll back');
  expect((await outside).rows).toEqual([{ n: 0 }]);
});

it('returns bigint as a number and runs parameterless multi-statement scripts', async () => {
  const result = await sql<{ big: number; last: number }>`
    select 9007199254740991::bigint as big, 2 as last`.execute(database.db);
  expect(result.rows).toEqual([{ big: 9_007_199_254_740_991, last: 2 }]);
  const script = await sql
    .raw<{ n: number }>('update counter set n = 5; select n from counter')
    .execute(database.db);
  expect(script.rows).toEqual([{ n: 5 }]);
});

it('fails pings once closed', async () => {
  await database.ping(1000);
  await database.close();
  await expect(database.ping(1000)).rejects.toThrow(/closed/);
});
