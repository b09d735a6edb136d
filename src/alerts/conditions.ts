// What each kind of alert rule measures, and when it is true. Every kind is
// reduced to one shape, a score against a threshold, "true when score >=
// threshold", so that one re-arm rule serves them all (hysteresis.ts): a
// price below a level scores the negated price, a band breach scores how
// many standard deviations the price is from the band's middle. The facts a
// kind reads (a price, a past price, a band, volumes, an age, a portfolio's
// values) are gathered by the evaluator; a kind whose facts are missing
// (no price yet, too little history) is not evaluated at all, so it neither
// fires nor re-arms on a guess.
import type {
  AlertKind,
  AlertParams,
  ChangeWindow,
  Direction,
} from '../shared/alert-vocabulary.js';

export type { AlertKind, AlertParams, ChangeWindow, Direction };

/** One item's price facts from one source, as the evaluator gathered them. */
export interface PriceFacts {
  readonly priceCents: number;
  /** Epoch milliseconds the source observed the price. */
  readonly observedAt: number;
  /** The price at or before `now - window`, per window that has one. */
  readonly pastPriceCents?: Partial<Record<ChangeWindow, number>>;
  /** The 20-period band over the last 24 hours, when there is enough history. */
  readonly band?: { readonly middle: number; readonly stddev: number; readonly width: number };
  /** Units sold over the last 24 hours, and the mean of that over the last 7 days. */
  readonly volume24h?: number;
  readonly volumeMean7d?: number;
}

/** A portfolio's value now and at the start of the rule's window. */
export interface PortfolioFacts {
  readonly valueCents: number;
  readonly pastValueCents: Partial<Record<ChangeWindow, number>>;
}

export type Facts =
  | { readonly kind: 'price'; readonly price: PriceFacts; readonly now: number }
  | { readonly kind: 'portfolio'; readonly portfolio: PortfolioFacts; readonly now: number };

export interface Measure {
  /** The rule is true when score >= threshold. */
  readonly score: number;
  readonly threshold: number;
  /** What the user set the rule on, in the rule's own unit (cents, percent, sigmas, ratio, seconds). */
  readonly value: number;
}

function percentChange(from: number, to: number): number | null {
  return from > 0 ? ((to - from) / from) * 100 : null;
}

function directed(change: number, direction: Direction): number {
  if (direction === 'up') return change;
  if (direction === 'down') return -change;
  return Math.abs(change);
}

/** The rule's score and threshold from `facts`, or null when the facts cannot say. */
export function measure(params: AlertParams, facts: Facts): Measure | null {
  if (params.kind === 'portfolio_change') {
    if (facts.kind !== 'portfolio') return null;
    const past = facts.portfolio.pastValueCents[params.window];
    const change = past === undefined ? null : percentChange(past, facts.portfolio.valueCents);
    if (change === null) return null;
    return {
      score: directed(change, params.direction),
      threshold: params.threshold_percent,
      value: change,
    };
  }
  if (facts.kind !== 'price') return null;
  const price = facts.price;
  switch (params.kind) {
    case 'price_above':
      return { score: price.priceCents, threshold: params.level_cents, value: price.priceCents };
    case 'price_below':
      return { score: -price.priceCents, threshold: -params.level_cents, value: price.priceCents };
    case 'change': {
      const past = price.pastPriceCents?.[params.window];
      const change = past === undefined ? null : percentChange(past, price.priceCents);
      if (change === null) return null;
      return {
        score: directed(change, params.direction),
        threshold: params.threshold_percent,
        value: change,
      };
    }
    case 'bollinger': {
      const band = price.band;
      if (!band || band.stddev <= 0) return null;
      const sigmas = (price.priceCents - band.middle) / band.stddev;
      return { score: Math.abs(sigmas), threshold: band.width, value: sigmas };
    }
    case 'volume_spike': {
      const { volume24h, volumeMean7d } = price;
      if (volume24h === undefined || volumeMean7d === undefined || volumeMean7d <= 0) return null;
      const ratio = volume24h / volumeMean7d;
      return { score: ratio, threshold: params.multiplier, value: ratio };
    }
    case 'stale': {
      const ageSeconds = Math.max(0, (facts.now - price.observedAt) / 1000);
      return { score: ageSeconds, threshold: params.max_age_seconds, value: ageSeconds };
    }
  }
}
