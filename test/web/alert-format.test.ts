// How the alerts page words a rule's preview: each kind's value in its own
// unit (money, percent, σ, ×, a duration), and the conditions in a phrase.
import { describe, expect, it } from 'vitest';
import {
  conditionText,
  durationText,
  measuredText,
} from '../../web/src/pages/alerts/alert-format.js';

describe('the alerts page preview', () => {
  it('shows each kind’s value in its unit', () => {
    expect(measuredText('price_above', 26_480, 'USD')).toBe('$264.80');
    expect(measuredText('price_below', 5, 'USD')).toBe('$0.05');
    expect(measuredText('change', -3.456, 'USD')).toBe('−3.46%');
    expect(measuredText('portfolio_change', 12, 'USD')).toBe('+12.00%');
    expect(measuredText('bollinger', 2.345, 'USD')).toBe('+2.35σ from the mean');
    expect(measuredText('volume_spike', 4.2, 'USD')).toBe('4.20× the mean volume');
    expect(measuredText('stale', 7_500, 'USD')).toBe('last price 2 h 5 min old');
  });

  it('says a duration short, from seconds to days', () => {
    expect(durationText(45)).toBe('45 s');
    expect(durationText(60)).toBe('1 min');
    expect(durationText(3_600)).toBe('1 h');
    expect(durationText(90_000)).toBe('1 d 1 h');
    expect(durationText(172_800)).toBe('2 d');
  });

  it('says what a rule waits for', () => {
    expect(conditionText({ kind: 'price_above', level_cents: 25_000 }, 'USD')).toBe(
      'price at or above $250.00',
    );
    expect(
      conditionText(
        { kind: 'change', window: '24h', threshold_percent: 10, direction: 'down' },
        'USD',
      ),
    ).toBe('a fall of 10% or more over 24 hours');
    expect(conditionText({ kind: 'stale', max_age_seconds: 3_600 }, 'USD')).toBe(
      'no fresh price for more than 1 h',
    );
  });
});
