// Private notifications over the live feed, end to end: listening apps with
// accounts, users signed in through the HTTP API, real WebSocket clients
// carrying their session cookies, and notifications sent with `notifyUser`,
// on the in-process store and again on Redis.
//
// "Gets nothing" is judged after a barrier: the hub writes a notification
// to every socket it picks in one pass, so once a socket that should get it
// has it, a ping answered on the socket that should not shows anything sent
// to it in that pass has arrived.
import { afterEach, describe, expect, it } from 'vitest';
import { updateLatestPrices } from '../../src/market/ingest/latest-prices.js';
import { StoreUnavailableError } from '../../src/platform/store/index.js';
import { HOUR_MS, MINUTE_MS } from '../../src/platform/time.js';
import {
  NOTIFICATIONS_CHANNEL,
  type Notification,
  notifyUser,
} from '../../src/realtime/notifications.js';
import {
  type AccountsApp,
  type AccountsAppOptions,
  createVerifiedUser,
  signIn,
  startAccountsApp,
} from '../support/accounts.js';
import { adminAuthorization, adminBasicAuth } from '../support/admin.js';
import { openTestStore, testKeyPrefix, testRedisUrl } from '../support/backends.js';
import type { Browser } from '../support/browser.js';
import {
  FeedClient,
  type FeedMessage,
  RawFeedSocket,
  refusedUpgrade,
} from '../support/live-feed.js';
import { OPCODES } from '../support/websocket-wire.js';

const FEED_PATH = '/api/v1/ws';
const SESSION_COOKIE = 'tracera_session';

interface FeedApp extends AccountsApp {
  readonly url: string;
  readonly origin: string;
}

const apps: FeedApp[] = [];
const feeds: FeedClient[] = [];

