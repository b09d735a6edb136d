// The watchlist's table as Kysely sees it (migrations/014_watchlists.sql),
// with the catalog's items table it joins to and the users table whose row
// a change locks.
import type { ColumnType, Kysely } from 'kysely';
import type { ItemTables } from '../market/catalog/items.js';
import type { Database } from '../platform/db/index.js';

export type WatchlistTables = ItemTables & {
  watchlist_items: {
    user_id: number;
    item_id: number;
    note: ColumnType<string, string | undefined, string>;
    added_at: ColumnType<Date, Date | undefined, never>;
  };
  users: { id: number };
};

export function watchlistDb(database: Database): Kysely<WatchlistTables> {
  return database.db.withTables<WatchlistTables>();
}
