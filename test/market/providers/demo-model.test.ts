// The demo market's model over the real catalog (about 37,000 items from
// @ianlucas/cs2-lib): levels plausible for what each item is, within the
// ranges docs/market-data.md states; volume falling as price rises; liquid
// items ticking every step and the rest rarely, within the storage budget;
// and every number a pure function of the seed, the item and the step.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_STEP_MS,
  type DemoItemModel,
  demoItemModel,
  demoRowsPerDay,
  latestTickStep,
  MAX_TICK_PERIOD_STEPS,
  quoteAtStep,
  STEPS_PER_DAY,
  skinFamily,
  stepAt,
  TICKS_PER_SALE,
  tickSteps,
} from '../../../src/market/providers/demo-model.js';
import type { PricedItem } from '../../../src/market/types.js';
import { realCatalogItems } from '../../support/market.js';

const SEED = 1;
const USD = { seed: SEED, currency: 'USD' } as const;
const AT = Date.parse('2026-11-17T12:00:00Z');
const DOLLAR = 100;

let catalog: PricedItem[];
let models: DemoItemModel[];
/** Each item's price at AT, in US cents: its latest tick's. */
let prices: number[];

beforeAll(async () => {
  catalog = await realCatalogItems();
  models = catalog.map((item) => demoItemModel(SEED, item));
  prices = models.map(
    (model) => quoteAtStep(USD, model, latestTickStep(model, stepAt(AT))).price_cents,
  );
});

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Prices at AT of the catalog items `where` picks. */
function pricesOf(where: (item: PricedItem) => boolean): number[] {
  return catalog.flatMap((item, index) => (where(item) ? [prices[index] ?? 0] : []));
}

const RIFLES = new Set(['AK-47', 'M4A4', 'M4A1-S', 'AWP', 'FAMAS', 'Galil AR', 'AUG', 'SG 553']);

/**
 * The ranges docs/market-data.md ("Price levels over the catalog") states:
 * the median of each group's prices, and the lowest and highest any item
 * of it may have, in US cents.
 */
const DOCUMENTED: readonly {
  readonly group: string;
  readonly where: (item: PricedItem) => boolean;
  readonly median: readonly [number, number];
  readonly range: readonly [number, number];
}[] = [
  {
    group: '★ knives',
    where: (item) => item.category === 'knife',
    median: [150 * DOLLAR, 600 * DOLLAR],
    range: [25 * DOLLAR, 5000 * DOLLAR],
  },
  {
    group: '★ gloves',
    where: (item) => item.category === 'gloves',
    median: [150 * DOLLAR, 600 * DOLLAR],
    range: [25 * DOLLAR, 3000 * DOLLAR],
  },
  {
    group: 'Covert rifle skins',
    where: (item) =>
      item.category === 'skin' &&
      item.rarity === 'Covert' &&
      RIFLES.has(item.weaponType ?? '') &&
      !item.stattrak &&
      !item.souvenir,
    median: [20 * DOLLAR, 100 * DOLLAR],
    range: [2 * DOLLAR, 2500 * DOLLAR],
  },
  {
    group: 'Classified skins',
    where: (item) => item.category === 'skin' && item.rarity === 'Classified',
    median: [5 * DOLLAR, 20 * DOLLAR],
    range: [30, 1000 * DOLLAR],
  },
  {
    group: 'Restricted skins',
    where: (item) => item.category === 'skin' && item.rarity === 'Restricted',
    median: [1 * DOLLAR, 5 * DOLLAR],
    range: [5, 200 * DOLLAR],
  },
  {
    group: 'Mil-Spec skins',
    where: (item) => item.category === 'skin' && item.rarity === 'Mil-Spec Grade',
    median: [20, 100],
    range: [3, 50 * DOLLAR],
  },
  {
    group: 'Industrial and Consumer skins',
    where: (item) =>
      item.category === 'skin' &&
      (item.rarity === 'Industrial Grade' || item.rarity === 'Consumer Grade'),
    median: [3, 30],
    range: [3, 10 * DOLLAR],
  },
  {
    group: 'stickers below Exotic',
    where: (item) =>
      item.category === 'sticker' && (item.rarity === 'High Grade' || item.rarity === 'Remarkable'),
    median: [3, 50],
    range: [3, 5 * DOLLAR],
  },
  {
    group: 'Exotic and Extraordinary stickers',
    where: (item) =>
      item.category === 'sticker' && (item.rarity === 'Exotic' || item.rarity === 'Extraordinary'),
    median: [1 * DOLLAR, 5 * DOLLAR],
    range: [5, 100 * DOLLAR],
  },
  {
    group: 'graffiti',
    where: (item) => item.category === 'graffiti',
    median: [3, 20],
    range: [3, 5 * DOLLAR],
  },
  {
    group: 'patches',
    where: (item) => item.category === 'patch',
    median: [30, 3 * DOLLAR],
    range: [5, 20 * DOLLAR],
  },
  {
    group: 'cases and capsules',
    where: (item) => item.category === 'container',
    median: [20, 2 * DOLLAR],
    range: [3, 50 * DOLLAR],
  },
  {
    group: 'keys',
    where: (item) => item.category === 'key',
    median: [220, 280],
    range: [200, 300],
  },
  {
    group: 'music kits',
    where: (item) => item.category === 'music_kit',
    median: [2 * DOLLAR, 10 * DOLLAR],
    range: [50, 60 * DOLLAR],
  },
  {
    group: 'agents',
    where: (item) => item.category === 'agent',
    median: [2 * DOLLAR, 15 * DOLLAR],
    range: [30, 60 * DOLLAR],
  },
  {
    group: 'charms',
    where: (item) => item.category === 'charm',
    median: [50, 5 * DOLLAR],
    range: [3, 500 * DOLLAR],
  },
  {
    group: 'pins',
    where: (item) => item.category === 'collectible',
    median: [5 * DOLLAR, 40 * DOLLAR],
    range: [2 * DOLLAR, 150 * DOLLAR],
  },
];

