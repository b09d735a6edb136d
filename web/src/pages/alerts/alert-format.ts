// How the alerts page words a rule: each kind's name, its condition in a
// short phrase, and the value its preview measures, in that kind's own
// unit (money for a price level, percent for a change, σ for the band, ×
// for volume, a duration for a stale price). Plain functions, no React.

import type { AlertChannel, AlertKind } from '../../../../src/shared/alert-vocabulary.js';
import type { AlertCondition } from '../../../../src/shared/api-types.js';
import { money, percent } from '../../format.js';

export const KIND_NAMES: Readonly<Record<AlertKind, string>> = {
  price_above: 'Price above a level',
  price_below: 'Price below a level',
  change: 'Price change over a window',
  bollinger: 'Price outside its Bollinger band',
  volume_spike: 'Volume spike',
  stale: 'No fresh price (stale)',
  portfolio_change: 'Portfolio value change',
};

export const CHANNEL_NAMES: Readonly<Record<AlertChannel, string>> = {
  app: 'In the app',
  email: 'Email',
  webhook: 'Webhook',
};

const WINDOW_NAMES = { '1h': '1 hour', '24h': '24 hours', '7d': '7 days' } as const;
const DIRECTION_WORDS = { up: 'a rise', down: 'a fall', either: 'a move either way' } as const;

const signed = (value: number, digits: number) =>
  `${value > 0 ? '+' : value < 0 ? '−' : ''}${Math.abs(value).toFixed(digits)}`;

/** Seconds as a short duration: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function durationText(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** What the rule waits for, in a phrase. */
export function conditionText(condition: AlertCondition, currency: string): string {
  switch (condition.kind) {
    case 'price_above':
      return `price at or above ${money(condition.level_cents, currency)}`;
    case 'price_below':
      return `price at or below ${money(condition.level_cents, currency)}`;
    case 'change':
    case 'portfolio_change':
      return `${DIRECTION_WORDS[condition.direction]} of ${condition.threshold_percent}% or more over ${WINDOW_NAMES[condition.window]}`;
    case 'bollinger':
      return 'price outside its 24 h Bollinger band (±2σ)';
    case 'volume_spike':
      return `24 h volume at least ${condition.multiplier}× its 7-day mean`;
    case 'stale':
      return `no fresh price for more than ${durationText(condition.max_age_seconds)}`;
  }
}

/** A preview's value in the unit of the rule's kind. */
export function measuredText(kind: AlertKind, value: number, currency: string): string {
  switch (kind) {
    case 'price_above':
    case 'price_below':
      return money(value, currency);
    case 'change':
    case 'portfolio_change':
      return percent(value);
    case 'bollinger':
      return `${signed(value, 2)}σ from the mean`;
    case 'volume_spike':
      return `${value.toFixed(2)}× the mean volume`;
    case 'stale':
      return `last price ${durationText(value)} old`;
  }
}
