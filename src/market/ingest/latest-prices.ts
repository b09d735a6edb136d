// The latest price of every item from every source, kept in the store so the
// item API and the live feed never query the prices table for it. A value
// only moves forward in time: a quote older than the one held, arriving late
// or twice, leaves it alone, so every change is a real one and is published
// once on PRICES_CHANNEL (in a message with the other changes of its batch).
//
// The read-compare-write is not atomic across processes. Only the ingestion
// leader writes, and it writes each source from one loop, so two writers meet
// only in the seconds of a leader hand-over; the loser of that race shows a
// slightly older price until the next cycle.
//
// The store is a cache: the rows are in the database. When the store is
// unreachable the caller logs and carries on, the next batch corrects the
// items it prices, and `rebuildLatestPrices` fills the whole cache from the
// database when an instance becomes the leader.
import { sql } from 'kysely';
import type { Database } from '../../platform/db/index.js';
import type { Store } from '../../platform/store/index.js';
import { publishChanges } from '../publish-changes.js';
import { PRICES_CHANNEL, type PriceQuote, type PriceSource } from '../types.js';

/** What PRICES_CHANNEL carries of every latest price that changed. */
export interface PriceMessage {
  readonly item_id: number;
  readonly source: PriceSource;
  readonly price_cents: number;
  readonly volume?: number;
  readonly listings?: number;
  /** ISO 8601. */
  readonly observed_at: string;
}

interface CachedPrice {
  readonly price_cents: number;
  readonly volume?: number;
  readonly listings?: number;
  readonly observed_at: string;
}

/** Items whose latest prices are rebuilt per query. */
const REBUILD_ITEMS_PER_QUERY = 1000;

export function latestPriceKey(source: PriceSource, itemId: number): string {
  return `price:latest:${source}:${itemId}`;
}

function cachedPrice(quote: PriceQuote): CachedPrice {
  return {
    price_cents: quote.price_cents,
    ...(quote.volume === undefined ? {} : { volume: quote.volume }),
    ...(quote.listings === undefined ? {} : { listings: quote.listings }),
    observed_at: quote.observed_at.toISOString(),
  };
}

function priceMessage(quote: PriceQuote): PriceMessage {
  return { item_id: quote.item_id, source: quote.source, ...cachedPrice(quote) };
}

/** A volume or listing count as PriceMessage carries it: absent, or a whole number. */
export function isCountOrAbsent(value: unknown): value is number | undefined {
  return value === undefined || (Number.isSafeInteger(value) && (value as number) >= 0);
}

/** The cached value as a quote; null when absent or not one of ours. */
function parseCached(text: string | null, itemId: number, source: PriceSource): PriceQuote | null {
  if (text === null) return null;
  let value: Partial<CachedPrice>;
  try {
    value = JSON.parse(text) as Partial<CachedPrice>;
  } catch {
    return null;
  }
  const observedAt = new Date(value.observed_at ?? Number.NaN);
  const price = value.price_cents;
  if (Number.isNaN(observedAt.getTime()) || !Number.isSafeInteger(price)) return null;
  if (!isCountOrAbsent(value.volume) || !isCountOrAbsent(value.listings)) return null;
  return {
    item_id: itemId,
    source,
    price_cents: price as number,
    ...(value.volume === undefined ? {} : { volume: value.volume }),
    ...(value.listings === undefined ? {} : { listings: value.listings }),
    observed_at: observedAt,
  };
}

/** The newest quote of each (item, source) in `quotes`. */
function newestPerItem(quotes: readonly PriceQuote[]): PriceQuote[] {
  const newest = new Map<string, PriceQuote>();
  for (const quote of quotes) {
    const key = latestPriceKey(quote.source, quote.item_id);
    const held = newest.get(key);
    if (!held || held.observed_at < quote.observed_at) newest.set(key, quote);
  }
  return [...newest.values()];
}

