// The Skinport provider against a local server that answers /v1/items the way
// Skinport does: a brotli-encoded JSON array, only to clients that accept br.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliCompressSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  centsFromMajorUnits,
  createSkinportProvider,
  SKINPORT_CACHE_MS,
  SKINPORT_MIN_REQUEST_SPACING_MS,
  type SkinportProviderOptions,
} from '../../../src/market/providers/skinport.js';
import type { PricedItem } from '../../../src/market/types.js';
import { HttpRequestError } from '../../../src/platform/http/bounded-fetch.js';
import { WAIT_BOUND_MS } from '../../support/backends.js';
import { type LocalHttpServer, sendJson, startLocalHttpServer } from '../../support/local-http.js';
import { pricedItem } from '../../support/market.js';
import { collect, InstantClock, recordingLog, START_MS } from './support.js';

const REDLINE = 'AK-47 | Redline (Field-Tested)';
const KARAMBIT = '★ Karambit | Doppler (Factory New)';
const CASE = 'Revolution Case';

/** One element of /v1/items, with every field Skinport sends. */
function listing(
  name: string,
  prices: { min: number | null; quantity: number },
  currency = 'EUR',
): Record<string, unknown> {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return {
    market_hash_name: name,
    currency,
    suggested_price: prices.min === null ? null : prices.min * 1.1,
    item_page: `https://skinport.com/item/${slug}`,
    market_page: `https://skinport.com/market?item=${encodeURIComponent(name)}&cat=Rifle`,
    min_price: prices.min,
    max_price: prices.min === null ? null : prices.min * 1.5,
    mean_price: prices.min === null ? null : prices.min * 1.2,
    median_price: prices.min === null ? null : prices.min * 1.15,
    quantity: prices.quantity,
    created_at: 1535988253,
    updated_at: 1568073728,
  };
}

const BODY = [
  listing(REDLINE, { min: 13.18, quantity: 25 }),
  listing(KARAMBIT, { min: 1234.5, quantity: 3 }),
  listing(CASE, { min: null, quantity: 0 }),
  listing('Glock-18 | Fade (Factory New)', { min: 1500.99, quantity: 7 }),
];

type Reply = (request: IncomingMessage, response: ServerResponse) => void;

/** Skinport answers /v1/items only to clients that accept brotli. */
const brotli =
  (body: unknown): Reply =>
  (request, response) => {
    if (!/\bbr\b/.test(String(request.headers['accept-encoding']))) {
      sendJson(response, { errors: [{ id: 'invalid_encoding' }] }, 406);
      return;
    }
    const compressed = brotliCompressSync(Buffer.from(JSON.stringify(body)));
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-encoding': 'br',
      'content-length': compressed.byteLength,
    });
    response.end(compressed);
  };

let server: LocalHttpServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function startSkinport(...replies: Reply[]): Promise<LocalHttpServer> {
  server = await startLocalHttpServer((request, response) => {
    const reply = replies.length > 1 ? replies.shift() : replies[0];
    reply?.(request, response);
  });
  return server;
}

const catalog: PricedItem[] = [
  pricedItem(1, REDLINE),
  pricedItem(2, KARAMBIT),
  pricedItem(3, CASE),
];

function provider(
  clock: InstantClock,
  overrides: Partial<SkinportProviderOptions> = {},
  log = recordingLog(),
) {
  return createSkinportProvider(
    {
      baseUrl: server?.origin ?? '',
      currency: 'EUR',
      // A bound for a stall, not a deadline: these tests are about other answers.
      timeoutMs: WAIT_BOUND_MS,
      maxResponseBytes: 1024 * 1024,
      ...overrides,
    },
    { clock, log },
  );
}

const signal = () => new AbortController().signal;

