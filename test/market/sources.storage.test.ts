// GET /api/v1/market/sources end to end: the ingestion leader runs real
// cycles (the Steam and Skinport providers against stand-ins on 127.0.0.1
// that answer as those hosts do), records each source's status in the store
// after each cycle, and the route reads it back. On PGlite and the
// in-process store, and again on PostgreSQL and Redis.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliCompressSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Ingestion, startIngestion } from '../../src/market/ingest/index.js';
import { writePrices } from '../../src/market/ingest/write-prices.js';
import { createSkinportProvider } from '../../src/market/providers/skinport.js';
import { createSteamProvider } from '../../src/market/providers/steam.js';
import type { PriceProvider, PriceSource } from '../../src/market/types.js';
import type { Database } from '../../src/platform/db/index.js';
import { createLogger } from '../../src/platform/logger.js';
import type { Store } from '../../src/platform/store/index.js';
import { buildTestApp, LogCapture, type TestApp, testConfig } from '../support/app.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { type LocalHttpServer, sendJson, startLocalHttpServer } from '../support/local-http.js';
import { ManualClock } from '../support/manual-clock.js';
import { insertItems, useMigratedDatabase } from '../support/market.js';
import { failingProvider, quotingProvider } from './ingest/fake-providers.js';
import { clearMarket, quote } from './ingest/fixtures.js';
import { InstantClock } from './providers/support.js';

const INTERVAL_MS = 60_000;
const PROVIDERS = 'steam,skinport,demo';
const config = testConfig({
  INGEST_INTERVAL_SECONDS: String(INTERVAL_MS / 1000),
  MARKET_PROVIDERS: PROVIDERS,
});
/** Leadership stays out of the way of a clock moved a whole interval at a time. */
const leaderTiming = { ttlMs: 10 * INTERVAL_MS, renewMs: INTERVAL_MS, retryMs: INTERVAL_MS };
const NAMES = [
  'AK-47 | Redline (Field-Tested)',
  'AWP | Asiimov (Field-Tested)',
  'Sticker | Crown (Foil)',
  'Revolution Case',
];

const database = useMigratedDatabase();
let harness: TestStore;
let logs: LogCapture;
let clock: ManualClock;
let items: number[];
let ingestion: Ingestion | null;
let test: TestApp | null;
const servers: LocalHttpServer[] = [];

beforeEach(async () => {
  await clearMarket(database());
  items = await insertItems(database(), NAMES);
  harness = await openTestStore();
  logs = new LogCapture();
  clock = new ManualClock();
  ingestion = null;
  test = null;
});

afterEach(async () => {
  await ingestion?.stop();
  await test?.app.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await harness.store.close();
});

/** The API of another instance: it shares only the database and the store with the leader. */
async function apiInstance(env: Record<string, string>): Promise<TestApp> {
  const keepOpen = <T extends Database | Store>(shared: T): T =>
    Object.assign(Object.create(shared) as T, { close: async () => {} });
  test = await buildTestApp({
    database: keepOpen(database()),
    store: keepOpen(harness.store),
    env,
    now: clock.now,
  });
  return test;
}

async function sourcesRoute(env: Record<string, string> = { MARKET_PROVIDERS: PROVIDERS }) {
  const { app } = await apiInstance(env);
  const response = await app.inject({ method: 'GET', url: '/api/v1/market/sources' });
  expect(response.statusCode).toBe(200);
  return response.json();
}

type Reply = (request: IncomingMessage, response: ServerResponse) => void;

/** Steam's priceoverview: prices the first `answered` requests, then 429 with an empty body and no Retry-After. */
async function startSteam(answered: number): Promise<string> {
  let requests = 0;
  const server = await startLocalHttpServer((_request, response) => {
    requests += 1;
    if (requests <= answered) {
      sendJson(response, { success: true, lowest_price: '$1.00', volume: '12' });
      return;
    }
    response.writeHead(429);
    response.end();
  });
  servers.push(server);
  return server.origin;
}

const status502: Reply = (_request, response) => {
  response.writeHead(502, { 'content-type': 'text/html' });
  response.end('<html><body>Bad gateway</body></html>');
};

/** Skinport's /v1/items, brotli-encoded as Skinport sends it, listing every catalog item. */
const listings: Reply = (_request, response) => {
  const body = NAMES.map((name) => ({
    market_hash_name: name,
    currency: 'USD',
    suggested_price: 1.65,
    item_page: `https://skinport.com/item/${encodeURIComponent(name)}`,
    market_page: `https://skinport.com/market?item=${encodeURIComponent(name)}`,
    min_price: 1.5,
    max_price: 2.25,
    mean_price: 1.8,
    median_price: 1.72,
    quantity: 4,
    created_at: 1535988253,
    updated_at: 1568073728,
  }));
  const compressed = brotliCompressSync(Buffer.from(JSON.stringify(body)));
  response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br' });
  response.end(compressed);
};

/** Skinport's stand-in: each request gets the next reply, the last one repeating. */
async function startSkinport(...replies: Reply[]): Promise<string> {
  const server = await startLocalHttpServer((request, response) => {
    const reply = replies.length > 1 ? replies.shift() : replies[0];
    reply?.(request, response);
  });
  servers.push(server);
  return server.origin;
}

const bounds = { currency: 'USD', timeoutMs: 2000, maxResponseBytes: 1024 * 1024 } as const;

