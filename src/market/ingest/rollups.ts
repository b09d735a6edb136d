// Hourly and daily rollups of the raw prices, computed by this job on every
// backend. Not TimescaleDB continuous aggregates, even where the extension
// exists: creating one cannot run inside a transaction, as every migration
// does, and it would be a view where history and volatility read (and their
// tests write) plain tables, so one path serves PGlite, PostgreSQL and
// TimescaleDB alike.
//
// Incremental: each rollup has a watermark, and a run rolls up the complete
// buckets between it and the horizon (the last bucket that ended at least
// `graceMs` ago), a few buckets per transaction, then moves the watermark.
// The grace lets the cycle in flight land its quotes first. Rows that still
// arrive for a bucket behind the watermark are queued by the writer (see
// write-prices.ts), and each run rolls those buckets up again from their raw
// rows. Every write is an upsert of a whole bucket, so running twice changes
// nothing.
//
// A queued bucket older than the raw retention is not rolled up again: its
// raw rows may be partly deleted already, and its rollup would shrink to what
// is left. The ingestion cycle drops quotes that old, so only a direct writer
// backfilling history can queue one.
//
// Each transaction and queued-bucket statement is followed by a turn of the
// event loop: on PGlite a statement runs on the main thread, so rolling up a
// long span (a backfill, or maintenance after an outage) would otherwise hold
// off requests and the leader's lease renewal until it ended.
import { setImmediate } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/index.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../platform/time.js';
import { BUCKET_ORIGIN } from '../types.js';

export type RollupName = 'hourly' | 'daily';

interface Rollup {
  readonly name: RollupName;
  readonly table: 'price_rollups_hourly' | 'price_rollups_daily';
  readonly widthMs: number;
  /** Buckets per transaction: each holds off writers for as long as it takes (see write-prices.ts). */
  readonly bucketsPerTransaction: number;
}

const ROLLUPS: readonly Rollup[] = [
  { name: 'hourly', table: 'price_rollups_hourly', widthMs: HOUR_MS, bucketsPerTransaction: 6 },
  { name: 'daily', table: 'price_rollups_daily', widthMs: DAY_MS, bucketsPerTransaction: 1 },
];

/**
 * A bucket is rolled up this long after one ingestion interval has passed
 * since it ended: providers are stopped at the cycle deadline, so by then
 * every quote observed in it has been written, save a slow write.
 */
const LATE_WRITE_ALLOWANCE_MS = MINUTE_MS;

/** How long after a bucket ends it is rolled up, with ingestion every `intervalMs`. */
export const rollupGraceMs = (intervalMs: number): number => intervalMs + LATE_WRITE_ALLOWANCE_MS;

/** Queued buckets rolled up again per statement. */
const PENDING_PER_STATEMENT = 1000;

export interface RollupOptions {
  readonly now: Date;
  /** A bucket is rolled up once it ended at least this long ago. */
  readonly graceMs: number;
  readonly rawRetentionMs: number;
  /** Stops between transactions. */
  readonly signal?: AbortSignal;
}

export interface RollupReport {
  readonly rollup: RollupName;
  /** Buckets written by moving the watermark forward. */
  readonly rolledUp: number;
  /** Queued buckets rolled up again. */
  readonly rolledUpAgain: number;
  /** Queued buckets older than the raw retention, dropped from the queue. */
  readonly tooOld: number;
}

const interval = (ms: number) => sql`${`${ms} milliseconds`}::interval`;

/** The bucket's row from the raw prices `p` grouped by item, source and bucket. */
const AGGREGATES = sql`
  (array_agg(p.price_cents order by p.observed_at))[1],
  (array_agg(p.price_cents order by p.observed_at desc))[1],
  avg(p.price_cents)::float8,
  min(p.price_cents),
  max(p.price_cents),
  stddev_pop(p.price_cents)::float8,
  (array_agg(p.volume order by p.observed_at desc) filter (where p.volume is not null))[1],
  count(*)::int`;

const UPSERT = sql`
  on conflict (item_id, source, bucket) do update set
    open_cents = excluded.open_cents,
    close_cents = excluded.close_cents,
    avg_cents = excluded.avg_cents,
    min_cents = excluded.min_cents,
    max_cents = excluded.max_cents,
    stddev_cents = excluded.stddev_cents,
    volume = excluded.volume,
    samples = excluded.samples`;

const COLUMNS = sql`(item_id, source, bucket, open_cents, close_cents, avg_cents, min_cents,
  max_cents, stddev_cents, volume, samples)`;

const floorTo = (ms: number, widthMs: number) => Math.floor(ms / widthMs) * widthMs;

async function watermark(database: Database, rollup: Rollup): Promise<Date | null> {
  const { rows } = await sql<{ rolled_up_to: Date | null }>`
    select rolled_up_to from price_rollup_watermarks where rollup = ${rollup.name}`.execute(
    database.db,
  );
  return rows[0]?.rolled_up_to ?? null;
}

/**
 * Rolls up the next few complete buckets after the watermark and moves it;
 * returns the buckets written, or null when it is at the horizon.
 */
