// The Tracera CS2 index of a source: a chain-linked Laspeyres index over the
// BASKET_SIZE most traded items (by traded value, price times volume, among
// items priced at least BASKET_MIN_PRICE_CENTS), reweighted once a UTC day.
//
// At a reweight each basket item gets a weight (its share of the basket's
// traded value) and a base price (its price then), and the index's value then
// becomes the new base value. Until the next reweight:
//
//   value = base value × Σ weight × price now / base price
//
// so within a day it is a fixed basket, and across days the links chain,
// starting at INDEX_BASE. An item of the basket without a price now counts at
// its base price (it moves the index by nothing). The formula and the basket
// are described in docs/market-data.md; the tests check values by hand.
import { sql } from 'kysely';
import type { Database } from '../../platform/db/index.js';
import { DAY_MS, HOUR_MS } from '../../platform/time.js';
import { HISTORY_RESOLUTION } from '../history.js';
import { BUCKET_ORIGIN, type HistoryWindow, type PriceSource, WINDOW_MS } from '../types.js';

export const INDEX_BASE = 1000;
export const BASKET_SIZE = 50;
/** Cent-priced items move in whole percent steps of rounding: they are kept out of the basket. */
export const BASKET_MIN_PRICE_CENTS = 100;

export interface BasketItem {
  readonly item_id: number;
  readonly weight: number;
  readonly base_price_cents: number;
}

export interface IndexState {
  readonly source: PriceSource;
  readonly value: number;
  /** The value at the last reweight, which the basket's ratios scale. */
  readonly baseValue: number;
  readonly basket: readonly BasketItem[];
  readonly reweightedAt: Date;
  readonly computedAt: Date;
}

interface StoredBasket {
  readonly base_value: number;
  readonly items: readonly BasketItem[];
}

const startOfUtcDay = (at: Date) => new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);

export async function indexState(
  database: Database,
  source: PriceSource,
): Promise<IndexState | null> {
  const { rows } = await sql<{
    value: number;
    basket: StoredBasket | string;
    reweighted_at: Date;
    computed_at: Date;
  }>`select value, basket, reweighted_at, computed_at from market_index_state
    where source = ${source}`.execute(database.db);
  const row = rows[0];
  if (!row) return null;
  // jsonb arrives parsed from pg, and as text from PGlite's dialect in some versions.
  const basket =
    typeof row.basket === 'string' ? (JSON.parse(row.basket) as StoredBasket) : row.basket;
  return {
    source,
    value: row.value,
    baseValue: basket.base_value,
    basket: basket.items,
    reweightedAt: row.reweighted_at,
    computedAt: row.computed_at,
  };
}

/** An item's latest price and the volume its source reported with it. */
export interface TradedItem {
  readonly item_id: number;
  readonly price_cents: number;
  readonly volume: number;
}

/**
 * The prices an index step reads: the market summary's latest prices when
 * the index follows ingestion, or another view of the same prices as of a
 * past moment when history is filled in (ingest/demo-backfill.ts).
 */
export interface IndexPrices {
  /**
   * The `limit` items of most traded value (price times volume), most first,
   * ties by item id, among those priced at least `minPriceCents` with a volume.
   */
  mostTraded(limit: number, minPriceCents: number): Promise<readonly TradedItem[]>;
  /** The latest price of each of `itemIds` that has one. */
  pricesOf(itemIds: readonly number[]): Promise<ReadonlyMap<number, number>>;
}

/** The latest prices of `source` in market_summary. */
export function summaryPrices(database: Database, source: PriceSource): IndexPrices {
  return {
    async mostTraded(limit, minPriceCents) {
      const { rows } = await sql<TradedItem>`
        select item_id, price_cents, volume from market_summary
        where source = ${source} and price_cents >= ${minPriceCents} and volume > 0
        order by (price_cents::float8 * volume) desc, item_id
        limit ${limit}`.execute(database.db);
      return rows;
    },
    async pricesOf(itemIds) {
      const { rows } = await sql<{ item_id: number; price_cents: number }>`
        select item_id, price_cents from market_summary
        where source = ${source} and item_id = any(${[...itemIds]}::int[])`.execute(database.db);
      return new Map(rows.map((row) => [row.item_id, row.price_cents]));
    },
  };
}

/** The most traded items now, weighted by their share of the basket's traded value. */
async function chooseBasket(prices: IndexPrices): Promise<BasketItem[]> {
  const rows = await prices.mostTraded(BASKET_SIZE, BASKET_MIN_PRICE_CENTS);
  const traded = rows.map((row) => row.price_cents * row.volume);
  const total = traded.reduce((sum, value) => sum + value, 0);
  if (total <= 0) return [];
  return rows.map((row, index) => ({
    item_id: row.item_id,
    weight: (traded[index] ?? 0) / total,
    base_price_cents: row.price_cents,
  }));
}

/** Σ weight × price / base price over the basket, at the latest prices. */
async function basketRatio(prices: IndexPrices, basket: readonly BasketItem[]): Promise<number> {
  if (basket.length === 0) return 1;
  const latest = await prices.pricesOf(basket.map((item) => item.item_id));
  return basket.reduce((sum, item) => {
    const price = latest.get(item.item_id) ?? item.base_price_cents;
    return sum + (item.weight * price) / item.base_price_cents;
  }, 0);
}

