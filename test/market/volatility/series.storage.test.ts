// Loading the series volatility is computed over: window edges (both ends
// inclusive), raw prices for the short windows and hourly rollups for the
// long ones, many items in one statement, sources kept apart, and items with
// too few points left out.
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { MINIMUM_POINTS } from '../../../src/market/volatility/formulas.js';
import { loadSeries } from '../../../src/market/volatility/series.js';
import { insertItems, useMigratedDatabase } from '../../support/market.js';
import {
  addHourly,
  addPrices,
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  type Point,
  spaced,
} from './fixtures.js';

/** On a whole hour, so a 7d window starts exactly on a rollup bucket. */
const NOW = new Date('2026-11-17T12:00:00Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);
const times = (points: readonly Point[]) => points.map((point) => point.at.getTime());
const cents = (points: readonly Point[]) => points.map((point) => point.cents);

const database = useMigratedDatabase();
let items: number[];

beforeEach(async () => {
  await sql`delete from items`.execute(database().db);
  items = await insertItems(database(), [
    'AK-47 | Redline (Field-Tested)',
    'AWP | Asiimov (Field-Tested)',
  ]);
});

describe('raw windows (1h, 24h)', () => {
  it('a point exactly at the window start and one exactly at now are in; a millisecond outside either is out', async () => {
    const [item] = items as [number];
    const inside = [
      { at: at(-HOUR_MS), cents: 100 },
      ...spaced(at(-HOUR_MS + MINUTE_MS), 3 * MINUTE_MS, Array(18).fill(150)),
      { at: at(0), cents: 200 },
    ];
    await addPrices(database(), item, 'steam', [
      { at: at(-HOUR_MS - 1), cents: 999 },
      ...inside,
      { at: at(1), cents: 999 },
    ]);
    const series = await loadSeries(database(), {
      source: 'steam',
      window: '1h',
      itemIds: [item],
      now: NOW,
    });
    expect(series.get(item)).toEqual({ timesMs: times(inside), values: cents(inside) });
  });

  it(`an item with ${MINIMUM_POINTS - 1} points in the window is left out; ${MINIMUM_POINTS} are loaded`, async () => {
    const [few, enough] = items as [number, number];
    await addPrices(
      database(),
      few,
      'steam',
      spaced(at(-DAY_MS + HOUR_MS), HOUR_MS, Array(MINIMUM_POINTS - 1).fill(5)),
    );
    await addPrices(
      database(),
      enough,
      'steam',
      spaced(at(-DAY_MS + HOUR_MS), HOUR_MS, Array(MINIMUM_POINTS).fill(7)),
    );
    const series = await loadSeries(database(), {
      source: 'steam',
      window: '24h',
      itemIds: items,
      now: NOW,
    });
    expect([...series.keys()]).toEqual([enough]);
  });

  it('loads many items in one call, each in time order, from one source only', async () => {
    const [first, second] = items as [number, number];
    const firstPoints = spaced(
      at(-30 * MINUTE_MS),
      MINUTE_MS,
      Array.from({ length: 25 }, (_, i) => 100 + i),
    );
    const secondPoints = spaced(
      at(-50 * MINUTE_MS),
      2 * MINUTE_MS,
      Array.from({ length: 21 }, (_, i) => 500 - i),
    );
    // Inserted newest first, so the order comes from the query.
    await addPrices(database(), first, 'steam', [...firstPoints].reverse());
    await addPrices(database(), second, 'steam', secondPoints);
    await addPrices(
      database(),
      first,
      'skinport',
      spaced(at(-30 * MINUTE_MS), MINUTE_MS, Array(25).fill(1)),
    );
    const series = await loadSeries(database(), {
      source: 'steam',
      window: '1h',
      itemIds: items,
      now: NOW,
    });
    expect(series.get(first)).toEqual({ timesMs: times(firstPoints), values: cents(firstPoints) });
    expect(series.get(second)).toEqual({
      timesMs: times(secondPoints),
      values: cents(secondPoints),
    });
  });

  it('reads only the items asked for', async () => {
    const [first, second] = items as [number, number];
    for (const item of items) {
      await addPrices(
        database(),
        item,
        'steam',
        spaced(at(-30 * MINUTE_MS), MINUTE_MS, Array(25).fill(3)),
      );
    }
    const series = await loadSeries(database(), {
      source: 'steam',
      window: '1h',
      itemIds: [second],
      now: NOW,
    });
    expect(series.has(first)).toBe(false);
    expect(series.has(second)).toBe(true);
    expect(
      await loadSeries(database(), { source: 'steam', window: '1h', itemIds: [], now: NOW }),
    ).toEqual(new Map());
  });
});

describe('rollup windows (7d, 30d)', () => {
  it('7d: hourly averages from the bucket starting exactly at the window start, raw prices ignored', async () => {
    const [item] = items as [number];
    const inside = spaced(
      at(-7 * DAY_MS),
      6 * HOUR_MS,
      Array.from({ length: 28 }, (_, i) => 1000.5 + i),
    );
    await addHourly(database(), item, 'steam', [
      { at: at(-7 * DAY_MS - HOUR_MS), cents: 1 },
      ...inside,
    ]);
    await addPrices(database(), item, 'steam', spaced(at(-HOUR_MS), MINUTE_MS, Array(30).fill(5)));
    const series = await loadSeries(database(), {
      source: 'steam',
      window: '7d',
      itemIds: [item],
      now: NOW,
    });
    expect(series.get(item)).toEqual({ timesMs: times(inside), values: cents(inside) });
  });

  it('30d: a bucket that starts before a window start between hours is out', async () => {
    const [item] = items as [number];
    const now = at(30 * MINUTE_MS);
    const inside = spaced(at(-30 * DAY_MS + HOUR_MS), DAY_MS, Array(30).fill(42));
    await addHourly(database(), item, 'skinport', [{ at: at(-30 * DAY_MS), cents: 1 }, ...inside]);
    const series = await loadSeries(database(), {
      source: 'skinport',
      window: '30d',
      itemIds: [item],
      now,
    });
    expect(series.get(item)?.timesMs).toEqual(times(inside));
  });
});
