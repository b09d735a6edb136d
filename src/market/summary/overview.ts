// The market table a trader scans (GET /market) and its movers (GET /movers),
// read from market_summary only: a page is a few index lookups however large
// the catalog, and nothing is computed from raw prices on a request.
//
// A page sorted by a summary column (price, a change, volume, volatility)
// comes in two runs: first the rows that have a value in that column, in
// its index's order (either way), then, once those run out, the items
// without one (unpriced, or no change for that window yet) in name order.
// The cursor says which run it is in and where, so a page never repeats or
// skips an item while prices move only as far as a keyset on a moving value
// can promise: an item whose value changes between two pages may move
// across the cursor. Sorted by name, the items table leads and every
// item is in one run.
import { type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import { arrayLiteral } from '../../platform/db/array-literal.js';
import type { Database } from '../../platform/db/index.js';
import { isStorableText } from '../../platform/text.js';
import {
  MOVER_WINDOWS,
  type MoverWindow,
  OVERVIEW_SORTS,
  type OverviewSort,
} from '../../shared/market-vocabulary.js';
import {
  InvalidCursorError,
  ITEM_COLUMNS,
  type Item,
  type ItemTables,
  nameMatches,
} from '../catalog/items.js';
import type { PriceSource } from '../types.js';

export { MOVER_WINDOWS, type MoverWindow, OVERVIEW_SORTS, type OverviewSort };
export type SortOrder = 'asc' | 'desc';

type SummaryColumn = Exclude<OverviewSort, 'name'>;

const SORT_COLUMNS: Readonly<Record<SummaryColumn, keyof SummaryRow>> = {
  price: 'price_cents',
  change_1h: 'change_1h',
  change_24h: 'change_24h',
  change_7d: 'change_7d',
  volume: 'volume',
  volatility: 'volatility',
};

interface SummaryRow {
  item_id: number;
  source: string;
  market_hash_name: string;
  category: string;
  rarity: string | null;
  exterior: string | null;
  stattrak: boolean;
  souvenir: boolean;
  price_cents: number;
  observed_at: Date;
  volume: number | null;
  change_1h: number | null;
  change_24h: number | null;
  change_7d: number | null;
  volatility: number | null;
  sparkline: number[];
}

type SummaryTables = ItemTables & { market_summary: SummaryRow };

export interface OverviewFilters {
  readonly q?: string | undefined;
  readonly category?: string | undefined;
  readonly rarity?: string | undefined;
  readonly exterior?: string | undefined;
  readonly stattrak?: boolean | undefined;
  readonly souvenir?: boolean | undefined;
  readonly minPriceCents?: number | undefined;
  readonly maxPriceCents?: number | undefined;
  /** Only items with a price from the source. */
  readonly priced?: boolean | undefined;
  /** Only these items (a user's watchlist); an empty list matches none. */
  readonly onlyItemIds?: readonly number[] | undefined;
}

export interface OverviewQuery extends OverviewFilters {
  readonly source: PriceSource;
  readonly sort: OverviewSort;
  readonly order: SortOrder;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** An item of the market table, its summary null when the source has no price for it. */
export interface OverviewEntry {
  readonly item: Item;
  readonly summary: Omit<
    SummaryRow,
    | 'item_id'
    | 'source'
    | 'market_hash_name'
    | 'category'
    | 'rarity'
    | 'exterior'
    | 'stattrak'
    | 'souvenir'
  > | null;
}

export interface OverviewPage {
  readonly entries: OverviewEntry[];
  readonly nextCursor: string | null;
}

/** Where a page ended: the run, the last value of the sort column (or name), the last item. */
interface Position {
  readonly run: 'valued' | 'rest';
  readonly value: number | string;
  readonly id: number;
}

function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.run, position.value, position.id])).toString(
    'base64url',
  );
}

function decodeCursor(cursor: string): Position {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('invalid cursor');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw new InvalidCursorError('invalid cursor');
  const [run, value, id] = parsed as unknown[];
  const validValue =
    (typeof value === 'number' && Number.isFinite(value)) ||
    (typeof value === 'string' && value !== '' && isStorableText(value));
  if (
    (run !== 'valued' && run !== 'rest') ||
    !validValue ||
    !Number.isSafeInteger(id) ||
    (id as number) < 1 ||
    encodeCursor({ run, value: value as number | string, id: id as number }) !== cursor
  ) {
    throw new InvalidCursorError('invalid cursor');
  }
  return { run, value: value as number | string, id: id as number };
}

