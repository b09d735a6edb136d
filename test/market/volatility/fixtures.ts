// Rows for the volatility storage tests, written straight into the tables
// (raw prices, hourly rollups) in one statement each; items come from
// insertItems in test/support/market.ts.
import { sql } from 'kysely';
import type { PriceSource } from '../../../src/market/types.js';
import type { Database } from '../../../src/platform/db/index.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export interface Point {
  readonly at: Date;
  readonly cents: number;
}

export async function addPrices(
  database: Database,
  itemId: number,
  source: PriceSource,
  points: readonly Point[],
): Promise<void> {
  if (points.length === 0) return;
  await sql`insert into prices (item_id, source, observed_at, price_cents)
    select ${itemId}, ${source}, at, cents
    from unnest(${points.map((p) => p.at.toISOString())}::timestamptz[],
      ${points.map((p) => p.cents)}::bigint[]) as p(at, cents)`.execute(database.db);
}

/** Hourly rollups whose average is `cents`; the other columns follow from it. */
export async function addHourly(
  database: Database,
  itemId: number,
  source: PriceSource,
  points: readonly Point[],
): Promise<void> {
  if (points.length === 0) return;
  await sql`insert into price_rollups_hourly (item_id, source, bucket, open_cents, close_cents,
      avg_cents, min_cents, max_cents, stddev_cents, volume, samples)
    select ${itemId}, ${source}, at, round(cents), round(cents), cents, floor(cents), ceil(cents), 0, null, 12
    from unnest(${points.map((p) => p.at.toISOString())}::timestamptz[],
      ${points.map((p) => p.cents)}::float8[]) as p(at, cents)`.execute(database.db);
}

/** `values[i]` at `first + i × stepMs`. */
export function spaced(first: Date, stepMs: number, values: readonly number[]): Point[] {
  return values.map((cents, i) => ({ at: new Date(first.getTime() + i * stepMs), cents }));
}
