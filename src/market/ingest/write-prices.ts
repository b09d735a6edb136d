// A batch of quotes goes into the prices table as one statement per chunk:
// the columns travel as six arrays and `unnest` turns them back into rows, so
// the cost per row is the server's, not a round trip's. A row whose (item,
// source, time) is already stored is skipped (`on conflict do nothing`), which
// makes a batch delivered twice harmless; the caller learns which rows were
// new. A row for an item deleted from the catalog since it was priced is
// skipped too, rather than failing the whole batch on the foreign key.
//
// The same statement marks late rows: a row older than a rollup's watermark
// lands in a bucket the rollup job has already written, so the bucket is
// queued in price_rollup_pending to be rolled up again. The watermark rows are
// read `for share` and the rollup job moves them `for update`, so the two
// cannot interleave: either the rollup runs after this statement commits and
// sees its rows, or this statement waits for the rollup to commit and reads
// the new watermark, queueing the row. A row is never missed by both.

import { sql } from 'kysely';
import { inBatches } from '../../platform/batches.js';
import type { Database } from '../../platform/db/index.js';
import type { PriceQuote, PriceSource } from '../types.js';

/**
 * Rows per statement: large enough that round trips do not matter, small
 * enough that one statement's arrays and returned rows stay a few megabytes.
 */
export const ROWS_PER_STATEMENT = 10_000;

/** Buckets start at multiples of their width since the Unix epoch (UTC), as in history.ts. */
export const BUCKET_ORIGIN = '1970-01-01T00:00:00Z';

export interface InsertedPrice {
  readonly item_id: number;
  readonly source: PriceSource;
  readonly observed_at: Date;
}

async function writeChunk(
  database: Database,
  quotes: readonly PriceQuote[],
): Promise<InsertedPrice[]> {
  const itemIds: number[] = [];
  const sources: string[] = [];
  const times: string[] = [];
  const prices: number[] = [];
  const volumes: (number | null)[] = [];
  const listings: (number | null)[] = [];
  for (const quote of quotes) {
    itemIds.push(quote.item_id);
    sources.push(quote.source);
    times.push(quote.observed_at.toISOString());
    prices.push(quote.price_cents);
    volumes.push(quote.volume ?? null);
    listings.push(quote.listings ?? null);
  }
  const { rows } = await sql<InsertedPrice>`
    with watermarks as (
      select rollup, bucket_width, rolled_up_to from price_rollup_watermarks for share
    ), inserted as (
      insert into prices (item_id, source, observed_at, price_cents, volume, listings)
      select batch.* from unnest(${itemIds}::int[], ${sources}::text[], ${times}::timestamptz[],
        ${prices}::bigint[], ${volumes}::int[], ${listings}::int[])
        as batch (item_id, source, observed_at, price_cents, volume, listings)
      where exists (select from items where items.id = batch.item_id)
      on conflict do nothing
      returning item_id, source, observed_at
    ), late as (
      insert into price_rollup_pending (rollup, item_id, source, bucket)
      select distinct w.rollup, i.item_id, i.source,
        date_bin(w.bucket_width, i.observed_at, ${BUCKET_ORIGIN}::timestamptz)
      from inserted i join watermarks w on i.observed_at < w.rolled_up_to
      on conflict do nothing
    )
    select item_id, source, observed_at from inserted`.execute(database.db);
  return rows;
}

/** Stores `quotes`, skipping rows already stored; returns the rows that were new. */
export async function writePrices(
  database: Database,
  quotes: readonly PriceQuote[],
): Promise<InsertedPrice[]> {
  const inserted: InsertedPrice[] = [];
  for (const chunk of inBatches(quotes, ROWS_PER_STATEMENT)) {
    const rows = await writeChunk(database, chunk);
    for (const row of rows) inserted.push(row);
  }
  return inserted;
}
