// The demo market: the same seed, item and time always give the same quote,
// and the walk looks like a market (plausible levels, small steps, rare jumps).
import { describe, expect, it } from 'vitest';
import {
  createDemoProvider,
  DEMO_BATCH_SIZE,
  DEMO_STEP_MS,
  type DemoProviderOptions,
  demoBasePrice,
  demoMarket,
  demoQuote,
} from '../../../src/market/providers/demo.js';
import type { PricedItem } from '../../../src/market/types.js';
import { pricedItem } from '../../support/market.js';
import { collect, InstantClock, START_MS } from './support.js';

const SEED = 1;
const USD: DemoProviderOptions = { seed: SEED, currency: 'USD', marketSize: 1_000_000 };
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const NAMES = [
  'AK-47 | Redline (Field-Tested)',
  'AWP | Asiimov (Battle-Scarred)',
  'StatTrak™ M4A1-S | Hyper Beast (Minimal Wear)',
  'Souvenir MP9 | Hot Rod (Factory New)',
  '★ Karambit | Doppler (Factory New)',
  '★ Sport Gloves | Vice (Field-Tested)',
  'Sticker | Natus Vincere | Katowice 2014',
  'Revolution Case',
  'Operation Breakout Weapon Case',
  'Sealed Graffiti | Sorry (Tracer Yellow)',
  'Music Kit | Darude, Moments CS:GO',
  'Glock-18 | Water Elemental (Well-Worn)',
];

const items: PricedItem[] = NAMES.map((marketHashName, index) =>
  pricedItem(index + 1, marketHashName),
);

function logReturn(a: number, b: number): number {
  return Math.abs(Math.log(b / a));
}

describe('demo market', () => {
  it('is deterministic in (seed, item, time step), so a restart continues the same walk', async () => {
    const clock = new InstantClock(START_MS + 1234);
    const first = await collect(
      createDemoProvider(USD, { clock }).fetchPrices(items, new AbortController().signal),
    );
    const restarted = await collect(
      createDemoProvider(USD, { clock }).fetchPrices(items, new AbortController().signal),
    );
    expect(restarted).toEqual(first);
    expect(first.map((quote) => quote.item_id)).toEqual(items.map((item) => item.id));
    for (const quote of first) {
      expect(quote.source).toBe('demo');
      expect(quote.observed_at).toEqual(
        new Date(Math.floor((START_MS + 1234) / DEMO_STEP_MS) * DEMO_STEP_MS),
      );
    }
  });

  it('gives one observation per step: any time within a step reads the same quote', () => {
    const item = items[0] as PricedItem;
    const stepStart = Math.floor(START_MS / DEMO_STEP_MS) * DEMO_STEP_MS;
    expect(demoQuote(USD, item, stepStart + DEMO_STEP_MS - 1)).toEqual(
      demoQuote(USD, item, stepStart),
    );
    expect(demoQuote(USD, item, stepStart + DEMO_STEP_MS).observed_at).toEqual(
      new Date(stepStart + DEMO_STEP_MS),
    );
  });

  it('walks differently for another seed or another item', () => {
    const item = items[0] as PricedItem;
    const twin = pricedItem(1000, item.marketHashName);
    const series = (seed: number, subject: PricedItem) =>
      Array.from(
        { length: 50 },
        (_, hour) =>
          demoQuote({ seed, currency: 'USD' }, subject, START_MS + hour * HOUR_MS).price_cents,
      );
    expect(series(2, item)).not.toEqual(series(1, item));
    expect(series(1, twin)).not.toEqual(series(1, item));
    expect(demoBasePrice(1, twin.marketHashName)).toBe(demoBasePrice(1, item.marketHashName));
  });

  it('prices items plausibly for what they are', () => {
    const base = (name: string) => demoBasePrice(SEED, name) / 100;
    expect(base('★ Karambit | Doppler (Factory New)')).toBeGreaterThan(80);
    expect(base('★ Sport Gloves | Vice (Field-Tested)')).toBeGreaterThan(80);
    expect(base('Sticker | Natus Vincere | Katowice 2014')).toBeLessThanOrEqual(20);
    expect(base('Revolution Case')).toBeLessThanOrEqual(15);
    expect(base('AK-47 | Redline (Factory New)')).toBeGreaterThan(
      base('AK-47 | Redline (Battle-Scarred)'),
    );
    expect(base('StatTrak™ AK-47 | Redline (Field-Tested)')).toBeGreaterThan(
      base('AK-47 | Redline (Field-Tested)'),
    );
    expect(base('Souvenir AWP | Dragon Lore (Field-Tested)')).toBeGreaterThan(
      base('AWP | Dragon Lore (Field-Tested)'),
    );
    for (const name of NAMES) expect(demoBasePrice(SEED, name)).toBeGreaterThanOrEqual(3);
  });

  it('moves in small steps around its base, with occasional jumps, over a simulated week', () => {
    const steps = (7 * DAY_MS) / DEMO_STEP_MS;
    const stride = 6;
    let moves = 0;
    let jumps = 0;
    let still = 0;
    let unusable = 0;
    let lowest = Number.POSITIVE_INFINITY;
    let highest = 0;
    for (const item of items) {
      const base = demoBasePrice(SEED, item.marketHashName);
      let previous = demoQuote(USD, item, START_MS);
      for (let step = stride; step < steps; step += stride) {
        const quote = demoQuote(USD, item, START_MS + step * DEMO_STEP_MS);
        if (!Number.isSafeInteger(quote.price_cents) || quote.price_cents < 3) unusable += 1;
        // Cent rounding alone stretches a cheap item's spread, so only dearer ones are bounded.
        if (base > 100) {
          lowest = Math.min(lowest, quote.price_cents / base);
          highest = Math.max(highest, quote.price_cents / base);
        }
        if (base > 1000) {
          const change = logReturn(previous.price_cents, quote.price_cents);
          moves += 1;
          if (change > 0.04) jumps += 1;
          if (change === 0) still += 1;
        }
        previous = quote;
      }
    }
    expect(unusable).toBe(0);
    expect(lowest).toBeGreaterThan(0.4);
    expect(highest).toBeLessThan(2.5);
    // A minute apart, items above $10 almost always move a little and rarely jump.
    expect(moves).toBeGreaterThan(1000);
    expect(jumps).toBeGreaterThan(0);
    expect(jumps / moves).toBeLessThan(0.01);
    expect(still / moves).toBeLessThan(0.2);
  });

  it('prices in the configured currency at a rough rate, with the same walk and volume', () => {
    const item = pricedItem(5, '★ Karambit | Doppler (Factory New)');
    const inUsd = demoQuote(USD, item, START_MS);
    const inRub = demoQuote({ seed: SEED, currency: 'RUB' }, item, START_MS);
    expect(inRub.price_cents / inUsd.price_cents).toBeCloseTo(90, 0);
    expect(inRub.volume).toBe(inUsd.volume);
  });

  it('reports a volume that falls with price', () => {
    const at = START_MS + 3 * HOUR_MS;
    const volume = (name: string) => demoQuote(USD, pricedItem(99, name), at).volume ?? -1;
    expect(volume('Revolution Case')).toBeGreaterThan(volume('★ Karambit | Doppler (Factory New)'));
    for (const item of items) {
      const quote = demoQuote(USD, item, at);
      expect(Number.isSafeInteger(quote.volume)).toBe(true);
      expect(quote.volume).toBeGreaterThanOrEqual(0);
    }
  });

  it('yields nothing once aborted', async () => {
    const provider = createDemoProvider(USD, { clock: new InstantClock() });
    expect(await collect(provider.fetchPrices(items, AbortSignal.abort()))).toEqual([]);
  });
});

