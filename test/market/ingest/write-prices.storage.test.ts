// The batch writer: one statement per chunk, rows already stored skipped, the
// caller told how many rows were new and for which items, rows behind a
// rollup's watermark queued to be rolled up again, and prices kept only for
// items that exist.
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ROWS_PER_STATEMENT,
  type StoredChange,
  WRITE_LANES,
  writePrices,
} from '../../../src/market/ingest/write-prices.js';
import type { Database } from '../../../src/platform/db/index.js';
import { sessionsWaitingForLocks, testDatabaseUrl } from '../../support/backends.js';
import { useMigratedDatabase } from '../../support/market.js';
import {
  addItems,
  clearMarket,
  countPrices,
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  quote,
  storedPrices,
} from './fixtures.js';

const T0 = Date.parse('2026-11-17T10:00:00Z');

const database = useMigratedDatabase();

/** Statements of this PostgreSQL database running on the server, other than the one asking. */
async function activeStatements(target: Database): Promise<number> {
  const { rows } = await sql<{ active: number }>`select count(*)::int as active
    from pg_stat_activity
    where datname = current_database() and state = 'active' and pid <> pg_backend_pid()`.execute(
    target.db,
  );
  return rows[0]?.active ?? 0;
}

const byItem = (changes: readonly StoredChange[]) =>
  [...changes].sort((x, y) => x.itemId - y.itemId || x.source.localeCompare(y.source));
let items: number[];

beforeEach(async () => {
  await clearMarket(database());
  items = await addItems(database(), 3);
});

