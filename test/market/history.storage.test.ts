// Price history for charts: bucket edges, window edges, sources kept apart,
// and long windows that join rollups with the raw rows after them without
// counting anything twice.
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { priceHistory } from '../../src/market/history.js';
import type { HistoryWindow, PriceSource } from '../../src/market/types.js';
import { insertItems, useMigratedDatabase } from '../support/market.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** A Tuesday, 12:30:00 UTC: not aligned to any bucket longer than 30 minutes. */
const NOW = new Date('2026-11-17T12:30:00.000Z');

const database = useMigratedDatabase();
let itemId: number;

const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);
/** The item's history over `window`, as of NOW. */
const history = (window: HistoryWindow, source: PriceSource = 'steam') =>
  priceHistory(database(), { itemId, source, window, now: NOW });

async function addPrices(
  rows: readonly { at: Date; cents: number; volume?: number; source?: string }[],
): Promise<void> {
  for (const row of rows) {
    await sql`insert into prices (item_id, source, observed_at, price_cents, volume)
      values (${itemId}, ${row.source ?? 'steam'}, ${row.at}, ${row.cents}, ${row.volume ?? null})`.execute(
      database().db,
    );
  }
}

async function addRollup(
  table: 'price_rollups_hourly' | 'price_rollups_daily',
  bucket: Date,
  values: { open: number; close: number; min: number; max: number; avg: number; samples: number },
): Promise<void> {
  await sql`insert into ${sql.table(table)}
      (item_id, source, bucket, open_cents, close_cents, avg_cents, min_cents, max_cents,
       stddev_cents, volume, samples)
    values (${itemId}, 'steam', ${bucket}, ${values.open}, ${values.close}, ${values.avg},
      ${values.min}, ${values.max}, 0, null, ${values.samples})`.execute(database().db);
}

beforeEach(async () => {
  await sql`delete from items`.execute(database().db);
  [itemId = 0] = await insertItems(database(), ['AK-47 | Redline (Field-Tested)']);
});

describe('raw windows', () => {
  it('1h: one-minute buckets from the window start (inclusive) to now (inclusive)', async () => {
    await addPrices([
      { at: at(-HOUR_MS - 1), cents: 999 }, // before the window
      { at: at(-HOUR_MS), cents: 100, volume: 7 }, // exactly at its start
      { at: at(-HOUR_MS + 20_000), cents: 140, volume: 9 },
      { at: at(-HOUR_MS + 40_000), cents: 120 },
      { at: at(0), cents: 200 }, // exactly now
      { at: at(1), cents: 999 }, // in the future
    ]);
    const points = await history('1h');
    expect(points).toEqual([
      {
        time: '2026-11-17T11:30:00.000Z',
        open_cents: 100,
        close_cents: 120,
        min_cents: 100,
        max_cents: 140,
        avg_cents: 120,
        volume: 9,
        samples: 3,
      },
      {
        time: '2026-11-17T12:30:00.000Z',
        open_cents: 200,
        close_cents: 200,
        min_cents: 200,
        max_cents: 200,
        avg_cents: 200,
        volume: null,
        samples: 1,
      },
    ]);
  });

  it('24h: a bucket ends just before the next quarter hour', async () => {
    await addPrices([
      { at: new Date('2026-11-17T10:14:59.999Z'), cents: 100 },
      { at: new Date('2026-11-17T10:15:00.000Z'), cents: 300 },
    ]);
    const points = await history('24h');
    expect(points.map((point) => [point.time, point.avg_cents])).toEqual([
      ['2026-11-17T10:00:00.000Z', 100],
      ['2026-11-17T10:15:00.000Z', 300],
    ]);
  });

  it('keeps sources apart', async () => {
    await addPrices([
      { at: at(-MINUTE_MS), cents: 100, source: 'steam' },
      { at: at(-MINUTE_MS), cents: 90, source: 'skinport' },
    ]);
    const steam = await history('7d');
    const skinport = await history('7d', 'skinport');
    expect(steam.map((point) => point.avg_cents)).toEqual([100]);
    expect(skinport.map((point) => point.avg_cents)).toEqual([90]);
    expect(steam[0]?.time).toEqual('2026-11-17T12:00:00.000Z');
  });

  it('is empty for an item without prices', async () => {
    expect(await history('1h')).toEqual([]);
  });
});

