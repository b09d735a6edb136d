// What a fired alert says, kind by kind: the item, what happened, by how
// much, and the source; a band breach in sigmas.
import { describe, expect, it } from 'vitest';
import { measure } from '../../../src/alerts/conditions.js';
import { alertMessage, alertTitle } from '../../../src/alerts/messages.js';
import type { AlertParams } from '../../../src/shared/alert-vocabulary.js';

const context = { itemName: 'AK-47 | Redline (Field-Tested)', source: 'steam', currency: 'USD' };
const at = (score: number, threshold: number, value = score) => ({ score, threshold, value });

describe('alertMessage', () => {
  it('price levels: the price and the level, in the currency', () => {
    expect(
      alertMessage({ kind: 'price_above', level_cents: 150_000 }, at(152_345, 150_000), context),
    ).toBe(
      'AK-47 | Redline (Field-Tested) is at $1,523.45, at or above your level of $1,500.00 (steam).',
    );
    expect(
      alertMessage({ kind: 'price_below', level_cents: 999 }, at(-990, -999, 990), {
        ...context,
        currency: 'EUR',
      }),
    ).toBe('AK-47 | Redline (Field-Tested) is at €9.90, at or below your level of €9.99 (steam).');
  });

  it('change: signed, one decimal, the window in words', () => {
    const params = (window: '1h' | '24h' | '7d'): AlertParams => ({
      kind: 'change',
      window,
      threshold_percent: 5,
      direction: 'either',
    });
    expect(alertMessage(params('1h'), at(6.25, 5, 6.25), context)).toBe(
      'AK-47 | Redline (Field-Tested) changed +6.3% in an hour, past your 5% (steam).',
    );
    expect(alertMessage(params('24h'), at(7, 5, -7), context)).toBe(
      'AK-47 | Redline (Field-Tested) changed −7.0% in 24 hours, past your 5% (steam).',
    );
    expect(alertMessage(params('7d'), at(50, 5, 50), context)).toContain('in 7 days');
  });

  it('bollinger: how far past the band, and from the mean, in sigmas', () => {
    const facts = {
      kind: 'price' as const,
      now: 0,
      price: { priceCents: 1070, observedAt: 0, band: { middle: 1000, stddev: 20, width: 2 } },
    };
    const measured = measure({ kind: 'bollinger' }, facts);
    if (!measured) throw new Error('no measure');
    expect(alertMessage({ kind: 'bollinger' }, measured, context)).toBe(
      'AK-47 | Redline (Field-Tested) is 1.50σ above the upper band (+3.50σ from the 24 h mean, the band is ±2σ) (steam).',
    );
    expect(alertMessage({ kind: 'bollinger' }, at(2.25, 2, -2.25), context)).toBe(
      'AK-47 | Redline (Field-Tested) is 0.25σ below the lower band (−2.25σ from the 24 h mean, the band is ±2σ) (steam).',
    );
  });

  it('volume spike: the multiple of the mean and the multiplier set', () => {
    expect(alertMessage({ kind: 'volume_spike', multiplier: 3 }, at(4.44, 3), context)).toBe(
      'AK-47 | Redline (Field-Tested) sold 4.4× its 7-day mean volume in the last 24 hours, past your 3× (steam).',
    );
  });

  it('stale: ages in seconds, minutes, hours or days', () => {
    const stale = (seconds: number, bound: number) =>
      alertMessage({ kind: 'stale', max_age_seconds: bound }, at(seconds, bound), context);
    expect(stale(90, 60)).toBe(
      'AK-47 | Redline (Field-Tested) has had no fresh price for 90 seconds, longer than your 60 seconds (steam).',
    );
    expect(stale(3_600, 1_800)).toContain('for 60 minutes, longer than your 30 minutes');
    expect(stale(9_000, 7_200)).toContain('for 2.5 hours, longer than your 2.0 hours');
    expect(stale(259_200, 172_800)).toContain('for 3.0 days, longer than your 2.0 days');
  });

  it('portfolio change: the portfolio, no item, no source', () => {
    expect(
      alertMessage(
        { kind: 'portfolio_change', window: '24h', threshold_percent: 10, direction: 'down' },
        at(12, 10, -12),
        { ...context, itemName: null, source: 'portfolio' },
      ),
    ).toBe("Your portfolio's value changed −12.0% in 24 hours, past your 10%.");
  });
});

describe('alertTitle', () => {
  it('names the item and the kind in a few words', () => {
    expect(alertTitle({ kind: 'price_above', level_cents: 2500 }, context)).toBe(
      'AK-47 | Redline (Field-Tested) is above $25.00',
    );
    expect(alertTitle({ kind: 'price_below', level_cents: 2500 }, context)).toBe(
      'AK-47 | Redline (Field-Tested) is below $25.00',
    );
    expect(
      alertTitle(
        { kind: 'portfolio_change', window: '7d', threshold_percent: 5, direction: 'up' },
        { ...context, itemName: null },
      ),
    ).toBe('Your portfolio moved past 5% in 7 days');
    expect(alertTitle({ kind: 'bollinger' }, context)).toBe(
      'AK-47 | Redline (Field-Tested) left its Bollinger band',
    );
    expect(alertTitle({ kind: 'volume_spike', multiplier: 2 }, context)).toBe(
      'AK-47 | Redline (Field-Tested): volume spike',
    );
    expect(alertTitle({ kind: 'stale', max_age_seconds: 60 }, context)).toBe(
      'AK-47 | Redline (Field-Tested): no fresh price',
    );
  });
});
