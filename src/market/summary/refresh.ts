// Brings market_summary rows up to date for a set of items of one source, in
// one statement over all of them: the latest price, the price one hour, a day
// and a week before it, the volume, the 24 h volatility (from the volatility
// cache in the store), and, when due, the sparkline. Ingestion calls it for
// the items a batch changed (updater.ts), so the cost grows with the changes,
// never with the catalog, and a request only reads the table.
//
// A change compares the latest price with the last one observed at or before
// the same moment a window earlier, from raw rows while they are kept and
// from hourly closes after that. That earlier price must itself fall within
// a window before that moment: an item priced once a week has no 24 h change
// rather than a week's change under that name.
import { sql } from 'kysely';
import { arrayLiteral, type Database } from '../../platform/db/index.js';
import type { Store } from '../../platform/store/index.js';
import { DAY_MS, HOUR_MS } from '../../platform/time.js';
import { BUCKET_ORIGIN, type PriceSource } from '../types.js';
import { volatilityKey } from '../volatility/cache.js';

/** Items per refresh statement: each runs a handful of index lookups per item. */
export const ITEMS_PER_REFRESH = 500;

/** The sparkline: one closing price per SPARKLINE_STEP_MS over SPARKLINE_SPAN_MS, 28 points. */
export const SPARKLINE_SPAN_MS = 7 * DAY_MS;
export const SPARKLINE_STEP_MS = 6 * HOUR_MS;
/** A sparkline is drawn again at most this often: its points are six hours apart. */
export const SPARKLINE_REFRESH_MS = HOUR_MS;

export interface SummaryRefresh {
  readonly database: Database;
  readonly store: Store;
  readonly source: PriceSource;
  readonly itemIds: readonly number[];
  /** The moment every window ends at. */
  readonly now: Date;
  /**
   * False to leave sparklines to a later refresh, as one made before the
   * history is stored must: a sparkline drawn then would be a single point
   * and not be drawn again for an hour.
   */
  readonly drawSparklines?: boolean;
}

/** The 24 h coefficient of variation of each item, null where there is none. */
async function volatilities(
  store: Store,
  source: PriceSource,
  itemIds: readonly number[],
): Promise<(number | null)[]> {
  const cached = await store.getMany(itemIds.map((id) => volatilityKey(source, '24h', id)));
  return cached.map((text) => {
    if (text === null) return null;
    const { coefficient_of_variation: cv } = JSON.parse(text) as {
      coefficient_of_variation: number | null;
    };
    return cv;
  });
}

/**
 * The price of the outer query's `latest.id` at `at`, looked for no earlier
 * than `from`; the alert rules measure their changes with it too.
 */
export function priceAt(source: PriceSource, at: Date, from: Date) {
  return sql`coalesce(
    (select price_cents from prices
      where item_id = latest.id and source = ${source}
        and observed_at <= ${at} and observed_at >= ${from}
      order by observed_at desc limit 1),
    (select close_cents from price_rollups_hourly
      where item_id = latest.id and source = ${source}
        and bucket <= ${new Date(at.getTime() - HOUR_MS)} and bucket >= ${from}
      order by bucket desc limit 1))`;
}

const change = (now: Date, windowMs: number, source: PriceSource) => {
  const at = new Date(now.getTime() - windowMs);
  const then = priceAt(source, at, new Date(at.getTime() - windowMs));
  return sql`(latest.price_cents - ${then})::float8 * 100 / nullif(${then}, 0)`;
};

/**
 * Upserts the summary rows of `itemIds` that have a price; returns how many.
 * Items without any price are left alone.
 */
export async function refreshSummaries(refresh: SummaryRefresh): Promise<number> {
  const { database, store, source, itemIds, now } = refresh;
  const drawSparklines = refresh.drawSparklines ?? true;
  if (itemIds.length === 0) return 0;
  const cvs = await volatilities(store, source, itemIds);
  const sparkFrom = new Date(now.getTime() - SPARKLINE_SPAN_MS);
  const sparkDue = new Date(now.getTime() - SPARKLINE_REFRESH_MS);
  const step = `${SPARKLINE_STEP_MS} milliseconds`;
  const result = await sql`
    with target as (
      select id, cv from unnest(${arrayLiteral(itemIds)}::int[], ${arrayLiteral(cvs)}::float8[])
        as t (id, cv)
    ),
    latest as (
      select target.id, target.cv, p.price_cents, p.observed_at, p.volume
      from target cross join lateral (
        select price_cents, observed_at, volume from prices
        where item_id = target.id and source = ${source} and observed_at <= ${now}
        order by observed_at desc limit 1
      ) p
    ),
    changes as (
      select latest.*,
        ${change(now, HOUR_MS, source)} as change_1h,
        ${change(now, DAY_MS, source)} as change_24h,
        ${change(now, 7 * DAY_MS, source)} as change_7d
      from latest
    ),
    due as (
      select changes.id from changes
      left join market_summary s on s.item_id = changes.id and s.source = ${source}
      where ${drawSparklines} and (s.item_id is null or s.sparkline_at <= ${sparkDue})
    ),
    closes as (
      select h.item_id, h.bucket as t, h.close_cents as close from price_rollups_hourly h
      where h.source = ${source} and h.item_id in (select id from due) and h.bucket >= ${sparkFrom}
      union all
      select p.item_id, p.observed_at, p.price_cents from prices p
      where p.source = ${source} and p.item_id in (select id from due) and p.observed_at >= ${sparkFrom}
        and p.observed_at <= ${now}
        and p.observed_at >= coalesce(
          (select rolled_up_to from price_rollup_watermarks where rollup = 'hourly'), ${sparkFrom})
    ),
    binned as (
      select item_id, date_bin(${step}::interval, t, ${BUCKET_ORIGIN}::timestamptz) as bin,
        (array_agg(close order by t desc))[1] as close
      from closes group by 1, 2
    ),
    sparklines as (
      select item_id, array_agg(close order by bin) as points from binned group by 1
    )
    insert into market_summary as s (item_id, source, market_hash_name, category, rarity,
      exterior, stattrak, souvenir, price_cents, observed_at, volume, change_1h, change_24h,
      change_7d, volatility, sparkline, sparkline_at, updated_at)
    select c.id, ${source}, i.market_hash_name, i.category, i.rarity, i.exterior, i.stattrak,
      i.souvenir, c.price_cents, c.observed_at, c.volume, c.change_1h, c.change_24h, c.change_7d,
      c.cv, coalesce(sp.points, array[c.price_cents]),
      case when sp.points is null then ${new Date(0)}::timestamptz else ${now}::timestamptz end,
      ${now}
    from changes c
    join items i on i.id = c.id
    left join sparklines sp on sp.item_id = c.id
    on conflict (item_id, source) do update set
      market_hash_name = excluded.market_hash_name, category = excluded.category,
      rarity = excluded.rarity, exterior = excluded.exterior, stattrak = excluded.stattrak,
      souvenir = excluded.souvenir, price_cents = excluded.price_cents,
      observed_at = excluded.observed_at, volume = excluded.volume,
      change_1h = excluded.change_1h, change_24h = excluded.change_24h,
      change_7d = excluded.change_7d, volatility = excluded.volatility,
      sparkline = case when excluded.sparkline_at > s.sparkline_at
        then excluded.sparkline else s.sparkline end,
      sparkline_at = greatest(excluded.sparkline_at, s.sparkline_at),
      updated_at = excluded.updated_at
    where s.observed_at <= excluded.observed_at`.execute(database.db);
  return Number(result.numAffectedRows ?? 0);
}
