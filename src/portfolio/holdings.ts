// What a user holds: the assets of their last Steam import, one row each,
// and items added by hand. An import replaces the Steam rows as a whole in
// one transaction, so a reader sees the old inventory or the new one, never
// a mix, and an item that left the inventory leaves the holdings; the
// ledger and the rows added by hand are not touched.
import { sql } from 'kysely';
import { ITEM_COLUMNS, type Item } from '../market/catalog/items.js';
import { inBatches } from '../platform/batches.js';
import type { Database } from '../platform/db/index.js';
import { portfolioDb } from './tables.js';

/** Rows per insert statement: well under PostgreSQL's 65,535 parameters. */
const INSERT_BATCH = 1000;

export interface SteamHolding {
  readonly assetId: string;
  readonly marketHashName: string;
  readonly itemId: number | null;
  readonly quantity: number;
  readonly float: number | null;
  readonly pattern: number | null;
}

/** Held units of one item (or of one unmatched name), both origins summed. */
export interface HeldItem {
  /** Null when the catalog has no item of this name. */
  readonly itemId: number | null;
  readonly marketHashName: string;
  readonly steamQuantity: number;
  readonly manualQuantity: number;
}

export interface ManualHolding {
  readonly id: number;
  readonly item: Item;
  readonly quantity: number;
  readonly note: string;
  readonly addedAt: Date;
}

export interface ImportRecord {
  readonly steamId: string;
  readonly importedAt: Date;
  readonly pages: number;
  readonly assets: number;
  readonly matched: number;
  readonly unmatched: number;
  readonly withoutDescription: number;
  readonly durationMs: number;
}

/**
 * Replaces the user's Steam holdings with `holdings` and records the import,
 * in one transaction: an import that fails half way leaves the old holdings.
 */
export async function replaceSteamHoldings(
  database: Database,
  userId: number,
  holdings: readonly SteamHolding[],
  record: ImportRecord,
): Promise<void> {
  await portfolioDb(database)
    .transaction()
    .execute(async (trx) => {
      await trx
        .deleteFrom('portfolio_holdings')
        .where('user_id', '=', userId)
        .where('origin', '=', 'steam')
        .execute();
      for (const batch of inBatches(holdings, INSERT_BATCH)) {
        await trx
          .insertInto('portfolio_holdings')
          .values(
            batch.map((holding) => ({
              user_id: userId,
              origin: 'steam' as const,
              item_id: holding.itemId,
              market_hash_name: holding.marketHashName,
              quantity: holding.quantity,
              asset_id: holding.assetId,
              float_value: holding.float,
              pattern: holding.pattern,
            })),
          )
          .execute();
      }
      await trx
        .insertInto('portfolio_imports')
        .values({
          user_id: userId,
          steam_id: record.steamId,
          imported_at: record.importedAt,
          pages: record.pages,
          assets: record.assets,
          matched: record.matched,
          unmatched: record.unmatched,
          without_description: record.withoutDescription,
          duration_ms: record.durationMs,
        })
        .execute();
    });
}

/** The user's newest import, or null before the first. */
export async function lastImport(database: Database, userId: number): Promise<ImportRecord | null> {
  const row = await portfolioDb(database)
    .selectFrom('portfolio_imports')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('imported_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return {
    steamId: row.steam_id,
    importedAt: row.imported_at,
    pages: row.pages,
    assets: row.assets,
    matched: row.matched,
    unmatched: row.unmatched,
    withoutDescription: row.without_description,
    durationMs: row.duration_ms,
  };
}

/**
 * Held units per item (or unmatched name), Steam and manual rows summed in
 * SQL; as bigint, since many rows of an item can pass a 32-bit integer.
 */
export async function heldItems(database: Database, userId: number): Promise<HeldItem[]> {
  const rows = await portfolioDb(database)
    .selectFrom('portfolio_holdings')
    .select([
      'item_id',
      'market_hash_name',
      sql<number>`sum(quantity) filter (where origin = 'steam')::bigint`.as('steam_quantity'),
      sql<number>`sum(quantity) filter (where origin = 'manual')::bigint`.as('manual_quantity'),
    ])
    .where('user_id', '=', userId)
    .groupBy(['item_id', 'market_hash_name'])
    .orderBy('market_hash_name')
    .execute();
  return rows.map((row) => ({
    itemId: row.item_id,
    marketHashName: row.market_hash_name,
    steamQuantity: row.steam_quantity ?? 0,
    manualQuantity: row.manual_quantity ?? 0,
  }));
}