describe('writePrices', () => {
  it('stores every field, with a missing volume or listings count as null', async () => {
    const [a = 0, b = 0] = items;
    const written = await writePrices(database(), [
      quote(a, T0, 1234, { volume: 17, listings: 250 }),
      quote(b, T0 + 1, 99, { source: 'steam' }),
    ]);
    expect(written.inserted).toBe(2);
    expect(byItem(written.changed)).toEqual([
      { itemId: a, source: 'demo' },
      { itemId: b, source: 'steam' },
    ]);
    expect(await storedPrices(database())).toEqual([
      {
        item_id: a,
        source: 'demo',
        observed_at: new Date(T0),
        price_cents: 1234,
        volume: 17,
        listings: 250,
      },
      {
        item_id: b,
        source: 'steam',
        observed_at: new Date(T0 + 1),
        price_cents: 99,
        volume: null,
        listings: null,
      },
    ]);
  });

  it('stores a batch delivered twice once, and reports nothing new the second time', async () => {
    const batch = items.map((id, index) => quote(id, T0, 100 + index));
    expect(await writePrices(database(), batch)).toMatchObject({ inserted: 3 });
    const before = await storedPrices(database());
    expect(await writePrices(database(), batch)).toEqual({ inserted: 0, changed: [] });
    expect(await storedPrices(database())).toEqual(before);
  });

  it('reports only the new rows of a batch that overlaps one already stored', async () => {
    const [a = 0, b = 0] = items;
    await writePrices(database(), [quote(a, T0, 100), quote(b, T0, 200)]);
    const written = await writePrices(database(), [
      quote(a, T0, 999), // same (item, source, time): the first price stays
      quote(a, T0 + MINUTE_MS, 101),
      quote(a, T0 + 2 * MINUTE_MS, 102),
      quote(b, T0, 200, { source: 'steam' }), // another source is another row
    ]);
    expect(written.inserted).toBe(3);
    expect(byItem(written.changed)).toEqual([
      { itemId: a, source: 'demo' },
      { itemId: b, source: 'steam' },
    ]);
    const rows = await storedPrices(database());
    expect(rows.find((row) => row.item_id === a && row.observed_at.getTime() === T0)).toMatchObject(
      { price_cents: 100 },
    );
    expect(rows).toHaveLength(5);
  });

  it('stores a row repeated within one statement once (either of the two)', async () => {
    const [a = 0] = items;
    const written = await writePrices(database(), [quote(a, T0, 100), quote(a, T0, 200)]);
    expect(written).toEqual({ inserted: 1, changed: [{ itemId: a, source: 'demo' }] });
    const stored = await storedPrices(database());
    expect(stored).toHaveLength(1);
    expect([100, 200]).toContain(stored[0]?.price_cents);
  });

  it('writes a batch larger than one statement holds in lanes of chunks, and only new rows again', async () => {
    const count = WRITE_LANES * ROWS_PER_STATEMENT + 5;
    const batch = Array.from({ length: count }, (_, index) =>
      quote(items[index % items.length] ?? 0, T0 + Math.floor(index / items.length) * 1000, index),
    );
    // A repeat of the first row, in a later chunk of the same lane: the first price stays.
    const [first] = batch;
    if (first) batch.push({ ...first, price_cents: 1 });
    const written = await writePrices(database(), batch);
    expect(written.inserted).toBe(count);
    expect(byItem(written.changed)).toEqual(items.map((itemId) => ({ itemId, source: 'demo' })));
    expect(await countPrices(database())).toBe(count);
    const { rows } = await sql<{ price_cents: number }>`select price_cents from prices
      where item_id = ${first?.item_id ?? 0} and observed_at = ${new Date(T0)}`.execute(
      database().db,
    );
    expect(rows).toEqual([{ price_cents: 0 }]);
    const more = [...batch.slice(-10), quote(items[0] ?? 0, T0 - 1, 1)];
    expect(await writePrices(database(), more)).toEqual({
      inserted: 1,
      changed: [{ itemId: items[0], source: 'demo' }],
    });
  });

  it('stops every lane at its next chunk when one fails, and reports it once they have', async () => {
    const slow = items.find((id) => id % WRITE_LANES === 0) ?? 0;
    const failing = items.find((id) => id % WRITE_LANES === 1) ?? 0;
    const good = Array.from({ length: 2 * ROWS_PER_STATEMENT + 1 }, (_, index) =>
      quote(slow, T0 + index, 100),
    );
    // The database refuses a negative price (a check constraint): one lane's
    // only statement fails at once, while another lane is writing the first
    // of its three chunks. The chunks it had started commit; the last one is
    // never written, and nothing is still being written once the call fails.
    const bad = quote(failing, T0, -1);
    let statements = 0;
    const counted: Database = {
      ...database(),
      db: database().db.withPlugin({
        transformQuery: ({ node }) => {
          statements += 1;
          return node;
        },
        transformResult: async ({ result }) => result,
      }),
    };
    await expect(writePrices(counted, [bad, ...good])).rejects.toThrow(/check constraint/);
    const startedBeforeFailing = statements;
    // Nothing of the call is still running: no statement of this database is
    // active on the server, and no lane starts another once the event loop
    // has turned (a lane goes from one chunk straight to the next).
    if (testDatabaseUrl) expect(await activeStatements(database())).toBe(0);
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(statements).toBe(startedBeforeFailing);
    const stored = await countPrices(database());
    expect(stored % ROWS_PER_STATEMENT).toBe(0);
    expect(stored).toBeLessThan(good.length);
  });

  it('gives an odd item id a lane too: the database refuses or skips it', async () => {
    const [a = 0] = items;
    const batch = (from: number) =>
      Array.from({ length: ROWS_PER_STATEMENT + 1 }, (_, index) => quote(a, from + index, 100));
    await expect(writePrices(database(), [...batch(T0), quote(0.5, T0, 1)])).rejects.toThrow(
      /integer/,
    );
    const later = batch(T0 + DAY_MS);
    expect(await writePrices(database(), [...later, quote(-a, T0, 1)])).toMatchObject({
      inserted: later.length,
    });
  });

  it('skips the prices of an item that no longer exists, and stores the rest', async () => {
    const [a = 0, b = 0] = items;
    await sql`delete from items where id = ${b}`.execute(database().db);
    const written = await writePrices(database(), [quote(a, T0, 100), quote(b, T0, 200)]);
    expect(written).toEqual({ inserted: 1, changed: [{ itemId: a, source: 'demo' }] });
    expect(await storedPrices(database())).toMatchObject([{ item_id: a }]);
  });

  it('deletes the prices of a deleted item with it', async () => {
    const [a = 0, b = 0] = items;
    await writePrices(database(), [quote(a, T0, 100), quote(b, T0, 200), quote(b, T0 + 1, 201)]);
    await sql`delete from items where id = ${b}`.execute(database().db);
    expect(await storedPrices(database())).toMatchObject([{ item_id: a }]);
  });

  it('empties prices when the catalog is truncated', async () => {
    const [a = 0] = items;
    await writePrices(database(), [quote(a, T0, 100)]);
    await sql`truncate items cascade`.execute(database().db);
    expect(await countPrices(database())).toBe(0);
    items = await addItems(database(), 3);
  });

  it('refuses to delete items under an isolation level that would leave prices behind', async () => {
    const [a = 0] = items;
    await writePrices(database(), [quote(a, T0, 100)]);
    const deleting = database()
      .db.transaction()
      .setIsolationLevel('repeatable read')
      .execute((trx) => sql`delete from items where id = ${a}`.execute(trx));
    await expect(deleting).rejects.toThrow(/READ COMMITTED/);
    expect(await countPrices(database())).toBe(1);
  });

  // Two connections are needed to interleave a delete with a write; PGlite has one.
  it.runIf(testDatabaseUrl)(
    'leaves no price behind for an item deleted while a batch starts',
    async () => {
      const [a = 0, b = 0] = items;
      let written: Promise<unknown> = Promise.resolve();
      await database()
        .db.transaction()
        .execute(async (trx) => {
          await sql`delete from items where id = ${b}`.execute(trx);
          // The batch starts while the delete is not yet committed: it must
          // wait for the delete, then find the item gone.
          written = writePrices(database(), [quote(a, T0, 100), quote(b, T0, 200)]);
          await sessionsWaitingForLocks(database());
        });
      await written;
      expect(await storedPrices(database())).toMatchObject([{ item_id: a }]);
    },
  );

  it.runIf(testDatabaseUrl)(
    'leaves no price behind for an item deleted while a batch is being written',
    async () => {
      const [a = 0, b = 0] = items;
      let deleted: Promise<unknown> = Promise.resolve();
      // A write in flight, as writePrices makes one: the shared lock, then
      // the rows, not yet committed when the delete arrives.
      await database()
        .db.transaction()
        .execute(async (trx) => {
          await sql`select pg_advisory_xact_lock_shared(7238110005)`.execute(trx);
          await sql`insert into prices (item_id, source, observed_at, price_cents)
            values (${a}, 'demo', ${new Date(T0)}, 100), (${b}, 'demo', ${new Date(T0)}, 200)`.execute(
            trx,
          );
          deleted = sql`delete from items where id = ${b}`.execute(database().db);
          await sessionsWaitingForLocks(database());
        });
      await deleted;
      expect(await storedPrices(database())).toMatchObject([{ item_id: a }]);
    },
  );

  it('queues the bucket of a row that lands behind a rollup watermark', async () => {
    const [a = 0] = items;
    await sql`update price_rollup_watermarks
      set rolled_up_to = case rollup when 'hourly' then ${new Date(T0 + HOUR_MS)}::timestamptz
        else ${new Date(T0 - 10 * HOUR_MS)}::timestamptz end`.execute(database().db);
    await writePrices(database(), [
      quote(a, T0 + 30 * MINUTE_MS, 100), // behind the hourly watermark only
      quote(a, T0 + 40 * MINUTE_MS, 110), // same hour: queued once
      quote(a, T0 + HOUR_MS, 120), // at the watermark: the next run rolls it up anyway
    ]);
    await writePrices(database(), [quote(a, T0 + 30 * MINUTE_MS, 100)]); // not new: not queued
    const { rows } = await sql<{ rollup: string; item_id: number; source: string; bucket: Date }>`
      select rollup, item_id, source, bucket from price_rollup_pending`.execute(database().db);
    expect(rows).toEqual([{ rollup: 'hourly', item_id: a, source: 'demo', bucket: new Date(T0) }]);
    await sql`delete from price_rollup_pending`.execute(database().db);
  });
});
