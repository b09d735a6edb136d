// A batch of quotes goes into the prices table as one statement per chunk:
// the columns travel as six arrays and `unnest` turns them back into rows, so
// the cost per row is the server's, not a round trip's. A row whose (item,
// source, time) is already stored is skipped (`on conflict do nothing`), which
// makes a batch delivered twice harmless; the caller learns how many rows
// were new and for which items. A row for an item deleted from the catalog
// since it was priced is skipped too, rather than failing the whole batch.
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
import { arrayLiteral, type Database } from '../../platform/db/index.js';
import { BUCKET_ORIGIN, type PriceQuote, type PriceSource } from '../types.js';

/**
 * Rows per statement: large enough that round trips do not matter, small
 * enough that one statement's arrays stay a few megabytes.
 */
export const ROWS_PER_STATEMENT = 10_000;

/** Arbitrary constant naming "Tracera price writes" among advisory locks; migrations/006 uses it too. */
const PRICE_WRITE_LOCK_KEY = 7_238_110_005;

/** An (item, source) that has new rows in the prices table. */
export interface StoredChange {
  readonly itemId: number;
  readonly source: PriceSource;
}

export interface WrittenPrices {
  /** How many rows were new. */
  readonly inserted: number;
  /** Every (item, source) with at least one new row, once. */
  readonly changed: readonly StoredChange[];
}

interface NewRows {
  readonly item_id: number;
  readonly source: PriceSource;
  readonly count: number;
}

async function writeChunk(database: Database, quotes: readonly PriceQuote[]): Promise<NewRows[]> {
  const itemIds: number[] = [];
  const sources: string[] = [];
  const times: string[] = [];
  const prices: number[] = [];
  const volumes: (number | undefined)[] = [];
  const listings: (number | undefined)[] = [];
  for (const quote of quotes) {
    itemIds.push(quote.item_id);
    sources.push(quote.source);
    times.push(quote.observed_at.toISOString());
    prices.push(quote.price_cents);
    volumes.push(quote.volume);
    listings.push(quote.listings);
  }
  // Read committed, whatever the server's default: the insert below must see
  // a delete that committed while this transaction waited for the lock.
  const { rows } = await database.db
    .transaction()
    .setIsolationLevel('read committed')
    .execute(async (trx) => {
      // See migrations/006: deleting an item waits for this write, or this
      // write for the delete, so no price is stored for an item being deleted.
      await sql`select pg_advisory_xact_lock_shared(${PRICE_WRITE_LOCK_KEY}::bigint)`.execute(trx);
      return sql<NewRows>`
    with watermarks as (
      select rollup, bucket_width, rolled_up_to from price_rollup_watermarks for share
    ), inserted as (
      insert into prices (item_id, source, observed_at, price_cents, volume, listings)
      select batch.* from unnest(${arrayLiteral(itemIds)}::int[], ${arrayLiteral(sources)}::text[],
        ${arrayLiteral(times)}::timestamptz[], ${arrayLiteral(prices)}::bigint[],
        ${arrayLiteral(volumes)}::int[], ${arrayLiteral(listings)}::int[])
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
    select item_id, source, count(*)::int as count from inserted group by item_id, source`.execute(
        trx,
      );
    });
  return rows;
}

/**
 * Statements in flight at once for a large batch. The server spends most of a
 * write's time on its own, one core per statement; a lane is idle while it
 * encodes its next chunk, so a third lane keeps two cores busy where two
 * lanes left gaps (bench/ingest wrote more rows per second with three lanes
 * than with two; figures in docs/benchmarks.md).
 */
export const WRITE_LANES = 3;

/**
 * `quotes` split by item into `count` lanes: lanes never hold the same
 * (item, source, time), so statements running side by side never wait on or
 * deadlock over each other's rows. A lane keeps the batch's order, so of two
 * quotes for one (item, source, time) in different statements, the earlier
 * one is stored; within one statement, either may be.
 */
function lanes(quotes: readonly PriceQuote[], count: number): PriceQuote[][] {
  const split = Array.from({ length: count }, (): PriceQuote[] => []);
  for (const quote of quotes) {
    // An id that is no item's still gets a lane, so the database, not this
    // split, decides what happens to it.
    const lane = Number.isSafeInteger(quote.item_id)
      ? ((quote.item_id % count) + count) % count
      : 0;
    split[lane]?.push(quote);
  }
  return split;
}

/** Stores `quotes`, skipping rows already stored; says what was new. */
export async function writePrices(
  database: Database,
  quotes: readonly PriceQuote[],
): Promise<WrittenPrices> {
  let inserted = 0;
  let failed = false;
  const changed = new Map<string, StoredChange>();
  const writeLane = async (lane: readonly PriceQuote[]) => {
    for (const chunk of inBatches(lane, ROWS_PER_STATEMENT)) {
      // A batch that has failed stops at the next chunk boundary everywhere.
      if (failed) return;
      const rows = await writeChunk(database, chunk).catch((error: unknown) => {
        failed = true;
        throw error;
      });
      for (const row of rows) {
        inserted += row.count;
        changed.set(`${row.source}:${row.item_id}`, { itemId: row.item_id, source: row.source });
      }
    }
  };
  const laneCount = Math.min(WRITE_LANES, Math.ceil(quotes.length / ROWS_PER_STATEMENT));
  // Every lane finishes before a failure is reported, so no statement of this
  // batch is still running when the caller hears of it.
  const settled = await Promise.allSettled(lanes(quotes, laneCount).map(writeLane));
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  return { inserted, changed: [...changed.values()] };
}
