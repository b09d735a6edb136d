// The live feed end to end: a listening app, real WebSocket clients, prices
// published the way ingestion publishes them (updateLatestPrices), on the
// in-process store and again on Redis.
import { afterEach, describe, expect, it } from 'vitest';
import { updateLatestPrices } from '../../src/market/ingest/latest-prices.js';
import {
  INDEX_CHANNEL,
  PRICES_CHANNEL,
  type PriceQuote,
  VOLATILITY_CHANNEL,
} from '../../src/market/types.js';
import type { Volatility } from '../../src/market/volatility/index.js';
import type { Database } from '../../src/platform/db/index.js';
import type { Store } from '../../src/platform/store/index.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { openTestStore, testKeyPrefix, testRedisUrl } from '../support/backends.js';
import {
  FeedClient,
  type FeedMessage,
  RawFeedSocket,
  refusedUpgrade,
  upgradeElsewhere,
} from '../support/live-feed.js';
import { ManualClock } from '../support/manual-clock.js';
import { insertItems, useMigratedDatabase } from '../support/market.js';
import { OPCODES } from '../support/websocket-wire.js';

const FEED_PATH = '/api/v1/ws';
const T0 = Date.parse('2026-11-01T12:00:00Z');

interface Served extends TestApp {
  readonly url: string;
  readonly origin: string;
}

const served: Served[] = [];
const clients: FeedClient[] = [];

/** One database for every app of this file: the feed never reads it, and each app would close its own. */
const database = useMigratedDatabase();

async function serve(options: Parameters<typeof buildTestApp>[0] = {}): Promise<Served> {
  const shared: Database = Object.assign(Object.create(database()) as Database, {
    close: async () => {},
  });
  const testApp = await buildTestApp({ database: shared, ...options });
  const address = await testApp.app.listen({ host: '127.0.0.1', port: 0 });
  const one = {
    ...testApp,
    url: `${address.replace('http:', 'ws:')}${FEED_PATH}`,
    origin: testApp.config.baseUrl,
  };
  served.push(one);
  return one;
}

async function client(
  app: Served,
  origin: string | null = app.origin,
  headers: Readonly<Record<string, string>> = {},
): Promise<FeedClient> {
  const opened = await FeedClient.open(app.url, origin, headers);
  clients.push(opened);
  return opened;
}

afterEach(async () => {
  for (const opened of clients.splice(0)) opened.socket.terminate();
  await Promise.all(served.splice(0).map((one) => one.app.close()));
});

function quote(itemId: number, cents: number, atMs: number, volume?: number): PriceQuote {
  return {
    item_id: itemId,
    source: 'demo',
    price_cents: cents,
    ...(volume === undefined ? {} : { volume }),
    observed_at: new Date(atMs),
  };
}

/** A price as ingestion publishes it on the `prices` channel, in a message of its own. */
function channelPrice(itemId: number, cents: number, atMs: number): string {
  const { observed_at: observedAt, ...rest } = quote(itemId, cents, atMs);
  return JSON.stringify([{ ...rest, observed_at: observedAt.toISOString() }]);
}

/**
 * Holds every read of latest prices from `store` until the returned function
 * is called; it resolves once the held reads were answered and what the hub
 * does with an answer (all of it on the turn the answer arrives) is done.
 */
function holdLatestPrices(store: Store): () => Promise<void> {
  const getMany = store.getMany.bind(store);
  let open: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    open = resolve;
  });
  const held: Promise<unknown>[] = [];
  store.getMany = (keys) => {
    const read = released.then(() => getMany(keys));
    held.push(read);
    return read;
  };
  return async () => {
    open();
    await Promise.allSettled(held);
    await new Promise((resolve) => setImmediate(resolve));
  };
}

/** Moves the hub's clock one heartbeat step and waits until the hub is asleep again. */
async function heartbeatStep(clock: ManualClock, ms: number): Promise<void> {
  await expect.poll(() => clock.sleeping).toBe(1);
  clock.advance(ms);
  await expect.poll(() => clock.sleeping).toBe(1);
}