describe('Skinport /v1/items provider', () => {
  it('reads the brotli-encoded bulk answer into quotes for the catalog items', async () => {
    await startSkinport(brotli(BODY));
    const clock = new InstantClock();
    const quotes = await collect(provider(clock).fetchPrices(catalog, signal()));
    expect(quotes).toEqual([
      {
        item_id: 1,
        source: 'skinport',
        price_cents: 1318,
        listings: 25,
        observed_at: new Date(START_MS),
      },
      {
        item_id: 2,
        source: 'skinport',
        price_cents: 123450,
        listings: 3,
        observed_at: new Date(START_MS),
      },
    ]);
    const request = server?.requests[0];
    expect(request?.url.pathname).toBe('/v1/items');
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({
      app_id: '730',
      currency: 'EUR',
      tradable: '0',
    });
    expect(request?.headers['accept-encoding']).toBe('br');
  });

  it('does not ask again within the cache window, and asks once it has passed', async () => {
    await startSkinport(brotli(BODY));
    const clock = new InstantClock();
    const skinport = provider(clock);
    expect(await collect(skinport.fetchPrices(catalog, signal()))).toHaveLength(2);
    clock.time = START_MS + SKINPORT_CACHE_MS - 1;
    expect(await collect(skinport.fetchPrices(catalog, signal()))).toEqual([]);
    expect(server?.requests).toHaveLength(1);
    clock.time = START_MS + SKINPORT_CACHE_MS;
    const quotes = await collect(skinport.fetchPrices(catalog, signal()));
    expect(quotes.map((quote) => quote.observed_at)).toEqual([
      new Date(START_MS + SKINPORT_CACHE_MS),
      new Date(START_MS + SKINPORT_CACHE_MS),
    ]);
    expect(server?.requests).toHaveLength(2);
  });

  it('throws on a bad status and waits its share of the rate limit before asking again', async () => {
    await startSkinport((_request, response) => {
      response.writeHead(503);
      response.end();
    }, brotli(BODY));
    const clock = new InstantClock();
    const skinport = provider(clock);
    const error = await collect(skinport.fetchPrices(catalog, signal())).catch((e) => e);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error.failure).toMatchObject({ kind: 'status', status: 503 });
    clock.time = START_MS + SKINPORT_MIN_REQUEST_SPACING_MS - 1;
    expect(await collect(skinport.fetchPrices(catalog, signal()))).toEqual([]);
    clock.time = START_MS + SKINPORT_MIN_REQUEST_SPACING_MS;
    expect(await collect(skinport.fetchPrices(catalog, signal()))).toHaveLength(2);
    expect(server?.requests).toHaveLength(2);
  });

  it('waits Retry-After after a 429, or the cache window when none is given', async () => {
    const tooMany =
      (headers: Record<string, string>): Reply =>
      (_request, response) => {
        response.writeHead(429, headers);
        response.end();
      };
    await startSkinport(tooMany({ 'retry-after': '120' }), tooMany({}), brotli(BODY));
    const clock = new InstantClock();
    const skinport = provider(clock);
    await expect(collect(skinport.fetchPrices(catalog, signal()))).rejects.toMatchObject({
      failure: { kind: 'status', status: 429 },
    });
    clock.time = START_MS + 119_000;
    expect(await collect(skinport.fetchPrices(catalog, signal()))).toEqual([]);
    clock.time = START_MS + 120_000;
    await expect(collect(skinport.fetchPrices(catalog, signal()))).rejects.toMatchObject({
      failure: { kind: 'status', status: 429 },
    });
    clock.time = START_MS + 120_000 + SKINPORT_CACHE_MS - 1;
    expect(await collect(skinport.fetchPrices(catalog, signal()))).toEqual([]);
    clock.time = START_MS + 120_000 + SKINPORT_CACHE_MS;
    expect(await collect(skinport.fetchPrices(catalog, signal()))).toHaveLength(2);
    expect(server?.requests).toHaveLength(3);
  });

  it('refuses a body over the size cap', async () => {
    const big = Array.from({ length: 200 }, (_, index) =>
      listing(`Sticker | Filler ${index}`, { min: 0.03, quantity: 1 }),
    );
    await startSkinport(brotli(big));
    const error = await collect(
      provider(new InstantClock(), { maxResponseBytes: 4096 }).fetchPrices(catalog, signal()),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error.failure).toEqual({ kind: 'too_large', maxBytes: 4096 });
  });

  it('fails with an invalid_body failure for an answer that is not an array', async () => {
    await startSkinport(brotli({ errors: [{ id: 'internal_error' }] }));
    const error = await collect(provider(new InstantClock()).fetchPrices(catalog, signal())).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error.failure).toEqual({ kind: 'invalid_body', reason: 'expected an array' });
  });

  it('skips entries with no price, an unreadable price or another currency, and logs the unreadable ones', async () => {
    await startSkinport(
      brotli([
        listing(REDLINE, { min: 0.1 + 0.2, quantity: 1 }),
        listing(KARAMBIT, { min: 1234.5, quantity: 3 }, 'USD'),
        listing(CASE, { min: null, quantity: 0 }),
        { market_hash_name: 42 },
        'garbage',
      ]),
    );
    const log = recordingLog();
    const quotes = await collect(
      provider(new InstantClock(), {}, log).fetchPrices(catalog, signal()),
    );
    expect(quotes).toEqual([]);
    expect(log.lines).toEqual([
      { details: { unreadable: 1, otherCurrency: 1 }, message: 'Skinport prices skipped' },
    ]);
  });

  it('omits listings when quantity is not a count', async () => {
    await startSkinport(brotli([{ ...listing(REDLINE, { min: 1, quantity: 0 }), quantity: null }]));
    const quotes = await collect(provider(new InstantClock()).fetchPrices(catalog, signal()));
    expect(quotes).toHaveLength(1);
    expect(quotes[0]).not.toHaveProperty('listings');
    expect(quotes[0]?.price_cents).toBe(100);
  });

  it('sends nothing for an empty catalog or an aborted signal', async () => {
    await startSkinport(brotli(BODY));
    const skinport = provider(new InstantClock());
    expect(await collect(skinport.fetchPrices([], signal()))).toEqual([]);
    expect(await collect(skinport.fetchPrices(catalog, AbortSignal.abort()))).toEqual([]);
    expect(server?.requests).toHaveLength(0);
  });

  it('stops promptly, without throwing, when aborted mid-request', async () => {
    await startSkinport(() => {});
    const abort = new AbortController();
    const cycle = collect(
      provider(new InstantClock(), { timeoutMs: 10_000 }).fetchPrices(catalog, abort.signal),
    );
    await expect.poll(() => server?.requests.length ?? 0, { interval: 5 }).toBe(1);
    const started = performance.now();
    abort.abort();
    await expect(cycle).resolves.toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('centsFromMajorUnits', () => {
  it.each([
    [13.18, 1318],
    [0.03, 3],
    [1.1, 110],
    [1234.5, 123450],
    [12, 1200],
    [0, 0],
    [1.005, null],
    [0.1 + 0.2, null],
    [1e21, null],
    [-1, null],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
    ['13.18', null],
    [null, null],
  ])('%s → %s', (value, cents) => {
    expect(centsFromMajorUnits(value)).toBe(cents);
  });

  it('converts every two-decimal price up to 100 000.00 exactly', () => {
    for (let cents = 0; cents <= 10_000_000; cents += 7919) {
      expect(centsFromMajorUnits(Number((cents / 100).toFixed(2)))).toBe(cents);
    }
  });
});