describe('rollup windows', () => {
  it('30d: six-hour buckets from hourly rollups, then raw rows after the last rolled-up hour', async () => {
    // Two rolled-up hours in the 06:00-12:00 bucket: 3 samples averaging 100, 1 averaging 200.
    await addRollup('price_rollups_hourly', new Date('2026-11-17T10:00:00.000Z'), {
      open: 90,
      close: 110,
      min: 80,
      max: 120,
      avg: 100,
      samples: 3,
    });
    await addRollup('price_rollups_hourly', new Date('2026-11-17T11:00:00.000Z'), {
      open: 150,
      close: 210,
      min: 150,
      max: 250,
      avg: 200,
      samples: 1,
    });
    await addPrices([
      // Inside the rolled-up 11:00 hour: already counted there.
      { at: new Date('2026-11-17T11:30:00.000Z'), cents: 5000 },
      // After it: raw rows, in the 12:00-18:00 bucket.
      { at: new Date('2026-11-17T12:05:00.000Z'), cents: 300, volume: 4 },
      { at: new Date('2026-11-17T12:25:00.000Z'), cents: 500 },
    ]);
    const points = await history('30d');
    expect(points).toEqual([
      {
        time: '2026-11-17T06:00:00.000Z',
        open_cents: 90,
        close_cents: 210,
        min_cents: 80,
        max_cents: 250,
        avg_cents: 125, // (3 × 100 + 1 × 200) / 4
        volume: null,
        samples: 4,
      },
      {
        time: '2026-11-17T12:00:00.000Z',
        open_cents: 300,
        close_cents: 500,
        min_cents: 300,
        max_cents: 500,
        avg_cents: 400,
        volume: 4,
        samples: 2,
      },
    ]);
  });

  it('30d: starts at the hour holding the window start, and reads raw rows when nothing is rolled up', async () => {
    const windowStart = NOW.getTime() - 30 * DAY_MS; // 2026-10-18T12:30Z
    await addRollup('price_rollups_hourly', new Date('2026-10-18T11:00:00Z'), {
      open: 1,
      close: 1,
      min: 1,
      max: 1,
      avg: 1,
      samples: 1,
    });
    await addRollup('price_rollups_hourly', new Date('2026-10-18T12:00:00Z'), {
      open: 10,
      close: 10,
      min: 10,
      max: 10,
      avg: 10,
      samples: 2,
    });
    const points = await history('30d');
    expect(new Date(windowStart).toISOString()).toBe('2026-10-18T12:30:00.000Z');
    expect(points.map((point) => [point.time, point.avg_cents])).toEqual([
      ['2026-10-18T12:00:00.000Z', 10],
    ]);

    await sql`delete from price_rollups_hourly`.execute(database().db);
    await addPrices([{ at: new Date('2026-11-01T00:00:00.000Z'), cents: 42 }]);
    const rawOnly = await history('30d');
    expect(rawOnly.map((point) => [point.time, point.avg_cents])).toEqual([
      ['2026-11-01T00:00:00.000Z', 42],
    ]);
  });

  it('1y: daily rollups and today from raw rows', async () => {
    await addRollup('price_rollups_daily', new Date('2026-11-16T00:00:00.000Z'), {
      open: 100,
      close: 120,
      min: 90,
      max: 130,
      avg: 110,
      samples: 24,
    });
    await addPrices([
      { at: new Date('2026-11-16T08:00:00.000Z'), cents: 9999 }, // rolled up already
      { at: new Date('2026-11-17T01:00:00.000Z'), cents: 121 },
    ]);
    const points = await history('1y');
    expect(points.map((point) => [point.time, point.avg_cents, point.samples])).toEqual([
      ['2026-11-16T00:00:00.000Z', 110, 24],
      ['2026-11-17T00:00:00.000Z', 121, 1],
    ]);
  });
});
