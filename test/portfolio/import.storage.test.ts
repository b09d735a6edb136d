// POST /api/v1/portfolio/import end to end, against a real HTTP stand-in for
// Steam's inventory endpoint: the holdings it leaves, the cooldown (S34)
// that is taken in the store before Steam is asked and fails closed, every
// Steam failure's answer, a re-import that drops what left the inventory
// while the ledger and the holdings added by hand stay, the audit trail
// (S35), and the history the first import fills.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryAuditEvents } from '../../src/audit/events.js';
import { type Store, StoreUnavailableError } from '../../src/platform/store/index.js';
import { cooldownKey, progressKey } from '../../src/portfolio/inventory-import.js';
import { sellerReceivesCents } from '../../src/portfolio/steam-fees.js';
import { type AccountsApp, startAccountsApp } from '../support/accounts.js';
import {
  PRICED,
  portfolioUser,
  seedPortfolioMarket,
  type TestMarket,
} from '../support/portfolio.js';
import {
  type InventoryPage,
  inventoryFixture,
  type SteamInventoryStandIn,
  startSteamInventory,
} from '../support/steam-inventory.js';
import { STEAM_ID } from '../support/steam-openid.js';

const IMPORT = '/api/v1/portfolio/import';
const UNKNOWN_NAME = 'Sticker | Not In The Catalog (Foil)';

let stand: SteamInventoryStandIn;
let app: AccountsApp;
let market: TestMarket;
/** Set by a test to make the store refuse the import cooldown. */
let storeDown = false;

/** The store as the app sees it: down for the cooldown keys while `storeDown` is set. */
function flakyStore(store: Store): Store {
  return Object.assign(Object.create(store) as Store, {
    setIfAbsent: (key: string, value: string, ttlMs: number) =>
      storeDown && key.includes('portfolio:import')
        ? Promise.reject(new StoreUnavailableError('store down'))
        : store.setIfAbsent(key, value, ttlMs),
  });
}

beforeAll(async () => {
  stand = await startSteamInventory({ maxCount: 1000 });
});
afterAll(async () => {
  await stand.close();
});
afterEach(async () => {
  storeDown = false;
  stand.requests.length = 0;
  stand.inventories.clear();
  await app?.close();
});

async function start(env: Record<string, string> = {}) {
  app = await startAccountsApp({
    env: { STEAM_COMMUNITY_URL: stand.origin, STEAM_INVENTORY_PAGE_SIZE: '3', ...env },
    wrap: { store: flakyStore },
  });
  market = await seedPortfolioMarket(app.database, app.store, Date.now());
  return app;
}

/** Two Redlines, one Asiimov, three cases, one name the catalog lacks: 7 assets, 3 pages of 3. */
function standardInventory() {
  return inventoryFixture({
    items: [
      { marketHashName: PRICED.redline.name, count: 2, float: 0.25, pattern: 661 },
      { marketHashName: PRICED.asiimov.name },
      { marketHashName: PRICED.case.name, count: 3 },
      { marketHashName: UNKNOWN_NAME },
    ],
  });
}

