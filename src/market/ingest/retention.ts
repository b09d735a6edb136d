// Raw price rows are kept for PRICE_RAW_RETENTION_DAYS; the rollups, which
// live in their own tables, are kept forever and never touched here. A row is
// deleted only once both rollups have moved past it, so a rollup job that
// fell behind holds retention back rather than losing history. Deletion goes
// in batches of whole statements, oldest first, so no single statement holds
// its locks or grows its transaction for long.
import { sql } from 'kysely';
import type { Database } from '../../platform/db/index.js';

export const RETENTION_ROWS_PER_STATEMENT = 10_000;

export interface RetentionOptions {
  readonly now: Date;
  readonly rawRetentionMs: number;
  /** Stops between statements. */
  readonly signal?: AbortSignal;
}

/** Deletes raw price rows past retention and already rolled up; returns how many. */
export async function deleteExpiredPrices(
  database: Database,
  options: RetentionOptions,
): Promise<number> {
  const { rows } = await sql<{ not_started: number; rolled_up_to: Date | null }>`
    select count(*) filter (where rolled_up_to is null)::int as not_started,
      min(rolled_up_to) as rolled_up_to
    from price_rollup_watermarks`.execute(database.db);
  const watermarks = rows[0];
  if (!watermarks?.rolled_up_to || watermarks.not_started > 0) return 0;
  const cutoff = new Date(
    Math.min(options.now.getTime() - options.rawRetentionMs, watermarks.rolled_up_to.getTime()),
  );
  let deleted = 0;
  while (!options.signal?.aborted) {
    const result = await sql`
      with doomed as (
        select item_id, source, observed_at from prices
        where observed_at < ${cutoff}
        order by observed_at
        limit ${RETENTION_ROWS_PER_STATEMENT}
      )
      delete from prices p using doomed d
      where p.item_id = d.item_id and p.source = d.source and p.observed_at = d.observed_at`.execute(
      database.db,
    );
    const count = Number(result.numAffectedRows ?? 0n);
    deleted += count;
    if (count < RETENTION_ROWS_PER_STATEMENT) break;
  }
  return deleted;
}