const ITEM_FIELDS = ITEM_COLUMNS.map((column) => `i.${column}` as const);
const SUMMARY_FIELDS = [
  's.price_cents',
  's.observed_at',
  's.volume',
  's.change_1h',
  's.change_24h',
  's.change_7d',
  's.volatility',
  's.sparkline',
] as const;

type Row = Item & Partial<Omit<SummaryRow, 'item_id' | 'source'>> & { has_summary: number | null };

function toEntry(row: Row): OverviewEntry {
  const item: Item = {
    id: row.id,
    market_hash_name: row.market_hash_name,
    category: row.category,
    weapon_type: row.weapon_type,
    skin_name: row.skin_name,
    exterior: row.exterior,
    stattrak: row.stattrak,
    souvenir: row.souvenir,
    rarity: row.rarity,
    image_url: row.image_url,
  };
  if (row.has_summary === null || row.price_cents === undefined || row.observed_at === undefined) {
    return { item, summary: null };
  }
  return {
    item,
    summary: {
      price_cents: row.price_cents,
      observed_at: row.observed_at,
      volume: row.volume ?? null,
      change_1h: row.change_1h ?? null,
      change_24h: row.change_24h ?? null,
      change_7d: row.change_7d ?? null,
      volatility: row.volatility ?? null,
      sparkline: row.sparkline ?? [],
    },
  };
}

type Builder = ExpressionBuilder<
  SummaryTables & { s: SummaryRow; i: ItemTables['items'] },
  's' | 'i'
>;

/** The filters as conditions on `i` (items) and `s` (the summary, may be absent). */
function conditions(eb: Builder, filters: OverviewFilters, db: Kysely<SummaryTables>) {
  const all = [];
  const named = nameMatches(filters.q);
  if (named) {
    all.push(
      eb(
        'i.id',
        'in',
        db
          .selectFrom('items')
          .select('id')
          .where((items) => named(items)),
      ),
    );
  }
  if (filters.category !== undefined) all.push(eb('i.category', '=', filters.category));
  if (filters.rarity !== undefined) all.push(eb('i.rarity', '=', filters.rarity));
  if (filters.exterior !== undefined) all.push(eb('i.exterior', '=', filters.exterior));
  if (filters.stattrak !== undefined) all.push(eb('i.stattrak', '=', filters.stattrak));
  if (filters.souvenir !== undefined) all.push(eb('i.souvenir', '=', filters.souvenir));
  if (filters.minPriceCents !== undefined) {
    all.push(eb('s.price_cents', '>=', filters.minPriceCents));
  }
  if (filters.maxPriceCents !== undefined) {
    all.push(eb('s.price_cents', '<=', filters.maxPriceCents));
  }
  if (filters.onlyItemIds !== undefined) {
    // One array parameter however many ids: a watchlist holds up to thousands.
    all.push(sql<SqlBool>`i.id = any(${arrayLiteral(filters.onlyItemIds)}::int[])`);
  }
  return all;
}

const pricedOnly = (filters: OverviewFilters) =>
  filters.priced === true ||
  filters.minPriceCents !== undefined ||
  filters.maxPriceCents !== undefined;

function summaryDb(database: Database): Kysely<SummaryTables> {
  return database.db.withTables<SummaryTables>();
}

/** Items with their summaries, filtered, joined from the items table (left) or the summary (inner). */
function joined(db: Kysely<SummaryTables>, source: PriceSource, inner: boolean) {
  const from = db.selectFrom('items as i');
  const withSummary = inner
    ? from.innerJoin('market_summary as s', (join) =>
        join.onRef('s.item_id', '=', 'i.id').on('s.source', '=', source),
      )
    : from.leftJoin('market_summary as s', (join) =>
        join.onRef('s.item_id', '=', 'i.id').on('s.source', '=', source),
      );
  return withSummary.select([
    ...ITEM_FIELDS,
    ...SUMMARY_FIELDS,
    sql<number | null>`s.item_id`.as('has_summary'),
  ]);
}

async function byName(database: Database, query: OverviewQuery, after: Position | null) {
  const db = summaryDb(database);
  const desc = query.order === 'desc';
  return joined(db, query.source, pricedOnly(query))
    .where((eb) => {
      const all = conditions(eb, query, db);
      if (after) {
        all.push(eb('i.market_hash_name', desc ? '<' : '>', String(after.value)));
      }
      return eb.and(all);
    })
    .orderBy('i.market_hash_name', desc ? 'desc' : 'asc')
    .limit(query.limit + 1)
    .execute() as Promise<Row[]>;
}