describe('demo market size', () => {
  const catalog = Array.from({ length: 500 }, (_, index) => ({
    ...pricedItem(index + 1, `Sticker | Test ${index}`),
    ...(index % 100 === 7 ? { priority: true } : {}),
  }));

  it('trades every priority item, then a sample of the rest fixed by the seed', async () => {
    const small = { ...USD, marketSize: 50 };
    const traded = async (options: typeof small) =>
      (
        await collect(
          createDemoProvider(options, { clock: new InstantClock() }).fetchPrices(
            catalog,
            new AbortController().signal,
          ),
        )
      ).map((quote) => quote.item_id);
    const first = await traded(small);
    expect(first).toHaveLength(50);
    expect(first.slice(0, 5)).toEqual([8, 108, 208, 308, 408]);
    expect(new Set(first).size).toBe(50);
    expect(await traded(small)).toEqual(first);
    expect(await traded({ ...small, seed: SEED + 1 })).not.toEqual(first);
  });

  it('trades the priority items even when they alone exceed the size', () => {
    expect(demoMarket(SEED, catalog, 2).map((item) => item.id)).toEqual([8, 108, 208, 308, 408]);
  });
});

describe('demo provider batches', () => {
  it('yields a large catalog in batches, all at the same observed_at', async () => {
    const catalog = Array.from({ length: DEMO_BATCH_SIZE * 2 + 5 }, (_, index) =>
      pricedItem(index + 1, `Sticker | Test ${index}`),
    );
    const provider = createDemoProvider(USD, { clock: new InstantClock() });
    const batches: number[] = [];
    const seen = new Set<number>();
    for await (const batch of provider.fetchPrices(catalog, new AbortController().signal)) {
      batches.push(batch.length);
      for (const quote of batch) {
        seen.add(quote.item_id);
        expect(quote.observed_at).toEqual(batch[0]?.observed_at);
      }
    }
    expect(batches).toEqual([DEMO_BATCH_SIZE, DEMO_BATCH_SIZE, 5]);
    expect(seen.size).toBe(catalog.length);
  });

  it('stops between batches once aborted', async () => {
    const catalog = Array.from({ length: DEMO_BATCH_SIZE * 3 }, (_, index) =>
      pricedItem(index + 1, `Sticker | Test ${index}`),
    );
    const abort = new AbortController();
    const provider = createDemoProvider(USD, { clock: new InstantClock() });
    let batches = 0;
    for await (const _batch of provider.fetchPrices(catalog, abort.signal)) {
      batches += 1;
      abort.abort();
    }
    expect(batches).toBe(1);
  });
});
