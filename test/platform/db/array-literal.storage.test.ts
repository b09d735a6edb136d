// Hand-built array literals must mean to the server exactly what the values
// meant to us: read back through the database, not compared as strings.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayLiteral } from '../../../src/platform/db/index.js';
import { openTestDatabase, type TestDatabase } from '../../support/backends.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase();
});

afterAll(async () => {
  await database.close();
});

async function roundTrip(literal: string, type: 'text' | 'bigint' | 'float8' | 'timestamptz') {
  const { rows } = await sql<{ value: unknown }>`
    select value::text as value
    from unnest(${literal}::${sql.raw(type)}[]) with ordinality as t (value, n)
    order by n`.execute(database.db);
  return rows.map((row) => row.value);
}

describe('arrayLiteral', () => {
  it('keeps every string as it was, quoting only what needs it', async () => {
    const values = [
      'steam',
      '',
      'NULL',
      'null',
      'a b',
      'a,b',
      '{x}',
      'say "hi"',
      'back\\slash',
      '★ StatTrak™ Karambit | Doppler (Factory New)',
      '  padded  ',
    ];
    expect(await roundTrip(arrayLiteral(values), 'text')).toEqual(values);
    expect(arrayLiteral(['steam', 'demo'])).toBe('{steam,demo}');
  });

  it('writes nulls and undefined as NULL, and numbers as they print', async () => {
    const values = [1, null, -42, undefined, 0, Number.MAX_SAFE_INTEGER];
    expect(arrayLiteral(values)).toBe('{1,NULL,-42,NULL,0,9007199254740991}');
    expect(await roundTrip(arrayLiteral(values), 'bigint')).toEqual([
      '1',
      null,
      '-42',
      null,
      '0',
      '9007199254740991',
    ]);
    expect(await roundTrip(arrayLiteral([0.1, 1e21, -2.5e-7]), 'float8')).toEqual([
      '0.1',
      '1e+21',
      '-2.5e-07',
    ]);
  });

  it('carries ISO times unquoted, to the millisecond', async () => {
    const time = '2026-11-17T10:00:00.123Z';
    expect(arrayLiteral([time])).toBe(`{${time}}`);
    const { rows } = await sql<{ value: Date }>`
      select unnest(${arrayLiteral([time])}::timestamptz[]) as value`.execute(database.db);
    expect(rows).toEqual([{ value: new Date(time) }]);
  });

  it('refuses a number the server would read as something else', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => arrayLiteral([value])).toThrow(RangeError);
    }
  });

  it('writes an empty array', async () => {
    expect(arrayLiteral([])).toBe('{}');
    expect(await roundTrip('{}', 'text')).toEqual([]);
  });
});
