// The watchlist API under /api/v1/watchlist: the user's watched items with
// their latest prices, adding an item (or changing its note), removing one,
// and the bare ids for the web app's star buttons. Every route needs a
// session; the app's CSRF protection covers the unsafe ones (S37), and each
// is counted per client address on the read budget, like the portfolio's
// (S44).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RequestAuth } from '../auth/request-auth.js';
import { NoContent } from '../auth/schemas.js';
import type { Config } from '../config.js';
import { detail, ERRORS, SIGNED_IN, tagRoutes } from '../http/openapi.js';
import { signedInRoutes, type UserRouteLimits } from '../http/signed-in-routes.js';
import { getItem } from '../market/catalog/items.js';
import { isSimulated } from '../market/types.js';
import type { Database } from '../platform/db/index.js';
import { ApiError } from '../platform/errors.js';
import { SECOND_MS } from '../platform/time.js';
import { preferredPrices } from '../portfolio/valuation.js';
import {
  ItemIdParams,
  WATCHLIST_PAGE_DEFAULT,
  WatchBody,
  WatchedItemJson,
  WatchlistIdsJson,
  WatchlistJson,
  WatchlistQuery,
} from './schemas.js';
import {
  unwatchItem,
  type WatchedItem,
  watchedEntry,
  watchedItemIds,
  watchItem,
  watchlistPage,
} from './watchlist.js';

export interface WatchlistRouteOptions {
  readonly database: Database;
  readonly requestAuth: RequestAuth;
  readonly watchlist: Config['watchlist'];
  /** Which sources price a watched item, most preferred first: the portfolio's. */
  readonly priceSources: Config['portfolio']['priceSources'];
  readonly market: Pick<Config['market'], 'currency' | 'staleAfterMs'>;
  /** Per client address and route (S44), every route on the read budget. */
  readonly rateLimits: UserRouteLimits;
  readonly now: () => number;
}

const NO_SUCH_ITEM = 'No item with that id';
const NOT_WATCHED = 'That item is not on your watchlist';
/** Counted against the read budget; see WatchlistRouteOptions.rateLimits. */
const PAGE_READ = { rateLimit: 'read' } as const;

export const watchlistRoutes: FastifyPluginAsyncTypebox<WatchlistRouteOptions> = async (
  app,
  options,
) => {
  const { database, requestAuth, watchlist, priceSources, market, now } = options;
  tagRoutes(app, 'watchlist');
  const userOf = signedInRoutes(app, {
    name: 'watchlist',
    requestAuth,
    limits: options.rateLimits,
  });

  /** The entries as the API shows them, each priced by the first preferred source with a price. */
  async function entriesJson(entries: readonly WatchedItem[]) {
    const prices = await preferredPrices(
      database,
      entries.map((entry) => entry.item.id),
      priceSources,
    );
    const at = now();
    return entries.map((entry) => {
      const price = prices.get(entry.item.id);
      const ageMs = price ? Math.max(0, at - price.observedAt.getTime()) : 0;
      return {
        item: entry.item,
        note: entry.note,
        added_at: entry.addedAt.toISOString(),
        price: price
          ? {
              price_cents: price.priceCents,
              source: price.source,
              simulated: isSimulated(price.source),
              observed_at: price.observedAt.toISOString(),
              age_seconds: Math.floor(ageMs / SECOND_MS),
              stale: ageMs > market.staleAfterMs,
              change_24h_percent: price.change24hPercent,
            }
          : null,
      };
    });
  }

  app.get(
    '/watchlist',
    {
      config: PAGE_READ,
      schema: {
        summary: 'The items the user watches, newest first, each with its latest price',
        description:
          'Each item is priced by the first of PORTFOLIO_PRICE_SOURCES with a price for it; `items` is a page (`limit`, `offset`), `total` counts them all.',
        security: SIGNED_IN,
        querystring: WatchlistQuery,
        response: { 200: WatchlistJson, 401: ERRORS.notSignedIn },
      },
    },
    async (request) => {
      const userId = await userOf(request);
      const { limit = WATCHLIST_PAGE_DEFAULT, offset = 0 } = request.query;
      const page = await watchlistPage(database, userId, { limit, offset });
      return {
        currency: market.currency,
        price_sources: [...priceSources],
        items: await entriesJson(page.entries),
        total: page.total,
        max_items: watchlist.itemsPerUser,
        offset,
        limit,
      };
    },
  );

  app.get(
    '/watchlist/ids',
    {
      config: PAGE_READ,
      schema: {
        summary: 'The ids of the items the user watches, for marking them in a list',
        security: SIGNED_IN,
        response: { 200: WatchlistIdsJson, 401: ERRORS.notSignedIn },
      },
    },
    async (request) => ({ item_ids: await watchedItemIds(database, await userOf(request)) }),
  );

  app.put(
    '/watchlist/:itemId',
    {
      config: PAGE_READ,
      schema: {
        summary: 'Watch an item, or change the note of a watched one',
        description:
          'Idempotent: 201 when the item was added, 200 when it was watched already (its note replaced when `note` is given, kept otherwise). At most WATCHLIST_ITEMS_PER_USER items.',
        security: SIGNED_IN,
        params: ItemIdParams,
        body: WatchBody,
        response: {
          200: WatchedItemJson,
          201: WatchedItemJson,
          401: ERRORS.notSignedIn,
          404: detail(NO_SUCH_ITEM),
          409: detail('The watchlist is full; remove an item to add another'),
        },
      },
    },
    async (request, reply) => {
      const userId = await userOf(request);
      const { itemId } = request.params;
      if (!(await getItem(database, itemId))) throw new ApiError(404, NO_SUCH_ITEM);
      const outcome = await watchItem(
        database,
        userId,
        itemId,
        request.body.note,
        watchlist.itemsPerUser,
      );
      if (outcome === 'full') {
        const max = watchlist.itemsPerUser.toLocaleString('en-US');
        throw new ApiError(
          409,
          `Your watchlist is full: at most ${max} items. Remove one to add another.`,
        );
      }
      const entry = await watchedEntry(database, userId, itemId);
      // Removed again by a request in between: as if this one came first.
      if (!entry) throw new ApiError(404, NOT_WATCHED);
      reply.code(outcome === 'added' ? 201 : 200);
      const [json] = await entriesJson([entry]);
      return json;
    },
  );

  app.delete(
    '/watchlist/:itemId',
    {
      config: PAGE_READ,
      schema: {
        summary: 'Stop watching an item',
        security: SIGNED_IN,
        params: ItemIdParams,
        response: { 204: NoContent, 401: ERRORS.notSignedIn, 404: detail(NOT_WATCHED) },
      },
    },
    async (request, reply) => {
      const userId = await userOf(request);
      if (!(await unwatchItem(database, userId, request.params.itemId))) {
        throw new ApiError(404, NOT_WATCHED);
      }
      reply.code(204);
    },
  );
};
