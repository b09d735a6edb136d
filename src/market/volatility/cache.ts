// The latest volatility of each (source, window, item), as JSON in the store:
// the API and the rankings read it, and it is what the `volatility` channel
// carries. An entry lives one window length after it was computed: by then
// every point behind it has left the window, so a series that stopped
// receiving prices cannot leave a volatility behind that is no longer true.
import type { Store } from '../../platform/store/index.js';
import { type PriceSource, type VolatilityWindow, WINDOW_MS } from '../types.js';
import type { VolatilityMetrics } from './formulas.js';

export interface Volatility extends VolatilityMetrics {
  readonly item_id: number;
  readonly source: PriceSource;
  readonly window: VolatilityWindow;
  /** ISO 8601: the `now` the window ended at. */
  readonly computed_at: string;
}

export interface VolatilityAddress {
  readonly itemId: number;
  readonly source: PriceSource;
  readonly window: VolatilityWindow;
}

export function volatilityKey(source: PriceSource, window: VolatilityWindow, itemId: number) {
  return `volatility:${source}:${window}:${itemId}`;
}

export const volatilityTtlMs = (window: VolatilityWindow) => WINDOW_MS[window];

export async function cachedVolatility(
  store: Store,
  address: VolatilityAddress,
): Promise<Volatility | null> {
  const text = await store.get(volatilityKey(address.source, address.window, address.itemId));
  return text === null ? null : (JSON.parse(text) as Volatility);
}

/** Whether two results of one (item, source, window) differ in anything but when they were computed. */
export function sameMetrics(a: VolatilityMetrics, b: VolatilityMetrics): boolean {
  return (
    a.points === b.points &&
    a.mean_cents === b.mean_cents &&
    a.stddev_cents === b.stddev_cents &&
    a.percent_change === b.percent_change &&
    a.coefficient_of_variation === b.coefficient_of_variation &&
    a.trend_score === b.trend_score &&
    a.bollinger.middle === b.bollinger.middle &&
    a.bollinger.upper === b.bollinger.upper &&
    a.bollinger.lower === b.bollinger.lower &&
    a.bollinger.percent_b === b.bollinger.percent_b
  );
}
