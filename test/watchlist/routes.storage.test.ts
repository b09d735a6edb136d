// The watchlist API over HTTP on test storage: adding is idempotent and
// priced like the portfolio, the per-user cap holds at its boundary (also
// when adds race), every bad input is a 400 with a detail, one user never
// reaches another's list, and GET /market?watchlist=true narrows the market
// table to the watched items.
import { afterEach, describe, expect, it } from 'vitest';
import { type AccountsApp, startAccountsApp } from '../support/accounts.js';
import type { Browser } from '../support/browser.js';
import {
  PRICED,
  portfolioUser,
  seedPortfolioMarket,
  type TestMarket,
} from '../support/portfolio.js';

const WATCHLIST = '/api/v1/watchlist';

let app: AccountsApp;
let market: TestMarket;

afterEach(async () => {
  await app?.close();
});

async function start(env: Record<string, string> = {}) {
  app = await startAccountsApp({ env });
  market = await seedPortfolioMarket(app.database, app.store, Date.now());
}

describe('the watchlist routes', () => {
  it('adds idempotently, keeps or replaces the note, prices each item, and removes', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'watch@tracera.test', null);

    const added = await browser.send('PUT', `${WATCHLIST}/${market.ids.redline}`, {
      note: 'buy under $18',
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.headers['cache-control']).toBe('no-store');
    expect(added.json()).toMatchObject({
      item: { id: market.ids.redline, market_hash_name: PRICED.redline.name },
      note: 'buy under $18',
      price: { price_cents: PRICED.redline.cents, source: 'demo', simulated: true, stale: false },
    });
    // Again without a note: still watched once, the note kept.
    const again = await browser.send('PUT', `${WATCHLIST}/${market.ids.redline}`, {});
    expect(again.statusCode).toBe(200);
    expect(again.json().note).toBe('buy under $18');
    const renoted = await browser.send('PUT', `${WATCHLIST}/${market.ids.redline}`, { note: '' });
    expect(renoted.json().note).toBe('');

    expect((await browser.send('PUT', `${WATCHLIST}/${market.ids.unpriced}`, {})).statusCode).toBe(
      201,
    );
    const list = await browser.request({ url: WATCHLIST });
    expect(list.statusCode).toBe(200);
    expect(list.headers['cache-control']).toBe('no-store');
    const body = list.json();
    expect(body).toMatchObject({ currency: 'USD', total: 2, max_items: 500, offset: 0 });
    // Newest first; an item no source prices yet has a null price.
    expect(body.items.map((entry: { item: { id: number } }) => entry.item.id)).toEqual([
      market.ids.unpriced,
      market.ids.redline,
    ]);
    expect(body.items[0].price).toBeNull();
    expect(body.items[1].price.change_24h_percent).toEqual(expect.any(Number));
    const paged = (await browser.request({ url: `${WATCHLIST}?limit=1&offset=1` })).json();
    expect(paged.items.map((entry: { item: { id: number } }) => entry.item.id)).toEqual([
      market.ids.redline,
    ]);
    expect(paged.total).toBe(2);

    const ids = await browser.request({ url: `${WATCHLIST}/ids` });
    expect(ids.json()).toEqual({
      item_ids: [market.ids.redline, market.ids.unpriced].sort((a, b) => a - b),
    });

    const removed = await browser.send('DELETE', `${WATCHLIST}/${market.ids.redline}`);
    expect(removed.statusCode).toBe(204);
    const gone = await browser.send('DELETE', `${WATCHLIST}/${market.ids.redline}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toEqual({ detail: 'That item is not on your watchlist' });
    expect((await browser.request({ url: `${WATCHLIST}/ids` })).json()).toEqual({
      item_ids: [market.ids.unpriced],
    });
  });

  it('404 for an item the catalog does not have', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'unknown@tracera.test', null);
    const response = await browser.send('PUT', `${WATCHLIST}/999999`, {});
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ detail: 'No item with that id' });
  });

  it('answers 400 with a detail for every bad input', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'bad@tracera.test', null);
    const item = market.ids.case;
    const bad: [string, () => ReturnType<Browser['request']>][] = [
      [
        'a note past 500 characters',
        () => browser.send('PUT', `${WATCHLIST}/${item}`, { note: 'x'.repeat(501) }),
      ],
      ['a note that is not text', () => browser.send('PUT', `${WATCHLIST}/${item}`, { note: 5 })],
      [
        'a note with U+0000',
        () => browser.send('PUT', `${WATCHLIST}/${item}`, { note: 'a\u0000b' }),
      ],
      ['a lone surrogate', () => browser.send('PUT', `${WATCHLIST}/${item}`, { note: 'a\ud800' })],
      ['an unknown field', () => browser.send('PUT', `${WATCHLIST}/${item}`, { quantity: 1 })],
      ['a body that is not an object', () => browser.send('PUT', `${WATCHLIST}/${item}`, [1])],
      ['item id 0', () => browser.send('PUT', `${WATCHLIST}/0`, {})],
      ['item id past int4', () => browser.send('PUT', `${WATCHLIST}/2147483648`, {})],
      ['item id that is not a number', () => browser.send('DELETE', `${WATCHLIST}/abc`)],
      ['a negative item id', () => browser.send('DELETE', `${WATCHLIST}/-1`)],
      ['limit 0', () => browser.request({ url: `${WATCHLIST}?limit=0` })],
      ['limit past the page size', () => browser.request({ url: `${WATCHLIST}?limit=501` })],
      ['a negative offset', () => browser.request({ url: `${WATCHLIST}?offset=-1` })],
      ['an unknown query parameter', () => browser.request({ url: `${WATCHLIST}?sort=name` })],
      [
        'watchlist that is not a boolean',
        () => browser.request({ url: '/api/v1/market?watchlist=yes' }),
      ],
    ];
    for (const [what, send] of bad) {
      const response = await send();
      expect(response.statusCode, `${what}: ${response.body}`).toBe(400);
      expect(response.json(), what).toEqual({ detail: expect.any(String) });
    }
    expect((await browser.request({ url: `${WATCHLIST}/ids` })).json()).toEqual({ item_ids: [] });
  });

  it('refuses a signed-out browser with 401, and an unsafe request without CSRF with 403', async () => {
    await start();
    const anonymous = app.browser();
    for (const url of [WATCHLIST, `${WATCHLIST}/ids`, '/api/v1/market?watchlist=true']) {
      const response = await anonymous.request({ url });
      expect(response.statusCode, url).toBe(401);
      expect(response.json()).toEqual({ detail: 'Not signed in' });
    }
    expect((await anonymous.send('PUT', `${WATCHLIST}/${market.ids.case}`, {})).statusCode).toBe(
      401,
    );
    const { browser } = await portfolioUser(app, 'csrf@tracera.test', null);
    const forged = await browser.request({
      method: 'PUT',
      url: `${WATCHLIST}/${market.ids.case}`,
      body: {},
      csrf: false,
    });
    expect(forged.statusCode).toBe(403);
    expect((await browser.request({ url: `${WATCHLIST}/ids` })).json()).toEqual({ item_ids: [] });
  });

  it('holds the per-user cap at its boundary: the next item is 409, a note still changes', async () => {
    await start({ WATCHLIST_ITEMS_PER_USER: '2' });
    const { browser } = await portfolioUser(app, 'cap@tracera.test', null);
    expect((await browser.send('PUT', `${WATCHLIST}/${market.ids.redline}`, {})).statusCode).toBe(
      201,
    );
    expect((await browser.send('PUT', `${WATCHLIST}/${market.ids.asiimov}`, {})).statusCode).toBe(
      201,
    );
    const third = await browser.send('PUT', `${WATCHLIST}/${market.ids.case}`, {});
    expect(third.statusCode).toBe(409);
    expect(third.json()).toEqual({
      detail: 'Your watchlist is full: at most 2 items. Remove one to add another.',
    });
    const note = await browser.send('PUT', `${WATCHLIST}/${market.ids.asiimov}`, { note: 'hold' });
    expect(note.statusCode).toBe(200);
    expect((await browser.request({ url: WATCHLIST })).json()).toMatchObject({
      total: 2,
      max_items: 2,
    });
    await browser.send('DELETE', `${WATCHLIST}/${market.ids.redline}`);
    expect((await browser.send('PUT', `${WATCHLIST}/${market.ids.case}`, {})).statusCode).toBe(201);
  });

  it('lets no more adds through the cap when they race', async () => {
    await start({ WATCHLIST_ITEMS_PER_USER: '2' });
    const { browser } = await portfolioUser(app, 'race@tracera.test', null);
    await browser.fetchCsrf();
    const ids = [market.ids.redline, market.ids.asiimov, market.ids.case, market.ids.unpriced];
    const statuses = await Promise.all(
      ids.map(
        async (id) =>
          (await browser.request({ method: 'PUT', url: `${WATCHLIST}/${id}`, body: {} }))
            .statusCode,
      ),
    );
    expect(statuses.filter((status) => status === 201)).toHaveLength(2);
    expect(statuses.filter((status) => status === 409)).toHaveLength(2);
    expect((await browser.request({ url: `${WATCHLIST}/ids` })).json().item_ids).toHaveLength(2);
  });

  it('keeps each user to their own list', async () => {
    await start();
    const alice = await portfolioUser(app, 'alice@tracera.test', null, '203.0.113.21');
    const bob = await portfolioUser(app, 'bob@tracera.test', null, '203.0.113.22');
    await alice.browser.send('PUT', `${WATCHLIST}/${market.ids.redline}`, { note: 'mine' });
    expect((await bob.browser.request({ url: WATCHLIST })).json()).toMatchObject({
      items: [],
      total: 0,
    });
    expect(
      (await bob.browser.send('DELETE', `${WATCHLIST}/${market.ids.redline}`)).statusCode,
    ).toBe(404);
    // Bob watching the same item changes nothing of Alice's.
    await bob.browser.send('PUT', `${WATCHLIST}/${market.ids.redline}`, { note: 'his' });
    const hers = (await alice.browser.request({ url: WATCHLIST })).json();
    expect(hers.items).toEqual([expect.objectContaining({ note: 'mine' })]);
  });

  it('GET /market?watchlist=true narrows the table to the watched items, sorted and unstored', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'market@tracera.test', null);
    const empty = await browser.request({ url: '/api/v1/market?watchlist=true' });
    expect(empty.statusCode).toBe(200);
    expect(empty.json().items).toEqual([]);
    await browser.send('PUT', `${WATCHLIST}/${market.ids.case}`, {});
    await browser.send('PUT', `${WATCHLIST}/${market.ids.asiimov}`, {});
    const response = await browser.request({
      url: '/api/v1/market?watchlist=true&sort=price&order=desc',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json().items.map((entry: { item: { id: number } }) => entry.item.id)).toEqual([
      market.ids.asiimov,
      market.ids.case,
    ]);
    // Paged by the same cursor as the whole table.
    const first = (
      await browser.request({ url: '/api/v1/market?watchlist=true&sort=price&order=desc&limit=1' })
    ).json();
    expect(first.items.map((entry: { item: { id: number } }) => entry.item.id)).toEqual([
      market.ids.asiimov,
    ]);
    const second = (
      await browser.request({
        url: `/api/v1/market?watchlist=true&sort=price&order=desc&limit=1&cursor=${first.next_cursor}`,
      })
    ).json();
    expect(second.items.map((entry: { item: { id: number } }) => entry.item.id)).toEqual([
      market.ids.case,
    ]);
    expect(second.next_cursor).toBeNull();
    // Other filters still apply on top.
    const searched = await browser.request({ url: '/api/v1/market?watchlist=true&q=kilowatt' });
    expect(searched.json().items.map((entry: { item: { id: number } }) => entry.item.id)).toEqual([
      market.ids.case,
    ]);
    // Without the filter, the whole market, and cacheable as before.
    const all = await browser.request({ url: '/api/v1/market?watchlist=false' });
    expect(all.json().items.length).toBe(4);
    expect(all.headers['cache-control']).toBeUndefined();
  });
});
