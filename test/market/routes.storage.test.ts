// The public market API: search, item detail with the latest price per
// source (age, staleness, simulated), history, volatility and rankings, and
// a 400 or 404 with {"detail"} for every bad input.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateLatestPrices } from '../../src/market/ingest/latest-prices.js';
import { writePrices } from '../../src/market/ingest/write-prices.js';
import type { PriceQuote, PriceSource } from '../../src/market/types.js';
import { recomputeVolatility } from '../../src/market/volatility/index.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { openMigratedDatabase } from '../support/market.js';

const MINUTE_MS = 60_000;
const NOW = new Date('2026-11-17T12:30:00Z');
const STALE_SECONDS = 600;

let test: TestApp;
let app: FastifyInstance;
const ids: Record<string, number> = {};

async function get(url: string) {
  const response = await app.inject({ method: 'GET', url });
  return { status: response.statusCode, body: response.json() };
}

function quote(itemId: number, source: PriceSource, minutesAgo: number, cents: number): PriceQuote {
  return {
    item_id: itemId,
    source,
    price_cents: cents,
    volume: 10,
    observed_at: new Date(NOW.getTime() - minutesAgo * MINUTE_MS),
  };
}

beforeAll(async () => {
  const database = await openMigratedDatabase();
  for (const [key, name, category] of [
    ['redline', 'AK-47 | Redline (Field-Tested)', 'weapon skin'],
    ['redlineMw', 'AK-47 | Redline (Minimal Wear)', 'weapon skin'],
    ['karambit', '★ Karambit | Fade (Factory New)', 'knife'],
    ['quiet', 'Sticker | Quiet Item', 'sticker'],
    ['flicker', 'Sticker | Flicker', 'sticker'],
  ] as const) {
    const { rows } = await sql<{ id: number }>`insert into items (market_hash_name, category)
      values (${name}, ${category}) returning id`.execute(database.db);
    ids[key] = rows[0]?.id ?? 0;
  }
  test = await buildTestApp({
    database,
    env: { MARKET_PROVIDERS: 'steam,demo', PRICE_STALE_SECONDS: String(STALE_SECONDS) },
    now: () => NOW.getTime(),
  });
  app = test.app;

  // 25 Steam prices a minute apart for the Redline, 30 for the Karambit with
  // a wider relative spread; the demo price is old enough to be stale.
  const redline = Array.from({ length: 25 }, (_, i) =>
    quote(ids.redline ?? 0, 'steam', 24 - i, 1000 + (i % 2) * 20),
  );
  const karambit = Array.from({ length: 30 }, (_, i) =>
    quote(ids.karambit ?? 0, 'steam', 29 - i, 50_000 + (i % 3) * 5_000),
  );
  // A sticker flipping between 3 and 4 cents: by far the largest relative spread, and noise.
  const flicker = Array.from({ length: 30 }, (_, i) =>
    quote(ids.flicker ?? 0, 'steam', 29 - i, 3 + (i % 2)),
  );
  const demo = [quote(ids.redline ?? 0, 'demo', STALE_SECONDS / 60 + 1, 990)];
  const quotes = [...redline, ...karambit, ...flicker, ...demo];
  await writePrices(database, quotes);
  await updateLatestPrices(test.store, quotes, { publish: false });
  await recomputeVolatility({ database, store: test.store, now: NOW }, [
    { itemId: ids.redline ?? 0, source: 'steam' },
    { itemId: ids.karambit ?? 0, source: 'steam' },
    { itemId: ids.flicker ?? 0, source: 'steam' },
  ]);
});

afterAll(async () => {
  await app.close();
});

