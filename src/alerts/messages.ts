// What a fired alert says, in one sentence a trader can act on: which item,
// what happened, by how much, and from which source. A band breach says by
// how many standard deviations the price left the band, so the reader knows
// whether it is a wobble or a move.
import type { AlertParams } from '../shared/alert-vocabulary.js';
import type { Measure } from './conditions.js';

export interface MessageContext {
  /** The item's market name, or null for a rule about the portfolio. */
  readonly itemName: string | null;
  readonly source: string;
  readonly currency: string;
}

/** One formatter per currency: building one costs far more than formatting with it. */
const formatters = new Map<string, Intl.NumberFormat>();

function money(cents: number, currency: string): string {
  let format = formatters.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    formatters.set(currency, format);
  }
  return format.format(cents / 100);
}

const signed = (value: number, digits = 1) =>
  `${value > 0 ? '+' : value < 0 ? '−' : ''}${Math.abs(value).toFixed(digits)}`;

const WINDOW_WORDS = { '1h': 'an hour', '24h': '24 hours', '7d': '7 days' } as const;

function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} seconds`;
  if (seconds < 7_200) return `${Math.round(seconds / 60)} minutes`;
  if (seconds < 172_800) return `${(seconds / 3_600).toFixed(1)} hours`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

export function alertTitle(params: AlertParams, context: MessageContext): string {
  const subject = context.itemName ?? 'Your portfolio';
  switch (params.kind) {
    case 'price_above':
      return `${subject} is above ${money(params.level_cents, context.currency)}`;
    case 'price_below':
      return `${subject} is below ${money(params.level_cents, context.currency)}`;
    case 'change':
    case 'portfolio_change':
      return `${subject} moved past ${params.threshold_percent}% in ${WINDOW_WORDS[params.window]}`;
    case 'bollinger':
      return `${subject} left its Bollinger band`;
    case 'volume_spike':
      return `${subject}: volume spike`;
    case 'stale':
      return `${subject}: no fresh price`;
  }
}

/** The alert's sentence, from the measure that fired it. */
export function alertMessage(
  params: AlertParams,
  measured: Measure,
  context: MessageContext,
): string {
  const subject = context.itemName ?? 'Your portfolio';
  const from = ` (${context.source})`;
  const { currency } = context;
  switch (params.kind) {
    case 'price_above':
      return `${subject} is at ${money(measured.value, currency)}, at or above your level of ${money(params.level_cents, currency)}${from}.`;
    case 'price_below':
      return `${subject} is at ${money(measured.value, currency)}, at or below your level of ${money(params.level_cents, currency)}${from}.`;
    case 'change':
      return `${subject} changed ${signed(measured.value)}% in ${WINDOW_WORDS[params.window]}, past your ${params.threshold_percent}%${from}.`;
    case 'portfolio_change':
      return `Your portfolio's value changed ${signed(measured.value)}% in ${WINDOW_WORDS[params.window]}, past your ${params.threshold_percent}%.`;
    case 'bollinger': {
      const beyond = Math.abs(measured.value) - measured.threshold;
      const side = measured.value > 0 ? 'above the upper' : 'below the lower';
      return `${subject} is ${beyond.toFixed(2)}σ ${side} band (${signed(measured.value, 2)}σ from the 24 h mean, the band is ±${measured.threshold}σ)${from}.`;
    }
    case 'volume_spike':
      return `${subject} sold ${measured.value.toFixed(1)}× its 7-day mean volume in the last 24 hours, past your ${params.multiplier}×${from}.`;
    case 'stale':
      return `${subject} has had no fresh price for ${duration(measured.value)}, longer than your ${duration(params.max_age_seconds)}${from}.`;
  }
}
