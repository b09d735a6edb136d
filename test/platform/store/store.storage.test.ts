// The store contract: the in-process store and Redis must behave alike, since
// every capability is written against the interface, not the implementation.
import { spawn } from 'node:child_process';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../src/platform/store/index.js';
import { openTestStore, type TestStore, testRedisUrl } from '../../support/backends.js';
import { freePort } from '../../support/ports.js';

let harness: TestStore;

beforeEach(async () => {
  harness = await openTestStore();
});

afterEach(async () => {
  await harness.store.close();
});

describe(`store contract (${testRedisUrl ? 'redis' : 'memory'})`, () => {
  it('reports which implementation it is', () => {
    expect(harness.store.kind).toBe(testRedisUrl ? 'redis' : 'memory');
  });

  it('gets what was set and null for missing keys', async () => {
    const { store } = harness;
    expect(await store.get('missing')).toBeNull();
    await store.set('k', 'v');
    expect(await store.get('k')).toBe('v');
    await store.set('k', 'w');
    expect(await store.get('k')).toBe('w');
  });

  it('gets many values in order, null for missing and expired keys', async () => {
    const { store, advance } = harness;
    expect(await store.getMany([])).toEqual([]);
    await store.set('a', '1');
    await store.set('c', '3');
    await store.set('short', 's', 100);
    expect(await store.getMany(['c', 'b', 'a', 'short', 'a'])).toEqual(['3', null, '1', 's', '1']);
    await advance(150);
    expect(await store.getMany(['short', 'a'])).toEqual([null, '1']);
  });

  it('expires a value after its TTL and keeps one without TTL', async () => {
    const { store, advance } = harness;
    await store.set('short', 'v', 100);
    await store.set('forever', 'v');
    expect(await store.get('short')).toBe('v');
    await advance(150);
    expect(await store.get('short')).toBeNull();
    expect(await store.get('forever')).toBe('v');
  });

  it('refuses a TTL that is not a positive integer', async () => {
    const { store } = harness;
    await expect(store.set('k', 'v', 0)).rejects.toThrow(RangeError);
    await expect(store.setIfAbsent('k', 'v', -5)).rejects.toThrow(RangeError);
    await expect(store.increment('k', 1.5)).rejects.toThrow(RangeError);
  });

  it('sets if absent exactly once, and again after expiry', async () => {
    const { store, advance } = harness;
    expect(await store.setIfAbsent('once', 'first', 100)).toBe(true);
    expect(await store.setIfAbsent('once', 'second', 100)).toBe(false);
    expect(await store.get('once')).toBe('first');
    await advance(150);
    expect(await store.setIfAbsent('once', 'third', 100)).toBe(true);
    expect(await store.get('once')).toBe('third');
  });

  it('replaces only a value that exists, so a deleted or expired one stays gone', async () => {
    const { store, advance } = harness;
    expect(await store.replace('absent', 'v', 1000)).toBe(false);
    expect(await store.get('absent')).toBeNull();
    await store.set('present', 'old', 100);
    expect(await store.replace('present', 'new', 1000)).toBe(true);
    expect(await store.get('present')).toBe('new');
    await advance(150);
    expect(await store.get('present')).toBe('new');
    await store.delete('present');
    expect(await store.replace('present', 'again', 1000)).toBe(false);
    expect(await store.get('present')).toBeNull();
    await expect(store.replace('present', 'v', 0)).rejects.toThrow(RangeError);
  });

  it('extends a TTL only while the key holds the given value', async () => {
    const { store, advance } = harness;
    expect(await store.extendIfEquals('lock', 'mine', 1000)).toBe(false);
    expect(await store.get('lock')).toBeNull();
    await store.setIfAbsent('lock', 'mine', 200);
    expect(await store.extendIfEquals('lock', 'theirs', 1000)).toBe(false);
    expect(await store.extendIfEquals('lock', 'mine', 1000)).toBe(true);
    await advance(300);
    expect(await store.get('lock')).toBe('mine');
    await advance(800);
    expect(await store.get('lock')).toBeNull();
    expect(await store.extendIfEquals('lock', 'mine', 1000)).toBe(false);
    expect(await store.get('lock')).toBeNull();
    await expect(store.extendIfEquals('lock', 'mine', 0)).rejects.toThrow(RangeError);
  });

  it('deletes only while the key holds the given value', async () => {
    const { store } = harness;
    expect(await store.deleteIfEquals('lock', 'mine')).toBe(false);
    await store.setIfAbsent('lock', 'theirs', 10_000);
    expect(await store.deleteIfEquals('lock', 'mine')).toBe(false);
    expect(await store.get('lock')).toBe('theirs');
    expect(await store.deleteIfEquals('lock', 'theirs')).toBe(true);
    expect(await store.get('lock')).toBeNull();
    expect(await store.setIfAbsent('lock', 'next', 10_000)).toBe(true);
  });

  it('lets exactly one of many concurrent set-if-absent calls win', async () => {
    const { store } = harness;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.setIfAbsent('race', String(i), 10_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('gets and deletes in one step, so a value is taken once', async () => {
    const { store } = harness;
    await store.set('token', 'secret-value', 10_000);
    const taken = await Promise.all([store.getAndDelete('token'), store.getAndDelete('token')]);
    expect(taken.filter((value) => value !== null)).toEqual(['secret-value']);
    expect(await store.get('token')).toBeNull();
  });

  it('deletes keys and counts the ones that existed', async () => {
    const { store } = harness;
    await store.set('a', '1');
    await store.set('b', '2');
    expect(await store.delete('a', 'b', 'c')).toBe(2);
    expect(await store.get('a')).toBeNull();
    expect(await store.delete()).toBe(0);
  });

  it('counts atomically within a window that the first increment opens', async () => {
    const { store, advance } = harness;
    const counts = await Promise.all(
      Array.from({ length: 25 }, () => store.increment('hits', 1000)),
    );
    expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    for (const counter of counts) {
      expect(counter.ttlMs).toBeGreaterThan(0);
      expect(counter.ttlMs).toBeLessThanOrEqual(1000);
    }
    await advance(400);
    const later = await store.increment('hits', 1000);
    expect(later.count).toBe(26);
    expect(later.ttlMs).toBeLessThanOrEqual(600 + 50);
    await advance(700);
    expect((await store.increment('hits', 1000)).count).toBe(1);
  });

  describe('S44 sliding windows', () => {
    const T0 = 1_700_000_000_000;
    const minute = { limit: 20, windowMs: 60_000 };

    it('admits at most the limit in any window, across the edge of a fixed one', async () => {
      const { store } = harness;
      const at = async (ms: number, count: number) => {
        const admissions = [];
        for (let index = 0; index < count; index += 1) {
          admissions.push(await store.admit('auth', minute, T0 + ms));
        }
        return admissions;
      };
      expect((await at(59_000, 20)).every((a) => a.admitted)).toBe(true);
      expect(await at(61_000, 20)).toEqual(
        Array(20).fill({ admitted: false, retryAfterMs: 58_000 }),
      );
      expect(await at(118_999, 1)).toEqual([{ admitted: false, retryAfterMs: 1 }]);
      expect(await at(119_000, 1)).toEqual([{ admitted: true, retryAfterMs: 0 }]);
      expect(await at(119_000, 1)).toEqual([{ admitted: true, retryAfterMs: 0 }]);
    });

    it('admits exactly the limit of concurrent offers', async () => {
      const { store } = harness;
      const offers = await Promise.all(
        Array.from({ length: 25 }, () => store.admit('burst', { limit: 10, windowMs: 1000 }, T0)),
      );
      expect(offers.filter((offer) => offer.admitted)).toHaveLength(10);
    });

    it('in any window admits no more than the limit and refuses only when it is full', async () => {
      const { store } = harness;
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 5 }),
          fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 40 }),
          async (limit, gaps) => {
            run += 1;
            const window = { limit, windowMs: 1000 };
            const admitted: number[] = [];
            let time = T0;
            for (const gap of gaps) {
              time += gap;
              const { admitted: yes } = await store.admit(`property-${run}`, window, time);
              const inWindow = admitted.filter((t) => t > time - window.windowMs).length;
              // Admitted exactly when the window ending now holds fewer than the limit.
              expect(yes).toBe(inWindow < limit);
              if (yes) admitted.push(time);
            }
          },
        ),
        { seed: 44, numRuns: 40 },
      );
    });

    it('admits and reads another key in one step', async () => {
      const { store } = harness;
      await store.set('session', 'value');
      const window = { limit: 1, windowMs: 1000 };
      expect(await store.admitAndGet('hits', window, T0, 'session')).toEqual({
        admitted: true,
        retryAfterMs: 0,
        value: 'value',
      });
      expect(await store.admitAndGet('hits', window, T0 + 400, 'missing')).toEqual({
        admitted: false,
        retryAfterMs: 600,
        value: null,
      });
      expect(await store.admit('hits', window, T0 + 1000)).toEqual({
        admitted: true,
        retryAfterMs: 0,
      });
      await expect(
        store.admitAndGet('hits', { limit: 1, windowMs: 0 }, T0, 'session'),
      ).rejects.toThrow(RangeError);
      await expect(store.admit('hits', { limit: 0, windowMs: 1000 }, T0)).rejects.toThrow(
        RangeError,
      );
    });

    it('forgets a window once it has passed', async () => {
      const { store, advance } = harness;
      await store.admit('brief', { limit: 1, windowMs: 100 }, T0);
      expect(await store.delete('brief')).toBe(1);
      await store.admit('brief', { limit: 1, windowMs: 100 }, T0);
      await advance(150);
      expect(await store.delete('brief')).toBe(0);
    });
  });

  it('gives a counter stored without expiry a window instead of keeping it forever', async () => {
    const { store, advance } = harness;
    await store.set('stuck', '7');
    const counter = await store.increment('stuck', 200);
    expect(counter).toEqual({ count: 8, ttlMs: expect.any(Number) });
    expect(counter.ttlMs).toBeGreaterThan(0);
    await advance(250);
    expect(await store.get('stuck')).toBeNull();
  });

  it('ranks sorted set members by score in both orders, ties by member', async () => {
    const { store } = harness;
    await store.sortedSetAdd('rank', [
      { member: 'b', score: 2 },
      { member: 'a', score: 2 },
      { member: 'c', score: 0.5 },
      { member: 'd', score: -1 },
    ]);
    expect(await store.sortedSetRange('rank', 0, -1)).toEqual([
      { member: 'd', score: -1 },
      { member: 'c', score: 0.5 },
      { member: 'a', score: 2 },
      { member: 'b', score: 2 },
    ]);
    expect(await store.sortedSetRange('rank', 0, 1, 'desc')).toEqual([
      { member: 'b', score: 2 },
      { member: 'a', score: 2 },
    ]);
    expect(await store.sortedSetRange('rank', -2, -1)).toEqual([
      { member: 'a', score: 2 },
      { member: 'b', score: 2 },
    ]);
    expect(await store.sortedSetRange('rank', 5, 10)).toEqual([]);
    expect(await store.sortedSetRange('missing', 0, -1)).toEqual([]);
  });

  it('updates scores and removes members', async () => {
    const { store } = harness;
    await store.sortedSetAdd('rank', [
      { member: 'x', score: 1 },
      { member: 'y', score: 2 },
    ]);
    await store.sortedSetAdd('rank', [{ member: 'x', score: 3 }]);
    await store.sortedSetRemove('rank', ['y', 'never-there']);
    expect(await store.sortedSetRange('rank', 0, -1, 'desc')).toEqual([{ member: 'x', score: 3 }]);
    await store.sortedSetRemove('rank', ['x']);
    expect(await store.sortedSetRange('rank', 0, -1)).toEqual([]);
  });

  it('delivers published messages to every subscriber of the channel only', async () => {
    const { store } = harness;
    const first: string[] = [];
    const second: string[] = [];
    const other: string[] = [];
    await store.subscribe('prices', (message) => first.push(message));
    await store.subscribe('prices', (message) => second.push(message));
    await store.subscribe('volatility', (message) => other.push(message));
    await store.publish('prices', '{"item_id":1}');
    await store.publish('prices', '{"item_id":2}');
    await expect.poll(() => second.length).toBe(2);
    expect(first).toEqual(['{"item_id":1}', '{"item_id":2}']);
    expect(second).toEqual(first);
    expect(other).toEqual([]);
  });

  it('stops delivering after unsubscribe', async () => {
    const { store } = harness;
    const kept: string[] = [];
    const dropped: string[] = [];
    await store.subscribe('prices', (message) => kept.push(message));
    const unsubscribe = await store.subscribe('prices', (message) => dropped.push(message));
    await unsubscribe();
    await store.publish('prices', 'tick');
    await expect.poll(() => kept.length).toBe(1);
    expect(dropped).toEqual([]);
  });

  it('keeps delivering to other subscribers when one handler throws', async () => {
    const { store } = harness;
    const received: string[] = [];
    await store.subscribe('prices', () => {
      throw new Error('subscriber bug');
    });
    await store.subscribe('prices', (message) => received.push(message));
    await store.publish('prices', 'tick');
    await expect.poll(() => received).toEqual(['tick']);
  });

  it('answers ping', async () => {
    await expect(harness.store.ping(1000)).resolves.toBeUndefined();
  });
});