/** Every user with at least one holding: whom the daily snapshot values. */
export async function usersWithHoldings(database: Database): Promise<number[]> {
  const rows = await portfolioDb(database)
    .selectFrom('portfolio_holdings')
    .select('user_id')
    .distinct()
    .orderBy('user_id')
    .execute();
  return rows.map((row) => row.user_id);
}

/** The user's holdings added by hand, oldest first; with `onlyId`, that one alone (or none). */
export async function listManualHoldings(
  database: Database,
  userId: number,
  onlyId?: number,
): Promise<ManualHolding[]> {
  let query = portfolioDb(database)
    .selectFrom('portfolio_holdings as h')
    .innerJoin('items', 'items.id', 'h.item_id')
    .select(ITEM_COLUMNS.map((column) => `items.${column}` as const))
    .select(['h.id as holding_id', 'h.quantity', 'h.note', 'h.added_at'])
    .where('h.user_id', '=', userId)
    .where('h.origin', '=', 'manual');
  if (onlyId !== undefined) query = query.where('h.id', '=', onlyId);
  const rows = await query.orderBy('h.added_at').orderBy('h.id').execute();
  return rows.map(({ holding_id, quantity, note, added_at, ...item }) => ({
    id: holding_id,
    item,
    quantity,
    note,
    addedAt: added_at,
  }));
}

/** Units of one item a user may hold by hand, all rows together. */
export const MAX_MANUAL_UNITS_PER_ITEM = 1_000_000;

/** Units of `itemId` the user holds by hand, leaving out the row `exceptId`. */
export async function manualUnits(
  database: Database,
  userId: number,
  itemId: number,
  exceptId: number | null = null,
): Promise<number> {
  let query = portfolioDb(database)
    .selectFrom('portfolio_holdings')
    .select(sql<number>`coalesce(sum(quantity), 0)::bigint`.as('units'))
    .where('user_id', '=', userId)
    .where('origin', '=', 'manual')
    .where('item_id', '=', itemId);
  if (exceptId !== null) query = query.where('id', '!=', exceptId);
  const row = await query.executeTakeFirst();
  return Number(row?.units ?? 0);
}

/** The item of one of the user's manual holdings, or null. */
export async function manualHoldingItem(
  database: Database,
  userId: number,
  id: number,
): Promise<number | null> {
  const row = await portfolioDb(database)
    .selectFrom('portfolio_holdings')
    .select('item_id')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('origin', '=', 'manual')
    .executeTakeFirst();
  return row?.item_id ?? null;
}

export async function addManualHolding(
  database: Database,
  userId: number,
  item: Item,
  quantity: number,
  note: string,
): Promise<number> {
  const row = await portfolioDb(database)
    .insertInto('portfolio_holdings')
    .values({
      user_id: userId,
      origin: 'manual',
      item_id: item.id,
      market_hash_name: item.market_hash_name,
      quantity,
      asset_id: null,
      float_value: null,
      pattern: null,
      note,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Changes one of the user's manual holdings; false when they have no such holding. */
export async function updateManualHolding(
  database: Database,
  userId: number,
  id: number,
  changes: { readonly quantity?: number | undefined; readonly note?: string | undefined },
): Promise<boolean> {
  const result = await portfolioDb(database)
    .updateTable('portfolio_holdings')
    .set({
      ...(changes.quantity === undefined ? {} : { quantity: changes.quantity }),
      ...(changes.note === undefined ? {} : { note: changes.note }),
    })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('origin', '=', 'manual')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Deletes one of the user's manual holdings; false when they have no such holding. */
export async function deleteManualHolding(
  database: Database,
  userId: number,
  id: number,
): Promise<boolean> {
  const result = await portfolioDb(database)
    .deleteFrom('portfolio_holdings')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('origin', '=', 'manual')
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Catalog ids by market_hash_name, for the names the catalog knows. */
export async function itemIdsByName(
  database: Database,
  names: readonly string[],
): Promise<Map<string, number>> {
  const byName = new Map<string, number>();
  for (const batch of inBatches(names, INSERT_BATCH)) {
    const rows = await portfolioDb(database)
      .selectFrom('items')
      .select(['id', 'market_hash_name'])
      .where('market_hash_name', 'in', batch)
      .execute();
    for (const row of rows) byName.set(row.market_hash_name, row.id);
  }
  return byName;
}
