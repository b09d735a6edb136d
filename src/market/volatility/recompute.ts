// Volatility is computed per (item, source, window) and sources are never
// mixed: a Steam price and a Skinport price are prices in two different
// markets, and a series alternating between them would show their spread as
// volatility. For each window the pipeline reads top to bottom: load the
// series of a chunk of items in one statement (series.ts), compute the
// metrics (formulas.ts), compare with the cached result, write the cache,
// publish what changed on the `volatility` channel, and update the ranking.
//
// A window with fewer than MINIMUM_POINTS points has no volatility: its cache
// entry is deleted and the item leaves the ranking, so the API can say why an
// item is missing rather than show bands computed from three prices. After
// each ingestion only the (item, source) pairs that received prices are
// recomputed; `recomputeAll` sweeps everything, for startup and for series
// whose window slid on without new prices (their cache entries also expire
// one window length after they were computed).

import { sql } from 'kysely';
import { MARKET_PROVIDERS } from '../../config/settings.js';
import { inBatches } from '../../platform/batches.js';
import type { Database } from '../../platform/db/index.js';
import type { SortedSetEntry, Store } from '../../platform/store/index.js';
import { publishChanges } from '../publish-changes.js';
import {
  type PriceSource,
  VOLATILITY_CHANNEL,
  VOLATILITY_WINDOWS,
  type VolatilityWindow,
  WINDOW_MS,
} from '../types.js';
import {
  cachedVolatility,
  sameMetrics,
  type Volatility,
  volatilityKey,
  volatilityTtlMs,
} from './cache.js';
import { volatilityMetrics } from './formulas.js';
import { rankingKey } from './rankings.js';
import { loadSeries } from './series.js';

/**
 * Items per series statement: enough that round trips do not count, few
 * enough that a statement sorts a few megabytes (a day of one-minute prices
 * for 100 items is 144,000 rows). Chunks of 500 spilled more of their sorts
 * to disk and measured slower (bench/market; figures in docs/benchmarks.md).
 */
export const ITEMS_PER_CHUNK = 100;

export interface VolatilityDeps {
  readonly database: Database;
  readonly store: Store;
  /** Every window of this run ends here. */
  readonly now: Date;
}

export interface ChangedSeries {
  readonly itemId: number;
  readonly source: PriceSource;
}

/** Counts of (item, source, window) results. */
export interface RecomputeReport {
  /** Computed and cached. */
  computed: number;
  /** Published because they differ from the cached result, or there was none. */
  published: number;
  /** Cached before and now below the minimum: deleted and out of the ranking. */
  cleared: number;
}

export interface RecomputeProgress {
  readonly itemsDone: number;
  readonly itemsTotal: number;
}

async function recomputeWindow(
  deps: VolatilityDeps,
  source: PriceSource,
  window: VolatilityWindow,
  itemIds: readonly number[],
  report: RecomputeReport,
): Promise<void> {
  const { store, now } = deps;
  const series = await loadSeries(deps.database, { source, window, itemIds, now });
  const computed: Volatility[] = [];
  const below: number[] = [];
  for (const itemId of itemIds) {
    const points = series.get(itemId);
    const metrics = points ? volatilityMetrics(points, WINDOW_MS[window]) : null;
    if (!metrics) {
      below.push(itemId);
      continue;
    }
    const { points: count, ...rest } = metrics;
    computed.push({
      item_id: itemId,
      source,
      window,
      points: count,
      computed_at: now.toISOString(),
      ...rest,
    });
  }

  const previous = await Promise.all(
    computed.map((volatility) =>
      cachedVolatility(store, { itemId: volatility.item_id, source, window }),
    ),
  );
  const ttlMs = volatilityTtlMs(window);
  await Promise.all(
    computed.map((volatility) =>
      store.set(
        volatilityKey(source, window, volatility.item_id),
        JSON.stringify(volatility),
        ttlMs,
      ),
    ),
  );
  const changed = computed.filter((volatility, index) => {
    const before = previous[index];
    return !before || !sameMetrics(before, volatility);
  });
  await publishChanges(store, VOLATILITY_CHANNEL, changed);
  report.published += changed.length;
  report.computed += computed.length;

  const key = rankingKey(source, window);
  const ranked: SortedSetEntry[] = [];
  const unranked = below.map(String);
  for (const { item_id, coefficient_of_variation } of computed) {
    if (coefficient_of_variation === null) unranked.push(String(item_id));
    else ranked.push({ member: String(item_id), score: coefficient_of_variation });
  }
  await store.sortedSetAdd(key, ranked);
  await store.sortedSetRemove(key, unranked);
  if (below.length > 0) {
    report.cleared += await store.delete(
      ...below.map((itemId) => volatilityKey(source, window, itemId)),
    );
  }
}

async function recomputeItems(
  deps: VolatilityDeps,
  source: PriceSource,
  itemIds: readonly number[],
  windows: readonly VolatilityWindow[],
  report: RecomputeReport,
): Promise<void> {
  for (const window of windows) await recomputeWindow(deps, source, window, itemIds, report);
}

/**
 * Recomputes the (item, source) pairs that received prices. 7d and 30d read
 * only hourly rollups, which change when the rollup job runs, so a caller may
 * leave them out of the recompute after each ingestion and run them after
 * each rollup instead.
 */
export async function recomputeVolatility(
  deps: VolatilityDeps,
  changed: readonly ChangedSeries[],
  windows: readonly VolatilityWindow[] = VOLATILITY_WINDOWS,
): Promise<RecomputeReport> {
  const report: RecomputeReport = { computed: 0, published: 0, cleared: 0 };
  const itemsBySource = new Map<PriceSource, Set<number>>();
  for (const { itemId, source } of changed) {
    const items = itemsBySource.get(source) ?? new Set<number>();
    items.add(itemId);
    itemsBySource.set(source, items);
  }
  for (const [source, items] of itemsBySource) {
    for (const chunk of inBatches([...items], ITEMS_PER_CHUNK)) {
      await recomputeItems(deps, source, chunk, windows, report);
    }
  }
  return report;
}

/**
 * Recomputes every window of every item for every source, and takes out of
 * the rankings the members that are no longer items.
 */
export async function recomputeAll(
  deps: VolatilityDeps,
  onProgress: (progress: RecomputeProgress) => void = () => {},
): Promise<RecomputeReport> {
  const report: RecomputeReport = { computed: 0, published: 0, cleared: 0 };
  const { rows } = await sql<{ id: number }>`select id from items order by id`.execute(
    deps.database.db,
  );
  const itemIds = rows.map((row) => row.id);
  let itemsDone = 0;
  for (const chunk of inBatches(itemIds, ITEMS_PER_CHUNK)) {
    for (const source of MARKET_PROVIDERS) {
      await recomputeItems(deps, source, chunk, VOLATILITY_WINDOWS, report);
    }
    itemsDone += chunk.length;
    onProgress({ itemsDone, itemsTotal: itemIds.length });
  }

  const known = new Set(itemIds.map(String));
  for (const source of MARKET_PROVIDERS) {
    for (const window of VOLATILITY_WINDOWS) {
      const key = rankingKey(source, window);
      const members = await deps.store.sortedSetRange(key, 0, -1);
      const gone = members.filter(({ member }) => !known.has(member));
      await deps.store.sortedSetRemove(
        key,
        gone.map(({ member }) => member),
      );
    }
  }
  return report;
}
