// The latest price per item and source in the store: it only moves forward
// in time, each real change is published once on the prices channel, the
// reader returns what the item API shows, and the whole cache can be rebuilt
// from the database.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  latestPriceKey,
  latestPrices,
  rebuildLatestPrices,
  updateLatestPrices,
} from '../../../src/market/ingest/latest-prices.js';
import { writePrices } from '../../../src/market/ingest/write-prices.js';
import { PRICES_CHANNEL } from '../../../src/market/types.js';
import { openTestStore, type TestStore } from '../../support/backends.js';
import { useMigratedDatabase } from '../../support/market.js';
import { addItems, clearMarket, MINUTE_MS, quote } from './fixtures.js';

const T0 = Date.parse('2026-11-17T10:00:00Z');

const database = useMigratedDatabase();
let harness: TestStore;
let published: string[];
let items: number[];

beforeEach(async () => {
  harness = await openTestStore();
  // Each test its own array: a message published late by an earlier test lands in that test's.
  const received: string[] = [];
  published = received;
  await harness.store.subscribe(PRICES_CHANNEL, (message) => received.push(message));
  await clearMarket(database());
  items = await addItems(database(), 3);
});

afterEach(async () => {
  await harness.store.close();
});

/** Publishes one marker and waits for it, so every message published before it has arrived. */
async function drained(): Promise<unknown[]> {
  await harness.store.publish(PRICES_CHANNEL, 'marker');
  await expect.poll(() => published.at(-1)).toBe('marker');
  return published
    .filter((message) => message !== 'marker')
    .flatMap((text) => JSON.parse(text) as unknown[]);
}

describe('latest prices', () => {
  it('keeps the newest quote of each item and source, and publishes each change once', async () => {
    const { store } = harness;
    const [a = 0, b = 0] = items;
    const changed = await updateLatestPrices(store, [
      quote(a, T0, 100),
      quote(a, T0 + MINUTE_MS, 110, { volume: 5, listings: 40 }),
      quote(a, T0, 900, { source: 'steam' }),
      quote(b, T0 - MINUTE_MS, 200),
    ]);
    expect(changed).toHaveLength(3);
    expect(await drained()).toEqual(
      expect.arrayContaining([
        {
          item_id: a,
          source: 'demo',
          price_cents: 110,
          volume: 5,
          listings: 40,
          observed_at: new Date(T0 + MINUTE_MS).toISOString(),
        },
        { item_id: a, source: 'steam', price_cents: 900, observed_at: new Date(T0).toISOString() },
        {
          item_id: b,
          source: 'demo',
          price_cents: 200,
          observed_at: new Date(T0 - MINUTE_MS).toISOString(),
        },
      ]),
    );
    // The three changes, once each, in one message, then the marker.
    expect(published).toHaveLength(2);
    expect(JSON.parse(published[0] ?? '')).toHaveLength(3);
    expect(JSON.parse((await store.get(latestPriceKey('demo', a))) ?? '')).toEqual({
      price_cents: 110,
      volume: 5,
      listings: 40,
      observed_at: new Date(T0 + MINUTE_MS).toISOString(),
    });
  });

  it('ignores a quote older than, or as old as, the one held, and publishes nothing for it', async () => {
    const { store } = harness;
    const [a = 0, b = 0] = items;
    await updateLatestPrices(store, [quote(a, T0, 100), quote(b, T0, 200)]);
    await drained();
    published.length = 0;
    const changed = await updateLatestPrices(store, [
      quote(a, T0 - MINUTE_MS, 50), // late
      quote(a, T0, 999), // the same moment again
      quote(b, T0 + 1, 201), // newer: the only change
    ]);
    expect(changed).toEqual([quote(b, T0 + 1, 201)]);
    expect(await drained()).toEqual([
      {
        item_id: b,
        source: 'demo',
        price_cents: 201,
        observed_at: new Date(T0 + 1).toISOString(),
      },
    ]);
    expect(await latestPrices(store, a, ['demo'])).toEqual([quote(a, T0, 100)]);
  });

  it('reads the latest price per source in the order asked, skipping sources without one', async () => {
    const { store } = harness;
    const [a = 0] = items;
    await updateLatestPrices(store, [
      quote(a, T0, 100, { source: 'demo' }),
      quote(a, T0 + 1, 300, { source: 'steam', volume: 12 }),
    ]);
    expect(await latestPrices(store, a, ['steam', 'skinport', 'demo'])).toEqual([
      quote(a, T0 + 1, 300, { source: 'steam', volume: 12 }),
      quote(a, T0, 100, { source: 'demo' }),
    ]);
  });

  it('treats a value that is not a price as absent, and replaces it', async () => {
    const { store } = harness;
    const [a = 0] = items;
    await store.set(latestPriceKey('demo', a), '{"price_cents":"lots"}');
    expect(await latestPrices(store, a, ['demo'])).toEqual([]);
    expect(await updateLatestPrices(store, [quote(a, T0, 100)])).toHaveLength(1);
    expect(await latestPrices(store, a, ['demo'])).toEqual([quote(a, T0, 100)]);
  });

  it('rebuilds from the database without publishing and without going back in time', async () => {
    const { store } = harness;
    const [a = 0, b = 0, c = 0] = items;
    await writePrices(database(), [
      quote(a, T0, 100),
      quote(a, T0 + MINUTE_MS, 110, { volume: 3 }),
      quote(a, T0 + 2 * MINUTE_MS, 500, { source: 'steam' }),
      quote(b, T0, 200, { listings: 9 }),
      quote(c, T0, 300),
    ]);
    // The store already has a newer price for c than the database.
    await updateLatestPrices(store, [quote(c, T0 + MINUTE_MS, 333)], { publish: false });
    expect(await rebuildLatestPrices(database(), store, ['demo', 'steam'])).toBe(3);
    expect(await latestPrices(store, a, ['demo', 'steam'])).toEqual([
      quote(a, T0 + MINUTE_MS, 110, { volume: 3 }),
      quote(a, T0 + 2 * MINUTE_MS, 500, { source: 'steam' }),
    ]);
    expect(await latestPrices(store, b, ['demo'])).toEqual([quote(b, T0, 200, { listings: 9 })]);
    expect(await latestPrices(store, c, ['demo'])).toEqual([quote(c, T0 + MINUTE_MS, 333)]);
    expect(await drained()).toEqual([]);
  });

  it('rebuilds only the sources asked for, across many pages of items', async () => {
    const { store } = harness;
    const more = await addItems(database(), 1500);
    await writePrices(database(), [
      ...more.map((id) => quote(id, T0, id)),
      quote(more[0] ?? 0, T0, 1, { source: 'skinport' }),
    ]);
    expect(await rebuildLatestPrices(database(), store, ['demo'])).toBe(1500);
    const last = more.at(-1) ?? 0;
    expect(await latestPrices(store, last, ['demo'])).toEqual([quote(last, T0, last)]);
    expect(await latestPrices(store, more[0] ?? 0, ['skinport'])).toEqual([]);
  });
});