export interface UpdateOptions {
  /** Announce each change on PRICES_CHANNEL (default true). */
  readonly publish?: boolean;
}

/**
 * Moves the latest price of each (item, source) in `quotes` forward to the
 * newest quote, when that is newer than the one held, and publishes each
 * change. Returns the quotes that became the latest.
 */
export async function updateLatestPrices(
  store: Store,
  quotes: readonly PriceQuote[],
  options: UpdateOptions = {},
): Promise<PriceQuote[]> {
  const candidates = newestPerItem(quotes);
  const held = await Promise.all(
    candidates.map((quote) => store.get(latestPriceKey(quote.source, quote.item_id))),
  );
  const changed = candidates.filter((quote, index) => {
    const current = parseCached(held[index] ?? null, quote.item_id, quote.source);
    return current === null || current.observed_at < quote.observed_at;
  });
  await Promise.all(
    changed.map((quote) =>
      store.set(latestPriceKey(quote.source, quote.item_id), JSON.stringify(cachedPrice(quote))),
    ),
  );
  if (options.publish ?? true) {
    await publishChanges(store, PRICES_CHANNEL, changed.map(priceMessage));
  }
  return changed;
}

/** The latest price of `itemId` from each of `sources` that has one, in the order of `sources`. */
export async function latestPrices(
  store: Store,
  itemId: number,
  sources: readonly PriceSource[],
): Promise<PriceQuote[]> {
  return latestPricesOfItems(store, [itemId], sources);
}

/** The latest price of each of `itemIds` from each of `sources` that has one, in one store read. */
export async function latestPricesOfItems(
  store: Store,
  itemIds: readonly number[],
  sources: readonly PriceSource[],
): Promise<PriceQuote[]> {
  const wanted = itemIds.flatMap((itemId) => sources.map((source) => ({ itemId, source })));
  const held = await store.getMany(
    wanted.map(({ itemId, source }) => latestPriceKey(source, itemId)),
  );
  return wanted.flatMap(({ itemId, source }, index) => {
    const quote = parseCached(held[index] ?? null, itemId, source);
    return quote ? [quote] : [];
  });
}

interface LatestRow {
  readonly item_id: number;
  readonly source: PriceSource;
  readonly observed_at: Date;
  readonly price_cents: number;
  readonly volume: number | null;
  readonly listings: number | null;
}

function quoteOf(row: LatestRow): PriceQuote {
  return {
    item_id: row.item_id,
    source: row.source,
    price_cents: row.price_cents,
    ...(row.volume === null ? {} : { volume: row.volume }),
    ...(row.listings === null ? {} : { listings: row.listings }),
    observed_at: row.observed_at,
  };
}

/**
 * Fills the store with the newest stored price of every item from each of
 * `sources`, without publishing, and without replacing a newer value. One
 * index lookup per item and source (the primary key read backwards), a page
 * of items at a time, however many rows the table holds. Returns how many
 * latest prices it moved forward.
 */
export async function rebuildLatestPrices(
  database: Database,
  store: Store,
  sources: readonly PriceSource[],
): Promise<number> {
  let updated = 0;
  let after = 0;
  for (;;) {
    const { rows: page } = await sql<{ id: number }>`
      select id from items where id > ${after} order by id
      limit ${REBUILD_ITEMS_PER_QUERY}`.execute(database.db);
    const last = page.at(-1);
    if (!last) return updated;
    after = last.id;
    const { rows } = await sql<LatestRow>`
      select latest.*
      from unnest(${page.map((item) => item.id)}::int[]) as item (id)
      cross join unnest(${[...sources]}::text[]) as wanted (source)
      cross join lateral (
        select item_id, source, observed_at, price_cents, volume, listings
        from prices
        where item_id = item.id and source = wanted.source
        order by observed_at desc
        limit 1
      ) as latest`.execute(database.db);
    updated += (await updateLatestPrices(store, rows.map(quoteOf), { publish: false })).length;
  }
}
