// The demo provider: each cycle yields the model's ticks since its previous
// cycle, so what is stored is the model's walk whatever the interval, and a
// restarted provider (or a second one) yields the same quotes at the same
// times.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createDemoProvider,
  DEMO_BATCH_SIZE,
  DEMO_MAX_LOOKBACK_INTERVALS,
  DemoModels,
  type DemoProviderOptions,
  demoTicks,
} from '../../../src/market/providers/demo.js';
import {
  DEMO_STEP_MS,
  demoItemModel,
  MAX_TICK_PERIOD_STEPS,
  stepAt,
  tickSteps,
} from '../../../src/market/providers/demo-model.js';
import type { PricedItem, PriceQuote } from '../../../src/market/types.js';
import { pricedItem, realCatalogItems } from '../../support/market.js';
import { collect, InstantClock, START_MS } from './support.js';

const MINUTE_MS = 60_000;
const OPTIONS: DemoProviderOptions = { seed: 1, currency: 'USD', intervalMs: MINUTE_MS };

/** From the real catalog: an item that ticks every step, one that ticks every few hours, one weekly. */
let items: PricedItem[];
let liquidId: number;
let hourlyId: number;
let weeklyId: number;

beforeAll(async () => {
  const catalog = await realCatalogItems();
  const period = (item: PricedItem) => demoItemModel(OPTIONS.seed, item).tickPeriodSteps;
  const liquid = catalog.find((item) => period(item) === 1);
  const hourly = catalog.find((item) => period(item) >= 60 && period(item) <= 240);
  const weekly = catalog.find((item) => period(item) === MAX_TICK_PERIOD_STEPS);
  if (!liquid || !hourly || !weekly) throw new Error('the catalog lacks an item of some liquidity');
  items = [liquid, hourly, weekly];
  [liquidId, hourlyId, weeklyId] = items.map((item) => item.id) as [number, number, number];
});

const key = (quote: PriceQuote) => `${quote.item_id}@${quote.observed_at.toISOString()}`;

/** Runs a provider's cycles at `times`, returning each cycle's quotes. */
async function cycles(clock: InstantClock, times: readonly number[]): Promise<PriceQuote[][]> {
  const provider = createDemoProvider(OPTIONS, { clock });
  const result: PriceQuote[][] = [];
  for (const time of times) {
    clock.time = time;
    result.push(await collect(provider.fetchPrices(items, new AbortController().signal)));
  }
  return result;
}

