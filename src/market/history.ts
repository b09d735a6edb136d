// Price history sized for a chart: a window is cut into a fixed number of
// buckets (60 to 365), each with open, close, min, max and average price,
// the last volume seen and the number of observations behind it.
//
// The 1h and 24h windows are bucketed from raw observations, which are kept
// for PRICE_RAW_RETENTION_DAYS. Longer windows read the hourly or daily
// rollups, which are kept forever (and, for 7d, are 12 times fewer rows to
// read than 5-minute prices: bench/market), and add the raw rows newer than the item's last
// rolled-up period, so the hour or day in progress is on the chart too and
// nothing is counted twice. The first bucket of a raw window may be partial:
// it holds only the observations inside the window.
import { type RawBuilder, sql } from 'kysely';
import type { Database } from '../platform/db/index.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../platform/time.js';
import { BUCKET_ORIGIN, type HistoryWindow, type PriceSource, WINDOW_MS } from './types.js';

type RollupTable = 'price_rollups_hourly' | 'price_rollups_daily';

interface Resolution {
  readonly bucketMs: number;
  /** Where the window's complete periods come from; null: raw rows only. */
  readonly rollups: { readonly table: RollupTable; readonly periodMs: number } | null;
}

export const HISTORY_RESOLUTION: Readonly<Record<HistoryWindow, Resolution>> = {
  '1h': { bucketMs: MINUTE_MS, rollups: null },
  '24h': { bucketMs: 15 * MINUTE_MS, rollups: null },
  '7d': { bucketMs: HOUR_MS, rollups: { table: 'price_rollups_hourly', periodMs: HOUR_MS } },
  '30d': { bucketMs: 6 * HOUR_MS, rollups: { table: 'price_rollups_hourly', periodMs: HOUR_MS } },
  '1y': { bucketMs: DAY_MS, rollups: { table: 'price_rollups_daily', periodMs: DAY_MS } },
};

export interface HistoryPoint {
  /** Start of the bucket, as the API shows it (ISO 8601, UTC). */
  readonly time: string;
  readonly open_cents: number;
  readonly close_cents: number;
  readonly min_cents: number;
  readonly max_cents: number;
  readonly avg_cents: number;
  readonly volume: number | null;
  readonly samples: number;
}

export interface HistoryQuery {
  readonly itemId: number;
  readonly source: PriceSource;
  readonly window: HistoryWindow;
  readonly now: Date;
}

/** Complete periods from the rollups. */
function rolledUpRows(query: HistoryQuery, from: Date, table: RollupTable) {
  return sql`select bucket as t, open_cents as open, close_cents as close, min_cents as lo,
      max_cents as hi, avg_cents * samples as total, samples::bigint as n, volume
    from ${sql.table(table)}
    where item_id = ${query.itemId} and source = ${query.source}
      and bucket >= ${from} and bucket < ${query.now}`;
}

/** Raw observations from `start`, each a piece of its own. */
function rawRows(query: HistoryQuery, start: RawBuilder<unknown>) {
  return sql`select observed_at as t, price_cents as open, price_cents as close,
      price_cents as lo, price_cents as hi, price_cents::float8 as total, 1::bigint as n, volume
    from prices
    where item_id = ${query.itemId} and source = ${query.source}
      and observed_at >= ${start} and observed_at <= ${query.now}`;
}

/**
 * The window's pieces: rollups, then the raw rows after the item's last
 * rolled-up period. A window read from rollups starts at the beginning of the
 * period holding its start, so its first bucket is never cut mid-period.
 */
function pieces(query: HistoryQuery, resolution: Resolution) {
  const windowStart = query.now.getTime() - WINDOW_MS[query.window];
  const { rollups } = resolution;
  if (!rollups) return rawRows(query, sql`${new Date(windowStart)}::timestamptz`);
  const from = new Date(Math.floor(windowStart / rollups.periodMs) * rollups.periodMs);
  const afterRollups = sql`coalesce(
      (select max(bucket) from ${sql.table(rollups.table)}
        where item_id = ${query.itemId} and source = ${query.source} and bucket >= ${from})
        + ${`${rollups.periodMs} milliseconds`}::interval,
      ${from}::timestamptz)`;
  return sql`${rolledUpRows(query, from, rollups.table)} union all ${rawRows(query, afterRollups)}`;
}

/** The bucket's start arrives in epoch milliseconds: cheaper to read than a timestamp's text. */
type PointRow = Omit<HistoryPoint, 'time'> & { readonly time_ms: number };

export async function priceHistory(
  database: Database,
  query: HistoryQuery,
): Promise<HistoryPoint[]> {
  const resolution = HISTORY_RESOLUTION[query.window];
  const step = `${resolution.bucketMs} milliseconds`;
  const { rows } = await sql<PointRow>`
    with pieces as (${pieces(query, resolution)})
    select
      extract(epoch from date_bin(${step}::interval, t, ${BUCKET_ORIGIN}::timestamptz))::float8
        * 1000 as time_ms,
      (array_agg(open order by t))[1] as open_cents,
      (array_agg(close order by t desc))[1] as close_cents,
      min(lo) as min_cents,
      max(hi) as max_cents,
      (sum(total) / sum(n))::float8 as avg_cents,
      (array_agg(volume order by t desc) filter (where volume is not null))[1] as volume,
      sum(n)::bigint as samples
    from pieces
    group by 1
    order by 1`.execute(database.db);
  return rows.map(({ time_ms, ...values }) => ({
    time: new Date(time_ms).toISOString(),
    ...values,
  }));
}
