// The database the market tests run on: a new one with every migration
// applied, opened once per file and closed (dropped) after its tests, and the
// catalog items they price, in the database and as providers see them.
import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { buildCatalogFromDataSet, type CatalogEntry } from '../../src/market/catalog/index.js';
import type { PricedItem } from '../../src/market/types.js';
import { type Database, migrate } from '../../src/platform/db/index.js';
import { openTestDatabase, type TestDatabase } from './backends.js';

/** A new database with every migration applied; closing it drops it. */
export async function openMigratedDatabase(): Promise<TestDatabase> {
  const database = await openTestDatabase();
  try {
    await migrate(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/**
 * Opens a migrated database before the file's tests and closes it after them.
 * Call it at the top of a test file; the accessor it returns gives the
 * database from the file's own `beforeAll` hooks on.
 */
export function useMigratedDatabase(): () => TestDatabase {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await openMigratedDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });
  return () => {
    if (!database) throw new Error('the test database is not open yet (or failed to open)');
    return database;
  };
}

/** Adds one catalog item (a weapon skin) per name and returns their ids, in order. */
export async function insertItems(database: Database, names: readonly string[]): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`insert into items (market_hash_name, category)
    select name, 'weapon skin' from unnest(${[...names]}::text[]) as name
    returning id`.execute(database.db);
  return rows.map((row) => row.id);
}

/** An item as a provider sees it, with the catalog attributes of an unrated weapon skin unless given. */
export function pricedItem(
  id: number,
  marketHashName: string,
  attributes: Partial<Omit<PricedItem, 'id' | 'marketHashName'>> = {},
): PricedItem {
  return {
    id,
    marketHashName,
    category: 'skin',
    weaponType: null,
    skinName: null,
    exterior: null,
    rarity: null,
    stattrak: false,
    souvenir: false,
    ...attributes,
  };
}

let realCatalog: Promise<CatalogEntry[]> | null = null;

/** The real catalog from the data set: built once per worker (it takes a second or two). */
export function realCatalogEntries(): Promise<CatalogEntry[]> {
  realCatalog ??= buildCatalogFromDataSet();
  return realCatalog;
}

/** `entry` as a provider sees it, under `id`. */
export function pricedEntry(id: number, entry: CatalogEntry): PricedItem {
  return {
    id,
    marketHashName: entry.market_hash_name,
    category: entry.category,
    weaponType: entry.weapon_type,
    skinName: entry.skin_name,
    exterior: entry.exterior,
    rarity: entry.rarity,
    stattrak: entry.stattrak,
    souvenir: entry.souvenir,
  };
}

/** The real catalog as providers see it, with ids in its order from 1. */
export async function realCatalogItems(): Promise<PricedItem[]> {
  return (await realCatalogEntries()).map((entry, index) => pricedEntry(index + 1, entry));
}
