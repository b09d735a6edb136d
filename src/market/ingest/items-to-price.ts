// The items every cycle asks the providers to price: the whole catalog, with
// the ones someone holds or watches flagged, so providers that cannot price
// everything every cycle start with them.
import { sql } from 'kysely';
import type { Database } from '../../platform/db/index.js';
import type { PricedItem } from '../types.js';

/** The ids of the items to price first. */
export type PriorityItems = () => Promise<ReadonlySet<number>>;

export async function loadItemsToPrice(
  database: Database,
  priorityItems?: PriorityItems,
): Promise<PricedItem[]> {
  const { rows } = await sql<{ id: number; market_hash_name: string }>`
    select id, market_hash_name from items order by id`.execute(database.db);
  const priority = priorityItems ? await priorityItems() : new Set<number>();
  return rows.map((row) => ({
    id: row.id,
    marketHashName: row.market_hash_name,
    ...(priority.has(row.id) ? { priority: true } : {}),
  }));
}
