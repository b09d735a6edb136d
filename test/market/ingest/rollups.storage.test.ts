// Hourly and daily rollups against values worked out by hand, at the edges of
// their buckets; the grace before a bucket is rolled up; runs that repeat or
// continue; and late rows rolled up again.
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { rollUpPrices } from '../../../src/market/ingest/rollups.js';
import { writePrices } from '../../../src/market/ingest/write-prices.js';
import { useMigratedDatabase } from '../../support/market.js';
import { addItems, clearMarket, DAY_MS, HOUR_MS, MINUTE_MS, quote } from './fixtures.js';

/** 00:30 UTC the day after the prices below. */
const NOW = new Date('2026-11-18T00:30:00Z');
const RETENTION_MS = 30 * DAY_MS;

const database = useMigratedDatabase();
let a: number;
let b: number;

interface RollupRow {
  readonly item_id: number;
  readonly source: string;
  readonly bucket: Date;
  readonly open_cents: number;
  readonly close_cents: number;
  readonly avg_cents: number;
  readonly min_cents: number;
  readonly max_cents: number;
  readonly stddev_cents: number;
  readonly volume: number | null;
  readonly samples: number;
}

async function rollups(table: 'price_rollups_hourly' | 'price_rollups_daily') {
  const { rows } = await sql<RollupRow>`
    select item_id, source, bucket, open_cents, close_cents, avg_cents, min_cents, max_cents,
      stddev_cents, volume, samples
    from ${sql.table(table)} order by item_id, source, bucket`.execute(database().db);
  return rows;
}

async function watermarks(): Promise<Record<string, Date | null>> {
  const { rows } = await sql<{ rollup: string; rolled_up_to: Date | null }>`
    select rollup, rolled_up_to from price_rollup_watermarks`.execute(database().db);
  return Object.fromEntries(rows.map((row) => [row.rollup, row.rolled_up_to]));
}

function bucket(
  itemId: number,
  source: string,
  start: string,
  values: Omit<RollupRow, 'item_id' | 'source' | 'bucket'>,
): RollupRow {
  return { item_id: itemId, source, bucket: new Date(start), ...values };
}

const at = (iso: string) => Date.parse(iso);

beforeEach(async () => {
  await clearMarket(database());
  [a = 0, b = 0] = await addItems(database(), 2);
  await writePrices(database(), [
    quote(a, at('2026-11-17T09:59:59.999Z'), 50, { volume: 1 }),
    quote(a, at('2026-11-17T10:00:00.000Z'), 100, { volume: 5 }),
    quote(a, at('2026-11-17T10:15:00.000Z'), 300),
    quote(a, at('2026-11-17T10:59:59.999Z'), 200, { volume: 7 }),
    quote(a, at('2026-11-17T11:00:00.000Z'), 1000),
    quote(a, at('2026-11-17T10:30:00.000Z'), 400, { source: 'steam' }),
    quote(b, at('2026-11-16T23:59:59.999Z'), 70),
    // In the hour (and day) still in progress at NOW.
    quote(a, at('2026-11-18T00:10:00.000Z'), 9999),
  ]);
});

const single = (cents: number, volume: number | null = null) => ({
  open_cents: cents,
  close_cents: cents,
  avg_cents: cents,
  min_cents: cents,
  max_cents: cents,
  stddev_cents: 0,
  volume,
  samples: 1,
});

