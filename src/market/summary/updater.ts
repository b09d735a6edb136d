// Keeps market_summary and the market index current behind ingestion, the
// way the volatility updater keeps volatility: changed (item, source) series
// are noted and one background run at a time refreshes them, taking whatever
// was noted meanwhile on its next pass. It runs after the volatility of the
// same series was recomputed (see pipeline.ts), so a row's volatility is the
// one computed from the same prices. After a source's rows are refreshed its
// index takes a step and the new value is published on INDEX_CHANNEL.
import type { Logger } from 'pino';
import { inBatches } from '../../platform/batches.js';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/db/index.js';
import type { Store } from '../../platform/store/index.js';
import { DAY_MS } from '../../platform/time.js';
import { INDEX_CHANNEL, type PriceSource } from '../types.js';
import type { ChangedSeries } from '../volatility/index.js';
import { indexValueAt, stepIndex } from './market-index.js';
import { ITEMS_PER_REFRESH, refreshSummaries } from './refresh.js';

export interface SummaryUpdaterOptions {
  readonly database: Database;
  readonly store: Store;
  readonly logger: Logger;
  readonly clock: Clock;
}

export interface SummaryUpdater {
  /** Notes changed series; returns at once. */
  changed(series: readonly ChangedSeries[]): void;
  /** Resolves when nothing is noted and no run is in flight. */
  idle(): Promise<void>;
}

/** What INDEX_CHANNEL carries: the index of one source after a step, named as GET /index names it. */
export interface IndexMessage {
  readonly source: PriceSource;
  readonly value: number;
  /** Percent since a day before `computed_at`, null when the index is younger than that. */
  readonly change_24h: number | null;
  readonly computed_at: string;
}

export function createSummaryUpdater(options: SummaryUpdaterOptions): SummaryUpdater {
  const { database, store, clock } = options;
  const logger = options.logger.child({ component: 'summary' });
  let pending = new Map<PriceSource, Set<number>>();
  let running: Promise<void> | null = null;

  async function refreshSource(source: PriceSource, itemIds: readonly number[]): Promise<void> {
    const now = new Date(clock.now());
    let refreshed = 0;
    for (const chunk of inBatches(itemIds, ITEMS_PER_REFRESH)) {
      refreshed += await refreshSummaries({ database, store, source, itemIds: chunk, now });
    }
    const index = await stepIndex(database, source, now);
    logger.debug({ source, items: itemIds.length, refreshed }, 'market summary refreshed');
    if (!index) return;
    const dayBefore = await indexValueAt(database, source, new Date(now.getTime() - DAY_MS));
    const message: IndexMessage = {
      source,
      value: index.value,
      change_24h: dayBefore === null ? null : ((index.value - dayBefore) * 100) / dayBefore,
      computed_at: now.toISOString(),
    };
    await store.publish(INDEX_CHANNEL, JSON.stringify(message));
  }

  async function drain(): Promise<void> {
    while (pending.size > 0) {
      const bySource = pending;
      pending = new Map();
      for (const [source, itemIds] of bySource) {
        try {
          await refreshSource(source, [...itemIds]);
        } catch (error) {
          // The next batch of the same items brings them back; nothing is lost but time.
          logger.error(
            { err: error, source, items: itemIds.size },
            'market summary refresh failed',
          );
        }
      }
    }
  }

  return {
    changed(series) {
      for (const { itemId, source } of series) {
        let items = pending.get(source);
        if (!items) {
          items = new Set();
          pending.set(source, items);
        }
        items.add(itemId);
      }
      running ??= drain().finally(() => {
        running = null;
      });
    },
    async idle() {
      while (running) await running;
    },
  };
}
