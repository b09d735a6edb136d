// The series volatility is computed over, loaded for many items of one source
// in one statement: a full recompute is a few set-based queries per chunk of
// items, not a round trip per item and window.
//
// Short windows read the raw observations, which are dense enough there; 7d
// and 30d read the hourly rollups (one point per hour, its average price),
// because raw rows may be retained for less than 30 days and thousands of
// points per item would cost more to load than they add. A rollup's hour is
// in the window when it starts inside it, and the hour in progress, not yet
// rolled up, is not counted. Both ends of a window are inclusive: a point
// observed exactly at `now − window` or exactly at `now` is in, as in the
// price history.
//
// Each item's points travel as two JSON arrays, which both database drivers
// parse natively, with times in epoch milliseconds from date_part (a double:
// extract() computes in numeric, which is slower per row). Items with
// fewer points than the minimum are dropped in the database instead of sent.
import { sql } from 'kysely';
import type { Database } from '../../platform/db/index.js';
import { type PriceSource, type VolatilityWindow, WINDOW_MS } from '../types.js';
import { MINIMUM_POINTS, type Series } from './formulas.js';

/** Where each window's points come from. */
export const SERIES_ORIGIN: Readonly<Record<VolatilityWindow, 'prices' | 'price_rollups_hourly'>> =
  {
    '1h': 'prices',
    '24h': 'prices',
    '7d': 'price_rollups_hourly',
    '30d': 'price_rollups_hourly',
  };

export interface SeriesQuery {
  readonly source: PriceSource;
  readonly window: VolatilityWindow;
  readonly itemIds: readonly number[];
  /** The window ends here and starts one window length before. */
  readonly now: Date;
}

interface SeriesRow {
  item_id: number;
  times: number[];
  prices: number[];
}

/** The window's series of each item that has at least MINIMUM_POINTS in it. */
export async function loadSeries(
  database: Database,
  query: SeriesQuery,
): Promise<Map<number, Series>> {
  const series = new Map<number, Series>();
  if (query.itemIds.length === 0) return series;
  const start = new Date(query.now.getTime() - WINDOW_MS[query.window]);
  const ids = [...query.itemIds];
  const statement =
    SERIES_ORIGIN[query.window] === 'prices'
      ? sql<SeriesRow>`select item_id,
            json_agg(round(date_part('epoch', observed_at) * 1000) order by observed_at) as times,
            json_agg(price_cents order by observed_at) as prices
          from prices
          where source = ${query.source} and item_id = any(${ids}::int[])
            and observed_at >= ${start} and observed_at <= ${query.now}
          group by item_id
          having count(*) >= ${MINIMUM_POINTS}`
      : sql<SeriesRow>`select item_id,
            json_agg(round(date_part('epoch', bucket) * 1000) order by bucket) as times,
            json_agg(avg_cents order by bucket) as prices
          from price_rollups_hourly
          where source = ${query.source} and item_id = any(${ids}::int[])
            and bucket >= ${start} and bucket <= ${query.now}
          group by item_id
          having count(*) >= ${MINIMUM_POINTS}`;
  const { rows } = await statement.execute(database.db);
  for (const row of rows) series.set(row.item_id, { timesMs: row.times, values: row.prices });
  return series;
}