describe('demo provider', () => {
  it('yields, cycle after cycle, every tick of the model once, with no gap and no repeat', async () => {
    const clock = new InstantClock();
    const times = Array.from({ length: 24 * 60 }, (_, minute) => START_MS + minute * MINUTE_MS + 7);
    const yielded = (await cycles(clock, times)).flat();
    expect(new Set(yielded.map(key)).size).toBe(yielded.length);
    const models = new DemoModels(OPTIONS.seed);
    const expected = demoTicks(
      OPTIONS,
      models,
      items,
      stepAt((times[0] ?? 0) - MINUTE_MS),
      stepAt(times.at(-1) ?? 0),
    );
    expect(yielded.map(key).sort()).toEqual(expected.map(key).sort());
    for (const quote of yielded) {
      expect(quote.source).toBe('demo');
      expect(quote.observed_at.getTime() % DEMO_STEP_MS).toBe(0);
    }
  });

  it('ticks the liquid case every cycle and the others more rarely', async () => {
    const clock = new InstantClock();
    const times = Array.from({ length: 120 }, (_, minute) => START_MS + minute * MINUTE_MS);
    const perCycle = await cycles(clock, times);
    const count = (itemId: number) =>
      perCycle.filter((quotes) => quotes.some((quote) => quote.item_id === itemId)).length;
    expect(count(liquidId)).toBe(120);
    expect(count(hourlyId)).toBeGreaterThan(0);
    expect(count(hourlyId)).toBeLessThan(3);
    expect(count(weeklyId)).toBeLessThan(2);
  });

  it('yields the same whatever the interval: five-minute cycles store the same rows', async () => {
    const minutely = Array.from({ length: 60 }, (_, minute) => START_MS + (minute + 1) * MINUTE_MS);
    const byMinute = (await cycles(new InstantClock(), minutely)).flat();
    const clock = new InstantClock();
    const provider = createDemoProvider({ ...OPTIONS, intervalMs: 5 * MINUTE_MS }, { clock });
    const byFive: PriceQuote[] = [];
    for (const time of minutely.filter((_, index) => index % 5 === 4)) {
      clock.time = time;
      byFive.push(...(await collect(provider.fetchPrices(items, new AbortController().signal))));
    }
    expect(byFive.map(key).sort()).toEqual(byMinute.map(key).sort());
    expect(byFive.length).toBeGreaterThanOrEqual(60);
  });

  it('is a pure function of the time: a fresh provider, as after a restart, yields the same', async () => {
    const times = [START_MS + 1234, START_MS + MINUTE_MS + 1234, START_MS + 2 * MINUTE_MS + 1234];
    const first = await cycles(new InstantClock(), times);
    const restarted = await cycles(new InstantClock(), times);
    expect(restarted).toEqual(first);
    const model = demoItemModel(OPTIONS.seed, items[0] as PricedItem);
    expect(tickSteps(model, stepAt(START_MS), stepAt(START_MS) + 3)).toHaveLength(3);
  });

  it('leaves the window of an aborted cycle to the next one', async () => {
    const clock = new InstantClock(START_MS);
    const provider = createDemoProvider(OPTIONS, { clock });
    expect(await collect(provider.fetchPrices(items, AbortSignal.abort()))).toEqual([]);
    clock.time = START_MS + 3 * MINUTE_MS;
    const quotes = await collect(provider.fetchPrices(items, new AbortController().signal));
    // From one interval before the aborted call: its minute and the three since.
    expect(quotes.filter((quote) => quote.item_id === liquidId)).toHaveLength(4);
  });
});

describe('demo provider look-back', () => {
  it('looks back at most a few intervals when called again after a long pause, as when leading again', async () => {
    const clock = new InstantClock(START_MS);
    const provider = createDemoProvider(OPTIONS, { clock });
    await collect(provider.fetchPrices(items, new AbortController().signal));
    clock.time = START_MS + 24 * 60 * MINUTE_MS;
    const quotes = await collect(provider.fetchPrices(items, new AbortController().signal));
    expect(quotes.filter((quote) => quote.item_id === liquidId)).toHaveLength(
      DEMO_MAX_LOOKBACK_INTERVALS,
    );
  });

  it('bounds the window after aborted cycles, so one that finishes is no larger', async () => {
    const clock = new InstantClock(START_MS);
    const provider = createDemoProvider(OPTIONS, { clock });
    for (let minute = 0; minute < 60; minute += 1) {
      clock.time = START_MS + minute * MINUTE_MS;
      await collect(provider.fetchPrices(items, AbortSignal.abort()));
    }
    clock.time = START_MS + 60 * MINUTE_MS;
    const quotes = await collect(provider.fetchPrices(items, new AbortController().signal));
    expect(quotes.filter((quote) => quote.item_id === liquidId)).toHaveLength(
      DEMO_MAX_LOOKBACK_INTERVALS,
    );
  });
});

describe('demo provider batches', () => {
  it('looks at a large catalog a batch at a time, and stops between batches once aborted', async () => {
    const catalog = Array.from({ length: DEMO_BATCH_SIZE * 3 }, (_, index) =>
      pricedItem(index + 1, `Test ${index}`),
    );
    const abort = new AbortController();
    const provider = createDemoProvider(
      { ...OPTIONS, intervalMs: 7 * 24 * 60 * MINUTE_MS },
      { clock: new InstantClock() },
    );
    let batches = 0;
    for await (const batch of provider.fetchPrices(catalog, abort.signal)) {
      batches += 1;
      expect(batch.every((quote) => quote.item_id <= DEMO_BATCH_SIZE * batches)).toBe(true);
      abort.abort();
    }
    expect(batches).toBe(1);
  });
});
