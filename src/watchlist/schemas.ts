// Request and response shapes of the watchlist API. Each watched item comes
// with its catalog fields and its latest price from the most preferred
// source that has one (PORTFOLIO_PRICE_SOURCES, as the portfolio values
// holdings), in integer minor units, saying its source, when it was seen and
// whether it is stale.
import { type TSchema, Type } from 'typebox';
import { ItemJson } from '../market/schemas.js';
import { MARKET_PROVIDERS } from '../shared/market-vocabulary.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
/** Catalog ids are PostgreSQL `integer`s. */
const ItemId = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });

export const WATCHLIST_NOTE_MAX = 500;
export const WATCHLIST_PAGE_DEFAULT = 100;
export const WATCHLIST_PAGE_MAX = 500;

export const WatchlistQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: WATCHLIST_PAGE_MAX })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);

export const ItemIdParams = Type.Object({ itemId: ItemId }, { additionalProperties: false });

export const WatchBody = Type.Object(
  {
    /** Absent: a new item gets no note, a watched one keeps its note. */
    note: Type.Optional(Type.String({ maxLength: WATCHLIST_NOTE_MAX })),
  },
  { additionalProperties: false },
);

export const WatchedPriceJson = Type.Object({
  price_cents: Type.Integer(),
  source: Type.Enum(MARKET_PROVIDERS),
  simulated: Type.Boolean(),
  observed_at: DateTime,
  age_seconds: Type.Integer(),
  stale: Type.Boolean(),
  /** Percent; null when the source has no price 24 hours before. */
  change_24h_percent: Nullable(Type.Number()),
});

export const WatchedItemJson = Type.Object({
  item: ItemJson,
  note: Type.String(),
  added_at: DateTime,
  /** Null when no preferred source has a price for the item yet. */
  price: Nullable(WatchedPriceJson),
});

export const WatchlistJson = Type.Object(
  {
    currency: Type.String(),
    /** The sources that price items here, most preferred first. */
    price_sources: Type.Array(Type.Enum(MARKET_PROVIDERS)),
    /** Newest first: `limit` of them from `offset`. */
    items: Type.Array(WatchedItemJson),
    /** How many items the user watches in all. */
    total: Type.Integer(),
    /** How many items one user may watch (WATCHLIST_ITEMS_PER_USER). */
    max_items: Type.Integer(),
    offset: Type.Integer(),
    limit: Type.Integer(),
  },
  { description: "The user's watched items with their latest prices, newest first" },
);

export const WatchlistIdsJson = Type.Object(
  { item_ids: Type.Array(Type.Integer()) },
  { description: 'The ids of every item the user watches, smallest first' },
);
