// The market summary kept by ingestion: one row per (item, source) with the
// latest price, its changes over 1 h, 24 h and 7 d, the volume, the 24 h
// volatility and a 7-day sparkline, right whatever order batches arrive in.
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { writePrices } from '../../../src/market/ingest/index.js';
import { rollUpPrices } from '../../../src/market/ingest/rollups.js';
import { refreshSummaries } from '../../../src/market/summary/refresh.js';
import { volatilityKey } from '../../../src/market/volatility/cache.js';
import type { Database } from '../../../src/platform/db/index.js';
import type { Store } from '../../../src/platform/store/index.js';
import { openTestStore } from '../../support/backends.js';
import { useMigratedDatabase } from '../../support/market.js';
import { addItems, clearMarket, DAY_MS, HOUR_MS, MINUTE_MS, quote } from '../ingest/fixtures.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const database = useMigratedDatabase();
let store: Store;
let items: number[];

beforeEach(async () => {
  await clearMarket(database());
  await sql`delete from market_summary`.execute(database().db);
  store = (await openTestStore()).store;
  items = await addItems(database(), 3);
});

interface SummaryRow {
  item_id: number;
  price_cents: number;
  volume: number | null;
  change_1h: number | null;
  change_24h: number | null;
  change_7d: number | null;
  volatility: number | null;
  sparkline: number[];
}

async function summaryOf(target: Database, itemId: number): Promise<SummaryRow | undefined> {
  const { rows } = await sql<SummaryRow>`select item_id, price_cents, volume, change_1h,
      change_24h, change_7d, volatility, sparkline from market_summary
    where item_id = ${itemId} and source = 'demo'`.execute(target.db);
  return rows[0];
}

const refresh = (itemIds: readonly number[], now = NOW) =>
  refreshSummaries({ database: database(), store, source: 'demo', itemIds, now: new Date(now) });

describe('refreshSummaries', () => {
  it('gives the latest price, its changes, the volume and the cached volatility', async () => {
    const [item = 0] = items;
    await writePrices(database(), [
      quote(item, NOW - 7 * DAY_MS, 1000),
      quote(item, NOW - DAY_MS, 1600),
      quote(item, NOW - HOUR_MS, 1900),
      quote(item, NOW - MINUTE_MS, 2000, { volume: 42 }),
    ]);
    await store.set(
      volatilityKey('demo', '24h', item),
      JSON.stringify({ coefficient_of_variation: 0.125 }),
    );
    expect(await refresh([item])).toBe(1);
    const row = await summaryOf(database(), item);
    expect(row).toMatchObject({ price_cents: 2000, volume: 42, volatility: 0.125 });
    expect(row?.change_1h).toBeCloseTo((100 * 100) / 1900, 6);
    expect(row?.change_24h).toBeCloseTo(25, 6);
    expect(row?.change_7d).toBeCloseTo(100, 6);
  });

  it('has no change for a window with no price within one window before its start', async () => {
    const [stale = 0, recent = 0] = items;
    await writePrices(database(), [
      quote(stale, NOW - 3 * DAY_MS, 500),
      quote(stale, NOW - MINUTE_MS, 600),
      quote(recent, NOW - 30 * HOUR_MS, 500),
      quote(recent, NOW - MINUTE_MS, 600),
    ]);
    await refresh([stale, recent]);
    expect(await summaryOf(database(), stale)).toMatchObject({
      change_1h: null,
      change_24h: null,
      change_7d: null,
    });
    const row = await summaryOf(database(), recent);
    expect(row?.change_24h).toBeCloseTo(20, 6);
    expect(row?.change_7d).toBeNull();
  });

  it('reads a change from hourly closes once the raw rows are gone', async () => {
    const [item = 0] = items;
    await writePrices(database(), [
      quote(item, NOW - 7 * DAY_MS - 30 * MINUTE_MS, 800),
      quote(item, NOW - MINUTE_MS, 1000),
    ]);
    await rollUpPrices(database(), {
      now: new Date(NOW),
      graceMs: 2 * HOUR_MS,
      rawRetentionMs: 30 * DAY_MS,
      signal: new AbortController().signal,
    });
    await sql`delete from prices where observed_at < ${new Date(NOW - DAY_MS)}`.execute(
      database().db,
    );
    await refresh([item]);
    expect((await summaryOf(database(), item))?.change_7d).toBeCloseTo(25, 6);
  });

  it('draws a sparkline of six-hour closes over seven days', async () => {
    const [item = 0] = items;
    const quotes = Array.from({ length: 7 * 24 }, (_, hour) =>
      quote(item, NOW - 7 * DAY_MS + hour * HOUR_MS + MINUTE_MS, 1000 + hour),
    );
    await writePrices(database(), quotes);
    await refresh([item]);
    const { sparkline = [] } = (await summaryOf(database(), item)) ?? {};
    expect(sparkline.length).toBeGreaterThanOrEqual(28);
    expect(sparkline.length).toBeLessThanOrEqual(29);
    expect(sparkline.at(-1)).toBe(1000 + 7 * 24 - 1);
    expect([...sparkline].sort((a, b) => a - b)).toEqual(sparkline);
  });

  it('stays right when an older batch arrives after a newer one, or one arrives twice', async () => {
    const [item = 0] = items;
    await writePrices(database(), [quote(item, NOW - MINUTE_MS, 2000)]);
    await refresh([item]);
    await writePrices(database(), [quote(item, NOW - 10 * MINUTE_MS, 1500)]);
    await refresh([item]);
    await writePrices(database(), [quote(item, NOW - MINUTE_MS, 2000)]);
    await refresh([item]);
    expect((await summaryOf(database(), item))?.price_cents).toBe(2000);
  });

  it('leaves items without a price out, and counts the rows it wrote', async () => {
    const [priced = 0, unpriced = 0] = items;
    await writePrices(database(), [quote(priced, NOW - MINUTE_MS, 100)]);
    expect(await refresh([priced, unpriced])).toBe(1);
    expect(await summaryOf(database(), unpriced)).toBeUndefined();
  });
});
