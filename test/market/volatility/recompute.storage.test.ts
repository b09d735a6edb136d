// The recompute after ingestion: it caches each (item, source, window)
// result, ranks items by coefficient of variation, publishes on `volatility`
// only what changed, drops an item that falls below the minimum, keeps
// sources apart, and reads 7d and 30d from the hourly rollups.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VOLATILITY_CHANNEL } from '../../../src/market/types.js';
import {
  cachedVolatility,
  MINIMUM_POINTS,
  type RecomputeProgress,
  rankingKey,
  recomputeAll,
  recomputeVolatility,
  topVolatile,
  type Volatility,
  volatilityKey,
} from '../../../src/market/volatility/index.js';
import type { Store } from '../../../src/platform/store/index.js';
import { openTestStore, type TestStore } from '../../support/backends.js';
import { insertItems, useMigratedDatabase } from '../../support/market.js';
import { addHourly, addPrices, DAY_MS, HOUR_MS, MINUTE_MS, spaced } from './fixtures.js';

const NOW = new Date('2026-11-17T12:30:00Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

/** The 25-point hour of formulas.test.ts: mean 100, σ √80, change +10 %. */
const HAND_SERIES = [
  ...Array<number>(5).fill(100),
  ...Array.from({ length: 20 }, (_, j) => (j % 2 ? 110 : 90)),
];
/** One point every 2 minutes from 11:32 to 12:20. */
const handPoints = () => spaced(at(-HOUR_MS + 2 * MINUTE_MS), 2 * MINUTE_MS, HAND_SERIES);
/** Quieter: ±1 around 1000, one a minute for the last 30 minutes. */
const calmPoints = () =>
  spaced(
    at(-30 * MINUTE_MS),
    MINUTE_MS,
    Array.from({ length: 30 }, (_, i) => (i % 2 ? 1001 : 999)),
  );

const database = useMigratedDatabase();
let testStore: TestStore;
let store: Store;
let items: number[];
let messages: string[];
let unsubscribe: () => Promise<void>;

/** Every change published up to now, in order: waits for a marker sent after them. */
async function published(): Promise<Volatility[]> {
  const marker = `marker ${Math.random()}`;
  await store.publish(VOLATILITY_CHANNEL, marker);
  await expect.poll(() => messages.includes(marker)).toBe(true);
  const delivered = messages.slice(0, messages.indexOf(marker));
  messages = [];
  return delivered
    .filter((message) => !message.startsWith('marker'))
    .flatMap((message) => JSON.parse(message) as Volatility[]);
}

beforeEach(async () => {
  await sql`delete from items`.execute(database().db);
  items = await insertItems(database(), [
    'AK-47 | Redline (Field-Tested)',
    'AWP | Asiimov (Field-Tested)',
    'Kilowatt Case',
  ]);
  testStore = await openTestStore();
  store = testStore.store;
  messages = [];
  unsubscribe = await store.subscribe(VOLATILITY_CHANNEL, (message) => messages.push(message));
});

afterEach(async () => {
  await unsubscribe();
  await store.close();
});

describe('recomputeVolatility', () => {
  it('caches the window, ranks by coefficient of variation and publishes, for the changed items only', async () => {
    const [volatile, calm, untouched] = items as [number, number, number];
    await addPrices(database(), volatile, 'steam', handPoints());
    await addPrices(database(), calm, 'steam', calmPoints());
    await addPrices(database(), untouched, 'steam', handPoints());

    const report = await recomputeVolatility({ database: database(), store, now: NOW }, [
      { itemId: volatile, source: 'steam' },
      { itemId: calm, source: 'steam' },
      { itemId: volatile, source: 'steam' },
    ]);
    // 1h and 24h for both; no rollups, so no 7d or 30d.
    expect(report).toEqual({ computed: 4, published: 4, cleared: 0 });

    const hour = await cachedVolatility(store, { itemId: volatile, source: 'steam', window: '1h' });
    expect(hour).toEqual({
      item_id: volatile,
      source: 'steam',
      window: '1h',
      points: 25,
      computed_at: NOW.toISOString(),
      mean_cents: 100,
      stddev_cents: expect.closeTo(Math.sqrt(80), 12),
      percent_change: 10,
      coefficient_of_variation: expect.closeTo(Math.sqrt(80) / 100, 12),
      trend_score: expect.closeTo(30 / 13 / 100, 12),
      bollinger: { middle: 100, upper: 120, lower: 80, percent_b: 0.75 },
    });
    expect(
      await cachedVolatility(store, { itemId: volatile, source: 'steam', window: '7d' }),
    ).toBeNull();
    expect(
      await cachedVolatility(store, { itemId: untouched, source: 'steam', window: '1h' }),
    ).toBeNull();

    const top = await topVolatile(store, { source: 'steam', window: '1h', limit: 10 });
    expect(top.map(({ itemId }) => itemId)).toEqual([volatile, calm]);
    expect(top[0]?.score).toBeCloseTo(Math.sqrt(80) / 100, 12);
    expect(top[0]?.volatility).toEqual(hour);
    expect(top[1]?.score).toBeCloseTo(1 / 1000, 12);

    const delivered = await published();
    expect(delivered).toHaveLength(4);
    expect(delivered).toContainEqual(hour);
  });

  it('publishes again only what changed', async () => {
    const [item, other] = items as [number, number];
    await addPrices(database(), item, 'steam', handPoints());
    await addPrices(database(), other, 'steam', calmPoints());
    const changed = [
      { itemId: item, source: 'steam' as const },
      { itemId: other, source: 'steam' as const },
    ];
    await recomputeVolatility({ database: database(), store, now: NOW }, changed);
    await published();

    const later = at(MINUTE_MS);
    const unchanged = await recomputeVolatility(
      { database: database(), store, now: later },
      changed,
    );
    expect(unchanged).toEqual({ computed: 4, published: 0, cleared: 0 });
    expect(await published()).toEqual([]);
    const refreshed = await cachedVolatility(store, {
      itemId: item,
      source: 'steam',
      window: '1h',
    });
    expect(refreshed?.computed_at).toBe(later.toISOString());

    await addPrices(database(), item, 'steam', [{ at: later, cents: 130 }]);
    const moved = await recomputeVolatility({ database: database(), store, now: later }, changed);
    expect(moved.published).toBe(2);
    const delivered = await published();
    expect(delivered.map((v) => [v.item_id, v.window, v.points])).toEqual(
      expect.arrayContaining([
        [item, '1h', 26],
        [item, '24h', 26],
      ]),
    );
  });

  it(`an item left with fewer than ${MINIMUM_POINTS} points in the window loses its volatility and leaves the ranking`, async () => {
    const [leaving, staying] = items as [number, number];
    // 20 points, one a minute, the oldest 50 minutes ago.
    await addPrices(
      database(),
      leaving,
      'steam',
      spaced(
        at(-50 * MINUTE_MS),
        MINUTE_MS,
        Array.from({ length: 20 }, (_, i) => 100 + (i % 3)),
      ),
    );
    await addPrices(database(), staying, 'steam', calmPoints());
    const changed = [
      { itemId: leaving, source: 'steam' as const },
      { itemId: staying, source: 'steam' as const },
    ];
    await recomputeVolatility({ database: database(), store, now: NOW }, changed);
    expect(
      (await topVolatile(store, { source: 'steam', window: '1h', limit: 10 })).map((r) => r.itemId),
    ).toEqual([leaving, staying]);

    // Eleven minutes on, the oldest point has left the hour: 19 remain.
    const later = at(11 * MINUTE_MS);
    const report = await recomputeVolatility({ database: database(), store, now: later }, changed);
    expect(report.cleared).toBe(1);
    expect(
      await cachedVolatility(store, { itemId: leaving, source: 'steam', window: '1h' }),
    ).toBeNull();
    expect(
      (await topVolatile(store, { source: 'steam', window: '1h', limit: 10 })).map((r) => r.itemId),
    ).toEqual([staying]);
    // The day still holds all 20.
    expect(
      await cachedVolatility(store, { itemId: leaving, source: 'steam', window: '24h' }),
    ).not.toBeNull();
  });

  it('7d and 30d come from the hourly rollups', async () => {
    const [item] = items as [number];
    // One rollup every 6 hours from 13:00 ten days ago to 07:00 today: 28 in
    // the last 7 days (from 12:30), 40 in the last 30; averages 1000, 1010, ...
    const buckets = spaced(
      at(-10 * DAY_MS + 30 * MINUTE_MS),
      6 * HOUR_MS,
      Array.from({ length: 40 }, (_, i) => 1000 + 10 * i),
    );
    await addHourly(database(), item, 'steam', buckets);
    await recomputeVolatility({ database: database(), store, now: NOW }, [
      { itemId: item, source: 'steam' },
    ]);

    const week = await cachedVolatility(store, { itemId: item, source: 'steam', window: '7d' });
    // Buckets 12..39: averages 1120 to 1390, mean 1255; a straight line rising
    // 10 cents per 6 hours, so σ = 10 × √((28² − 1) / 12) and change (1390 − 1120) / 1120.
    expect(week?.points).toBe(28);
    expect(week?.mean_cents).toBe(1255);
    expect(week?.stddev_cents).toBeCloseTo(10 * Math.sqrt((28 * 28 - 1) / 12), 9);
    expect(week?.percent_change).toBeCloseTo((270 / 1120) * 100, 9);
    // 10/6 cents an hour over 168 hours, on a mean of 1255.
    expect(week?.trend_score).toBeCloseTo(((10 / 6) * 168) / 1255, 9);
    const month = await cachedVolatility(store, { itemId: item, source: 'steam', window: '30d' });
    expect(month?.points).toBe(40);
    expect(month?.mean_cents).toBe(1195);
    expect(
      await cachedVolatility(store, { itemId: item, source: 'steam', window: '24h' }),
    ).toBeNull();
    expect(
      (await topVolatile(store, { source: 'steam', window: '30d', limit: 5 })).map((r) => r.itemId),
    ).toEqual([item]);
  });

  it('recomputes only the windows asked for', async () => {
    const [item] = items as [number];
    await addPrices(database(), item, 'steam', handPoints());
    await addHourly(database(), item, 'steam', spaced(at(-2 * DAY_MS), HOUR_MS, Array(40).fill(7)));
    const report = await recomputeVolatility(
      { database: database(), store, now: NOW },
      [{ itemId: item, source: 'steam' }],
      ['7d'],
    );
    expect(report.computed).toBe(1);
    expect(
      await cachedVolatility(store, { itemId: item, source: 'steam', window: '7d' }),
    ).not.toBeNull();
    expect(
      await cachedVolatility(store, { itemId: item, source: 'steam', window: '30d' }),
    ).toBeNull();
    expect(
      await cachedVolatility(store, { itemId: item, source: 'steam', window: '1h' }),
    ).toBeNull();
  });

  it('keeps sources apart: one item, two markets, two results and two rankings', async () => {
    const [item] = items as [number];
    await addPrices(database(), item, 'steam', handPoints());
    await addPrices(database(), item, 'skinport', calmPoints());
    await recomputeVolatility({ database: database(), store, now: NOW }, [
      { itemId: item, source: 'steam' },
      { itemId: item, source: 'skinport' },
    ]);
    const steam = await cachedVolatility(store, { itemId: item, source: 'steam', window: '1h' });
    const skinport = await cachedVolatility(store, {
      itemId: item,
      source: 'skinport',
      window: '1h',
    });
    expect([steam?.points, steam?.mean_cents]).toEqual([25, 100]);
    expect([skinport?.points, skinport?.mean_cents]).toEqual([30, 1000]);
    expect(
      (await topVolatile(store, { source: 'skinport', window: '1h', limit: 5 }))[0]?.score,
    ).toBeCloseTo(0.001, 12);
    expect(
      (await topVolatile(store, { source: 'steam', window: '1h', limit: 5 }))[0]?.score,
    ).toBeCloseTo(Math.sqrt(80) / 100, 12);
    expect(await topVolatile(store, { source: 'demo', window: '1h', limit: 5 })).toEqual([]);
  });

  it('a series of zero prices is cached but not ranked: it has no coefficient of variation', async () => {
    const [item] = items as [number];
    await addPrices(
      database(),
      item,
      'demo',
      spaced(at(-30 * MINUTE_MS), MINUTE_MS, Array(25).fill(0)),
    );
    await recomputeVolatility({ database: database(), store, now: NOW }, [
      { itemId: item, source: 'demo' },
    ]);
    expect(
      (await cachedVolatility(store, { itemId: item, source: 'demo', window: '1h' }))
        ?.coefficient_of_variation,
    ).toBeNull();
    expect(await topVolatile(store, { source: 'demo', window: '1h', limit: 5 })).toEqual([]);
  });
});

describe('topVolatile', () => {
  it('returns at most `limit`, and passes over a member whose cache entry is gone', async () => {
    const [a, b, c] = items as [number, number, number];
    await addPrices(database(), a, 'steam', handPoints());
    await addPrices(database(), b, 'steam', calmPoints());
    await addPrices(
      database(),
      c,
      'steam',
      spaced(
        at(-30 * MINUTE_MS),
        MINUTE_MS,
        Array.from({ length: 25 }, (_, i) => (i % 2 ? 120 : 80)),
      ),
    );
    await recomputeVolatility(
      { database: database(), store, now: NOW },
      items.map((itemId) => ({ itemId, source: 'steam' as const })),
    );
    expect(
      (await topVolatile(store, { source: 'steam', window: '1h', limit: 2 })).map((r) => r.itemId),
    ).toEqual([c, a]);

    await store.delete(volatilityKey('steam', '1h', c));
    expect(
      (await topVolatile(store, { source: 'steam', window: '1h', limit: 2 })).map((r) => r.itemId),
    ).toEqual([a, b]);
  });
});

describe('recomputeAll', () => {
  it('covers every item and source, reports progress, and prunes members that are not items', async () => {
    const [a, b, c] = items as [number, number, number];
    await addPrices(database(), a, 'steam', handPoints());
    await addPrices(database(), b, 'skinport', calmPoints());
    await addPrices(database(), c, 'demo', spaced(at(-2 * HOUR_MS), HOUR_MS, [1, 2]));
    await store.sortedSetAdd(rankingKey('steam', '1h'), [{ member: '999999', score: 5 }]);

    const progress: RecomputeProgress[] = [];
    const report = await recomputeAll({ database: database(), store, now: NOW }, (step) =>
      progress.push(step),
    );
    expect(report).toEqual({ computed: 4, published: 4, cleared: 0 });
    expect(progress.at(-1)).toEqual({ itemsDone: 3, itemsTotal: 3 });
    expect(
      (await topVolatile(store, { source: 'steam', window: '1h', limit: 5 })).map((r) => r.itemId),
    ).toEqual([a]);
    expect(await store.sortedSetRange(rankingKey('steam', '1h'), 0, -1)).toEqual([
      { member: String(a), score: expect.closeTo(Math.sqrt(80) / 100, 12) },
    ]);
    expect(
      (await topVolatile(store, { source: 'skinport', window: '24h', limit: 5 })).map(
        (r) => r.itemId,
      ),
    ).toEqual([b]);
  });
});