describe('importing a Steam inventory', () => {
  it('reads every page, holds each matched item, and reports the unmatched name', async () => {
    await start();
    stand.inventories.set(STEAM_ID, standardInventory());
    const { browser, userId } = await portfolioUser(app, 'trader@tracera.test', STEAM_ID);

    const response = await browser.send('POST', IMPORT);
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json();
    expect(result.import).toMatchObject({
      steam_id: STEAM_ID,
      pages: 3,
      assets: 7,
      matched: 6,
      unmatched: 1,
      without_description: 0,
    });
    expect(result.unmatched).toEqual([{ market_hash_name: UNKNOWN_NAME, quantity: 1 }]);
    const starts = stand.requests.map((request) => request.url.searchParams.get('start_assetid'));
    expect(starts[0]).toBeNull();
    expect(starts.slice(1).every((start) => start !== null)).toBe(true);
    expect(stand.requests.every((r) => r.url.searchParams.get('count') === '3')).toBe(true);

    const portfolio = (await browser.request({ url: '/api/v1/portfolio' })).json();
    const byName = new Map(
      portfolio.holdings.map((h: { item: { market_hash_name: string } }) => [
        h.item.market_hash_name,
        h,
      ]),
    );
    expect(byName.get(PRICED.redline.name)).toMatchObject({
      quantity: 2,
      steam_quantity: 2,
      manual_quantity: 0,
      value_cents: 2 * PRICED.redline.cents,
      net_value_cents: 2 * sellerReceivesCents(PRICED.redline.cents),
      price: { price_cents: PRICED.redline.cents, source: 'demo', simulated: true, stale: false },
      cost_basis_cents: null,
      unrealized_cents: null,
    });
    const value = 2 * PRICED.redline.cents + PRICED.asiimov.cents + 3 * PRICED.case.cents;
    expect(portfolio.totals).toMatchObject({
      value_cents: value,
      priced_quantity: 6,
      unmatched_quantity: 1,
      uncovered_quantity: 6,
      cost_basis_cents: 0,
      realized_cents: 0,
    });
    expect(portfolio.unmatched).toEqual([{ market_hash_name: UNKNOWN_NAME, quantity: 1 }]);
    expect(portfolio.last_import).toMatchObject({ assets: 7, pages: 3 });
    expect(portfolio).toMatchObject({ holdings_count: 3, offset: 0, limit: 100 });

    // A page of the holdings, most valuable first; the totals still count them all.
    const page = (await browser.request({ url: '/api/v1/portfolio?limit=1&offset=1' })).json();
    expect(page.holdings.map((h: { item: { id: number } }) => h.item.id)).toEqual([
      market.ids.redline,
    ]);
    expect(page.holdings_count).toBe(3);
    expect(page.totals).toEqual(portfolio.totals);
    expect((await browser.request({ url: '/api/v1/portfolio?limit=501' })).statusCode).toBe(400);

    // Progress is gone once the import is done; the cooldown stays.
    expect(await app.store.get(progressKey(userId))).toBeNull();
    expect(await app.store.get(cooldownKey(userId))).not.toBeNull();
    const [event] = await queryAuditEvents(app.database, { event: 'portfolio_import' });
    expect(event).toMatchObject({
      userId,
      outcome: 'success',
      detail: { assets: 7, matched: 6, unmatched: 1, pages: 3 },
    });
    expect(event?.requestId).toBeTruthy();
  });

  it('fills the value history from the daily closes on the first import', async () => {
    await start();
    stand.inventories.set(STEAM_ID, standardInventory());
    const { browser } = await portfolioUser(app, 'history@tracera.test', STEAM_ID);
    expect((await browser.send('POST', IMPORT)).statusCode).toBe(200);

    const history = (await browser.request({ url: '/api/v1/portfolio/history' })).json();
    expect(history.window).toBe('30d');
    // Five days of prices: the days before today from their closes, today from the latest.
    expect(history.points.length).toBeGreaterThanOrEqual(5);
    const today = history.points.at(-1);
    expect(today.day).toBe(new Date().toISOString().slice(0, 10));
    expect(today.value_cents).toBe(
      2 * PRICED.redline.cents + PRICED.asiimov.cents + 3 * PRICED.case.cents,
    );
    const values = history.points.map((point: { value_cents: number }) => point.value_cents);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
  });

  it('S34: a second import inside the cooldown is 429 with Retry-After, and Steam is not asked', async () => {
    await start();
    stand.inventories.set(STEAM_ID, standardInventory());
    const { browser } = await portfolioUser(app, 'again@tracera.test', STEAM_ID);
    expect((await browser.send('POST', IMPORT)).statusCode).toBe(200);
    const asked = stand.requests.length;

    const again = await browser.send('POST', IMPORT);
    expect(again.statusCode).toBe(429);
    const retryAfter = Number(again.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(290);
    expect(retryAfter).toBeLessThanOrEqual(300);
    expect(again.json().detail).toMatch(/last import finished at \d{4}-\d\d-\d\dT/);
    expect(stand.requests.length).toBe(asked);

    const status = (await browser.request({ url: IMPORT })).json();
    expect(status).toMatchObject({ steam_linked: true, running: false, progress: null });
    expect(Date.parse(status.cooldown_until)).toBeGreaterThan(Date.now());
  });

  it('S34/S32: with the store down the import is 503 and Steam is not asked', async () => {
    await start();
    stand.inventories.set(STEAM_ID, standardInventory());
    const { browser } = await portfolioUser(app, 'storedown@tracera.test', STEAM_ID);
    storeDown = true;
    const response = await browser.send('POST', IMPORT);
    expect(response.statusCode).toBe(503);
    expect(stand.requests).toHaveLength(0);
  });

  it('without a linked Steam account it is 409 saying how to link, and Steam is not asked', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'nolink@tracera.test', null);
    const response = await browser.send('POST', IMPORT);
    expect(response.statusCode).toBe(409);
    expect(response.json().detail).toMatch(/Link your Steam account/);
    expect(stand.requests).toHaveLength(0);
    expect((await browser.request({ url: IMPORT })).json().steam_linked).toBe(false);
  });

  it('a re-import drops what left the inventory and keeps the ledger and manual holdings', async () => {
    await start();
    stand.inventories.set(STEAM_ID, standardInventory());
    const { browser, userId } = await portfolioUser(app, 'reimport@tracera.test', STEAM_ID);
    expect((await browser.send('POST', IMPORT)).statusCode).toBe(200);
    const buy = await browser.send('POST', '/api/v1/portfolio/transactions', {
      kind: 'buy',
      item_id: market.ids.asiimov,
      quantity: 1,
      unit_price_cents: 8000,
      fee_cents: 0,
      occurred_at: new Date(Date.now() - 86_400_000).toISOString(),
    });
    expect(buy.statusCode, buy.body).toBe(201);
    const manual = await browser.send('POST', '/api/v1/portfolio/holdings', {
      item_id: market.ids.case,
      quantity: 10,
      note: 'in a storage unit',
    });
    expect(manual.statusCode, manual.body).toBe(201);

    // The Asiimov was sold on Steam: the next inventory lacks it.
    stand.inventories.set(
      STEAM_ID,
      inventoryFixture({
        items: [
          { marketHashName: PRICED.redline.name, count: 2 },
          { marketHashName: PRICED.case.name, count: 3 },
        ],
      }),
    );
    await app.store.delete(cooldownKey(userId));
    const again = await browser.send('POST', IMPORT);
    expect(again.statusCode, again.body).toBe(200);

    const portfolio = (await browser.request({ url: '/api/v1/portfolio' })).json();
    const names = portfolio.holdings.map(
      (h: { item: { market_hash_name: string } }) => h.item.market_hash_name,
    );
    expect(names).not.toContain(PRICED.asiimov.name);
    expect(portfolio.unmatched).toEqual([]);
    const cases = portfolio.holdings.find(
      (h: { item: { id: number } }) => h.item.id === market.ids.case,
    );
    expect(cases).toMatchObject({ quantity: 13, steam_quantity: 3, manual_quantity: 10 });
    expect(portfolio.manual_holdings).toHaveLength(1);
    const ledger = (await browser.request({ url: '/api/v1/portfolio/transactions' })).json();
    expect(ledger.transactions).toHaveLength(1);
    expect(ledger.transactions[0]).toMatchObject({ kind: 'buy', unit_price_cents: 8000 });
  });

  it('asks for at most 1,000 a page and retries a 400 at 1,000 when configured higher', async () => {
    await start({ STEAM_INVENTORY_PAGE_SIZE: '2000' });
    stand.inventories.set(STEAM_ID, standardInventory());
    const { browser } = await portfolioUser(app, 'count@tracera.test', STEAM_ID);
    const response = await browser.send('POST', IMPORT);
    expect(response.statusCode, response.body).toBe(200);
    expect(stand.requests.map((request) => request.url.searchParams.get('count'))).toEqual([
      '2000',
      '1000',
    ]);
  });
});

