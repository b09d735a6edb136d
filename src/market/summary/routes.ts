// The trader's market API under /api/v1: the market table (GET /market), the
// largest moves (GET /movers) and the Tracera CS2 index (GET /index,
// GET /index/history). Read from market_summary and the index tables, which
// ingestion keeps current; a request computes nothing from raw prices.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { ERRORS, SESSION_OPTIONAL, tagRoutes } from '../../http/openapi.js';
import type { Database } from '../../platform/db/index.js';
import { ApiError } from '../../platform/errors.js';
import { DAY_MS, SECOND_MS } from '../../platform/time.js';
import { InvalidCursorError } from '../catalog/index.js';
import { MIN_PRICE_CENTS_DEFAULT, MIN_VOLUME_DEFAULT } from '../floors.js';
import { HISTORY_RESOLUTION } from '../history.js';
import { type HistoryWindow, isSimulated, type PriceSource } from '../types.js';
import { INDEX_BASE, indexHistory, indexState, indexValueAt } from './market-index.js';
import {
  marketMovers,
  marketOverview,
  type OverviewEntry,
  type OverviewSort,
  type SortOrder,
} from './overview.js';
import {
  IndexHistoryJson,
  IndexHistoryQuery,
  IndexJson,
  IndexQuery,
  MOVERS_LIMIT_DEFAULT,
  MoversJson,
  MoversQuery,
  OVERVIEW_PAGE_DEFAULT,
  OverviewJson,
  OverviewQuery,
} from './schemas.js';

export interface SummaryRouteOptions {
  readonly database: Database;
  readonly market: Config['market'];
  readonly now: () => number;
  /**
   * The ids of the items the request's user watches, for GET
   * /market?watchlist=true; throws a 401 ApiError when it is signed out.
   * Without it, the filter is refused.
   */
  readonly watchedItems?: (request: FastifyRequest) => Promise<readonly number[]>;
}

const DEFAULT_HISTORY_WINDOW: HistoryWindow = '24h';

export const summaryRoutes: FastifyPluginAsyncTypebox<SummaryRouteOptions> = async (
  app,
  options,
) => {
  const { database, market, now } = options;
  tagRoutes(app, 'market');
  const primarySource: PriceSource = market.providers[0] ?? 'demo';
  const about = (source: PriceSource) => ({
    source,
    simulated: isSimulated(source),
    currency: market.currency,
  });

  function entryJson(entry: OverviewEntry, at: number) {
    const { item, summary } = entry;
    if (!summary) {
      return {
        item,
        price: null,
        volume: null,
        change_1h: null,
        change_24h: null,
        change_7d: null,
        volatility: null,
        sparkline: [],
      };
    }
    const ageMs = Math.max(0, at - summary.observed_at.getTime());
    return {
      item,
      price: {
        price_cents: summary.price_cents,
        observed_at: summary.observed_at.toISOString(),
        age_seconds: Math.floor(ageMs / SECOND_MS),
        stale: ageMs > market.staleAfterMs,
      },
      volume: summary.volume,
      change_1h: summary.change_1h,
      change_24h: summary.change_24h,
      change_7d: summary.change_7d,
      volatility: summary.volatility,
      sparkline: summary.sparkline,
    };
  }

  app.get(
    '/market',
    {
      schema: {
        summary: 'A page of the market table: price, changes, volume and sparkline per item',
        description:
          'With `watchlist=true`, only the items the signed-in user watches (401 when signed out); that answer is not stored by caches.',
        security: SESSION_OPTIONAL,
        querystring: OverviewQuery,
        response: { 200: OverviewJson, 401: ERRORS.notSignedIn },
      },
    },
    async (request, reply) => {
      const query = request.query;
      let onlyItemIds: readonly number[] | undefined;
      if (query.watchlist === true) {
        if (!options.watchedItems) throw new ApiError(400, 'This server keeps no watchlists');
        onlyItemIds = await options.watchedItems(request);
        // One user's list: no shared cache may keep it.
        reply.header('cache-control', 'no-store');
      }
      const source = query.source ?? primarySource;
      const sort: OverviewSort = query.sort ?? 'name';
      // A market table is read from the top of what is asked for: A to Z, or the largest first.
      const order: SortOrder = query.order ?? (sort === 'name' ? 'asc' : 'desc');
      try {
        const page = await marketOverview(database, {
          source,
          sort,
          order,
          limit: query.limit ?? OVERVIEW_PAGE_DEFAULT,
          cursor: query.cursor,
          q: query.q,
          category: query.category,
          rarity: query.rarity,
          exterior: query.exterior,
          stattrak: query.stattrak,
          souvenir: query.souvenir,
          minPriceCents: query.min_price_cents,
          maxPriceCents: query.max_price_cents,
          priced: query.priced,
          onlyItemIds,
        });
        const at = now();
        return {
          ...about(source),
          sort,
          order,
          items: page.entries.map((entry) => entryJson(entry, at)),
          next_cursor: page.nextCursor,
        };
      } catch (error) {
        if (error instanceof InvalidCursorError) throw new ApiError(400, 'Invalid cursor');
        throw error;
      }
    },
  );

  app.get(
    '/movers',
    {
      schema: {
        summary: 'The largest percent changes over a window, above a price and volume floor',
        querystring: MoversQuery,
        response: { 200: MoversJson },
      },
    },
    async (request) => {
      const query = request.query;
      const source = query.source ?? primarySource;
      const window = query.window ?? '24h';
      const direction = query.direction ?? 'up';
      const minPriceCents = query.min_price_cents ?? MIN_PRICE_CENTS_DEFAULT;
      const minVolume = query.min_volume ?? MIN_VOLUME_DEFAULT;
      const entries = await marketMovers(database, {
        source,
        window,
        direction,
        minPriceCents,
        minVolume,
        limit: query.limit ?? MOVERS_LIMIT_DEFAULT,
      });
      const at = now();
      return {
        ...about(source),
        window,
        direction,
        min_price_cents: minPriceCents,
        min_volume: minVolume,
        items: entries.map((entry) => entryJson(entry, at)),
      };
    },
  );

  app.get(
    '/index',
    {
      schema: {
        summary: 'The Tracera CS2 index of a source: its latest value and 24 h change',
        querystring: IndexQuery,
        response: { 200: IndexJson },
      },
    },
    async (request) => {
      const source = request.query.source ?? primarySource;
      const state = await indexState(database, source);
      if (!state) return { ...about(source), index: null };
      const dayBefore = await indexValueAt(
        database,
        source,
        new Date(state.computedAt.getTime() - DAY_MS),
      );
      return {
        ...about(source),
        index: {
          value: state.value,
          base: INDEX_BASE,
          change_24h: dayBefore === null ? null : ((state.value - dayBefore) * 100) / dayBefore,
          computed_at: state.computedAt.toISOString(),
          basket_size: state.basket.length,
          reweighted_at: state.reweightedAt.toISOString(),
        },
      };
    },
  );

  app.get(
    '/index/history',
    {
      schema: {
        summary: 'The market index over a window, in chart buckets',
        querystring: IndexHistoryQuery,
        response: { 200: IndexHistoryJson },
      },
    },
    async (request) => {
      const source = request.query.source ?? primarySource;
      const window = request.query.window ?? DEFAULT_HISTORY_WINDOW;
      const points = await indexHistory(database, { source, window, now: new Date(now()) });
      return {
        source,
        simulated: isSimulated(source),
        window,
        bucket_seconds: HISTORY_RESOLUTION[window].bucketMs / SECOND_MS,
        points,
      };
    },
  );
};
