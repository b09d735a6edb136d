// Request and response shapes of the trader's market API: the overview, the
// movers and the market index. Query strings refuse unknown parameters, and
// every price says where it came from and whether it is simulated.
import { type TSchema, Type } from 'typebox';
import {
  HISTORY_WINDOWS,
  MARKET_PROVIDERS,
  MOVER_WINDOWS,
  OVERVIEW_SORTS,
} from '../../shared/market-vocabulary.js';
import { Cents, ItemJson, MinVolume } from '../schemas.js';

export const OVERVIEW_PAGE_DEFAULT = 50;
export const OVERVIEW_PAGE_MAX = 200;
export const MOVERS_LIMIT_DEFAULT = 20;
export const MOVERS_LIMIT_MAX = 100;

const Source = Type.Enum(MARKET_PROVIDERS);
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const OverviewQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100 })),
    category: Type.Optional(Type.String({ maxLength: 40 })),
    rarity: Type.Optional(Type.String({ maxLength: 40 })),
    exterior: Type.Optional(Type.String({ maxLength: 40 })),
    stattrak: Type.Optional(Type.Boolean()),
    souvenir: Type.Optional(Type.Boolean()),
    min_price_cents: Type.Optional(Cents),
    max_price_cents: Type.Optional(Cents),
    priced: Type.Optional(Type.Boolean()),
    /** Only the items the signed-in user watches (401 signed out). */
    watchlist: Type.Optional(Type.Boolean()),
    sort: Type.Optional(Type.Enum(OVERVIEW_SORTS)),
    order: Type.Optional(Type.Enum(['asc', 'desc'])),
    source: Type.Optional(Source),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: OVERVIEW_PAGE_MAX })),
    cursor: Type.Optional(Type.String({ maxLength: 400 })),
  },
  { additionalProperties: false },
);

export const MarketPriceJson = Type.Object({
  price_cents: Type.Integer(),
  observed_at: Type.String({ format: 'date-time' }),
  age_seconds: Type.Integer(),
  stale: Type.Boolean(),
});

export const MarketEntryJson = Type.Object({
  item: ItemJson,
  /** Null when the source has no price for the item. */
  price: Nullable(MarketPriceJson),
  /** The latest the source reported (Steam: units sold in the last 24 hours). */
  volume: Nullable(Type.Integer()),
  change_1h: Nullable(Type.Number()),
  change_24h: Nullable(Type.Number()),
  change_7d: Nullable(Type.Number()),
  /** The 24 h coefficient of variation. */
  volatility: Nullable(Type.Number()),
  /** Closing prices in cents, six hours apart, over the last seven days. */
  sparkline: Type.Array(Type.Integer()),
});

const About = {
  source: Source,
  simulated: Type.Boolean(),
  currency: Type.String(),
};

export const OverviewJson = Type.Object({
  ...About,
  sort: Type.Enum(OVERVIEW_SORTS),
  order: Type.Enum(['asc', 'desc']),
  items: Type.Array(MarketEntryJson),
  next_cursor: Nullable(Type.String()),
});

export const MoversQuery = Type.Object(
  {
    window: Type.Optional(Type.Enum(MOVER_WINDOWS)),
    direction: Type.Optional(Type.Enum(['up', 'down'])),
    min_price_cents: Type.Optional(Cents),
    min_volume: Type.Optional(MinVolume),
    source: Type.Optional(Source),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MOVERS_LIMIT_MAX })),
  },
  { additionalProperties: false },
);

export const MoversJson = Type.Object({
  ...About,
  window: Type.Enum(MOVER_WINDOWS),
  direction: Type.Enum(['up', 'down']),
  /** The floors this answer used. */
  min_price_cents: Type.Integer(),
  min_volume: Type.Integer(),
  items: Type.Array(MarketEntryJson),
});

export const IndexQuery = Type.Object(
  { source: Type.Optional(Source) },
  { additionalProperties: false },
);

export const IndexJson = Type.Object({
  ...About,
  /** Null until an item qualifies for the basket. */
  index: Nullable(
    Type.Object({
      value: Type.Number(),
      base: Type.Number(),
      change_24h: Nullable(Type.Number()),
      computed_at: Type.String({ format: 'date-time' }),
      basket_size: Type.Integer(),
      reweighted_at: Type.String({ format: 'date-time' }),
    }),
  ),
});

export const IndexHistoryQuery = Type.Object(
  { window: Type.Optional(Type.Enum(HISTORY_WINDOWS)), source: Type.Optional(Source) },
  { additionalProperties: false },
);

export const IndexHistoryJson = Type.Object({
  source: Source,
  simulated: Type.Boolean(),
  window: Type.Enum(HISTORY_WINDOWS),
  bucket_seconds: Type.Integer(),
  points: Type.Array(
    Type.Object({
      time: Type.String({ format: 'date-time' }),
      open: Type.Number(),
      close: Type.Number(),
      low: Type.Number(),
      high: Type.Number(),
    }),
  ),
});
