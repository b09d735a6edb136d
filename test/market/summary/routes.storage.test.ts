// GET /market, /movers, /index and /index/history over HTTP: the shapes, the
// defaults the answer states, the refusals, and a cent-priced item that
// flips between 3 and 4 cents, which never ranks among movers by default.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { writePrices } from '../../../src/market/ingest/index.js';
import { stepIndex } from '../../../src/market/summary/market-index.js';
import { refreshSummaries } from '../../../src/market/summary/refresh.js';
import type { Store } from '../../../src/platform/store/index.js';
import { buildTestApp, type TestApp } from '../../support/app.js';
import { openTestStore } from '../../support/backends.js';
import { useMigratedDatabase } from '../../support/market.js';
import { HOUR_MS, MINUTE_MS, quote } from '../ingest/fixtures.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const database = useMigratedDatabase();
let store: Store;
let ids: { flicker: number; mover: number; unpriced: number };

async function app(): Promise<TestApp> {
  const shared = Object.assign(Object.create(database()), { close: async () => {} });
  return buildTestApp({ database: shared, store: (await openTestStore()).store, now: () => NOW });
}

beforeAll(async () => {
  store = (await openTestStore()).store;
  const { rows } = await sql<{ id: number }>`insert into items (market_hash_name, category, rarity)
    values ('Sticker | Flicker', 'sticker', 'High Grade'), ('AK-47 | Mover (Field-Tested)',
      'weapon skin', 'Classified'), ('Sticker | Unpriced', 'sticker', 'High Grade')
    returning id`.execute(database().db);
  const [flicker = 0, mover = 0, unpriced = 0] = rows.map((row) => row.id);
  ids = { flicker, mover, unpriced };
  const quotes = [];
  for (let hour = 30; hour >= 0; hour -= 1) {
    const at = NOW - hour * HOUR_MS - MINUTE_MS;
    quotes.push(quote(flicker, at, hour % 2 === 0 ? 4 : 3, { volume: 5000 }));
    quotes.push(quote(mover, at, 2000 + (30 - hour) * 20, { volume: 200 }));
  }
  await writePrices(database(), quotes);
  await refreshSummaries({
    database: database(),
    store,
    source: 'demo',
    itemIds: [flicker, mover, unpriced],
    now: new Date(NOW),
  });
});

describe('GET /api/v1/market', () => {
  it('answers a page with prices, changes, volume and sparkline, unpriced items last', async () => {
    const test = await app();
    try {
      const response = await test.app.inject({ url: '/api/v1/market?sort=price&order=desc' });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body).toMatchObject({
        source: 'demo',
        simulated: true,
        currency: 'USD',
        sort: 'price',
        order: 'desc',
        next_cursor: null,
      });
      expect(body.items.map((entry: { item: { id: number } }) => entry.item.id)).toEqual([
        ids.mover,
        ids.flicker,
        ids.unpriced,
      ]);
      expect(body.items[0]).toMatchObject({
        price: { price_cents: 2600, age_seconds: 60, stale: false },
        volume: 200,
      });
      expect(body.items[0].change_24h).toBeCloseTo(((2600 - 2120) * 100) / 2120, 6);
      expect(body.items[0].sparkline.length).toBeGreaterThan(1);
      expect(body.items[2]).toMatchObject({ price: null, sparkline: [], change_24h: null });
    } finally {
      await test.app.close();
    }
  });

  it('reads booleans and filters from the query string, and pages with a cursor', async () => {
    const test = await app();
    try {
      const first = (
        await test.app.inject({ url: '/api/v1/market?category=sticker&priced=false&limit=1' })
      ).json();
      expect(first.items.map((entry: { item: { id: number } }) => entry.item.id)).toEqual([
        ids.flicker,
      ]);
      const next = await test.app.inject({
        url: `/api/v1/market?category=sticker&priced=false&limit=1&cursor=${first.next_cursor}`,
      });
      expect(next.json().items[0].item.id).toBe(ids.unpriced);
      const priced = (
        await test.app.inject({ url: '/api/v1/market?category=sticker&priced=true' })
      ).json();
      expect(priced.items).toHaveLength(1);
    } finally {
      await test.app.close();
    }
  });

  it.each([
    ['sort=cheapest', /querystring\/sort/],
    ['limit=0', /querystring\/limit/],
    ['stattrak=maybe', /querystring\/stattrak/],
    ['cursor=AA', /^Invalid cursor$/],
    ['bogus=1', /must NOT have additional properties/],
  ])('refuses %s with 400', async (query, detail) => {
    const test = await app();
    try {
      const response = await test.app.inject({ url: `/api/v1/market?${query}` });
      expect(response.statusCode).toBe(400);
      expect(response.json().detail).toMatch(detail);
    } finally {
      await test.app.close();
    }
  });
});

describe('GET /api/v1/movers', () => {
  it('never ranks an item flipping between 3 and 4 cents with the default floors, and says them', async () => {
    const test = await app();
    try {
      for (const direction of ['up', 'down']) {
        for (const window of ['1h', '24h']) {
          const body = (
            await test.app.inject({ url: `/api/v1/movers?direction=${direction}&window=${window}` })
          ).json();
          expect(body).toMatchObject({ min_price_cents: 100, min_volume: 10, window, direction });
          const ranked = body.items.map((entry: { item: { id: number } }) => entry.item.id);
          expect(ranked).not.toContain(ids.flicker);
        }
      }
      const up = (await test.app.inject({ url: '/api/v1/movers' })).json();
      expect(up.items.map((entry: { item: { id: number } }) => entry.item.id)).toEqual([ids.mover]);
      const noFloor = (
        await test.app.inject({ url: '/api/v1/movers?min_price_cents=0&window=1h' })
      ).json();
      // Without the price floor, its one-cent step is the largest move there is.
      expect(noFloor.items.map((entry: { item: { id: number } }) => entry.item.id)).toEqual([
        ids.flicker,
        ids.mover,
      ]);
    } finally {
      await test.app.close();
    }
  });
});

describe('GET /api/v1/index', () => {
  it('has no index until one is computed, then its value and history', async () => {
    const test = await app();
    try {
      expect((await test.app.inject({ url: '/api/v1/index' })).json()).toEqual({
        source: 'demo',
        simulated: true,
        currency: 'USD',
        index: null,
      });
      await stepIndex(database(), 'demo', new Date(NOW - HOUR_MS));
      await stepIndex(database(), 'demo', new Date(NOW));
      const index = (await test.app.inject({ url: '/api/v1/index' })).json();
      expect(index.index).toMatchObject({
        value: 1000,
        base: 1000,
        basket_size: 1,
        change_24h: null,
      });
      const history = (await test.app.inject({ url: '/api/v1/index/history?window=24h' })).json();
      expect(history).toMatchObject({
        source: 'demo',
        simulated: true,
        window: '24h',
        bucket_seconds: 900,
      });
      expect(history.points.length).toBe(2);
      expect((await test.app.inject({ url: '/api/v1/index/history?window=2d' })).statusCode).toBe(
        400,
      );
    } finally {
      await test.app.close();
    }
  });
});
