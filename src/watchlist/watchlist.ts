// A user's watchlist: the catalog items they follow, each with a note and
// when it was added, newest first. Adding is idempotent (adding a watched
// item again only changes its note, when one is given), and a user may watch
// at most a configured number of items: the count and the insert run in one
// transaction holding the user's row, so two adds racing at the cap cannot
// both pass it.
import { sql } from 'kysely';
import { ITEM_COLUMNS, type Item } from '../market/catalog/items.js';
import type { Database } from '../platform/db/index.js';
import { watchlistDb } from './tables.js';

export interface WatchedItem {
  readonly item: Item;
  readonly note: string;
  readonly addedAt: Date;
}

export interface WatchlistPage {
  readonly entries: WatchedItem[];
  /** Every item the user watches, not only this page's. */
  readonly total: number;
}

/** What adding an item did: added it, changed (or kept) its note, or found the list full. */
export type WatchOutcome = 'added' | 'updated' | 'full';

const ITEM_FIELDS = ITEM_COLUMNS.map((column) => `items.${column}` as const);

/**
 * Watches `itemId` for the user, or changes its note when it is watched
 * already (an absent note keeps the one it has). A new item past `cap`
 * watched items is refused: 'full', and nothing changes.
 */
export async function watchItem(
  database: Database,
  userId: number,
  itemId: number,
  note: string | undefined,
  cap: number,
): Promise<WatchOutcome> {
  return watchlistDb(database)
    .transaction()
    .execute(async (trx) => {
      // Serializes one user's changes: the count below stays true until the insert.
      await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
      const existing = await trx
        .selectFrom('watchlist_items')
        .select('item_id')
        .where('user_id', '=', userId)
        .where('item_id', '=', itemId)
        .executeTakeFirst();
      if (existing) {
        if (note !== undefined) {
          await trx
            .updateTable('watchlist_items')
            .set({ note })
            .where('user_id', '=', userId)
            .where('item_id', '=', itemId)
            .execute();
        }
        return 'updated';
      }
      const row = await trx
        .selectFrom('watchlist_items')
        .select(sql<number>`count(*)::int`.as('watched'))
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if ((row?.watched ?? 0) >= cap) return 'full';
      await trx
        .insertInto('watchlist_items')
        .values({ user_id: userId, item_id: itemId, note: note ?? '' })
        .execute();
      return 'added';
    });
}

/** Stops watching `itemId`; false when the user did not watch it. */
export async function unwatchItem(
  database: Database,
  userId: number,
  itemId: number,
): Promise<boolean> {
  const result = await watchlistDb(database)
    .deleteFrom('watchlist_items')
    .where('user_id', '=', userId)
    .where('item_id', '=', itemId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

function watchedRows(database: Database, userId: number) {
  return watchlistDb(database)
    .selectFrom('watchlist_items as w')
    .innerJoin('items', 'items.id', 'w.item_id')
    .select(ITEM_FIELDS)
    .select(['w.note', 'w.added_at'])
    .where('w.user_id', '=', userId);
}

function watchedItem(row: Item & { note: string; added_at: Date }): WatchedItem {
  const { note, added_at, ...item } = row;
  return { item, note, addedAt: added_at };
}

/** A page of the user's watchlist, newest first, and how many items it holds in all. */
export async function watchlistPage(
  database: Database,
  userId: number,
  page: { readonly limit: number; readonly offset: number },
): Promise<WatchlistPage> {
  const [rows, count] = await Promise.all([
    watchedRows(database, userId)
      .orderBy('w.added_at', 'desc')
      .orderBy('w.item_id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    watchlistDb(database)
      .selectFrom('watchlist_items')
      .select(sql<number>`count(*)::int`.as('total'))
      .where('user_id', '=', userId)
      .executeTakeFirst(),
  ]);
  return { entries: rows.map(watchedItem), total: count?.total ?? 0 };
}

/** One watched item of the user, or null when they do not watch it. */
export async function watchedEntry(
  database: Database,
  userId: number,
  itemId: number,
): Promise<WatchedItem | null> {
  const row = await watchedRows(database, userId)
    .where('w.item_id', '=', itemId)
    .executeTakeFirst();
  return row ? watchedItem(row) : null;
}

/** The ids of every item the user watches, smallest first. */
export async function watchedItemIds(database: Database, userId: number): Promise<number[]> {
  const rows = await watchlistDb(database)
    .selectFrom('watchlist_items')
    .select('item_id')
    .where('user_id', '=', userId)
    .orderBy('item_id')
    .execute();
  return rows.map((row) => row.item_id);
}
