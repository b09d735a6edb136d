// The items table as the API reads it: search by name, page by page, and one
// item by id.
//
// A search finds the items whose name contains every word of the query, in
// any case and any order ("ak redline", "karambit fade fn"): one
// case-insensitive LIKE per word, served by the trigram index of migration
// 004 once a word has three characters. A wear abbreviation (fn, mw, ft, ww,
// bs) also matches its wear. Pages follow the name order and a cursor is the
// last name of a page, so a page never repeats or skips an item whatever was
// inserted meanwhile; names are unique, which makes the order total without a
// tie-breaker.
import type {
  ColumnType,
  Expression,
  ExpressionBuilder,
  Generated,
  Kysely,
  QueryCreator,
  SqlBool,
} from 'kysely';
import type { Database } from '../../platform/db/index.js';
import { isStorableText } from '../../platform/text.js';

export type ItemTables = {
  items: {
    id: Generated<number>;
    market_hash_name: string;
    category: string;
    weapon_type: string | null;
    skin_name: string | null;
    exterior: string | null;
    stattrak: Generated<boolean>;
    souvenir: Generated<boolean>;
    rarity: string | null;
    image_url: string | null;
    created_at: ColumnType<Date, never, never>;
    updated_at: ColumnType<Date, never, Date>;
  };
};

/** What the API shows of an item. */
export interface Item {
  readonly id: number;
  readonly market_hash_name: string;
  readonly category: string;
  readonly weapon_type: string | null;
  readonly skin_name: string | null;
  readonly exterior: string | null;
  readonly stattrak: boolean;
  readonly souvenir: boolean;
  readonly rarity: string | null;
  readonly image_url: string | null;
}

export interface ItemSearch {
  readonly q?: string | undefined;
  readonly category?: string | undefined;
  /** 1 to SEARCH_LIMIT_MAX. */
  readonly limit: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string | undefined;
}

export interface ItemsPage {
  readonly items: Item[];
  /** Null on the last page. */
  readonly nextCursor: string | null;
}

export const SEARCH_LIMIT_MAX = 200;
/** Words past this many are ignored: no CS2 name needs more to be found. */
export const SEARCH_WORDS_MAX = 8;

export const ITEM_COLUMNS = [
  'id',
  'market_hash_name',
  'category',
  'weapon_type',
  'skin_name',
  'exterior',
  'stattrak',
  'souvenir',
  'rarity',
  'image_url',
] as const;

/** pg_trgm indexes three-character sequences: a shorter word cannot use the index. */
const TRIGRAM_LENGTH = 3;

const WEAR_ABBREVIATIONS: Readonly<Record<string, string>> = {
  fn: '(Factory New)',
  mw: '(Minimal Wear)',
  ft: '(Field-Tested)',
  ww: '(Well-Worn)',
  bs: '(Battle-Scarred)',
};

/** The cursor does not decode to a position in the name order. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

function itemsDb(database: Database): Kysely<ItemTables> {
  return database.db.withTables<ItemTables>();
}

/** The distinct words of a query, lowercased, at most SEARCH_WORDS_MAX. */
function searchWords(q: string | undefined): string[] {
  const words = (q ?? '').toLowerCase().split(/\s+/u).filter(Boolean);
  return [...new Set(words)].slice(0, SEARCH_WORDS_MAX);
}

/** A LIKE pattern matching `text` anywhere, with LIKE's own wildcards taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

function encodeCursor(marketHashName: string): string {
  return Buffer.from(marketHashName, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const name = Buffer.from(cursor, 'base64url').toString('utf8');
  // Node decodes leniently; only the canonical spelling of a name is a cursor.
  // A canonical one can still hold U+0000, which the database refuses (S38).
  if (name === '' || encodeCursor(name) !== cursor || !isStorableText(name)) {
    throw new InvalidCursorError('invalid cursor');
  }
  return name;
}

export type ItemFilter = (eb: ExpressionBuilder<ItemTables, 'items'>) => Expression<SqlBool>;

/** The name contains `text`, in any case: the form the trigram index of migration 004 serves. */
function nameContains(text: string): ItemFilter {
  return (eb) =>
    eb(
      eb.fn('lower', ['market_hash_name']),
      'like',
      eb.fn('lower', [eb.val(containsPattern(text))]),
    );
}

function wordFilter(word: string): ItemFilter {
  const wear = WEAR_ABBREVIATIONS[word];
  const named = nameContains(word);
  return wear ? (eb) => eb.or([named(eb), nameContains(wear)(eb)]) : named;
}

/**
 * The items whose name holds every word of `q` (as `searchItems` matches
 * them), as a condition on the items table, or null when `q` has no words.
 */
export function nameMatches(q: string | undefined): ItemFilter | null {
  const filters = searchWords(q).map(wordFilter);
  return filters.length === 0 ? null : (eb) => eb.and(filters.map((filter) => filter(eb)));
}

export async function searchItems(database: Database, search: ItemSearch): Promise<ItemsPage> {
  const { limit, category } = search;
  if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_LIMIT_MAX) {
    throw new RangeError(`limit must be a whole number from 1 to ${SEARCH_LIMIT_MAX}`);
  }
  const after = search.cursor === undefined ? null : decodeCursor(search.cursor);
  const words = searchWords(search.q);
  const filters: ItemFilter[] = words.map(wordFilter);
  if (category !== undefined) filters.push((eb) => eb('category', '=', category));
  if (after !== null) filters.push((eb) => eb('market_hash_name', '>', after));
  const matching = (db: QueryCreator<ItemTables>) =>
    db
      .selectFrom('items')
      .select(ITEM_COLUMNS)
      .where((eb) => eb.and(filters.map((filter) => filter(eb))));

  const db = itemsDb(database);
  // Asked for the first names in order, the planner likes to walk the name
  // index and test every row: quick when matches are everywhere, a walk
  // through the whole table when they are few or sort late (★ knives sort
  // last). A word of TRIGRAM_LENGTH characters narrows the search through the
  // trigram index, so then the matches are collected first and sorted after.
  const rows = words.some((word) => word.length >= TRIGRAM_LENGTH)
    ? await db
        .with((cte) => cte('matches').materialized(), matching)
        .selectFrom('matches')
        .selectAll()
        .orderBy('market_hash_name')
        .limit(limit + 1)
        .execute()
    : await matching(db)
        .orderBy('market_hash_name')
        .limit(limit + 1)
        .execute();
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor(last.market_hash_name) : null,
  };
}

export async function getItem(database: Database, id: number): Promise<Item | null> {
  const row = await itemsDb(database)
    .selectFrom('items')
    .select(ITEM_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ?? null;
}

/** The items with `ids`, in the order of `ids`; ids with no item are left out. */
export async function getItems(database: Database, ids: readonly number[]): Promise<Item[]> {
  if (ids.length === 0) return [];
  const rows = await itemsDb(database)
    .selectFrom('items')
    .select(ITEM_COLUMNS)
    .where('id', 'in', [...ids])
    .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The market names of the items among `ids` (nulls and repeats allowed), by id. */
export async function itemNames(
  database: Database,
  ids: readonly (number | null)[],
): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  const items = await getItems(database, wanted);
  return new Map(items.map((item) => [item.id, item.market_hash_name]));
}
