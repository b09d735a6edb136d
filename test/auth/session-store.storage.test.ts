// S2, S4: last-seen is written at most once a minute, and ending a session
// is final, even when a request of that session is in flight and about to
// record its last-seen time.
import { afterEach, expect, it } from 'vitest';
import { createSessions } from '../../src/auth/sessions.js';
import type { PublicUser } from '../../src/auth/users.js';
import { openTestStore, type TestStore } from '../support/backends.js';

const MINUTE_MS = 60_000;
const USER: PublicUser = {
  id: 7,
  email: 'race@example.com',
  email_verified: true,
  name: null,
  avatar_url: null,
  role: 'user',
  created_at: new Date(0).toISOString(),
};
const CLIENT = { ip: '198.51.100.1', userAgent: 'test' };

let opened: TestStore | undefined;

afterEach(async () => {
  await opened?.store.close();
});

it('a sign-out between reading a session and updating its last-seen time is not undone', async () => {
  opened = await openTestStore();
  const { store } = opened;
  let now = Date.now();
  const sessions = createSessions({
    store,
    lifetimeMs: 72 * 60 * MINUTE_MS,
    idleMs: 24 * 60 * MINUTE_MS,
    now: () => now,
  });
  const created = await sessions.create(USER, CLIENT);
  now += 2 * MINUTE_MS;

  // The sign-out lands right after the request has read its session.
  const racing = Object.create(store) as typeof store;
  racing.get = async (key) => {
    const value = await store.get(key);
    await sessions.end(created);
    return value;
  };
  const racingSessions = createSessions({
    store: racing,
    lifetimeMs: 72 * 60 * MINUTE_MS,
    idleMs: 24 * 60 * MINUTE_MS,
    now: () => now,
  });
  await racingSessions.validate(created.token, CLIENT);

  expect(await sessions.validate(created.token, CLIENT)).toBeNull();
});

it('writes last-seen at most once a minute, so an active user costs reads, not writes', async () => {
  opened = await openTestStore();
  const { store } = opened;
  let now = Date.now();
  let writes = 0;
  const counting = Object.create(store) as typeof store;
  counting.replace = (key, value, ttlMs) => {
    writes += 1;
    return store.replace(key, value, ttlMs);
  };
  const sessions = createSessions({
    store: counting,
    lifetimeMs: 72 * 60 * MINUTE_MS,
    idleMs: 24 * 60 * MINUTE_MS,
    now: () => now,
  });
  const created = await sessions.create(USER, CLIENT);
  // Five requests in the first 50 seconds.
  for (let step = 0; step < 5; step += 1) {
    now += 10_000;
    expect((await sessions.validate(created.token, CLIENT))?.session.lastSeenAt).toBe(
      created.session.lastSeenAt,
    );
  }
  expect(writes).toBe(0);
  now += MINUTE_MS;
  const seen = await sessions.validate(created.token, { ip: '198.51.100.2', userAgent: 'moved' });
  expect(writes).toBe(1);
  expect(seen?.session).toMatchObject({ lastSeenAt: now, ip: '198.51.100.2', userAgent: 'moved' });
});