afterEach(async () => {
  for (const feed of feeds.splice(0)) feed.socket.terminate();
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function serve(options: AccountsAppOptions = {}): Promise<FeedApp> {
  const accounts = await startAccountsApp({
    ...options,
    env: { SESSION_LIFETIME_HOURS: '72', SESSION_IDLE_HOURS: '24', ...options.env },
  });
  const address = await accounts.app.listen({ host: '127.0.0.1', port: 0 });
  const app = {
    ...accounts,
    url: `${address.replace('http:', 'ws:')}${FEED_PATH}`,
    origin: accounts.config.baseUrl,
  };
  apps.push(app);
  return app;
}

interface User {
  readonly email: string;
  readonly id: number;
  readonly browser: Browser;
}

/** A verified user, signed in in a browser of their own. */
async function signedInUser(app: FeedApp, email: string): Promise<User> {
  const browser = app.browser();
  await createVerifiedUser(app, browser, email);
  await signIn(browser, email);
  const me = await browser.request({ url: '/api/v1/auth/me' });
  return { email, id: (me.json() as { id: number }).id, browser };
}

/** The user signed in again in another browser: a second session. */
async function anotherSession(app: FeedApp, user: User): Promise<Browser> {
  const browser = app.browser('203.0.113.20');
  await signIn(browser, user.email);
  return browser;
}

const cookieHeader = (browser: Browser) =>
  [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');

/** A live feed socket carrying `cookie` (or the browser's cookies), or none. */
async function feed(app: FeedApp, cookie: Browser | string | null = null): Promise<FeedClient> {
  const headers: Record<string, string> =
    cookie === null ? {} : { Cookie: typeof cookie === 'string' ? cookie : cookieHeader(cookie) };
  const opened = await FeedClient.open(app.url, app.origin, headers);
  feeds.push(opened);
  return opened;
}

function notification(id: string, itemId: number | null = 1): Notification {
  return {
    id,
    kind: 'price_alert',
    title: 'AK-47 | Redline (Field-Tested) is above $12.00',
    message: 'Steam lists it at $12.34, up 3.1% in 24 h.',
    item_id: itemId,
    fired_at: '2026-11-01T12:00:00.000Z',
  };
}

const frameOf = (sent: Notification) => ({ type: 'notification', notification: sent });

const isNotification = (message: FeedMessage) => message.type === 'notification';

/** After the barrier (see the top): no notification has reached `client`. */
async function expectNoNotification(client: FeedClient): Promise<void> {
  expect(await client.request({ action: 'ping' }, 'pong')).toEqual({ type: 'pong' });
  expect(client.messages().filter(isNotification)).toEqual([]);
}

describe('who gets a notification', () => {
  it("every socket of the user's live sessions, and no other user's or anonymous socket", async () => {
    const app = await serve();
    const alice = await signedInUser(app, 'alice@example.com');
    const bob = await signedInUser(app, 'bob@example.com');
    const aliceElsewhere = await anotherSession(app, alice);
    const aliceTabs = [await feed(app, alice.browser), await feed(app, alice.browser)];
    const aliceLaptop = await feed(app, aliceElsewhere);
    const bobs = await feed(app, bob.browser);
    const anonymous = await feed(app);
    expect(app.app.liveFeed.stats()).toMatchObject({ connections: 5, signedIn: 4 });

    const sent = notification('alert-1');
    await notifyUser(app.store, alice.id, sent);
    for (const client of [...aliceTabs, aliceLaptop]) {
      expect(await client.nextOf('notification')).toEqual(frameOf(sent));
    }
    await expectNoNotification(bobs);
    await expectNoNotification(anonymous);
    expect(app.app.liveFeed.stats().notifications).toBe(3);

    // Bob's socket does get Bob's.
    const his = notification('alert-2', null);
    await notifyUser(app.store, bob.id, his);
    expect(await bobs.nextOf('notification')).toEqual(frameOf(his));
    await expectNoNotification(anonymous);
    for (const client of aliceTabs) await expectNoNotification(client);
  });

  it('a signed-in socket gets public prices exactly as an anonymous one does', async () => {
    const app = await serve();
    const alice = await signedInUser(app, 'alice@example.com');
    const signedIn = await feed(app, alice.browser);
    const anonymous = await feed(app);
    for (const client of [signedIn, anonymous]) {
      await client.request({ action: 'subscribe', item_ids: [1] }, 'subscribed');
    }
    await updateLatestPrices(app.store, [
      {
        item_id: 1,
        source: 'demo',
        price_cents: 1234,
        volume: 17,
        observed_at: new Date('2026-11-01T12:00:00Z'),
      },
    ]);
    const expected = {
      type: 'price',
      item_id: 1,
      source: 'demo',
      simulated: true,
      price_cents: 1234,
      volume: 17,
      listings: null,
      observed_at: '2026-11-01T12:00:00.000Z',
    };
    expect(await signedIn.nextOf('price')).toEqual(expected);
    expect(await anonymous.nextOf('price')).toEqual(expected);
    expect(signedIn.messages()).toEqual([]);
  });

  it('reaches the socket on one instance when another instance sends it', async () => {
    const keyPrefix = testKeyPrefix();
    const shared = testRedisUrl ? null : await openTestStore();
    const storeA = shared?.store ?? (await openTestStore({ keyPrefix })).store;
    const storeB = shared
      ? Object.create(shared.store)
      : (await openTestStore({ keyPrefix })).store;
    const a = await serve({ store: storeA });
    const b = await serve({ store: storeB });
    const alice = await signedInUser(a, 'alice@example.com');
    const bob = await signedInUser(a, 'bob@example.com');
    const aliceOnA = await feed(a, alice.browser);
    const aliceOnB = await feed(b, alice.browser);
    const bobOnA = await feed(a, bob.browser);

    const sent = notification('alert-1');
    await notifyUser(b.store, alice.id, sent);
    expect(await aliceOnA.nextOf('notification')).toEqual(frameOf(sent));
    expect(await aliceOnB.nextOf('notification')).toEqual(frameOf(sent));
    await expectNoNotification(bobOnA);
  });
});

describe('a session that ends stops its sockets getting notifications', () => {
  /** Alice signed in twice, a socket on each session, both shown to receive. */
  async function aliceTwice(app: FeedApp) {
    const alice = await signedInUser(app, 'alice@example.com');
    const laptop = await anotherSession(app, alice);
    const here = await feed(app, alice.browser);
    const there = await feed(app, laptop);
    const first = notification('alert-1');
    await notifyUser(app.store, alice.id, first);
    for (const client of [here, there]) {
      expect(await client.nextOf('notification')).toEqual(frameOf(first));
    }
    return { alice, laptop, here, there };
  }

  it('sign-out: the socket stays open for prices, and gets no more notifications', async () => {
    const app = await serve();
    const { alice, here, there } = await aliceTwice(app);
    const out = await alice.browser.send('POST', '/api/v1/auth/logout');
    expect(out.statusCode).toBe(204);

    const next = notification('alert-2');
    await notifyUser(app.store, alice.id, next);
    expect(await there.nextOf('notification')).toEqual(frameOf(next));
    await expectNoNotification(here);
    expect(app.app.liveFeed.stats()).toMatchObject({ connections: 2, signedIn: 1 });
  });

  it('ending every other session (DELETE /auth/sessions) stops theirs', async () => {
    const app = await serve();
    const { alice, here, there } = await aliceTwice(app);
    const ended = await alice.browser.send('DELETE', '/api/v1/auth/sessions');
    expect(ended.json()).toEqual({ ended: 1 });

    const next = notification('alert-2');
    await notifyUser(app.store, alice.id, next);
    expect(await here.nextOf('notification')).toEqual(frameOf(next));
    await expectNoNotification(there);
  });

  it('disabling the account (admin API) stops every one of its sockets', async () => {
    const app = await serve({ env: { ADMIN_BASIC_AUTH: await adminBasicAuth() } });
    const { alice, here, there } = await aliceTwice(app);
    const bob = await signedInUser(app, 'bob@example.com');
    const bobs = await feed(app, bob.browser);
    const admin = app.browser('127.0.0.1');
    await admin.fetchCsrf();
    const disabled = await admin.request({
      method: 'POST',
      url: `/admin/api/users/${alice.id}/disable`,
      headers: { authorization: adminAuthorization() },
    });
    expect(disabled.statusCode).toBe(200);

    await notifyUser(app.store, alice.id, notification('alert-2'));
    // Bob's, sent after hers, is checked after hers (the store answers in order): once his
    // arrives, hers would have been written.
    const his = notification('alert-3');
    await notifyUser(app.store, bob.id, his);
    expect(await bobs.nextOf('notification')).toEqual(frameOf(his));
    await expectNoNotification(here);
    await expectNoNotification(there);
    expect(app.app.liveFeed.stats().signedIn).toBe(1);
  });

  it('the idle timeout ends it too, though nobody announces that', async () => {
    const app = await serve();
    const { alice, laptop, here, there } = await aliceTwice(app);
    app.advance(23 * HOUR_MS);
    // Only the laptop is used meanwhile.
    expect((await laptop.request({ url: '/api/v1/auth/me' })).statusCode).toBe(200);
    app.advance(HOUR_MS + MINUTE_MS);

    const next = notification('alert-2');
    await notifyUser(app.store, alice.id, next);
    expect(await there.nextOf('notification')).toEqual(frameOf(next));
    await expectNoNotification(here);
  });
});

describe('the cookie at the upgrade', () => {
  it.each([
    ['a forged token', () => `${SESSION_COOKIE}=${'A'.repeat(43)}`],
    ['a value that cannot be a token', () => `${SESSION_COOKIE}=not-a-token`],
  ])('%s makes an anonymous socket', async (_case, cookie) => {
    const app = await serve();
    const alice = await signedInUser(app, 'alice@example.com');
    const forged = await feed(app, cookie());
    const real = await feed(app, alice.browser);
    expect(app.app.liveFeed.stats()).toMatchObject({ connections: 2, signedIn: 1 });
    expect(await forged.request({ action: 'ping' }, 'pong')).toEqual({ type: 'pong' });
    await notifyUser(app.store, alice.id, notification('alert-1'));
    await real.nextOf('notification');
    await expectNoNotification(forged);
  });

  it('an expired session’s cookie makes an anonymous socket', async () => {
    const app = await serve();
    const alice = await signedInUser(app, 'alice@example.com');
    const stale = cookieHeader(alice.browser);
    app.advance(24 * HOUR_MS + MINUTE_MS);
    const expired = await feed(app, stale);
    expect(app.app.liveFeed.stats()).toMatchObject({ connections: 1, signedIn: 0 });
    // Signed in afresh: a live session, whose socket gets what the expired one does not.
    const fresh = await feed(app, await anotherSession(app, alice));
    expect(app.app.liveFeed.stats()).toMatchObject({ connections: 2, signedIn: 1 });
    await notifyUser(app.store, alice.id, notification('alert-1'));
    await fresh.nextOf('notification');
    await expectNoNotification(expired);
  });

  it('S7: a store that cannot read the session answers 503, never an anonymous socket', async () => {
    const app = await serve();
    const alice = await signedInUser(app, 'alice@example.com');
    const get = app.store.get.bind(app.store);
    app.store.get = async () => {
      throw new StoreUnavailableError('store down');
    };
    const refused = await refusedUpgrade(app.url, {
      Origin: app.origin,
      Cookie: cookieHeader(alice.browser),
    });
    expect(refused.status).toBe(503);
    // Without a session cookie the store is not asked.
    await feed(app);
    app.store.get = get;
    await feed(app, alice.browser);
    expect(app.app.liveFeed.stats()).toMatchObject({ connections: 2, signedIn: 1 });
  });

  it('S43: signed-in sockets count against the per-address cap like any other', async () => {
    const app = await serve({ env: { WS_MAX_CONNECTIONS_PER_IP: '2' } });
    const alice = await signedInUser(app, 'alice@example.com');
    await feed(app, alice.browser);
    await feed(app);
    const refused = await refusedUpgrade(app.url, {
      Origin: app.origin,
      Cookie: cookieHeader(alice.browser),
    });
    expect(refused.status).toBe(429);
  });
});

describe('delivery', () => {
  it('S27: a signed-in client that stops reading is closed like any other', async () => {
    const maxBufferedBytes = 16_384;
    const app = await serve({ env: { WS_MAX_BUFFERED_BYTES: String(maxBufferedBytes) } });
    const alice = await signedInUser(app, 'alice@example.com');
    const reader = await feed(app, alice.browser);
    // Reads nothing from the start: the kernel's buffers fill first, then the server's.
    const stalled = await RawFeedSocket.open(app.url, app.origin, {
      Cookie: cookieHeader(alice.browser),
    });
    expect(app.app.liveFeed.stats().signedIn).toBe(2);
    const long = { ...notification('long'), message: 'x'.repeat(2000) };
    const tooSlow = () =>
      app.logs.lines.find((line) => line.msg === 'live feed client too slow: closed');
    let sent = 0;
    while (!tooSlow() && sent < 50_000) {
      await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          notifyUser(app.store, alice.id, { ...long, id: String(sent + index) }),
        ),
      );
      sent += 200;
      // Lets the notifications reach the sockets before the next batch.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(tooSlow()?.bufferedBytes as number).toBeLessThanOrEqual(maxBufferedBytes);

    stalled.resume();
    const close = () => stalled.frames().find((frame) => frame.opcode === OPCODES.close);
    await expect.poll(close).toBeDefined();
    expect(close()?.payload.readUInt16BE(0)).toBe(1008);
    // The socket that kept reading got every one.
    await expect.poll(() => reader.messages().filter(isNotification).length).toBe(sent);
  });

  it('withholds notifications while the sessions cannot be checked (fails closed)', async () => {
    const app = await serve();
    const alice = await signedInUser(app, 'alice@example.com');
    const client = await feed(app, alice.browser);
    const getMany = app.store.getMany.bind(app.store);
    app.store.getMany = async () => {
      throw new StoreUnavailableError('store down');
    };
    await notifyUser(app.store, alice.id, notification('alert-1'));
    await expect
      .poll(() =>
        app.logs.lines.some(
          (line) => line.msg === 'notifications withheld: sessions could not be checked',
        ),
      )
      .toBe(true);
    app.store.getMany = getMany;
    const next = notification('alert-2');
    await notifyUser(app.store, alice.id, next);
    expect(await client.nextOf('notification')).toEqual(frameOf(next));
    await expectNoNotification(client);
  });

  it('drops a malformed channel message and sends only the documented fields', async () => {
    const app = await serve();
    const alice = await signedInUser(app, 'alice@example.com');
    const client = await feed(app, alice.browser);
    await app.store.publish(NOTIFICATIONS_CHANNEL, 'not json');
    await app.store.publish(
      NOTIFICATIONS_CHANNEL,
      JSON.stringify({ user_id: alice.id, notification: { id: 'x' } }),
    );
    const sent = notification('alert-1');
    await notifyUser(app.store, alice.id, {
      ...sent,
      secret: 'not for the client',
    } as Notification);
    expect(await client.nextOf('notification')).toEqual(frameOf(sent));
    await expectNoNotification(client);
    const dropped = app.logs.lines.filter((line) => line.msg === 'malformed notification dropped');
    expect(dropped).toHaveLength(2);
  });
});