/** A whole heartbeat interval, step by step, as the hub's timer would pass it. */
async function heartbeatInterval(clock: ManualClock, heartbeatMs: number): Promise<void> {
  for (let step = 0; step < 30; step += 1) await heartbeatStep(clock, heartbeatMs / 30);
}

/** Until the hub has read `count` client messages in all. */
async function messagesRead(app: Served, count: number): Promise<void> {
  await expect.poll(() => app.app.liveFeed.stats().messages).toBe(count);
}

const priceOf = (itemId: number) => (message: FeedMessage) =>
  message.type === 'price' && message.item_id === itemId;

describe('upgrade (S26)', () => {
  it('accepts BASE_URL as Origin', async () => {
    const app = await serve();
    const feed = await client(app);
    expect(await feed.request({ action: 'ping' }, 'pong')).toEqual({ type: 'pong' });
  });

  it.each([
    ['no Origin', null],
    ['another site', 'https://evil.example'],
    ['a look-alike host', 'http://localhost.evil.example:3000'],
    ['our host as a subdomain of another', 'http://localhost:3000.evil.example'],
    ['another port', 'http://localhost:3001'],
    ['another scheme', 'https://localhost:3000'],
    ['a loopback spelling outside development', 'http://127.0.0.1:3000'],
    ['the literal null origin', 'null'],
  ])('refuses %s with 403 before upgrading', async (_case, origin) => {
    const app = await serve();
    const answer = await refusedUpgrade(app.url, origin === null ? {} : { Origin: origin });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({
      detail: 'The live feed accepts connections from this site only',
    });
  });

  it('accepts the loopback spellings of BASE_URL in development', async () => {
    const app = await serve({ env: { NODE_ENV: 'development' } });
    const feed = await client(app, 'http://127.0.0.1:3000');
    expect(await feed.request({ action: 'ping' }, 'pong')).toEqual({ type: 'pong' });
  });

  it('answers a plain GET with 426', async () => {
    const app = await serve();
    const response = await app.app.inject({
      method: 'GET',
      url: FEED_PATH,
      headers: { origin: app.origin },
    });
    expect(response.statusCode).toBe(426);
    expect(response.json()).toEqual({
      detail: 'This endpoint speaks WebSocket only; send an upgrade request',
    });
  });

  it.each([
    ['/api/v1/health', 'HTTP/1.1 200'],
    ['/api/v1/nowhere', 'HTTP/1.1 404'],
  ])('answers an upgrade to %s in HTTP and closes the connection', async (path, status) => {
    const app = await serve();
    const answer = await upgradeElsewhere(app.url.replace(FEED_PATH, path), app.origin);
    expect(answer.startsWith(status)).toBe(true);
    expect(answer).not.toContain('101 Switching Protocols');
  });

  it('survives an upgrade pipelined behind a request still being answered', async () => {
    const app = await serve();
    const { host } = new URL(app.url);
    const health = `GET /api/v1/health HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
    await upgradeElsewhere(app.url, app.origin, health);
    const feed = await client(app);
    expect(await feed.request({ action: 'ping' }, 'pong')).toEqual({ type: 'pong' });
  });

  it('caps connections per client address with WS_MAX_CONNECTIONS_PER_IP', async () => {
    const app = await serve({ env: { WS_MAX_CONNECTIONS_PER_IP: '2' } });
    const first = await client(app);
    await client(app);
    const refused = await refusedUpgrade(app.url, { Origin: app.origin });
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toEqual({
      detail: 'Too many live feed connections from this address',
    });
    await first.close();
    // The count drops when the socket has closed on the server too.
    await expect
      .poll(async () => {
        try {
          await client(app);
          return true;
        } catch {
          return false;
        }
      })
      .toBe(true);
  });
});

describe('S43 connection caps are on by default', () => {
  it('counts IPv6 clients per /64, as the rate limits do', async () => {
    const app = await serve({
      env: { WS_MAX_CONNECTIONS_PER_IP: '2', TRUSTED_PROXIES: '127.0.0.1' },
    });
    const from = (address: string) => ({ 'X-Forwarded-For': address });
    await client(app, app.origin, from('2001:db8:1:2::1'));
    await client(app, app.origin, from('2001:db8:1:2:ffff::9'));
    const neighbour = await refusedUpgrade(app.url, {
      Origin: app.origin,
      ...from('2001:db8:1:2::3'),
    });
    expect(neighbour.status).toBe(429);
    await client(app, app.origin, from('2001:db8:1:3::1'));
  });

  it('accepts 50 live feed connections from one address and refuses the 51st', async () => {
    const app = await serve();
    expect(app.config.realtime.maxConnectionsPerIp).toBe(50);
    await Promise.all(Array.from({ length: 50 }, () => client(app)));
    const refused = await refusedUpgrade(app.url, { Origin: app.origin });
    expect(refused.status).toBe(429);
  });
});

describe('the market index', () => {
  it('goes to every client, whatever it follows, named as GET /index names it', async () => {
    const app = await serve();
    const following = await client(app);
    await following.request({ action: 'subscribe', item_ids: [1] }, 'subscribed');
    const idle = await client(app);
    await app.store.publish(INDEX_CHANNEL, 'not json');
    await app.store.publish(
      INDEX_CHANNEL,
      JSON.stringify({
        source: 'demo',
        value: 1012.5,
        change_24h: 1.25,
        computed_at: '2026-11-20T12:00:00.000Z',
      }),
    );
    for (const feed of [following, idle]) {
      expect(await feed.nextOf('index')).toEqual({
        type: 'index',
        source: 'demo',
        simulated: true,
        value: 1012.5,
        change_24h: 1.25,
        computed_at: '2026-11-20T12:00:00.000Z',
      });
    }
    expect(app.logs.lines.some((line) => line.msg === 'malformed index message dropped')).toBe(
      true,
    );
  });
});

describe('subscriptions (S27)', () => {
  it('keeps only positive integer ids, once each, and says how many it dropped', async () => {
    const app = await serve();
    const feed = await client(app);
    const reply = await feed.request(
      {
        action: 'subscribe',
        item_ids: ['1', -2, 3.5, 0, 4, 4, null, 1e20, 2_147_483_648, { id: 6 }, true, 5],
      },
      'subscribed',
    );
    expect(reply).toEqual({
      type: 'subscribed',
      item_ids: [4, 5],
      dropped: 10,
      limit: 200,
      prices: [],
    });
  });

  it.each([
    ['invalid JSON', '{"action":', 'Messages must be JSON'],
    ['a JSON array', '[1,2]', 'Messages must be JSON objects with an "action"'],
    [
      'an unknown action',
      '{"action":"publish"}',
      '"action" must be "subscribe", "unsubscribe" or "ping"',
    ],
    [
      'item_ids that is not an array',
      '{"action":"subscribe","item_ids":7}',
      '"item_ids" must be an array of item ids',
    ],
  ])('answers %s with an error and keeps the connection', async (_case, text, detail) => {
    const app = await serve();
    const feed = await client(app);
    feed.send(text);
    expect(await feed.nextOf('error')).toEqual({ type: 'error', detail });
    expect(await feed.request({ action: 'ping' }, 'pong')).toEqual({ type: 'pong' });
  });

  it('refuses binary messages', async () => {
    const app = await serve();
    const feed = await client(app);
    feed.socket.send(Buffer.from('{"action":"ping"}'), { binary: true });
    expect(await feed.nextOf('error')).toEqual({ type: 'error', detail: 'Messages must be text' });
  });

  it('closes with 1009 a message over 4 KiB, such as 10,000 ids at once', async () => {
    const app = await serve();
    const feed = await client(app);
    const ids = Array.from({ length: 10_000 }, (_, index) => index + 1);
    feed.send({ action: 'subscribe', item_ids: ids });
    expect((await feed.closed).code).toBe(1009);
  });

  it('holds at most WS_MAX_SUBSCRIPTIONS ids however many are asked for', async () => {
    const app = await serve();
    const feed = await client(app);
    const replies: FeedMessage[] = [];
    // 10,000 ids in messages under 4 KiB each.
    for (let first = 1; first <= 10_000; first += 625) {
      const ids = Array.from({ length: 625 }, (_, index) => first + index);
      replies.push(await feed.request({ action: 'subscribe', item_ids: ids }, 'subscribed'));
    }
    expect(replies[0]).toMatchObject({ item_ids: expect.any(Array), dropped: 425, limit: 200 });
    expect(replies[0]?.item_ids).toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
    for (const reply of replies.slice(1))
      expect(reply).toMatchObject({ item_ids: [], dropped: 625 });

    await updateLatestPrices(app.store, [quote(201, 100, T0), quote(200, 100, T0)]);
    expect(await feed.next(priceOf(200))).toMatchObject({ item_id: 200 });
    expect(feed.messages().filter(priceOf(201))).toEqual([]);
  });

  it('closes a client that floods messages with 1008', async () => {
    const app = await serve();
    const feed = await client(app);
    for (let i = 0; i < 40; i += 1) feed.send({ action: 'ping' });
    expect(await feed.closed).toEqual({ code: 1008, reason: 'Too many messages' });
    // The burst is 20 messages; the replies still queued when the flood is found are not sent.
    expect(feed.messages().filter((message) => message.type === 'pong').length).toBeLessThanOrEqual(
      20,
    );
  });

  it('closes a client that keeps sending invalid JSON sooner', async () => {
    const app = await serve();
    const feed = await client(app);
    for (let i = 0; i < 10; i += 1) feed.send('not json');
    expect(await feed.closed).toEqual({ code: 1008, reason: 'Too many messages' });
    expect(feed.messages().filter((message) => message.type === 'error').length).toBe(4);
  });
});

describe('delivery', () => {
  it('delivers prices of subscribed items only, in the documented shape', async () => {
    const app = await serve();
    const feed = await client(app);
    await feed.request({ action: 'subscribe', item_ids: [1, 2] }, 'subscribed');
    await updateLatestPrices(app.store, [
      quote(3, 300, T0),
      quote(1, 123, T0, 7),
      quote(2, 250, T0),
    ]);
    expect(await feed.next(priceOf(1))).toEqual({
      type: 'price',
      item_id: 1,
      source: 'demo',
      simulated: true,
      price_cents: 123,
      volume: 7,
      listings: null,
      observed_at: '2026-11-01T12:00:00.000Z',
    });
    expect(await feed.next(priceOf(2))).toMatchObject({ price_cents: 250, volume: null });
    // A later price of a subscribed item: anything published before it has arrived.
    await updateLatestPrices(app.store, [quote(1, 124, T0 + 1000)]);
    expect(await feed.next(priceOf(1))).toMatchObject({ price_cents: 124 });
    expect(feed.messages().filter(priceOf(3))).toEqual([]);
  });

  it('sends a price under the names GET /items/:id gives it, simulated included', async () => {
    const [itemId = 0] = await insertItems(database(), ['AK-47 | Redline (Field-Tested)']);
    const app = await serve({ env: { MARKET_PROVIDERS: 'steam,demo' }, now: () => T0 + 5000 });
    const feed = await client(app);
    await feed.request({ action: 'subscribe', item_ids: [itemId] }, 'subscribed');
    await updateLatestPrices(app.store, [
      { ...quote(itemId, 1143, T0, 1247), source: 'steam' },
      { ...quote(itemId, 1150, T0), listings: 4 },
    ]);
    const from = (source: string) => (message: FeedMessage) =>
      priceOf(itemId)(message) && message.source === source;
    const live = [await feed.next(from('steam')), await feed.next(from('demo'))];
    const answer = await app.app.inject({ method: 'GET', url: `/api/v1/items/${itemId}` });
    const { prices } = answer.json() as { prices: Record<string, unknown>[] };
    // REST alone says how old a price is when it answers; the rest is the same, name for name.
    expect(live).toEqual(
      prices.map(({ age_seconds: _age, stale: _stale, ...price }) => ({
        type: 'price',
        item_id: itemId,
        ...price,
      })),
    );
    expect(live.map((price) => [price.source, price.simulated])).toEqual([
      ['steam', false],
      ['demo', true],
    ]);
  });

  it('delivers volatility of subscribed items, rounded as the API rounds it', async () => {
    const app = await serve();
    const feed = await client(app);
    await feed.request({ action: 'subscribe', item_ids: [9] }, 'subscribed');
    const volatility: Volatility = {
      item_id: 9,
      source: 'demo',
      window: '24h',
      computed_at: '2026-11-01T12:00:00.000Z',
      points: 30,
      mean_cents: 1000.123456,
      stddev_cents: 12.3456789,
      percent_change: 0.012345678,
      coefficient_of_variation: 0.0123,
      trend_score: -0.00012345678,
      bollinger: { middle: 1000, upper: 1024.69, lower: 975.31, percent_b: 0.5 },
    };
    await app.store.publish(
      VOLATILITY_CHANNEL,
      JSON.stringify([
        { ...volatility, item_id: 8 },
        { ...volatility, bollinger: null },
        volatility,
      ]),
    );
    expect(await feed.nextOf('volatility')).toEqual({
      type: 'volatility',
      item_id: 9,
      source: 'demo',
      simulated: true,
      window: '24h',
      stddev_cents: 12.35,
      percent_change: 0.012346,
      trend_score: -0.000123,
      computed_at: '2026-11-01T12:00:00.000Z',
    });
    expect(feed.messages()).toEqual([]);
    const dropped = app.logs.lines.find((line) => line.msg === 'malformed channel changes dropped');
    expect(dropped?.malformed).toBe(1);
  });

  it('drops malformed channel messages and changes, delivers the rest, and logs each', async () => {
    const app = await serve();
    const feed = await client(app);
    await feed.request({ action: 'subscribe', item_ids: [1, 2] }, 'subscribed');
    const valid = JSON.parse(channelPrice(2, 200, T0)) as unknown[];
    for (const message of [
      '{"item_id":1,"source":"demo","price_cents":12,"observed_at":"2026-11-01T12:00:00Z"}',
      'not json',
      JSON.stringify([{ item_id: 1, source: 'demo', price_cents: '12' }, null, 7, ...valid]),
    ]) {
      await app.store.publish(PRICES_CHANNEL, message);
    }
    await updateLatestPrices(app.store, [quote(1, 100, T0)]);
    expect(await feed.next(priceOf(2))).toMatchObject({ price_cents: 200 });
    expect(await feed.next(priceOf(1))).toMatchObject({ price_cents: 100 });
    expect(feed.messages()).toEqual([]);
    const dropped = app.logs.lines.filter(
      (line) => line.msg === 'malformed channel changes dropped',
    );
    expect(dropped.map((line) => line.malformed)).toEqual([1, 1, 3]);
  });

  it('stops delivering an item once unsubscribed', async () => {
    const app = await serve();
    const feed = await client(app);
    await feed.request({ action: 'subscribe', item_ids: [1, 2] }, 'subscribed');
    expect(await feed.request({ action: 'unsubscribe', item_ids: [1, 5] }, 'unsubscribed')).toEqual(
      { type: 'unsubscribed', item_ids: [1, 5] },
    );
    await updateLatestPrices(app.store, [quote(1, 100, T0), quote(2, 200, T0)]);
    expect(await feed.next(priceOf(2))).toMatchObject({ price_cents: 200 });
    expect(feed.messages().filter(priceOf(1))).toEqual([]);
  });

  it('answers a subscribe with the latest price of each item, also after reconnecting', async () => {
    const app = await serve();
    await updateLatestPrices(app.store, [
      quote(1, 100, T0),
      quote(1, 110, T0 + 1000),
      quote(2, 5, T0),
    ]);
    const first = await client(app);
    const subscribed = await first.request(
      { action: 'subscribe', item_ids: [1, 2, 3] },
      'subscribed',
    );
    expect(subscribed.prices).toEqual([
      {
        type: 'price',
        item_id: 1,
        source: 'demo',
        simulated: true,
        price_cents: 110,
        volume: null,
        listings: null,
        observed_at: '2026-11-01T12:00:01.000Z',
      },
      expect.objectContaining({ item_id: 2, price_cents: 5 }),
    ]);
    await first.close();

    await updateLatestPrices(app.store, [quote(2, 6, T0 + 2000)]);
    const again = await client(app);
    const resubscribed = await again.request({ action: 'subscribe', item_ids: [2] }, 'subscribed');
    expect(resubscribed.prices).toEqual([expect.objectContaining({ item_id: 2, price_cents: 6 })]);
  });

  it('leaves out of a snapshot a price already sent live while it was read', async () => {
    const harness = await openTestStore();
    const app = await serve({ store: harness.store });
    await updateLatestPrices(app.store, [quote(1, 100, T0), quote(2, 200, T0)]);
    const feed = await client(app);
    const getMany = harness.store.getMany.bind(harness.store);
    let readDone: () => void = () => {};
    const read = new Promise<void>((resolve) => {
      readDone = resolve;
    });
    let liveSeen: () => void = () => {};
    const live = new Promise<void>((resolve) => {
      liveSeen = resolve;
    });
    // The snapshot is read; a newer price of item 1 is published and reaches
    // the client; only then does the snapshot's answer go out.
    harness.store.getMany = async (keys) => {
      const held = await getMany(keys);
      readDone();
      await live;
      return held;
    };
    feed.send({ action: 'subscribe', item_ids: [1, 2] });
    await read;
    await updateLatestPrices(app.store, [quote(1, 101, T0 + 1000)]);
    expect(await feed.next(priceOf(1))).toMatchObject({ price_cents: 101 });
    liveSeen();
    const reply = await feed.nextOf('subscribed');
    expect(reply.prices).toEqual([expect.objectContaining({ item_id: 2, price_cents: 200 })]);
  });

  it('answers messages in order, a refusal behind a subscribe included', async () => {
    const harness = await openTestStore();
    const app = await serve({ store: harness.store });
    const release = holdLatestPrices(harness.store);
    const feed = await client(app);
    feed.send({ action: 'subscribe', item_ids: [1] });
    feed.send('not json');
    await messagesRead(app, 2);
    release();
    await expect
      .poll(() => feed.messages().map((message) => message.type))
      .toEqual(['subscribed', 'error']);
  });

  it('sends a full snapshot to a client that keeps up, even past WS_MAX_BUFFERED_BYTES', async () => {
    const app = await serve({ env: { WS_MAX_BUFFERED_BYTES: '16384' } });
    const ids = Array.from({ length: 200 }, (_, index) => index + 1);
    // The prices go out live too; a subscribe whose snapshot is read while
    // they are still on their way (Redis under load) would get them live
    // instead, so wait until a watcher has them.
    const watcher = await client(app);
    await watcher.request({ action: 'subscribe', item_ids: [200] }, 'subscribed');
    await updateLatestPrices(
      app.store,
      ids.map((id) => quote(id, 100_000 + id, T0, 1000)),
    );
    await watcher.next(priceOf(200));
    const feed = await client(app);
    const reply = await feed.request({ action: 'subscribe', item_ids: ids }, 'subscribed');
    expect(reply.prices).toHaveLength(200);
    expect(JSON.stringify(reply).length).toBeGreaterThan(16_384);
    expect(await feed.request({ action: 'ping' }, 'pong')).toEqual({ type: 'pong' });
  });

  it('keeps a subscription when the latest prices cannot be read, and says so', async () => {
    const harness = await openTestStore();
    const app = await serve({ store: harness.store });
    const feed = await client(app);
    const getMany = harness.store.getMany.bind(harness.store);
    harness.store.getMany = async () => {
      throw new Error('store down');
    };
    const reply = await feed.request({ action: 'subscribe', item_ids: [1] }, 'subscribed');
    expect(reply).toMatchObject({ item_ids: [1], prices: [] });
    expect(await feed.nextOf('error')).toEqual({
      type: 'error',
      detail: 'Latest prices are unavailable right now; updates will follow as they arrive',
    });
    harness.store.getMany = getMany;
    await updateLatestPrices(app.store, [quote(1, 100, T0)]);
    expect(await feed.next(priceOf(1))).toMatchObject({ price_cents: 100 });
  });
});

describe('slow and silent clients', () => {
  it('closes a client that stops reading before its backlog passes WS_MAX_BUFFERED_BYTES', async () => {
    const maxBufferedBytes = 16_384;
    const app = await serve({ env: { WS_MAX_BUFFERED_BYTES: String(maxBufferedBytes) } });
    const reader = await client(app);
    await reader.request({ action: 'subscribe', item_ids: [1] }, 'subscribed');
    const stalled = await RawFeedSocket.open(app.url, app.origin);
    stalled.resume();
    stalled.sendText('{"action":"subscribe","item_ids":[1]}');
    await expect.poll(() => stalled.frames().length).toBeGreaterThan(0);
    stalled.pause();

    const tooSlow = () =>
      app.logs.lines.find((line) => line.msg === 'live feed client too slow: closed');
    let published = 0;
    // The kernel's socket buffers fill first; then the server's own.
    while (!tooSlow() && published < 400_000) {
      await Promise.all(
        Array.from({ length: 500 }, (_, index) =>
          app.store.publish(PRICES_CHANNEL, channelPrice(1, 100, T0 + published + index)),
        ),
      );
      published += 500;
      // Lets the messages reach the sockets before the next batch.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const closed = tooSlow();
    expect(closed).toBeDefined();
    expect(closed?.bufferedBytes as number).toBeLessThanOrEqual(maxBufferedBytes);

    stalled.resume();
    await expect
      .poll(() => stalled.frames().find((frame) => frame.opcode === OPCODES.close))
      .toBeDefined();
    const close = stalled.frames().find((frame) => frame.opcode === OPCODES.close);
    expect(close?.payload.readUInt16BE(0)).toBe(1008);
    // The client that kept reading was served every message, and still is.
    await expect.poll(() => reader.messages().filter(priceOf(1)).length).toBe(published);
    expect(await reader.request({ action: 'ping' }, 'pong')).toEqual({ type: 'pong' });
  });

  it('pings every WS_HEARTBEAT_MS and drops a client that misses two pongs', async () => {
    const clock = new ManualClock();
    const app = await serve({ env: { WS_HEARTBEAT_MS: '3000' }, clock });
    const answering = await client(app);
    const silent = await RawFeedSocket.open(app.url, app.origin);
    silent.resume();
    // A ping each interval; at the third, two have gone unanswered and it is dropped.
    for (let interval = 0; interval < 3; interval += 1) {
      await heartbeatInterval(clock, 3000);
      // The first answer shows the client has sent its pong; the second, that the server read it.
      await answering.request({ action: 'ping' }, 'pong');
      await answering.request({ action: 'ping' }, 'pong');
    }
    await silent.closed;
    const pings = silent.frames().filter((frame) => frame.opcode === OPCODES.ping);
    expect(pings.length).toBe(2);
    expect(await answering.request({ action: 'ping' }, 'pong')).toEqual({ type: 'pong' });
  });

  it('spreads its pings over WS_HEARTBEAT_MS instead of pinging every client at once', async () => {
    const clock = new ManualClock();
    const app = await serve({ env: { WS_HEARTBEAT_MS: '3000' }, clock });
    const feeds = await Promise.all(Array.from({ length: 30 }, () => client(app)));
    const pinged = new Set<number>();
    for (const [index, feed] of feeds.entries()) feed.socket.on('ping', () => pinged.add(index));
    await heartbeatStep(clock, 100);
    await expect.poll(() => pinged.size).toBe(1);
    // An answer comes after any ping sent before it: none of the others was pinged.
    await Promise.all(feeds.map((feed) => feed.request({ action: 'ping' }, 'pong')));
    expect(pinged.size).toBe(1);
    for (let step = 1; step < 30; step += 1) await heartbeatStep(clock, 100);
    await expect.poll(() => pinged.size).toBe(feeds.length);
  });

  it('closes a client that floods pings with 1008', async () => {
    const app = await serve();
    const flooder = await RawFeedSocket.open(app.url, app.origin);
    flooder.resume();
    for (let ping = 0; ping < 30; ping += 1) flooder.sendPing();
    const closeFrame = () => flooder.frames().find((frame) => frame.opcode === OPCODES.close);
    await expect.poll(closeFrame).toBeDefined();
    expect(closeFrame()?.payload.readUInt16BE(0)).toBe(1008);
    expect(flooder.frames().filter((frame) => frame.opcode === OPCODES.pong)).toHaveLength(20);
  });

  it('forgets a client once it disconnects, even with a subscribe still waiting on the store', async () => {
    const harness = await openTestStore();
    const app = await serve({ store: harness.store });
    const release = holdLatestPrices(harness.store);
    const feed = await client(app);
    feed.send({ action: 'subscribe', item_ids: [1, 2] });
    feed.send({ action: 'subscribe', item_ids: [3, 4] });
    // The second subscribe has reached the server, where it waits behind the first.
    await messagesRead(app, 2);
    expect(app.app.liveFeed.stats()).toMatchObject({ connections: 1, items: 2 });
    feed.socket.terminate();
    await expect.poll(() => app.app.liveFeed.stats().connections).toBe(0);
    await release();
    expect(app.app.liveFeed.stats()).toMatchObject({ connections: 0, items: 0 });
  });

  it('closes every socket with 1001 when the server shuts down', async () => {
    const app = await serve();
    const feeds = [await client(app), await client(app)];
    await app.app.close();
    served.splice(served.indexOf(app), 1);
    for (const feed of feeds) expect((await feed.closed).code).toBe(1001);
  });
});

it('closes every socket with 1001 on shutdown while the store cannot unsubscribe', async () => {
  const harness = await openTestStore();
  const subscribe = harness.store.subscribe.bind(harness.store);
  harness.store.subscribe = async (channel, handler) => {
    await subscribe(channel, handler);
    return () => new Promise<void>(() => {});
  };
  const app = await serve({ store: harness.store });
  const feed = await client(app);
  await app.app.close();
  served.splice(served.indexOf(app), 1);
  expect((await feed.closed).code).toBe(1001);
});

describe('across instances', () => {
  it('delivers to a client on one instance what is published through another', async () => {
    const keyPrefix = testKeyPrefix();
    const shared = testRedisUrl ? null : await openTestStore();
    const storeA = shared ?? (await openTestStore({ keyPrefix }));
    const storeB = shared
      ? Object.create(shared.store)
      : (await openTestStore({ keyPrefix })).store;
    const a = await serve({ store: storeA.store });
    const b = await serve({ store: storeB });
    const onA = await client(a);
    const onB = await client(b);
    await onA.request({ action: 'subscribe', item_ids: [1] }, 'subscribed');
    await onB.request({ action: 'subscribe', item_ids: [1] }, 'subscribed');

    await updateLatestPrices(a.store, [quote(1, 100, T0)]);
    await updateLatestPrices(b.store, [quote(1, 101, T0 + 1000)]);
    for (const feed of [onA, onB]) {
      expect(await feed.next(priceOf(1))).toMatchObject({ price_cents: 100 });
      expect(await feed.next(priceOf(1))).toMatchObject({ price_cents: 101 });
    }
    // And a client that connects to the other instance later gets the latest price.
    const late = await client(b);
    const reply = await late.request({ action: 'subscribe', item_ids: [1] }, 'subscribed');
    expect(reply.prices).toEqual([expect.objectContaining({ price_cents: 101 })]);
  });
});