describe('demo price levels over the real catalog', () => {
  it('covers the whole catalog, every price a whole number of cents of at least 3', () => {
    expect(catalog.length).toBeGreaterThan(37_000);
    expect(prices.filter((price) => !Number.isSafeInteger(price) || price < 3)).toEqual([]);
  });

  it.each(DOCUMENTED)(
    '$group: the median and every price within the documented ranges',
    ({ where, median: [lowestMedian, highestMedian], range: [lowest, highest] }) => {
      const group = pricesOf(where);
      expect(group.length).toBeGreaterThan(0);
      expect(median(group)).toBeGreaterThanOrEqual(lowestMedian);
      expect(median(group)).toBeLessThanOrEqual(highestMedian);
      expect(Math.min(...group)).toBeGreaterThanOrEqual(lowest);
      expect(Math.max(...group)).toBeLessThanOrEqual(highest);
    },
  );

  it('prices what the trader complained about as what it is', () => {
    const priceOf = (name: string) => pricesOf((item) => item.marketHashName === name)[0] ?? 0;
    expect(priceOf('AK-47 | X-Ray (Field-Tested)')).toBeGreaterThan(5 * DOLLAR);
    for (const name of [
      'P90 | Asiimov (Minimal Wear)',
      'P250 | Asiimov (Minimal Wear)',
      'AK-47 | Asiimov (Minimal Wear)',
    ]) {
      expect(priceOf(name), name).toBeGreaterThan(5 * DOLLAR);
    }
  });

  it('keeps the order of wears, StatTrak™ and Souvenir within every skin', () => {
    const wears = ['Factory New', 'Minimal Wear', 'Field-Tested', 'Well-Worn', 'Battle-Scarred'];
    /** Level by exterior, for each (skin, StatTrak™, Souvenir). */
    const variants = new Map<string, Map<string, number>>();
    const variantKey = (family: string, stattrak: boolean, souvenir: boolean) =>
      JSON.stringify([family, stattrak, souvenir]);
    catalog.forEach((item, index) => {
      if (item.exterior === null) return;
      const key = variantKey(skinFamily(item), item.stattrak, item.souvenir);
      const byWear = variants.get(key) ?? new Map<string, number>();
      byWear.set(item.exterior, models[index]?.levelCents ?? 0);
      variants.set(key, byWear);
    });
    const outOfOrder: string[] = [];
    let compared = 0;
    for (const [key, byWear] of variants) {
      const present = wears.filter((wear) => byWear.has(wear));
      for (let index = 1; index < present.length; index += 1) {
        const better = byWear.get(present[index - 1] ?? '') ?? 0;
        if (better <= (byWear.get(present[index] ?? '') ?? 0))
          outOfOrder.push(`${key} ${present[index]}`);
        compared += 1;
      }
      const [family, stattrak, souvenir] = JSON.parse(key) as [string, boolean, boolean];
      if (!stattrak && !souvenir) continue;
      const plain = variants.get(variantKey(family, false, false));
      for (const [wear, level] of byWear) {
        const plainLevel = plain?.get(wear);
        if (plainLevel === undefined) continue;
        if (level <= plainLevel) outOfOrder.push(`${key} ${wear} not above plain`);
        compared += 1;
      }
    }
    expect(outOfOrder).toEqual([]);
    expect(compared).toBeGreaterThan(10_000);
  });

  it('sells fewer units of dearer items: the median volume falls across price tenths', () => {
    const byPrice = models
      .filter((_, index) => catalog[index]?.category === 'skin')
      .sort((a, b) => a.levelCents - b.levelCents);
    const tenth = Math.floor(byPrice.length / 10);
    const medians = Array.from({ length: 10 }, (_, decile) =>
      median(byPrice.slice(decile * tenth, (decile + 1) * tenth).map((m) => m.dailyVolume)),
    );
    for (let decile = 1; decile < 10; decile += 1) {
      expect(medians[decile]).toBeLessThan(medians[decile - 1] ?? 0);
    }
  });

  it('prices in the configured currency at a rough rate, with the same walk and volume', () => {
    const model = models.find((m) => m.levelCents > 100 * DOLLAR) as DemoItemModel;
    const inUsd = quoteAtStep(USD, model, stepAt(AT));
    const inRub = quoteAtStep({ seed: SEED, currency: 'RUB' }, model, stepAt(AT));
    expect(inRub.price_cents / inUsd.price_cents).toBeCloseTo(90, 0);
    expect(inRub.volume).toBe(inUsd.volume);
  });
});