describe('rollUpPrices', () => {
  it('rolls up every complete hour and day: open, close, avg, min, max, population stddev, last volume, samples', async () => {
    await rollUpPrices(database(), { now: NOW, graceMs: 0, rawRetentionMs: RETENTION_MS });
    const hourly = await rollups('price_rollups_hourly');
    expect(hourly).toEqual([
      bucket(a, 'demo', '2026-11-17T09:00:00Z', single(50, 1)),
      bucket(a, 'demo', '2026-11-17T10:00:00Z', {
        open_cents: 100,
        close_cents: 200,
        avg_cents: 200,
        min_cents: 100,
        max_cents: 300,
        // sqrt(((100-200)^2 + (300-200)^2 + (200-200)^2) / 3)
        stddev_cents: expect.closeTo(81.649658, 5),
        volume: 7,
        samples: 3,
      }),
      bucket(a, 'demo', '2026-11-17T11:00:00Z', single(1000)),
      bucket(a, 'steam', '2026-11-17T10:00:00Z', single(400)),
      bucket(b, 'demo', '2026-11-16T23:00:00Z', single(70)),
    ]);
    expect(await rollups('price_rollups_daily')).toEqual([
      bucket(a, 'demo', '2026-11-17T00:00:00Z', {
        open_cents: 50,
        close_cents: 1000,
        // (50 + 100 + 300 + 200 + 1000) / 5
        avg_cents: 330,
        min_cents: 50,
        max_cents: 1000,
        // sqrt((280^2 + 230^2 + 30^2 + 130^2 + 670^2) / 5) = sqrt(119600)
        stddev_cents: expect.closeTo(345.832329, 5),
        // The 11:00 quote has no volume: the last one that does is 10:59:59.999's.
        volume: 7,
        samples: 5,
      }),
      bucket(a, 'steam', '2026-11-17T00:00:00Z', single(400)),
      bucket(b, 'demo', '2026-11-16T00:00:00Z', single(70)),
    ]);
    expect(await watermarks()).toEqual({
      hourly: new Date('2026-11-18T00:00:00Z'),
      daily: new Date('2026-11-18T00:00:00Z'),
    });
  });

  it('leaves a bucket alone until it ended at least the grace period ago', async () => {
    await writePrices(database(), [quote(a, at('2026-11-17T23:30:00Z'), 600)]);
    const reports = await rollUpPrices(database(), {
      now: NOW,
      graceMs: 45 * MINUTE_MS,
      rawRetentionMs: RETENTION_MS,
    });
    expect(reports.map((report) => report.rollup)).toEqual(['hourly', 'daily']);
    const hourly = await rollups('price_rollups_hourly');
    expect(hourly.map((row) => row.bucket.toISOString())).not.toContain('2026-11-17T23:00:00.000Z');
    // The day ended only 30 minutes ago.
    expect((await rollups('price_rollups_daily')).map((row) => row.bucket.toISOString())).toEqual([
      '2026-11-16T00:00:00.000Z',
    ]);
    expect(await watermarks()).toEqual({
      hourly: new Date('2026-11-17T23:00:00Z'),
      daily: new Date('2026-11-17T00:00:00Z'),
    });
  });

  it('changes nothing when run again, and later rolls up only what is new', async () => {
    const options = { now: NOW, graceMs: 0, rawRetentionMs: RETENTION_MS };
    const first = await rollUpPrices(database(), options);
    expect(first.map((report) => report.rolledUp)).toEqual([5, 3]);
    const hourly = await rollups('price_rollups_hourly');
    const daily = await rollups('price_rollups_daily');
    const again = await rollUpPrices(database(), options);
    expect(again.map((report) => report.rolledUp)).toEqual([0, 0]);
    expect(await rollups('price_rollups_hourly')).toEqual(hourly);
    expect(await rollups('price_rollups_daily')).toEqual(daily);

    const later = await rollUpPrices(database(), {
      ...options,
      now: new Date(NOW.getTime() + DAY_MS),
    });
    expect(later.map((report) => report.rolledUp)).toEqual([1, 1]);
    expect((await rollups('price_rollups_hourly')).at(3)).toEqual(
      bucket(a, 'demo', '2026-11-18T00:00:00Z', single(9999)),
    );
  });

  it('rolls a bucket up again when a late row lands in it, in both rollups', async () => {
    const options = { now: NOW, graceMs: 0, rawRetentionMs: RETENTION_MS };
    await rollUpPrices(database(), options);
    await writePrices(database(), [quote(a, at('2026-11-17T10:45:00Z'), 500, { volume: 9 })]);
    const reports = await rollUpPrices(database(), options);
    expect(reports).toEqual([
      { rollup: 'hourly', rolledUp: 0, rolledUpAgain: 1, tooOld: 0 },
      { rollup: 'daily', rolledUp: 0, rolledUpAgain: 1, tooOld: 0 },
    ]);
    const hour = (await rollups('price_rollups_hourly')).find(
      (row) => row.source === 'demo' && row.bucket.toISOString() === '2026-11-17T10:00:00.000Z',
    );
    // 100, 300, 500, 200 in time order.
    expect(hour).toMatchObject({
      open_cents: 100,
      close_cents: 200,
      avg_cents: 275,
      min_cents: 100,
      max_cents: 500,
      volume: 7,
      samples: 4,
    });
    expect(hour?.stddev_cents).toBeCloseTo(
      Math.sqrt((175 ** 2 + 25 ** 2 + 225 ** 2 + 75 ** 2) / 4),
    );
    const day = (await rollups('price_rollups_daily')).find(
      (row) => row.item_id === a && row.source === 'demo',
    );
    expect(day).toMatchObject({ avg_cents: 2150 / 6, max_cents: 1000, samples: 6, volume: 7 });
    const { rows } = await sql`select * from price_rollup_pending`.execute(database().db);
    expect(rows).toEqual([]);
  });

  it('does not roll up again a bucket older than the raw retention, whose raw rows may be gone', async () => {
    const options = { now: NOW, graceMs: 0, rawRetentionMs: RETENTION_MS };
    await rollUpPrices(database(), options);
    const before = await rollups('price_rollups_hourly');
    await sql`delete from prices where observed_at < ${new Date('2026-11-17T10:30:00Z')}`.execute(
      database().db,
    );
    await writePrices(database(), [quote(a, at('2026-11-17T10:20:00Z'), 5)]);
    const reports = await rollUpPrices(database(), {
      ...options,
      now: new Date(NOW.getTime() + HOUR_MS),
      rawRetentionMs: 12 * HOUR_MS,
    });
    expect(reports.map(({ rolledUpAgain, tooOld }) => ({ rolledUpAgain, tooOld }))).toEqual([
      { rolledUpAgain: 0, tooOld: 1 },
      { rolledUpAgain: 0, tooOld: 1 },
    ]);
    const after = await rollups('price_rollups_hourly');
    expect(after.filter((row) => row.bucket < new Date('2026-11-18T00:00:00Z'))).toEqual(before);
  });

  it('does nothing on an empty table, then starts from the first row', async () => {
    await sql`delete from prices`.execute(database().db);
    const empty = await rollUpPrices(database(), {
      now: NOW,
      graceMs: 0,
      rawRetentionMs: RETENTION_MS,
    });
    expect(empty.map((report) => report.rolledUp)).toEqual([0, 0]);
    expect(await watermarks()).toEqual({ hourly: null, daily: null });
    await writePrices(database(), [quote(a, at('2026-11-10T05:05:00Z'), 10)]);
    await rollUpPrices(database(), { now: NOW, graceMs: 0, rawRetentionMs: RETENTION_MS });
    expect(await rollups('price_rollups_hourly')).toEqual([
      bucket(a, 'demo', '2026-11-10T05:00:00Z', single(10)),
    ]);
    expect(await watermarks()).toEqual({
      hourly: new Date('2026-11-18T00:00:00Z'),
      daily: new Date('2026-11-18T00:00:00Z'),
    });
  });
});
