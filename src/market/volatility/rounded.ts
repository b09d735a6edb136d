// How a volatility leaves the server, over the API and the live feed alike.
import type { Volatility } from './cache.js';

/** Cents to a hundredth of a cent, ratios to six decimals: more is noise, not precision. */
export function roundedVolatility(volatility: Volatility) {
  const cents = (value: number) => Math.round(value * 100) / 100;
  const ratio = (value: number | null) => (value === null ? null : Math.round(value * 1e6) / 1e6);
  const { bollinger } = volatility;
  return {
    points: volatility.points,
    computed_at: volatility.computed_at,
    mean_cents: cents(volatility.mean_cents),
    stddev_cents: cents(volatility.stddev_cents),
    percent_change: ratio(volatility.percent_change),
    coefficient_of_variation: ratio(volatility.coefficient_of_variation),
    trend_score: ratio(volatility.trend_score),
    bollinger: {
      middle: cents(bollinger.middle),
      upper: cents(bollinger.upper),
      lower: cents(bollinger.lower),
      percent_b: ratio(bollinger.percent_b),
    },
  };
}
