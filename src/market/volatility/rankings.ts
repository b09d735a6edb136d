// The most volatile items per (source, window): a sorted set of item ids
// scored by coefficient of variation, which is scale-free, so a $2 case and a
// $2000 knife compare. The recompute keeps it in step with the cache: an item
// is in it exactly while it has a volatility with a defined coefficient.
import type { Store } from '../../platform/store/index.js';
import type { PriceSource, VolatilityWindow } from '../types.js';
import { cachedVolatility, type Volatility } from './cache.js';

export function rankingKey(source: PriceSource, window: VolatilityWindow): string {
  return `volatility:ranking:${source}:${window}`;
}

export interface RankingQuery {
  readonly source: PriceSource;
  readonly window: VolatilityWindow;
  readonly limit: number;
  /** Of the item ids given, those that may rank (a price and volume floor); all by default. */
  readonly eligible?: (itemIds: readonly number[]) => Promise<ReadonlySet<number>>;
}

/** Members read at once when a floor may pass over many of them. */
const FILTERED_PAGE = 200;
/** How far down the ranking a floor is looked past before the answer makes do with what it found. */
const MAX_SCANNED = 5000;

export interface RankedVolatility {
  readonly itemId: number;
  /** The coefficient of variation the item is ranked by. */
  readonly score: number;
  readonly volatility: Volatility;
}

/**
 * Up to `limit` items, most volatile first, each with its cached volatility.
 * A member whose cache entry has expired (its series stopped before a
 * recompute could drop it), or that `eligible` turns down, is passed over,
 * and the next ones are read instead, down to MAX_SCANNED members.
 */
export async function topVolatile(store: Store, query: RankingQuery): Promise<RankedVolatility[]> {
  const key = rankingKey(query.source, query.window);
  const ranked: RankedVolatility[] = [];
  let start = 0;
  while (ranked.length < query.limit && start < MAX_SCANNED) {
    const wanted = query.limit - ranked.length;
    const size = query.eligible ? Math.max(wanted, FILTERED_PAGE) : wanted;
    const read = await store.sortedSetRange(key, start, start + size - 1, 'desc');
    const eligible = query.eligible
      ? await query.eligible(read.map(({ member }) => Number(member)))
      : null;
    const page = eligible ? read.filter(({ member }) => eligible.has(Number(member))) : read;
    const volatilities = await Promise.all(
      page.map(({ member }) =>
        cachedVolatility(store, {
          itemId: Number(member),
          source: query.source,
          window: query.window,
        }),
      ),
    );
    page.forEach(({ member, score }, index) => {
      const volatility = volatilities[index];
      if (volatility && ranked.length < query.limit) {
        ranked.push({ itemId: Number(member), score, volatility });
      }
    });
    if (read.length < size) break;
    start += read.length;
  }
  return ranked;
}
