// The batch writer: one statement per chunk, rows already stored skipped, the
// caller told which rows were new, and rows behind a rollup's watermark
// queued to be rolled up again.
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { ROWS_PER_STATEMENT, writePrices } from '../../../src/market/ingest/write-prices.js';
import { useMigratedDatabase } from '../../support/market.js';
import {
  addItems,
  clearMarket,
  countPrices,
  HOUR_MS,
  MINUTE_MS,
  quote,
  storedPrices,
} from './fixtures.js';

const T0 = Date.parse('2026-11-17T10:00:00Z');

const database = useMigratedDatabase();
let items: number[];

beforeEach(async () => {
  await clearMarket(database());
  items = await addItems(database(), 3);
});

describe('writePrices', () => {
  it('stores every field, with a missing volume or listings count as null', async () => {
    const [a = 0, b = 0] = items;
    const inserted = await writePrices(database(), [
      quote(a, T0, 1234, { volume: 17, listings: 250 }),
      quote(b, T0 + 1, 99, { source: 'steam' }),
    ]);
    expect(inserted).toEqual([
      { item_id: a, source: 'demo', observed_at: new Date(T0) },
      { item_id: b, source: 'steam', observed_at: new Date(T0 + 1) },
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
    expect(await writePrices(database(), batch)).toHaveLength(3);
    const before = await storedPrices(database());
    expect(await writePrices(database(), batch)).toEqual([]);
    expect(await storedPrices(database())).toEqual(before);
  });

  it('reports only the new rows of a batch that overlaps one already stored', async () => {
    const [a = 0, b = 0] = items;
    await writePrices(database(), [quote(a, T0, 100), quote(b, T0, 200)]);
    const inserted = await writePrices(database(), [
      quote(a, T0, 999), // same (item, source, time): the first price stays
      quote(a, T0 + MINUTE_MS, 101),
      quote(b, T0, 200, { source: 'steam' }), // another source is another row
    ]);
    expect(inserted).toEqual([
      { item_id: a, source: 'demo', observed_at: new Date(T0 + MINUTE_MS) },
      { item_id: b, source: 'steam', observed_at: new Date(T0) },
    ]);
    const rows = await storedPrices(database());
    expect(rows.find((row) => row.item_id === a && row.observed_at.getTime() === T0)).toMatchObject(
      { price_cents: 100 },
    );
    expect(rows).toHaveLength(4);
  });

  it('stores a row repeated within one batch once', async () => {
    const [a = 0] = items;
    const inserted = await writePrices(database(), [quote(a, T0, 100), quote(a, T0, 100)]);
    expect(inserted).toHaveLength(1);
    expect(await countPrices(database())).toBe(1);
  });

  it('writes a batch larger than one statement holds, in chunks, and only new rows again', async () => {
    const count = ROWS_PER_STATEMENT + 5;
    const batch = Array.from({ length: count }, (_, index) =>
      quote(items[index % items.length] ?? 0, T0 + Math.floor(index / items.length) * 1000, index),
    );
    expect(await writePrices(database(), batch)).toHaveLength(count);
    expect(await countPrices(database())).toBe(count);
    const more = [...batch.slice(-10), quote(items[0] ?? 0, T0 - 1, 1)];
    expect(await writePrices(database(), more)).toHaveLength(1);
  });

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
