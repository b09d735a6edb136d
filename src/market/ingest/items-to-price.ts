// The items every cycle asks the providers to price: the whole catalog, with
// the ones someone holds or watches flagged, so providers that cannot price
// everything every cycle start with them.
import { sql } from 'kysely';
import type { Database } from '../../platform/db/index.js';
import type { PricedItem } from '../types.js';

/** The ids of the items to price first. */
export type PriorityItems = () => Promise<ReadonlySet<number>>;

interface ItemRow {
  readonly id: number;
  readonly market_hash_name: string;
  readonly category: string;
  readonly weapon_type: string | null;
  readonly skin_name: string | null;
  readonly exterior: string | null;
  readonly rarity: string | null;
  readonly stattrak: boolean;
  readonly souvenir: boolean;
}

export async function loadItemsToPrice(
  database: Database,
  priorityItems?: PriorityItems,
): Promise<PricedItem[]> {
  const { rows } = await sql<ItemRow>`
    select id, market_hash_name, category, weapon_type, skin_name, exterior, rarity, stattrak,
      souvenir
    from items order by id`.execute(database.db);
  const priority = priorityItems ? await priorityItems() : new Set<number>();
  return rows.map((row) => ({
    id: row.id,
    marketHashName: row.market_hash_name,
    category: row.category,
    weaponType: row.weapon_type,
    skinName: row.skin_name,
    exterior: row.exterior,
    rarity: row.rarity,
    stattrak: row.stattrak,
    souvenir: row.souvenir,
    ...(priority.has(row.id) ? { priority: true } : {}),
  }));
}
