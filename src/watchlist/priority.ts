// The items ingestion prices first (market/ingest/items-to-price.ts): those
// anyone watches or holds. Providers that cannot price the whole catalog
// every cycle (Steam) start each cycle with these, so a watchlist and a
// portfolio show fresh prices first. Read once per cycle, in one statement
// over both tables; an item held under a name the catalog does not know has
// no id and cannot be priced anyway.
import { sql } from 'kysely';
import type { PriorityItems } from '../market/ingest/index.js';
import type { Database } from '../platform/db/index.js';

export function watchedOrHeldItems(database: Database): PriorityItems {
  return async () => {
    const { rows } = await sql<{ item_id: number }>`
      select item_id from watchlist_items
      union
      select item_id from portfolio_holdings where item_id is not null`.execute(database.db);
    return new Set(rows.map((row) => row.item_id));
  };
}
