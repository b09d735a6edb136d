// Request and response shapes of the public market API. Query strings refuse
// unknown parameters, and every price says where it came from (`source`),
// when the source saw it, and in which currency it is counted.
import { type TSchema, Type } from 'typebox';
import {
  HISTORY_WINDOWS,
  MARKET_PROVIDERS,
  VOLATILITY_WINDOWS,
} from '../shared/market-vocabulary.js';

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

/** The largest price a filter takes: the prices column is a bigint of cents. */
const MAX_CENTS = 1_000_000_000_000;
export const Cents = Type.Integer({ minimum: 0, maximum: MAX_CENTS });
/** Volumes are `integer` columns. */
export const MinVolume = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });

export const RankingQuery = Type.Object(
  {
    window: Type.Optional(VolatilityWindow),
    source: Type.Optional(Source),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: RANKING_LIMIT_MAX })),
    min_price_cents: Type.Optional(Cents),
    min_volume: Type.Optional(MinVolume),
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
    /** The floors this answer used: items below either are not ranked. */
    min_price_cents: Type.Integer(),
    min_volume: Type.Integer(),
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

const IsoTime = Type.String({ format: 'date-time' });

export const SourcePaceJson = Type.Object({
  /** Time between the starts of two requests now. */
  interval_ms: Type.Integer(),
  requests_per_minute: Type.Number(),
  /** The configured least interval: the provider never asks faster. */
  floor_interval_ms: Type.Integer(),
  /** 429 answers during the last cycle. */
  rate_limited_last_cycle: Type.Integer(),
  last_rate_limited_at: Nullable(IsoTime),
});

/**
 * How a configured source fared in its last ingestion cycle, as the leader
 * recorded it; every field but `source`, `simulated` and `state` is null
 * while the state is `not_run_yet`.
 */
export const SourceStatusJson = Type.Object({
  source: Source,
  simulated: Type.Boolean(),
  /** `failing`: its last cycle ended in an error (`last_error`). */
  state: Type.Union([Type.Literal('not_run_yet'), Type.Literal('ok'), Type.Literal('failing')]),
  /** When its last cycle ended. */
  last_cycle_at: Nullable(IsoTime),
  /** How long its part of that cycle took. */
  cycle_duration_ms: Nullable(Type.Integer()),
  /** Rows new to the price history in that cycle. */
  rows_last_cycle: Nullable(Type.Integer()),
  /** Items it priced in that cycle. */
  items_last_cycle: Nullable(Type.Integer()),
  /** Catalog items with a stored price from it. */
  items_covered: Nullable(Type.Integer()),
  /** Items in the catalog at that cycle. */
  catalog_items: Nullable(Type.Integer()),
  /** When a cycle last stored prices from it. */
  last_success_at: Nullable(IsoTime),
  /** Its last failure, whenever that was: a short message meant for people. */
  last_error: Nullable(Type.Object({ at: IsoTime, message: Type.String() })),
  /** For a source that adapts its pace to a rate limit (Steam); null for the others. */
  pace: Nullable(SourcePaceJson),
});

export const SourcesQuery = Type.Object({}, { additionalProperties: false });

export const SourcesJson = Type.Object({ sources: Type.Array(SourceStatusJson) });
