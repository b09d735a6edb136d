// Items anyone watches or holds are priced first: loadItemsToPrice flags
// them (and only them) `priority`, the Steam provider asks for them before
// the rest of the catalog, and `serve` and `worker` hand that list to the
// market pipeline, so Steam's first requests of a cycle are for them.
import { afterEach, describe, expect, it } from 'vitest';
import { priorityItemsOf } from '../../src/cli/runtime.js';
import { loadItemsToPrice } from '../../src/market/ingest/items-to-price.js';
import { startMarketPipeline } from '../../src/market/pipeline.js';
import { createSteamProvider } from '../../src/market/providers/steam.js';
import { createLogger } from '../../src/platform/logger.js';
import { watchedOrHeldItems } from '../../src/watchlist/priority.js';
import { collect, InstantClock } from '../market/providers/support.js';
import { type AccountsApp, startAccountsApp } from '../support/accounts.js';
import { LogCapture, testConfig } from '../support/app.js';
import { WAIT_BOUND_MS } from '../support/backends.js';
import { type LocalHttpServer, sendJson, startLocalHttpServer } from '../support/local-http.js';
import {
  PRICED,
  portfolioUser,
  seedPortfolioMarket,
  type TestMarket,
} from '../support/portfolio.js';

let app: AccountsApp;
let market: TestMarket;
let steam: LocalHttpServer | undefined;

afterEach(async () => {
  await steam?.close();
  steam = undefined;
  await app?.close();
});

/** Steam's priceoverview, without a price for anything: the test reads what was asked. */
async function startSteam(): Promise<LocalHttpServer> {
  steam = await startLocalHttpServer((_request, response) =>
    sendJson(response, { success: false }),
  );
  return steam;
}

const askedFor = (server: LocalHttpServer) =>
  server.requests.map((request) => request.url.searchParams.get('market_hash_name'));

/** One user watches the AWP, another holds the case (by hand); nobody follows the rest. */
async function followSome(): Promise<void> {
  app = await startAccountsApp();
  market = await seedPortfolioMarket(app.database, app.store, Date.now());
  const watcher = await portfolioUser(app, 'watcher@tracera.test', null, '203.0.113.31');
  const holder = await portfolioUser(app, 'holder@tracera.test', null, '203.0.113.32');
  const watched = await watcher.browser.send('PUT', `/api/v1/watchlist/${market.ids.asiimov}`, {});
  expect(watched.statusCode).toBe(201);
  const held = await holder.browser.send('POST', '/api/v1/portfolio/holdings', {
    item_id: market.ids.case,
    quantity: 2,
  });
  expect(held.statusCode).toBe(201);
}

describe('pricing watched and held items first', () => {
  it('flags exactly the items anyone watches or holds, and Steam asks for them first', async () => {
    await followSome();
    const items = await loadItemsToPrice(app.database, watchedOrHeldItems(app.database));
    expect(items.filter((item) => item.priority).map((item) => item.id)).toEqual(
      [market.ids.asiimov, market.ids.case].sort((a, b) => a - b),
    );
    expect(items).toHaveLength(4);

    // A cycle with room for two requests: both are the followed items.
    const server = await startSteam();
    const clock = new InstantClock();
    const provider = createSteamProvider(
      {
        baseUrl: server.origin,
        currency: 'USD',
        requestIntervalMs: 1000,
        cycleMs: 2000,
        timeoutMs: WAIT_BOUND_MS,
        maxResponseBytes: 64 * 1024,
      },
      { clock },
    );
    await collect(provider.fetchPrices(items, new AbortController().signal));
    expect(new Set(askedFor(server))).toEqual(new Set([PRICED.asiimov.name, PRICED.case.name]));
  });

  it('a watch removed is no longer first', async () => {
    await followSome();
    const priority = watchedOrHeldItems(app.database);
    expect(await priority()).toEqual(new Set([market.ids.asiimov, market.ids.case]));
    const watcher = await portfolioUser(app, 'late@tracera.test', null, '203.0.113.33');
    await watcher.browser.send('PUT', `/api/v1/watchlist/${market.ids.redline}`, {});
    await watcher.browser.send('DELETE', `/api/v1/watchlist/${market.ids.redline}`);
    expect(await priority()).toEqual(new Set([market.ids.asiimov, market.ids.case]));
  });

  it('serve and worker hand the list to the pipeline: its first Steam requests are for them', async () => {
    await followSome();
    const server = await startSteam();
    const config = testConfig({
      MARKET_PROVIDERS: 'steam',
      STEAM_MARKET_URL: server.origin,
      STEAM_MARKET_REQUEST_INTERVAL_MS: '1',
    });
    const runtime = {
      config,
      logger: createLogger('info', new LogCapture()),
      database: app.database,
      store: app.store,
    };
    // As serve.ts and worker.ts start it.
    const pipeline = startMarketPipeline({ ...runtime, priorityItems: priorityItemsOf(runtime) });
    try {
      await expect
        .poll(() => server.requests.length, { timeout: WAIT_BOUND_MS })
        .toBeGreaterThanOrEqual(2);
    } finally {
      await pipeline.stop();
    }
    expect(new Set(askedFor(server).slice(0, 2))).toEqual(
      new Set([PRICED.asiimov.name, PRICED.case.name]),
    );
  });
});
