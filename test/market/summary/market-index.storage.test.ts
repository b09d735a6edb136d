// The market index against values worked out by hand: a basket weighted by
// traded value, a fixed basket within a day, and a chain link at each
// reweight.
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  BASKET_SIZE,
  indexHistory,
  indexState,
  indexValueAt,
  stepIndex,
} from '../../../src/market/summary/market-index.js';
import type { Database } from '../../../src/platform/db/index.js';
import { useMigratedDatabase } from '../../support/market.js';
import { clearMarket, DAY_MS, HOUR_MS, MINUTE_MS } from '../ingest/fixtures.js';

const database = useMigratedDatabase();
const DAY1 = Date.parse('2026-11-20T00:30:00Z');
let items: number[];

async function setSummary(target: Database, itemId: number, price: number, volume: number | null) {
  await sql`insert into market_summary (item_id, source, market_hash_name, category, stattrak,
      souvenir, price_cents, observed_at, volume, sparkline, sparkline_at, updated_at)
    select id, 'demo', market_hash_name, category, false, false, ${price}, now(), ${volume},
      array[${price}]::bigint[], now(), now() from items where id = ${itemId}
    on conflict (item_id, source) do update set price_cents = excluded.price_cents,
      volume = excluded.volume`.execute(target.db);
}

beforeEach(async () => {
  await clearMarket(database());
  for (const table of [
    'market_summary',
    'market_index_state',
    'market_index_points',
    'market_index_hourly',
  ]) {
    await sql`delete from ${sql.table(table)}`.execute(database().db);
  }
  const { rows } = await sql<{ id: number }>`insert into items (market_hash_name, category)
    select 'Index Item ' || g, 'weapon skin' from generate_series(1, 4) g returning id`.execute(
    database().db,
  );
  items = rows.map((row) => row.id);
});

describe('the market index', () => {
  it('starts at 1,000 over the most traded items, weighted by traded value', async () => {
    const [a = 0, b = 0, c = 0, d = 0] = items;
    await setSummary(database(), a, 1000, 30); // traded 30,000
    await setSummary(database(), b, 2000, 5); // traded 10,000
    await setSummary(database(), c, 50, 10_000); // under the price floor: left out
    await setSummary(database(), d, 5000, null); // no volume: left out
    const first = await stepIndex(database(), 'demo', new Date(DAY1));
    expect(first?.value).toBe(1000);
    expect(first?.basket).toEqual([
      { item_id: a, weight: 0.75, base_price_cents: 1000 },
      { item_id: b, weight: 0.25, base_price_cents: 2000 },
    ]);
  });

  it('moves with the basket within a day: 1,000 × (0.75 × 1.1 + 0.25 × 0.9) = 1,050', async () => {
    const [a = 0, b = 0] = items;
    await setSummary(database(), a, 1000, 30);
    await setSummary(database(), b, 2000, 5);
    await stepIndex(database(), 'demo', new Date(DAY1));
    await setSummary(database(), a, 1100, 1); // volume changes do not reweight within a day
    await setSummary(database(), b, 1800, 999);
    const later = await stepIndex(database(), 'demo', new Date(DAY1 + 6 * HOUR_MS));
    expect(later?.value).toBeCloseTo(1050, 9);
    expect(later?.basket.map((item) => item.weight)).toEqual([0.75, 0.25]);
  });

  it('reweights on a new UTC day and chains on from the value it reached', async () => {
    const [a = 0, b = 0] = items;
    await setSummary(database(), a, 1000, 30);
    await setSummary(database(), b, 2000, 5);
    await stepIndex(database(), 'demo', new Date(DAY1));
    await setSummary(database(), a, 1100, 10); // traded 11,000
    await setSummary(database(), b, 1800, 5); // traded 9,000
    const reweighted = await stepIndex(database(), 'demo', new Date(DAY1 + DAY_MS));
    // The old basket's value at the link: 1,050; the new basket starts there.
    expect(reweighted?.value).toBeCloseTo(1050, 9);
    expect(reweighted?.basket.map((item) => item.weight)).toEqual([0.55, 0.45]);
    await setSummary(database(), a, 1210, 10);
    await setSummary(database(), b, 1800, 5);
    const next = await stepIndex(database(), 'demo', new Date(DAY1 + DAY_MS + HOUR_MS));
    // 1,050 × (0.55 × 1.1 + 0.45 × 1) = 1,050 × 1.055
    expect(next?.value).toBeCloseTo(1050 * 1.055, 9);
    expect((await indexState(database(), 'demo'))?.value).toBeCloseTo(1050 * 1.055, 9);
  });

  it('has no index until an item qualifies, and keeps the basket under its size', async () => {
    expect(await stepIndex(database(), 'demo', new Date(DAY1))).toBeNull();
    await setSummary(database(), items[0] as number, 500, 3);
    const state = await stepIndex(database(), 'demo', new Date(DAY1));
    expect(state?.basket.length).toBeLessThanOrEqual(BASKET_SIZE);
    expect(state?.basket).toHaveLength(1);
  });

  it('keeps points and hourly closes for charts, and reads a value a day back', async () => {
    const [a = 0] = items;
    await setSummary(database(), a, 1000, 10);
    for (let minute = 0; minute < 120; minute += 10) {
      await setSummary(database(), a, 1000 + minute, 10);
      await stepIndex(database(), 'demo', new Date(DAY1 + minute * MINUTE_MS));
    }
    const now = new Date(DAY1 + 119 * MINUTE_MS);
    const hourly = await indexHistory(database(), { source: 'demo', window: '7d', now });
    expect(hourly.map((point) => point.time)).toEqual([
      '2026-11-20T00:00:00.000Z',
      '2026-11-20T01:00:00.000Z',
      '2026-11-20T02:00:00.000Z',
    ]);
    expect(hourly[1]).toMatchObject({ open: 1030, close: 1080, low: 1030, high: 1080 });
    const recent = await indexHistory(database(), { source: 'demo', window: '1h', now });
    expect(recent.at(-1)?.close).toBe(1110);
    expect(await indexValueAt(database(), 'demo', new Date(DAY1 + 25 * MINUTE_MS))).toBe(1020);
    expect(await indexValueAt(database(), 'demo', new Date(DAY1 - MINUTE_MS))).toBeNull();
  });
});