describe.runIf(testRedisUrl)('redis store', () => {
  it('keeps keys and channels of two prefixes apart', async () => {
    const other = await openTestStore();
    try {
      await harness.store.set('shared-name', 'mine');
      expect(await other.store.get('shared-name')).toBeNull();
      const heard: string[] = [];
      await other.store.subscribe('prices', (message) => heard.push(message));
      const own: string[] = [];
      await harness.store.subscribe('prices', (message) => own.push(message));
      await harness.store.publish('prices', 'tick');
      await expect.poll(() => own).toEqual(['tick']);
      expect(heard).toEqual([]);
    } finally {
      await other.store.close();
    }
  });

  it('starts while Redis is down, fails closed, then recovers with its subscriptions', async () => {
    const port = await freePort();
    const late = await openTestStore({ redisUrl: `redis://127.0.0.1:${port}/0` });
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    try {
      await expect(late.store.get('k')).rejects.toBeInstanceOf(StoreUnavailableError);
      const heard: string[] = [];
      await late.store.subscribe('prices', (message) => heard.push(message));
      await expect
        .poll(() =>
          late.store.ping(200).then(
            () => true,
            () => false,
          ),
        )
        .toBe(true);
      await expect
        .poll(
          async () => {
            await late.store.publish('prices', 'tick');
            return heard.length > 0;
          },
          { interval: 200 },
        )
        .toBe(true);
      expect(heard[0]).toBe('tick');
    } finally {
      await late.store.close();
      server.kill();
    }
  });
});
