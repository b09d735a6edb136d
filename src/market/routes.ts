// The public market API under /api/v1: the catalog, the latest price per
// source, price history, volatility, rankings and each source's status. Only
// reads; ingestion and the volatility recompute write. A price always travels
// with its source, whether it is simulated, when it was observed and the
// currency it is in.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Config } from '../config.js';
import { detail, tagRoutes } from '../http/openapi.js';
import type { Database } from '../platform/db/index.js';
import { ApiError } from '../platform/errors.js';
import type { Store } from '../platform/store/index.js';
import { SECOND_MS } from '../platform/time.js';
import { getItem, getItems, InvalidCursorError, searchItems } from './catalog/index.js';
import { aboveFloors, MIN_PRICE_CENTS_DEFAULT, MIN_VOLUME_DEFAULT } from './floors.js';
import { HISTORY_RESOLUTION, priceHistory } from './history.js';
import { latestPrices } from './ingest/index.js';
import { sourceStatuses } from './ingest/source-status.js';
import {
  HistoryJson,
  HistoryQuery,
  ITEMS_PAGE_DEFAULT,
  ItemDetailJson,
  ItemParams,
  ItemsPageJson,
  ItemsQuery,
  ItemVolatilityJson,
  RANKING_LIMIT_DEFAULT,
  RankingJson,
  RankingQuery,
  SourcesJson,
  SourcesQuery,
  VolatilityQuery,
} from './schemas.js';
import {
  type HistoryWindow,
  isSimulated,
  type PriceSource,
  type VolatilityWindow,
} from './types.js';
import {
  cachedVolatility,
  MINIMUM_POINTS,
  roundedVolatility,
  topVolatile,
} from './volatility/index.js';

const DEFAULT_HISTORY_WINDOW: HistoryWindow = '24h';
const DEFAULT_VOLATILITY_WINDOW: VolatilityWindow = '24h';
const ITEM_NOT_FOUND = 'No item with that id';
const NO_SUCH_ITEM = detail(ITEM_NOT_FOUND);

export interface MarketRouteOptions {
  readonly database: Database;
  readonly store: Store;
  readonly market: Config['market'];
  readonly now: () => number;
}

export const marketRoutes: FastifyPluginAsyncTypebox<MarketRouteOptions> = async (app, options) => {
  const { database, store, market, now } = options;
  tagRoutes(app, 'market');
  /** Without `source=`, charts and rankings show the first configured provider. */
  const primarySource = market.providers[0] ?? 'demo';

  /** Which series an answer is about: every chart, volatility and ranking says so. */
  const about = <W extends string>(source: PriceSource, window: W) => ({
    source,
    simulated: isSimulated(source),
    window,
    currency: market.currency,
  });

  async function itemOr404(id: number) {
    const item = await getItem(database, id);
    if (!item) throw new ApiError(404, ITEM_NOT_FOUND);
    return item;
  }

  app.get(
    '/items',
    {
      schema: {
        summary: 'Search the catalog by name, page by page',
        querystring: ItemsQuery,
        response: { 200: ItemsPageJson },
      },
    },
    async (request) => {
      const { q, category, limit = ITEMS_PAGE_DEFAULT, cursor } = request.query;
      try {
        const page = await searchItems(database, { q, category, limit, cursor });
        return { items: page.items, next_cursor: page.nextCursor };
      } catch (error) {
        if (error instanceof InvalidCursorError) throw new ApiError(400, 'Invalid cursor');
        throw error;
      }
    },
  );

  app.get(
    '/items/:id',
    {
      schema: {
        summary: 'An item and its latest price from each source',
        params: ItemParams,
        response: { 200: ItemDetailJson, 404: NO_SUCH_ITEM },
      },
    },
    async (request) => {
      const item = await itemOr404(request.params.id);
      const at = now();
      const latest = await latestPrices(store, item.id, market.providers);
      return {
        item,
        currency: market.currency,
        prices: latest.map((price) => {
          const ageMs = Math.max(0, at - price.observed_at.getTime());
          return {
            source: price.source,
            simulated: isSimulated(price.source),
            price_cents: price.price_cents,
            volume: price.volume ?? null,
            listings: price.listings ?? null,
            observed_at: price.observed_at.toISOString(),
            age_seconds: Math.floor(ageMs / SECOND_MS),
            stale: ageMs > market.staleAfterMs,
          };
        }),
      };
    },
  );

  app.get(
    '/items/:id/history',
    {
      schema: {
        summary: 'Price history in chart-sized buckets',
        params: ItemParams,
        querystring: HistoryQuery,
        response: { 200: HistoryJson, 404: NO_SUCH_ITEM },
      },
    },
    async (request) => {
      const { window = DEFAULT_HISTORY_WINDOW, source = primarySource } = request.query;
      const itemId = request.params.id;
      const points = await priceHistory(database, { itemId, source, window, now: new Date(now()) });
      // Only an empty chart may be of an item that does not exist, so only
      // then is the catalog asked: a chart costs one query.
      if (points.length === 0) await itemOr404(itemId);
      return {
        item_id: itemId,
        ...about(source, window),
        bucket_seconds: HISTORY_RESOLUTION[window].bucketMs / SECOND_MS,
        points,
      };
    },
  );

  app.get(
    '/items/:id/volatility',
    {
      schema: {
        summary: 'Volatility of an item over a window',
        params: ItemParams,
        querystring: VolatilityQuery,
        response: { 200: ItemVolatilityJson, 404: NO_SUCH_ITEM },
      },
    },
    async (request) => {
      const { window = DEFAULT_VOLATILITY_WINDOW, source = primarySource } = request.query;
      const item = await itemOr404(request.params.id);
      const volatility = await cachedVolatility(store, { itemId: item.id, source, window });
      return {
        item_id: item.id,
        ...about(source, window),
        minimum_points: MINIMUM_POINTS,
        volatility: volatility && roundedVolatility(volatility),
      };
    },
  );

  app.get(
    '/rankings/volatile',
    {
      schema: {
        summary: 'The most volatile items over a window',
        querystring: RankingQuery,
        response: { 200: RankingJson },
      },
    },
    async (request) => {
      const {
        window = DEFAULT_VOLATILITY_WINDOW,
        source = primarySource,
        limit = RANKING_LIMIT_DEFAULT,
        min_price_cents: minPriceCents = MIN_PRICE_CENTS_DEFAULT,
        min_volume: minVolume = MIN_VOLUME_DEFAULT,
      } = request.query;
      const floors = { minPriceCents, minVolume };
      const ranked = await topVolatile(store, {
        source,
        window,
        limit,
        eligible: (itemIds) => aboveFloors(store, source, itemIds, floors),
      });
      const items = new Map(
        (
          await getItems(
            database,
            ranked.map(({ itemId }) => itemId),
          )
        ).map((item) => [item.id, item]),
      );
      return {
        ...about(source, window),
        ranked_by: 'coefficient_of_variation' as const,
        minimum_points: MINIMUM_POINTS,
        min_price_cents: minPriceCents,
        min_volume: minVolume,
        items: ranked.flatMap(({ itemId, volatility }, index) => {
          const item = items.get(itemId);
          return item ? [{ rank: index + 1, item, volatility: roundedVolatility(volatility) }] : [];
        }),
      };
    },
  );

  app.get(
    '/market/sources',
    {
      schema: {
        summary: 'How each configured price source fared in its last ingestion cycle',
        querystring: SourcesQuery,
        response: { 200: SourcesJson },
      },
    },
    async () => ({ sources: await sourceStatuses(store, market.providers) }),
  );
};