async function valuedRun(
  database: Database,
  query: OverviewQuery,
  column: keyof SummaryRow,
  after: Position | null,
  limit: number,
) {
  const db = summaryDb(database);
  const desc = query.order === 'desc';
  const direction = desc ? 'desc' : 'asc';
  const ref = `s.${column}` as const;
  return joined(db, query.source, true)
    .where((eb) => {
      const all = [...conditions(eb, query, db), eb(sql.ref(ref), 'is not', null)];
      if (after) {
        all.push(
          eb(
            eb.refTuple(sql.ref(ref) as never, 's.item_id'),
            desc ? '<' : '>',
            eb.tuple(after.value as never, after.id),
          ),
        );
      }
      return eb.and(all);
    })
    .orderBy(sql.ref(ref), direction)
    .orderBy('s.item_id', direction)
    .limit(limit)
    .execute() as Promise<Row[]>;
}

async function restRun(
  database: Database,
  query: OverviewQuery,
  column: keyof SummaryRow,
  after: Position | null,
  limit: number,
) {
  const db = summaryDb(database);
  const priced = pricedOnly(query);
  return joined(db, query.source, priced)
    .where((eb) => {
      const all = [...conditions(eb, query, db), eb(sql.ref(`s.${column}`), 'is', null)];
      if (after) all.push(eb('i.market_hash_name', '>', String(after.value)));
      return eb.and(all);
    })
    .orderBy('i.market_hash_name')
    .limit(limit)
    .execute() as Promise<Row[]>;
}

/** One page of the market table. Throws InvalidCursorError for a cursor of no such position. */
export async function marketOverview(
  database: Database,
  query: OverviewQuery,
): Promise<OverviewPage> {
  const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
  if (query.sort === 'name') {
    if (after && after.run !== 'rest') throw new InvalidCursorError('invalid cursor');
    const rows = await byName(database, query, after);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      entries: page.map(toEntry),
      nextCursor:
        rows.length > query.limit && last
          ? encodeCursor({ run: 'rest', value: last.market_hash_name, id: last.id })
          : null,
    };
  }
  const column = SORT_COLUMNS[query.sort];
  const valued =
    after?.run === 'rest' ? [] : await valuedRun(database, query, column, after, query.limit + 1);
  const rows =
    valued.length > query.limit
      ? valued
      : [
          ...valued,
          ...(await restRun(
            database,
            query,
            column,
            after?.run === 'rest' ? after : null,
            query.limit + 1 - valued.length,
          )),
        ];
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  if (rows.length <= query.limit || !last) return { entries: page.map(toEntry), nextCursor: null };
  // Rows of the first run have a value in the sort column; those of the second have none.
  const lastValue = last[column as keyof Row] as number | null | undefined;
  return {
    entries: page.map(toEntry),
    nextCursor: encodeCursor(
      lastValue === null || lastValue === undefined
        ? { run: 'rest', value: last.market_hash_name, id: last.id }
        : { run: 'valued', value: lastValue, id: last.id },
    ),
  };
}

export interface MoversQuery {
  readonly source: PriceSource;
  readonly window: MoverWindow;
  readonly direction: 'up' | 'down';
  readonly minPriceCents: number;
  readonly minVolume: number;
  readonly limit: number;
}

/**
 * The largest percent changes over a window, up or down, among items priced
 * at least `minPriceCents` with a volume of at least `minVolume`: below a
 * price, a change of one cent is a change of many percent, which is noise,
 * not a move. An item whose source reports no volume is judged by price
 * alone.
 */
export async function marketMovers(database: Database, query: MoversQuery) {
  const column = `change_${query.window}` as const;
  const up = query.direction === 'up';
  const db = summaryDb(database);
  const rows = (await joined(db, query.source, true)
    .where((eb) =>
      eb.and([
        eb(sql.ref(`s.${column}`), up ? '>' : '<', 0),
        eb('s.price_cents', '>=', query.minPriceCents),
        eb.or([eb('s.volume', 'is', null), eb('s.volume', '>=', query.minVolume)]),
      ]),
    )
    .orderBy(sql.ref(`s.${column}`), up ? 'desc' : 'asc')
    .orderBy('s.item_id')
    .limit(query.limit)
    .execute()) as Row[];
  return rows.map(toEntry);
}
