// Raw retention: rows older than PRICE_RAW_RETENTION_DAYS go, rollups stay
// forever, and rows the rollups have not covered yet are never deleted.
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  deleteExpiredPrices,
  RETENTION_ROWS_PER_STATEMENT,
} from '../../../src/market/ingest/retention.js';
import { rollUpPrices } from '../../../src/market/ingest/rollups.js';
import { writePrices } from '../../../src/market/ingest/write-prices.js';
import { useMigratedDatabase } from '../../support/market.js';
import { addItems, clearMarket, countPrices, DAY_MS, HOUR_MS, quote } from './fixtures.js';

const NOW = new Date('2026-11-17T12:30:00Z');
const RETENTION_MS = 30 * DAY_MS;
const CUTOFF = NOW.getTime() - RETENTION_MS;

const database = useMigratedDatabase();
let item: number;

async function rollupCounts(): Promise<{ hourly: number; daily: number }> {
  const { rows } = await sql<{ hourly: number; daily: number }>`
    select (select count(*) from price_rollups_hourly)::int as hourly,
      (select count(*) from price_rollups_daily)::int as daily`.execute(database().db);
  return rows[0] ?? { hourly: 0, daily: 0 };
}

async function oldestStored(): Promise<Date | null> {
  const { rows } = await sql<{ oldest: Date | null }>`
    select min(observed_at) as oldest from prices`.execute(database().db);
  return rows[0]?.oldest ?? null;
}

beforeEach(async () => {
  await clearMarket(database());
  [item = 0] = await addItems(database(), 1);
  // One row an hour for 40 days up to NOW, and one exactly at the cutoff.
  const hours = 40 * 24;
  await writePrices(database(), [
    ...Array.from({ length: hours }, (_, i) => quote(item, NOW.getTime() - i * HOUR_MS, 100 + i)),
    quote(item, CUTOFF, 1),
  ]);
});

describe('deleteExpiredPrices', () => {
  it('deletes raw rows older than the retention and keeps every rollup', async () => {
    await rollUpPrices(database(), { now: NOW, graceMs: 0, rawRetentionMs: RETENTION_MS });
    const rollups = await rollupCounts();
    expect(rollups.hourly).toBeGreaterThan(30 * 24);
    const before = await countPrices(database());
    const deleted = await deleteExpiredPrices(database(), {
      now: NOW,
      rawRetentionMs: RETENTION_MS,
    });
    // 40 days of hours less the 30 days kept (the row at NOW included), plus nothing at the cutoff itself.
    expect(deleted).toBe(10 * 24 - 1);
    expect(await countPrices(database())).toBe(before - deleted);
    expect(await oldestStored()).toEqual(new Date(CUTOFF));
    expect(await rollupCounts()).toEqual(rollups);
    expect(await deleteExpiredPrices(database(), { now: NOW, rawRetentionMs: RETENTION_MS })).toBe(
      0,
    );
  });

  it('deletes nothing before both rollups have run', async () => {
    expect(await deleteExpiredPrices(database(), { now: NOW, rawRetentionMs: RETENTION_MS })).toBe(
      0,
    );
    await sql`update price_rollup_watermarks set rolled_up_to = ${NOW} where rollup = 'hourly'`.execute(
      database().db,
    );
    expect(await deleteExpiredPrices(database(), { now: NOW, rawRetentionMs: RETENTION_MS })).toBe(
      0,
    );
  });

  it('keeps rows a lagging rollup has not covered yet, even past the retention', async () => {
    const behind = new Date(CUTOFF - 5 * DAY_MS);
    await rollUpPrices(database(), { now: behind, graceMs: 0, rawRetentionMs: RETENTION_MS });
    const deleted = await deleteExpiredPrices(database(), {
      now: NOW,
      rawRetentionMs: RETENTION_MS,
    });
    // The daily rollup reached midnight before `behind` (35 days and 12.5 hours
    // before NOW): rows 853 to 959 hours old are behind it.
    expect(deleted).toBe(959 - 852);
    // Rows fall on the half hour: the first one after that midnight is the oldest kept.
    expect(await oldestStored()).toEqual(new Date('2026-10-13T00:30:00Z'));
  });

  it('deletes in statements of bounded size until done', async () => {
    const extra = await addItems(database(), 1);
    const old = NOW.getTime() - 2 * RETENTION_MS;
    const rows = RETENTION_ROWS_PER_STATEMENT + 10;
    await writePrices(
      database(),
      Array.from({ length: rows }, (_, i) => quote(extra[0] ?? 0, old + i, 1)),
    );
    await rollUpPrices(database(), { now: NOW, graceMs: 0, rawRetentionMs: RETENTION_MS });
    const deleted = await deleteExpiredPrices(database(), {
      now: NOW,
      rawRetentionMs: RETENTION_MS,
    });
    expect(deleted).toBe(rows + 10 * 24 - 1);
  });
});
