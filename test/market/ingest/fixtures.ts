// Items and quotes for the ingestion tests.
import { sql } from 'kysely';
import type { PriceQuote, PriceSource } from '../../../src/market/types.js';
import type { Database } from '../../../src/platform/db/index.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Adds `count` catalog items and returns their ids, in order. */
export async function addItems(database: Database, count: number): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    insert into items (market_hash_name, category)
    select 'Test Item ' || g || ' ' || gen_random_uuid(), 'weapon skin'
    from generate_series(1, ${count}::int) as g
    returning id`.execute(database.db);
  return rows.map((row) => row.id);
}

export function quote(
  itemId: number,
  at: Date | number,
  priceCents: number,
  extra: { source?: PriceSource; volume?: number; listings?: number } = {},
): PriceQuote {
  return {
    item_id: itemId,
    source: extra.source ?? 'demo',
    price_cents: priceCents,
    ...(extra.volume === undefined ? {} : { volume: extra.volume }),
    ...(extra.listings === undefined ? {} : { listings: extra.listings }),
    observed_at: new Date(at),
  };
}

export interface StoredRow {
  readonly item_id: number;
  readonly source: string;
  readonly observed_at: Date;
  readonly price_cents: number;
  readonly volume: number | null;
  readonly listings: number | null;
}

export async function storedPrices(database: Database): Promise<StoredRow[]> {
  const { rows } = await sql<StoredRow>`
    select item_id, source, observed_at, price_cents, volume, listings from prices
    order by item_id, source, observed_at`.execute(database.db);
  return rows;
}

export async function countPrices(database: Database): Promise<number> {
  const { rows } = await sql<{ count: number }>`select count(*)::int as count from prices`.execute(
    database.db,
  );
  return rows[0]?.count ?? 0;
}

export async function clearMarket(database: Database): Promise<void> {
  await sql`delete from items`.execute(database.db);
  await sql`delete from price_rollups_hourly`.execute(database.db);
  await sql`delete from price_rollups_daily`.execute(database.db);
  await sql`update price_rollup_watermarks set rolled_up_to = null`.execute(database.db);
}
