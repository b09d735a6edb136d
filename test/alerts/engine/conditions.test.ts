// What each kind measures: a score against a threshold, "true when score >=
// threshold", and null (not evaluated at all) when its facts cannot say.
import { describe, expect, it } from 'vitest';
import { type Facts, measure, type PriceFacts } from '../../../src/alerts/conditions.js';

const NOW = Date.UTC(2026, 10, 17, 12);

const priced = (price: Partial<PriceFacts> = {}): Facts => ({
  kind: 'price',
  now: NOW,
  price: { priceCents: 1000, observedAt: NOW, ...price },
});

describe('price levels', () => {
  it('price_above scores the price against the level', () => {
    expect(measure({ kind: 'price_above', level_cents: 1000 }, priced())).toEqual({
      score: 1000,
      threshold: 1000,
      value: 1000,
    });
  });

  it('price_below scores the negated price, so a lower price scores higher', () => {
    const below = (cents: number) =>
      measure({ kind: 'price_below', level_cents: 1000 }, priced({ priceCents: cents }));
    expect(below(999)).toEqual({ score: -999, threshold: -1000, value: 999 });
    const isTrue = (cents: number) => {
      const measured = below(cents);
      return measured !== null && measured.score >= measured.threshold;
    };
    expect(isTrue(1001)).toBe(false);
    expect(isTrue(1000)).toBe(true);
    expect(isTrue(999)).toBe(true);
  });
});

describe('change over a window', () => {
  const change = (direction: 'up' | 'down' | 'either', cents: number) =>
    measure(
      { kind: 'change', window: '24h', threshold_percent: 10, direction },
      priced({ priceCents: cents, pastPriceCents: { '24h': 1000 } }),
    );

  it('is the percent change from the price one window ago, directed', () => {
    expect(change('up', 1150)).toEqual({ score: 15, threshold: 10, value: 15 });
    expect(change('down', 1150)).toEqual({ score: -15, threshold: 10, value: 15 });
    expect(change('either', 1150)).toEqual({ score: 15, threshold: 10, value: 15 });
    expect(change('up', 850)).toEqual({ score: -15, threshold: 10, value: -15 });
    expect(change('down', 850)).toEqual({ score: 15, threshold: 10, value: -15 });
    expect(change('either', 850)).toEqual({ score: 15, threshold: 10, value: -15 });
  });

  it('reads the past price of its own window only', () => {
    const params = {
      kind: 'change',
      window: '7d',
      threshold_percent: 10,
      direction: 'up',
    } as const;
    expect(measure(params, priced({ pastPriceCents: { '24h': 500, '1h': 500 } }))).toBeNull();
    expect(measure(params, priced({ pastPriceCents: { '7d': 800 } }))?.value).toBe(25);
  });

  it('is null without a past price, or with a past price of zero', () => {
    const params = {
      kind: 'change',
      window: '1h',
      threshold_percent: 1,
      direction: 'either',
    } as const;
    expect(measure(params, priced())).toBeNull();
    expect(measure(params, priced({ pastPriceCents: { '1h': 0 } }))).toBeNull();
  });
});

describe('bollinger', () => {
  it('scores how many standard deviations the price is from the middle, against the width', () => {
    const band = { middle: 1000, stddev: 20, width: 2 };
    expect(measure({ kind: 'bollinger' }, priced({ priceCents: 1050, band }))).toEqual({
      score: 2.5,
      threshold: 2,
      value: 2.5,
    });
    expect(measure({ kind: 'bollinger' }, priced({ priceCents: 930, band }))).toEqual({
      score: 3.5,
      threshold: 2,
      value: -3.5,
    });
  });

  it('is null without a band, or with a band of no width', () => {
    expect(measure({ kind: 'bollinger' }, priced())).toBeNull();
    expect(
      measure({ kind: 'bollinger' }, priced({ band: { middle: 1000, stddev: 0, width: 2 } })),
    ).toBeNull();
  });
});

describe('volume_spike', () => {
  it('scores the 24 h volume over the 7-day mean', () => {
    expect(
      measure(
        { kind: 'volume_spike', multiplier: 3 },
        priced({ volume24h: 350, volumeMean7d: 100 }),
      ),
    ).toEqual({ score: 3.5, threshold: 3, value: 3.5 });
  });

  it('is null without either volume, or with a mean of zero', () => {
    const params = { kind: 'volume_spike', multiplier: 3 } as const;
    expect(measure(params, priced({ volume24h: 350 }))).toBeNull();
    expect(measure(params, priced({ volumeMean7d: 100 }))).toBeNull();
    expect(measure(params, priced({ volume24h: 350, volumeMean7d: 0 }))).toBeNull();
  });
});

describe('stale', () => {
  it("scores the price's age in seconds at the evaluation's time", () => {
    const params = { kind: 'stale', max_age_seconds: 3600 } as const;
    expect(measure(params, priced({ observedAt: NOW - 5_400_000 }))).toEqual({
      score: 5400,
      threshold: 3600,
      value: 5400,
    });
    // A price observed after `now` (clocks differ) is fresh, not negatively old.
    expect(measure(params, priced({ observedAt: NOW + 10_000 }))?.score).toBe(0);
  });
});

describe('portfolio_change', () => {
  const params = {
    kind: 'portfolio_change',
    window: '7d',
    threshold_percent: 5,
    direction: 'down',
  } as const;

  it("is the directed change of the portfolio's value from the window's snapshot", () => {
    const facts: Facts = {
      kind: 'portfolio',
      now: NOW,
      portfolio: { valueCents: 9000, pastValueCents: { '7d': 10_000, '24h': 8000 } },
    };
    expect(measure(params, facts)).toEqual({ score: 10, threshold: 5, value: -10 });
  });

  it('is null without the snapshot, and for price facts; price kinds are null for portfolio facts', () => {
    const portfolio: Facts = {
      kind: 'portfolio',
      now: NOW,
      portfolio: { valueCents: 9000, pastValueCents: { '24h': 10_000 } },
    };
    expect(measure(params, portfolio)).toBeNull();
    expect(measure(params, priced())).toBeNull();
    expect(measure({ kind: 'price_above', level_cents: 1 }, portfolio)).toBeNull();
  });
});