describe('GET /api/v1/items', () => {
  it('finds items by every word of the query, a page at a time', async () => {
    const first = await get('/api/v1/items?q=redline%20ak&limit=1');
    expect(first.status).toBe(200);
    expect(
      first.body.items.map((item: { market_hash_name: string }) => item.market_hash_name),
    ).toEqual(['AK-47 | Redline (Field-Tested)']);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await get(
      `/api/v1/items?q=redline%20ak&limit=1&cursor=${encodeURIComponent(first.body.next_cursor)}`,
    );
    expect(second.body.items.map((item: { id: number }) => item.id)).toEqual([ids.redlineMw]);
    const third = await get(
      `/api/v1/items?q=redline%20ak&limit=1&cursor=${encodeURIComponent(second.body.next_cursor ?? '')}`,
    );
    expect(second.body.next_cursor === null || third.body.items.length === 0).toBe(true);
  });

  it('filters by category', async () => {
    const { body } = await get('/api/v1/items?category=knife');
    expect(body.items.map((item: { id: number }) => item.id)).toEqual([ids.karambit]);
  });

  it('S38: 400 "Invalid cursor" for a well-formed cursor of a name with U+0000', async () => {
    const cursor = Buffer.from('AK-47 | Redline\0', 'utf8').toString('base64url');
    const { status, body } = await get(`/api/v1/items?q=ak&cursor=${cursor}`);
    expect(status).toBe(400);
    expect(body).toEqual({ detail: 'Invalid cursor' });
  });

  it.each([['limit=0'], ['limit=201'], ['limit=ten'], ['color=red'], ['cursor=not-a-cursor']])(
    '400 for %s',
    async (query) => {
      const { status, body } = await get(`/api/v1/items?${query}`);
      expect(status).toBe(400);
      expect(body).toEqual({ detail: expect.any(String) });
    },
  );
});

describe('GET /api/v1/items/:id', () => {
  it('gives the latest price from each source with its age, staleness and whether it is simulated', async () => {
    const { status, body } = await get(`/api/v1/items/${ids.redline}`);
    expect(status).toBe(200);
    expect(body.item).toMatchObject({
      id: ids.redline,
      market_hash_name: 'AK-47 | Redline (Field-Tested)',
    });
    expect(body.currency).toBe('USD');
    expect(body.prices).toEqual([
      {
        source: 'steam',
        simulated: false,
        price_cents: 1000,
        volume: 10,
        listings: null,
        observed_at: NOW.toISOString(),
        age_seconds: 0,
        stale: false,
      },
      {
        source: 'demo',
        simulated: true,
        price_cents: 990,
        volume: 10,
        listings: null,
        observed_at: new Date(NOW.getTime() - (STALE_SECONDS + 60) * 1000).toISOString(),
        age_seconds: STALE_SECONDS + 60,
        stale: true,
      },
    ]);
  });

  it('lists no prices for an item nobody has priced', async () => {
    const { body } = await get(`/api/v1/items/${ids.quiet}`);
    expect(body.prices).toEqual([]);
  });

  it.each([['abc'], ['0'], ['-1'], ['1.5'], ['99999999999']])('400 for id %s', async (id) => {
    const { status, body } = await get(`/api/v1/items/${id}`);
    expect(status).toBe(400);
    expect(body).toEqual({ detail: expect.any(String) });
  });

  it('404 for an unknown item, on every item route', async () => {
    for (const suffix of ['', '/history', '/volatility']) {
      const { status, body } = await get(`/api/v1/items/2000000000${suffix}`);
      expect(status).toBe(404);
      expect(body).toEqual({ detail: 'No item with that id' });
    }
  });
});

