// Loads the catalog into the items table, or brings it up to date: a batch of
// rows goes in as one INSERT ... SELECT FROM unnest(...) (one array per
// column, so the statement has nine parameters whatever the batch size), and
// a name already present is updated only when one of its columns differs.
// Running it again with the same data changes nothing.
//
// The whole sync is one transaction under an advisory lock: a catalog is
// either loaded completely or not at all (so "the items table is empty" is a
// reliable sign of a first run), and instances starting together sync one
// after the other. Rows are never deleted: prices refer to them, and an item
// that leaves the data set still has its history.

import { sql, type Transaction } from 'kysely';
import { inBatches } from '../../platform/batches.js';
import type { Database, PlatformTables } from '../../platform/db/index.js';
import type { CatalogEntry } from './build-catalog.js';
import type { ItemTables } from './items.js';

export interface CatalogSyncReport {
  readonly total: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
}

export interface CatalogSyncProgress {
  /** Entries written so far. */
  readonly done: number;
  readonly total: number;
}

export interface CatalogSyncOptions {
  readonly batchSize?: number;
  /** Called after each batch. */
  readonly onProgress?: (progress: CatalogSyncProgress) => void;
}

/** Measured on PGlite: past a few thousand rows, bigger batches save nothing. */
export const CATALOG_SYNC_BATCH_SIZE = 2000;
/** Arbitrary constant naming "Tracera catalog sync" among advisory locks. */
const CATALOG_SYNC_LOCK_KEY = 7_238_110_004;

async function upsertBatch(
  trx: Transaction<PlatformTables>,
  batch: readonly CatalogEntry[],
): Promise<{ inserted: number; updated: number }> {
  const column = <K extends keyof CatalogEntry>(key: K) => batch.map((entry) => entry[key]);
  // xmax is 0 on a row version this statement inserted, and set on one it updated.
  const { rows } = await sql<{ inserted: boolean }>`
    insert into items (market_hash_name, category, weapon_type, skin_name, exterior,
                       stattrak, souvenir, rarity, image_url)
    select * from unnest(
      ${column('market_hash_name')}::text[], ${column('category')}::text[],
      ${column('weapon_type')}::text[], ${column('skin_name')}::text[],
      ${column('exterior')}::text[], ${column('stattrak')}::boolean[],
      ${column('souvenir')}::boolean[], ${column('rarity')}::text[], ${column('image_url')}::text[])
    on conflict (market_hash_name) do update set
      category = excluded.category, weapon_type = excluded.weapon_type,
      skin_name = excluded.skin_name, exterior = excluded.exterior,
      stattrak = excluded.stattrak, souvenir = excluded.souvenir,
      rarity = excluded.rarity, image_url = excluded.image_url, updated_at = now()
    where (items.category, items.weapon_type, items.skin_name, items.exterior,
           items.stattrak, items.souvenir, items.rarity, items.image_url)
      is distinct from
          (excluded.category, excluded.weapon_type, excluded.skin_name, excluded.exterior,
           excluded.stattrak, excluded.souvenir, excluded.rarity, excluded.image_url)
    returning (xmax = 0) as inserted`.execute(trx);
  const inserted = rows.filter((row) => row.inserted).length;
  return { inserted, updated: rows.length - inserted };
}

function checkDistinct(entries: readonly CatalogEntry[]): void {
  const names = new Set<string>();
  for (const { market_hash_name: name } of entries) {
    // One statement cannot insert and then update the same name; say which one.
    if (names.has(name)) throw new Error(`catalog lists "${name}" twice`);
    names.add(name);
  }
}

export async function syncCatalog(
  database: Database,
  entries: readonly CatalogEntry[],
  options: CatalogSyncOptions = {},
): Promise<CatalogSyncReport> {
  const batchSize = options.batchSize ?? CATALOG_SYNC_BATCH_SIZE;
  checkDistinct(entries);
  return database.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${CATALOG_SYNC_LOCK_KEY}::bigint)`.execute(trx);
    let inserted = 0;
    let updated = 0;
    let done = 0;
    for (const batch of inBatches(entries, batchSize)) {
      const counts = await upsertBatch(trx, batch);
      inserted += counts.inserted;
      updated += counts.updated;
      done += batch.length;
      options.onProgress?.({ done, total: entries.length });
    }
    // PGlite has no autovacuum to gather statistics; without them the planner
    // guesses how selective a search word is.
    if (inserted + updated > 0) await sql`analyze items`.execute(trx);
    return {
      total: entries.length,
      inserted,
      updated,
      unchanged: entries.length - inserted - updated,
    };
  });
}

/** True once a catalog has been loaded (a sync loads all of it or nothing). */
export async function catalogLoaded(database: Database): Promise<boolean> {
  const row = await database.db
    .withTables<ItemTables>()
    .selectFrom('items')
    .select('id')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