function steamProvider(origin: string): PriceProvider {
  // Steam's spacing runs on a clock of its own whose waits pass at once, so
  // a cycle of paced requests needs no stepping; it starts at the leader's time.
  return createSteamProvider(
    { baseUrl: origin, requestIntervalMs: 4000, cycleMs: INTERVAL_MS, ...bounds },
    { clock: new InstantClock(clock.now()) },
  );
}

function lead(providers: readonly PriceProvider[]): void {
  ingestion = startIngestion({
    config,
    database: database(),
    store: harness.store,
    logger: createLogger('debug', logs),
    providers,
    clock,
    leaderTiming,
  });
}

/** Until the leader has recorded the status of each of `sources` after a cycle that ended now. */
async function cycleRecorded(sources: readonly PriceSource[]): Promise<void> {
  const now = new Date(clock.now()).toISOString();
  const recordedAt = async (source: PriceSource) => {
    const status = await harness.store.get(`market-source:${source}`);
    return status && (JSON.parse(status) as { last_cycle_at: string }).last_cycle_at;
  };
  await expect.poll(() => Promise.all(sources.map(recordedAt))).toEqual(sources.map(() => now));
}

describe('GET /api/v1/market/sources', () => {
  it('says so for each configured source that has not run yet', async () => {
    const body = await sourcesRoute({ MARKET_PROVIDERS: 'steam,demo' });
    const notRun = {
      state: 'not_run_yet',
      last_cycle_at: null,
      cycle_duration_ms: null,
      rows_last_cycle: null,
      items_last_cycle: null,
      items_covered: null,
      catalog_items: null,
      last_success_at: null,
      last_error: null,
      pace: null,
    };
    expect(body).toEqual({
      sources: [
        { source: 'steam', simulated: false, ...notRun },
        { source: 'demo', simulated: true, ...notRun },
      ],
    });
  });

  it('answers 400 to a query parameter', async () => {
    const { app } = await apiInstance({ MARKET_PROVIDERS: PROVIDERS });
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/market/sources?source=steam',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ detail: expect.any(String) });
  });

  it("answers what the leader recorded after a cycle: rows, items, coverage, the failure and Steam's pace", async () => {
    // Skinport priced the case in an earlier cycle: it counts in its coverage.
    const revolutionCase = items[3] ?? 0;
    await writePrices(database(), [
      quote(revolutionCase, clock.now() - INTERVAL_MS, 150, { source: 'skinport' }),
    ]);
    const steam = steamProvider(await startSteam(2));
    const skinport = createSkinportProvider(
      { baseUrl: await startSkinport(status502), ...bounds },
      { clock },
    );
    lead([steam, skinport, quotingProvider('demo', clock.now, 1234)]);
    await cycleRecorded(['steam', 'skinport', 'demo']);

    const at = new Date(clock.now()).toISOString();
    const cycle = { last_cycle_at: at, cycle_duration_ms: 0, catalog_items: items.length };
    const body = await sourcesRoute();
    expect(body.sources).toEqual([
      {
        source: 'steam',
        simulated: false,
        state: 'ok',
        ...cycle,
        rows_last_cycle: 2,
        items_last_cycle: 2,
        items_covered: 2,
        last_success_at: at,
        last_error: null,
        // The third request met a 429: half the pace, and a backoff that outlasted the cycle.
        pace: {
          interval_ms: 8000,
          requests_per_minute: 7.5,
          floor_interval_ms: 4000,
          rate_limited_last_cycle: 2,
          last_rate_limited_at: expect.any(String),
        },
      },
      {
        source: 'skinport',
        simulated: false,
        state: 'failing',
        ...cycle,
        rows_last_cycle: 0,
        items_last_cycle: 0,
        items_covered: 1,
        last_success_at: null,
        // The kind of failure, without the host or the request.
        last_error: { at, message: 'unexpected status 502' },
        pace: null,
      },
      {
        source: 'demo',
        simulated: true,
        state: 'ok',
        ...cycle,
        rows_last_cycle: items.length,
        items_last_cycle: items.length,
        items_covered: items.length,
        last_success_at: at,
        last_error: null,
        pace: null,
      },
    ]);
  });

  it('keeps the last success and the last error across cycles, and counts newly priced items into the coverage', async () => {
    const skinport = createSkinportProvider(
      { baseUrl: await startSkinport(status502, listings), ...bounds },
      { clock },
    );
    const demo = failingProvider('demo', new Error('demo walk broke at /srv/tracera/secret'));
    lead([skinport, demo]);
    await cycleRecorded(['skinport', 'demo']);
    const failedAt = new Date(clock.now()).toISOString();

    clock.advance(INTERVAL_MS);
    await cycleRecorded(['skinport', 'demo']);
    const pricedAt = new Date(clock.now()).toISOString();
    const { sources } = await sourcesRoute({ MARKET_PROVIDERS: 'skinport,demo' });
    expect(sources).toEqual([
      expect.objectContaining({
        source: 'skinport',
        state: 'ok',
        rows_last_cycle: items.length,
        items_covered: items.length,
        last_success_at: pricedAt,
        last_error: { at: failedAt, message: 'unexpected status 502' },
      }),
      expect.objectContaining({
        source: 'demo',
        state: 'failing',
        last_success_at: null,
        // An error the source threw on its own may say anything: only that it failed is shown.
        last_error: { at: pricedAt, message: 'failed; the server log has the details' },
      }),
    ]);
  });
});