describe('GET /api/v1/items/:id/history', () => {
  it('buckets the first configured source by default', async () => {
    const { status, body } = await get(`/api/v1/items/${ids.redline}/history?window=1h`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      item_id: ids.redline,
      source: 'steam',
      simulated: false,
      window: '1h',
      currency: 'USD',
      bucket_seconds: 60,
    });
    expect(body.points).toHaveLength(25);
    expect(body.points[0]).toEqual({
      time: new Date(NOW.getTime() - 24 * MINUTE_MS).toISOString(),
      open_cents: 1000,
      close_cents: 1000,
      min_cents: 1000,
      max_cents: 1000,
      avg_cents: 1000,
      volume: 10,
      samples: 1,
    });
  });

  it('reads the source asked for', async () => {
    const { body } = await get(`/api/v1/items/${ids.redline}/history?window=24h&source=demo`);
    expect(body).toMatchObject({ source: 'demo', simulated: true, bucket_seconds: 900 });
    expect(body.points.map((point: { avg_cents: number }) => point.avg_cents)).toEqual([990]);
  });

  it('answers an item with no prices yet with an empty chart, not 404', async () => {
    const { status, body } = await get(`/api/v1/items/${ids.redlineMw}/history?window=7d`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ item_id: ids.redlineMw, window: '7d', points: [] });
  });

  it.each([['window=2h'], ['source=csfloat'], ['window=1h&extra=1']])(
    '400 for %s',
    async (query) => {
      const { status, body } = await get(`/api/v1/items/${ids.redline}/history?${query}`);
      expect(status).toBe(400);
      expect(body).toEqual({ detail: expect.any(String) });
    },
  );
});

describe('GET /api/v1/items/:id/volatility', () => {
  it('gives the cached volatility, rounded', async () => {
    const { status, body } = await get(`/api/v1/items/${ids.redline}/volatility?window=1h`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      item_id: ids.redline,
      source: 'steam',
      window: '1h',
      minimum_points: 20,
    });
    // 25 points alternating 1000 and 1020 (13 and 12): mean 1009.6, σ = 20·√(13·12)/25 = 9.99…
    expect(body.volatility).toMatchObject({ points: 25, mean_cents: 1009.6, stddev_cents: 9.99 });
    expect(body.volatility.coefficient_of_variation).toBeCloseTo(9.992 / 1009.6, 5);
  });

  it('says what the minimum is when there is too little data', async () => {
    const { body } = await get(`/api/v1/items/${ids.quiet}/volatility?window=1h`);
    expect(body).toMatchObject({ minimum_points: 20, volatility: null });
  });

  it('400 for a window volatility is not computed over', async () => {
    const { status } = await get(`/api/v1/items/${ids.redline}/volatility?window=1y`);
    expect(status).toBe(400);
  });
});

describe('GET /api/v1/rankings/volatile', () => {
  it('ranks by coefficient of variation, most volatile first', async () => {
    const { status, body } = await get('/api/v1/rankings/volatile?window=1h');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      window: '1h',
      source: 'steam',
      ranked_by: 'coefficient_of_variation',
      minimum_points: 20,
      min_price_cents: 100,
      min_volume: 10,
    });
    expect(
      body.items.map((entry: { rank: number; item: { id: number } }) => [
        entry.rank,
        entry.item.id,
      ]),
    ).toEqual([
      [1, ids.karambit],
      [2, ids.redline],
    ]);
  });

  it('honours the limit', async () => {
    const { body } = await get('/api/v1/rankings/volatile?window=1h&limit=1');
    expect(body.items).toHaveLength(1);
  });

  it('never ranks an item flipping between 3 and 4 cents with the default floors', async () => {
    for (const window of ['1h', '24h']) {
      const { body } = await get(`/api/v1/rankings/volatile?window=${window}`);
      expect(body.items.map((entry: { item: { id: number } }) => entry.item.id)).not.toContain(
        ids.flicker,
      );
    }
    // Below the floor it is what leads: the floor is what keeps it out.
    const { body } = await get('/api/v1/rankings/volatile?window=1h&min_price_cents=0');
    expect(body.items[0].item.id).toBe(ids.flicker);
    expect(body.min_price_cents).toBe(0);
    const traded = await get('/api/v1/rankings/volatile?window=1h&min_volume=11');
    expect(traded.body.items).toEqual([]);
  });

  it.each([['limit=0'], ['limit=101'], ['window=1y'], ['source=nowhere']])(
    '400 for %s',
    async (query) => {
      const { status, body } = await get(`/api/v1/rankings/volatile?${query}`);
      expect(status).toBe(400);
      expect(body).toEqual({ detail: expect.any(String) });
    },
  );
});
