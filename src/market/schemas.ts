// Request and response shapes of the public market API. Query strings refuse
// unknown parameters, and every price says where it came from (`source`),
// when the source saw it, and in which currency it is counted.
import { type TSchema, Type } from 'typebox';
import { MARKET_PROVIDERS } from '../config/settings.js';
import { HISTORY_WINDOWS, VOLATILITY_WINDOWS } from './types.js';

export const ITEMS_PAGE_DEFAULT = 50;
export const ITEMS_PAGE_MAX = 200;
export const RANKING_LIMIT_DEFAULT = 20;
export const RANKING_LIMIT_MAX = 100;

const Source = Type.Enum(MARKET_PROVIDERS);
const HistoryWindow = Type.Enum(HISTORY_WINDOWS);
const VolatilityWindow = Type.Enum(VOLATILITY_WINDOWS);
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ItemParams = Type.Object(
  { id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) },
  { additionalProperties: false },
);

export const ItemsQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100 })),
    category: Type.Optional(Type.String({ maxLength: 40 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: ITEMS_PAGE_MAX })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const HistoryQuery = Type.Object(
  { window: Type.Optional(HistoryWindow), source: Type.Optional(Source) },
  { additionalProperties: false },
);

export const VolatilityQuery = Type.Object(
  { window: Type.Optional(VolatilityWindow), source: Type.Optional(Source) },
  { additionalProperties: false },
);

export const RankingQuery = Type.Object(
  {
    window: Type.Optional(VolatilityWindow),
    source: Type.Optional(Source),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: RANKING_LIMIT_MAX })),
  },
  { additionalProperties: false },
);

export const ItemJson = Type.Object({
  id: Type.Integer(),
  market_hash_name: Type.String(),
  category: Type.String(),
  weapon_type: Nullable(Type.String()),
  skin_name: Nullable(Type.String()),
  exterior: Nullable(Type.String()),
  stattrak: Type.Boolean(),
  souvenir: Type.Boolean(),
  rarity: Nullable(Type.String()),
  image_url: Nullable(Type.String()),
});

export const ItemsPageJson = Type.Object(
  {
    items: Type.Array(ItemJson),
    /** Pass as `cursor` for the next page; null on the last page. */
    next_cursor: Nullable(Type.String()),
  },
  { description: 'A page of items, and the cursor of the next' },
);

export const LatestPriceJson = Type.Object({
  source: Source,
  /** True for the demo market: simulated prices, not a real market. */
  simulated: Type.Boolean(),
  price_cents: Type.Integer(),
  volume: Nullable(Type.Integer()),
  listings: Nullable(Type.Integer()),
  observed_at: Type.String({ format: 'date-time' }),
  age_seconds: Type.Integer(),
  stale: Type.Boolean(),
});

export const ItemDetailJson = Type.Object(
  {
    item: ItemJson,
    currency: Type.String(),
    prices: Type.Array(LatestPriceJson),
  },
  { description: 'The item, and its latest price from each source' },
);

export const HistoryJson = Type.Object(
  {
    item_id: Type.Integer(),
    source: Source,
    simulated: Type.Boolean(),
    window: HistoryWindow,
    currency: Type.String(),
    bucket_seconds: Type.Integer(),
    points: Type.Array(
      Type.Object({
        time: Type.String({ format: 'date-time' }),
        open_cents: Type.Integer(),
        close_cents: Type.Integer(),
        min_cents: Type.Integer(),
        max_cents: Type.Integer(),
        avg_cents: Type.Number(),
        volume: Nullable(Type.Integer()),
        samples: Type.Integer(),
      }),
    ),
  },
  { description: 'The buckets of the window, oldest first' },
);

export const VolatilityJson = Type.Object({
  points: Type.Integer(),
  computed_at: Type.String({ format: 'date-time' }),
  mean_cents: Type.Number(),
  stddev_cents: Type.Number(),
  percent_change: Nullable(Type.Number()),
  coefficient_of_variation: Nullable(Type.Number()),
  trend_score: Nullable(Type.Number()),
  bollinger: Type.Object({
    middle: Type.Number(),
    upper: Type.Number(),
    lower: Type.Number(),
    percent_b: Nullable(Type.Number()),
  }),
});

export const ItemVolatilityJson = Type.Object(
  {
    item_id: Type.Integer(),
    source: Source,
    simulated: Type.Boolean(),
    window: VolatilityWindow,
    currency: Type.String(),
    /** Fewer observations than this in the window and there is no volatility to show. */
    minimum_points: Type.Integer(),
    volatility: Nullable(VolatilityJson),
  },
  { description: 'The volatility of the item over the window; null with too few points' },
);

export const RankingJson = Type.Object(
  {
    window: VolatilityWindow,
    source: Source,
    simulated: Type.Boolean(),
    currency: Type.String(),
    ranked_by: Type.Literal('coefficient_of_variation'),
    minimum_points: Type.Integer(),
    items: Type.Array(
      Type.Object({
        rank: Type.Integer(),
        item: ItemJson,
        volatility: VolatilityJson,
      }),
    ),
  },
  { description: 'The most volatile items, most volatile first' },
);
