// The floors below which a move is noise, not a move, shared by the movers
// and the volatility ranking: a price below a dollar moves several percent
// on a one-cent step, and an item that sells a handful of times a day has
// the price of its last trade. An answer says which floors it used.
import type { Store } from '../platform/store/index.js';
import { latestPricesOfItems } from './ingest/index.js';
import type { PriceSource } from './types.js';

export const MIN_PRICE_CENTS_DEFAULT = 100;
export const MIN_VOLUME_DEFAULT = 10;

export interface Floors {
  readonly minPriceCents: number;
  readonly minVolume: number;
}

/**
 * Of `itemIds`, those whose latest price from `source` is at least the price
 * floor, with a volume of at least the volume floor; an item whose source
 * reports no volume is judged by its price alone.
 */
export async function aboveFloors(
  store: Store,
  source: PriceSource,
  itemIds: readonly number[],
  floors: Floors,
): Promise<Set<number>> {
  const latest = await latestPricesOfItems(store, itemIds, [source]);
  return new Set(
    latest
      .filter(
        (quote) =>
          quote.price_cents >= floors.minPriceCents &&
          (quote.volume === undefined || quote.volume >= floors.minVolume),
      )
      .map((quote) => quote.item_id),
  );
}