describe('demo ticks', () => {
  /** The expected rows a day over the real catalog stay within these (docs/market-data.md). */
  const BUDGET = { prices: 90_000, hourlyRollups: 25_000, dailyRollups: 8_000 };

  it('writes within the stated rows a day over the real catalog', () => {
    const perDay = demoRowsPerDay(models);
    expect(perDay.prices).toBeLessThan(BUDGET.prices);
    expect(perDay.hourlyRollups).toBeLessThan(BUDGET.hourlyRollups);
    expect(perDay.dailyRollups).toBeLessThan(BUDGET.dailyRollups);
  });

  it('ticks the most traded items every step and the least traded about once a week', () => {
    const liquid = models.filter((m) => m.tickPeriodSteps === 1);
    const hourly = models.filter((m) => m.tickPeriodSteps <= 60);
    const weekly = models.filter((m) => m.tickPeriodSteps === MAX_TICK_PERIOD_STEPS);
    expect(liquid.length).toBeGreaterThanOrEqual(10);
    expect(hourly.length).toBeGreaterThanOrEqual(200);
    expect(weekly.length).toBeGreaterThan(catalog.length / 2);

    const from = stepAt(AT);
    const day = from + STEPS_PER_DAY;
    for (const model of liquid) {
      expect(tickSteps(model, from, day)).toHaveLength(STEPS_PER_DAY);
    }
    for (const model of weekly.slice(0, 200)) {
      expect(tickSteps(model, from, day + 7 * STEPS_PER_DAY).length).toBeLessThanOrEqual(2);
      expect(tickSteps(model, from, from + 14 * STEPS_PER_DAY).length).toBeGreaterThanOrEqual(1);
    }
  });

  it('ticks more often for more traded value, at most a few times per unit sold', () => {
    // The period is rounded to whole steps: at most twice the ticks asked for.
    const tooOften = models.filter(
      (model) =>
        STEPS_PER_DAY / model.tickPeriodSteps >
        Math.max(2 * TICKS_PER_SALE * model.dailyVolume, STEPS_PER_DAY / MAX_TICK_PERIOD_STEPS),
    );
    expect(tooOften).toEqual([]);
    const tradedValue = (m: DemoItemModel) => m.levelCents * m.dailyVolume;
    const sorted = [...models].sort((a, b) => tradedValue(b) - tradedValue(a));
    const top = sorted.slice(0, 100).map((m) => m.tickPeriodSteps);
    const bottom = sorted.slice(-1000).map((m) => m.tickPeriodSteps);
    expect(median(top)).toBeLessThan(median(bottom));
  });

  it('finds the latest tick and the ticks of any span consistently, one per period window', () => {
    const sample = models.filter((_, index) => index % 97 === 0);
    fc.assert(
      fc.property(
        fc.constantFrom(...sample),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 3 * STEPS_PER_DAY }),
        (model, start, length) => {
          const ticks = tickSteps(model, start, start + length);
          expect([...ticks].sort((a, b) => a - b)).toEqual(ticks);
          for (const tick of ticks) {
            expect(tick).toBeGreaterThan(start);
            expect(tick).toBeLessThanOrEqual(start + length);
            expect(latestTickStep(model, tick)).toBe(tick);
          }
          const latest = latestTickStep(model, start + length);
          expect(latest).toBeLessThanOrEqual(start + length);
          expect(start + length - latest).toBeLessThan(2 * model.tickPeriodSteps);
          if (ticks.length > 0) expect(ticks.at(-1)).toBe(latest);
          else expect(latest).toBeLessThanOrEqual(start);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('demo walk', () => {
  it('is a pure function of (seed, item, step): models and quotes built twice agree', () => {
    const sample = catalog.filter((_, index) => index % 500 === 0);
    for (const item of sample) {
      const a = demoItemModel(SEED, item);
      const b = demoItemModel(SEED, { ...item });
      expect(b).toEqual(a);
      expect(quoteAtStep(USD, b, stepAt(AT) + 17)).toEqual(quoteAtStep(USD, a, stepAt(AT) + 17));
    }
    const item = sample[3] as PricedItem;
    const walk = (seed: number, subject: PricedItem) =>
      Array.from(
        { length: 50 },
        (_, hour) =>
          quoteAtStep(
            { seed, currency: 'USD' },
            demoItemModel(seed, subject),
            stepAt(AT) + hour * 60,
          ).price_cents,
      );
    expect(walk(2, item)).not.toEqual(walk(1, item));
    expect(walk(1, { ...item, id: item.id + 100_000 })).not.toEqual(walk(1, item));
  });

  it('moves in small steps around its level, with occasional jumps, over a simulated week', () => {
    const dear = models.filter((m) => m.levelCents > 10 * DOLLAR).slice(0, 40);
    const stride = 5;
    let moves = 0;
    let jumps = 0;
    let lowest = Number.POSITIVE_INFINITY;
    let highest = 0;
    for (const model of dear) {
      let previous = quoteAtStep(USD, model, stepAt(AT)).price_cents;
      for (let step = stride; step < 7 * STEPS_PER_DAY; step += stride) {
        const price = quoteAtStep(USD, model, stepAt(AT) + step).price_cents;
        lowest = Math.min(lowest, price / model.levelCents);
        highest = Math.max(highest, price / model.levelCents);
        const change = Math.abs(Math.log(price / previous));
        moves += 1;
        if (change > 0.04) jumps += 1;
        previous = price;
      }
    }
    expect(lowest).toBeGreaterThan(0.4);
    expect(highest).toBeLessThan(2.5);
    expect(jumps).toBeGreaterThan(0);
    expect(jumps / moves).toBeLessThan(0.01);
  });

  it('gives a quote at the start of its step', () => {
    const model = models[0] as DemoItemModel;
    expect(quoteAtStep(USD, model, stepAt(AT)).observed_at).toEqual(
      new Date(Math.floor(AT / DEMO_STEP_MS) * DEMO_STEP_MS),
    );
  });
});