async function rollUpNext(
  database: Database,
  rollup: Rollup,
  horizonMs: number,
): Promise<number | null> {
  return database.db.transaction().execute(async (trx) => {
    // Locking the watermark waits for every write that read it to commit;
    // the statements after this one take a new snapshot, so they see those
    // rows (see write-prices.ts).
    const { rows: locked } = await sql<{ rolled_up_to: Date | null }>`
      select rolled_up_to from price_rollup_watermarks where rollup = ${rollup.name}
      for update`.execute(trx);
    const rolledUpTo = locked[0]?.rolled_up_to ?? null;
    // Starting from the first row after the watermark skips a gap (such as
    // days without ingestion) in one step instead of bucket by bucket.
    const { rows: firsts } = await sql<{ first: Date | null }>`
      select min(observed_at) as first from prices
      where observed_at >= coalesce(${rolledUpTo}::timestamptz, '-infinity')`.execute(trx);
    const first = firsts[0]?.first ?? null;
    const fromMs =
      first === null ? Number.POSITIVE_INFINITY : floorTo(first.getTime(), rollup.widthMs);
    if (fromMs >= horizonMs) {
      if (rolledUpTo !== null && rolledUpTo.getTime() < horizonMs) {
        await sql`update price_rollup_watermarks set rolled_up_to = ${new Date(horizonMs)}
          where rollup = ${rollup.name}`.execute(trx);
      }
      return null;
    }
    const to = new Date(
      Math.min(horizonMs, fromMs + rollup.widthMs * rollup.bucketsPerTransaction),
    );
    const written = await sql`
      insert into ${sql.table(rollup.table)} ${COLUMNS}
      select p.item_id, p.source,
        date_bin(${interval(rollup.widthMs)}, p.observed_at, ${BUCKET_ORIGIN}::timestamptz) as bucket,
        ${AGGREGATES}
      from prices p
      where p.observed_at >= ${new Date(fromMs)} and p.observed_at < ${to}
      group by p.item_id, p.source, bucket
      ${UPSERT}`.execute(trx);
    await sql`update price_rollup_watermarks set rolled_up_to = ${to}
      where rollup = ${rollup.name}`.execute(trx);
    return Number(written.numAffectedRows ?? 0n);
  });
}

async function rollUpForward(
  database: Database,
  rollup: Rollup,
  options: RollupOptions,
): Promise<number> {
  const horizonMs = floorTo(options.now.getTime() - options.graceMs, rollup.widthMs);
  // Read without a lock first: most runs have nothing to do, and need not hold writers off to learn it.
  const current = await watermark(database, rollup);
  if (current !== null && current.getTime() >= horizonMs) return 0;
  let total = 0;
  while (!options.signal?.aborted) {
    const written = await rollUpNext(database, rollup, horizonMs);
    if (written === null) break;
    total += written;
    await setImmediate();
  }
  return total;
}

async function rollUpQueued(
  database: Database,
  rollup: Rollup,
  options: RollupOptions,
): Promise<{ rolledUpAgain: number; tooOld: number }> {
  const oldest = new Date(options.now.getTime() - options.rawRetentionMs);
  let rolledUpAgain = 0;
  let tooOld = 0;
  while (!options.signal?.aborted) {
    const { rows } = await sql<{ taken: number; rolled: number; too_old: number }>`
      with taken as (
        delete from price_rollup_pending queued
        using (
          select item_id, source, bucket from price_rollup_pending
          where rollup = ${rollup.name}
          order by bucket
          limit ${PENDING_PER_STATEMENT}
          for update skip locked
        ) as batch
        where queued.rollup = ${rollup.name} and queued.item_id = batch.item_id
          and queued.source = batch.source and queued.bucket = batch.bucket
        returning queued.item_id, queued.source, queued.bucket
      ), rolled as (
        insert into ${sql.table(rollup.table)} ${COLUMNS}
        select t.item_id, t.source, t.bucket, ${AGGREGATES}
        from taken t
        join prices p on p.item_id = t.item_id and p.source = t.source
          and p.observed_at >= t.bucket and p.observed_at < t.bucket + ${interval(rollup.widthMs)}
        where t.bucket >= ${oldest}
        group by t.item_id, t.source, t.bucket
        ${UPSERT}
        returning 1
      )
      select (select count(*) from taken)::int as taken,
        (select count(*) from rolled)::int as rolled,
        (select count(*) from taken where bucket < ${oldest})::int as too_old`.execute(database.db);
    const result = rows[0];
    if (!result) break;
    rolledUpAgain += result.rolled;
    tooOld += result.too_old;
    if (result.taken < PENDING_PER_STATEMENT) break;
    await setImmediate();
  }
  return { rolledUpAgain, tooOld };
}

/** Brings every rollup up to date: complete buckets since the watermark, then queued late buckets. */
export async function rollUpPrices(
  database: Database,
  options: RollupOptions,
): Promise<RollupReport[]> {
  const reports: RollupReport[] = [];
  for (const rollup of ROLLUPS) {
    const rolledUp = await rollUpForward(database, rollup, options);
    const queued = await rollUpQueued(database, rollup, options);
    reports.push({ rollup: rollup.name, rolledUp, ...queued });
  }
  return reports;
}