/**
 * Steps the index of `source` to `now`: reweights first when the UTC day
 * changed since the last reweight (or there is no index yet), then records
 * the value as a point and in its hour. Returns the new state, or null while
 * no item qualifies for a basket. Prices are the market summary's unless
 * given.
 */
export async function stepIndex(
  database: Database,
  source: PriceSource,
  now: Date,
  prices: IndexPrices = summaryPrices(database, source),
): Promise<IndexState | null> {
  const previous = await indexState(database, source);
  let baseValue = previous?.baseValue ?? INDEX_BASE;
  let basket = previous?.basket ?? [];
  let reweightedAt = previous?.reweightedAt ?? now;
  let value = previous ? previous.baseValue * (await basketRatio(prices, basket)) : INDEX_BASE;
  if (!previous || startOfUtcDay(previous.reweightedAt) < startOfUtcDay(now)) {
    const chosen = await chooseBasket(prices);
    if (chosen.length === 0) return previous;
    // The new basket starts from the value the old one reached: the chain's link.
    baseValue = value;
    basket = chosen;
    reweightedAt = now;
  }
  value = baseValue * (await basketRatio(prices, basket));
  const stored: StoredBasket = { base_value: baseValue, items: basket };
  const hour = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
  await database.db.transaction().execute(async (trx) => {
    await sql`insert into market_index_state (source, value, basket, reweighted_at, computed_at)
      values (${source}, ${value}, ${JSON.stringify(stored)}::jsonb, ${reweightedAt}, ${now})
      on conflict (source) do update set value = excluded.value, basket = excluded.basket,
        reweighted_at = excluded.reweighted_at, computed_at = excluded.computed_at`.execute(trx);
    await sql`insert into market_index_points (source, at, value) values (${source}, ${now}, ${value})
      on conflict (source, at) do update set value = excluded.value`.execute(trx);
    await sql`insert into market_index_hourly (source, bucket, open, close, low, high)
      values (${source}, ${hour}, ${value}, ${value}, ${value}, ${value})
      on conflict (source, bucket) do update set close = excluded.close,
        low = least(market_index_hourly.low, excluded.low),
        high = greatest(market_index_hourly.high, excluded.high)`.execute(trx);
  });
  return { source, value, baseValue, basket, reweightedAt, computedAt: now };
}

export interface IndexPoint {
  readonly time: string;
  readonly open: number;
  readonly close: number;
  readonly low: number;
  readonly high: number;
}

/** The index value at or before `at`, looked for no earlier than a day before it. */
export async function indexValueAt(
  database: Database,
  source: PriceSource,
  at: Date,
): Promise<number | null> {
  const { rows } = await sql<{ value: number }>`select value from market_index_points
    where source = ${source} and at <= ${at} and at >= ${new Date(at.getTime() - DAY_MS)}
    order by at desc limit 1`.execute(database.db);
  if (rows[0]) return rows[0].value;
  const hourly = await sql<{ close: number }>`select close from market_index_hourly
    where source = ${source} and bucket <= ${new Date(at.getTime() - HOUR_MS)}
      and bucket >= ${new Date(at.getTime() - DAY_MS)}
    order by bucket desc limit 1`.execute(database.db);
  return hourly.rows[0]?.close ?? null;
}

/**
 * The index over a window in chart buckets of the same width as an item's
 * (history.ts): short windows from the points, long ones from the hourly
 * closes, which are kept forever.
 */
export async function indexHistory(
  database: Database,
  query: { readonly source: PriceSource; readonly window: HistoryWindow; readonly now: Date },
): Promise<IndexPoint[]> {
  const { source, window, now } = query;
  const { bucketMs, rollups } = HISTORY_RESOLUTION[window];
  const from = new Date(now.getTime() - WINDOW_MS[window]);
  const step = `${bucketMs} milliseconds`;
  const pieces = rollups
    ? sql`select bucket as t, open, close, low, high from market_index_hourly
        where source = ${source} and bucket >= ${from} and bucket <= ${now}`
    : sql`select at as t, value as open, value as close, value as low, value as high
        from market_index_points where source = ${source} and at >= ${from} and at <= ${now}`;
  const { rows } = await sql<{ time_ms: number } & Omit<IndexPoint, 'time'>>`
    with pieces as (${pieces})
    select
      extract(epoch from date_bin(${step}::interval, t, ${BUCKET_ORIGIN}::timestamptz))::float8
        * 1000 as time_ms,
      (array_agg(open order by t))[1] as open,
      (array_agg(close order by t desc))[1] as close,
      min(low) as low,
      max(high) as high
    from pieces group by 1 order by 1`.execute(database.db);
  return rows.map(({ time_ms, ...values }) => ({
    time: new Date(time_ms).toISOString(),
    ...values,
  }));
}

/** Index points older than the raw price retention go; the hourly closes stay. */
export async function deleteExpiredIndexPoints(database: Database, before: Date): Promise<void> {
  await sql`delete from market_index_points where at < ${before}`.execute(database.db);
}