describe('what Steam answers instead of an inventory', () => {
  async function importFailing(
    email: string,
    scenario: Parameters<SteamInventoryStandIn['failNext']>[1],
  ) {
    await start();
    stand.inventories.set(STEAM_ID, standardInventory());
    const user = await portfolioUser(app, email, STEAM_ID);
    stand.failNext(STEAM_ID, scenario);
    return { ...user, response: await user.browser.send('POST', IMPORT) };
  }

  it('a private inventory (403 null) is 409 saying how to make it public', async () => {
    const { response, browser, userId } = await importFailing('private@tracera.test', {
      kind: 'private',
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().detail).toMatch(/Privacy Settings.*Inventory.*Public/);
    // A failed import holds a shorter cooldown, so the user can retry soon.
    const status = (await browser.request({ url: IMPORT })).json();
    expect(Date.parse(status.cooldown_until) - Date.now()).toBeLessThanOrEqual(60_000);
    const [event] = await queryAuditEvents(app.database, { event: 'portfolio_import' });
    expect(event).toMatchObject({ userId, outcome: 'failure', detail: { status: 409 } });
    expect((await browser.request({ url: '/api/v1/portfolio' })).json().holdings).toEqual([]);
  });

  it("Steam's 429 is 503 with retry advice", async () => {
    const { response } = await importFailing('limited@tracera.test', { kind: 'rate_limited' });
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(response.json().detail).toMatch(/Steam is limiting requests/);
  });

  it('a 500 with an EResult is 502 naming the code', async () => {
    const { response } = await importFailing('eresult@tracera.test', {
      kind: 'eresult',
      eresult: 15,
    });
    expect(response.statusCode).toBe(502);
    expect(response.json().detail).toMatch(/EResult 15 AccessDenied/);
  });

  it('malformed JSON is 502 and the previous holdings stay', async () => {
    await start();
    stand.inventories.set(STEAM_ID, standardInventory());
    const { browser, userId } = await portfolioUser(app, 'malformed@tracera.test', STEAM_ID);
    expect((await browser.send('POST', IMPORT)).statusCode).toBe(200);
    await app.store.delete(cooldownKey(userId));
    stand.failNext(STEAM_ID, { kind: 'malformed' });
    const response = await browser.send('POST', IMPORT);
    expect(response.statusCode).toBe(502);
    expect(response.json().detail).toMatch(/cannot read/);
    const portfolio = (await browser.request({ url: '/api/v1/portfolio' })).json();
    expect(portfolio.totals.priced_quantity).toBe(6);
    expect(portfolio.last_import).toMatchObject({ assets: 7 });
  });

  it('a name or amount the holdings cannot store is 502, not a database error', async () => {
    await start();
    stand.inventories.set(STEAM_ID, standardInventory());
    const { browser, userId } = await portfolioUser(app, 'hostile@tracera.test', STEAM_ID);
    const edits: ((page: InventoryPage) => void)[] = [
      (page) => {
        const [description] = page.descriptions ?? [];
        if (description) description.market_hash_name = 'Kilowatt Case\u0000';
      },
      (page) => {
        const [description] = page.descriptions ?? [];
        if (description) description.market_hash_name = 'x'.repeat(300);
      },
      (page) => {
        const [asset] = page.assets ?? [];
        if (asset) asset.amount = '2000000';
      },
    ];
    for (const edit of edits) {
      await app.store.delete(cooldownKey(userId));
      stand.failNext(STEAM_ID, {
        kind: 'edit',
        // A copy: the page shares its objects with the fixture the next import reads.
        edit: (page) => {
          const copy = structuredClone(page);
          edit(copy);
          return copy;
        },
      });
      const response = await browser.send('POST', IMPORT);
      expect(response.statusCode, response.body).toBe(502);
      expect(response.json().detail).toMatch(/cannot read/);
    }
  });

  it('an empty inventory imports as no holdings, not an error', async () => {
    await start();
    stand.inventories.set(STEAM_ID, inventoryFixture({ items: [] }));
    const { browser } = await portfolioUser(app, 'empty@tracera.test', STEAM_ID);
    const response = await browser.send('POST', IMPORT);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().import).toMatchObject({ assets: 0, matched: 0, pages: 1 });
  });

  it('an asset without a description is counted and reported, not held', async () => {
    await start();
    stand.inventories.set(
      STEAM_ID,
      inventoryFixture({
        items: [{ marketHashName: PRICED.redline.name }, { marketHashName: PRICED.case.name }],
        missingDescriptionFor: 1,
      }),
    );
    const { browser } = await portfolioUser(app, 'nodesc@tracera.test', STEAM_ID);
    const response = await browser.send('POST', IMPORT);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().import).toMatchObject({ assets: 1, without_description: 1 });
  });

  it('a page over the byte cap is 502 and nothing is replaced', async () => {
    await start({ STEAM_INVENTORY_MAX_BYTES: '65536' });
    stand.inventories.set(STEAM_ID, standardInventory());
    const { browser } = await portfolioUser(app, 'oversize@tracera.test', STEAM_ID);
    stand.failNext(STEAM_ID, { kind: 'oversize', bytes: 8 * 1024 * 1024 });
    const response = await browser.send('POST', IMPORT);
    expect(response.statusCode).toBe(502);
    expect(response.json().detail).toMatch(/larger than 65536 bytes/);
    await stand.streams.at(-1)?.ended;
    expect(stand.streams.at(-1)?.completed).toBe(false);
  });
});
