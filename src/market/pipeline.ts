// The market's background work, as `tracera serve` and `tracera worker` run
// it: ingestion (one leader across all instances) from the configured
// providers, with the volatility of every series that got new prices
// recomputed behind it, and behind that the market summary and index. When
// the demo market is the only source, each new leader first fills in its
// history (ingest/demo-backfill.ts).
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { type Clock, systemClock } from '../platform/clock.js';
import type { Database } from '../platform/db/index.js';
import type { Store } from '../platform/store/index.js';
import { backfillDemoMarket, demoBackfillApplies } from './ingest/demo-backfill.js';
import { type IngestionOptions, type StoredChange, startIngestion } from './ingest/index.js';
import { createProviders } from './providers/index.js';
import { createSummaryUpdater } from './summary/updater.js';
import { createVolatilityUpdater } from './volatility/index.js';

export interface MarketPipelineOptions {
  readonly config: Config;
  readonly database: Database;
  readonly store: Store;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Run by the leader after each ingestion cycle (IngestionOptions.afterCycle). */
  readonly afterCycle?: (signal: AbortSignal) => Promise<void>;
  /** Told each batch's changed (item, source) pairs after volatility is (the alerts). */
  readonly onStored?: (changed: readonly StoredChange[]) => void;
  /** Told each ingestion cycle's outcome per provider (IngestionOptions.onCycleDone). */
  readonly onCycleDone?: IngestionOptions['onCycleDone'];
  /** The items providers price first (IngestionOptions.priorityItems): what anyone watches or holds. */
  readonly priorityItems?: IngestionOptions['priorityItems'];
}

export interface MarketPipeline {
  /** Stops ingestion, then waits for the volatility recompute and summary refresh in flight. */
  stop(): Promise<void>;
}

export function startMarketPipeline(options: MarketPipelineOptions): MarketPipeline {
  const { config, database, store, logger } = options;
  const clock = options.clock ?? systemClock;
  const summary = createSummaryUpdater({ database, store, logger, clock });
  const volatility = createVolatilityUpdater({
    database,
    store,
    logger,
    clock,
    onRecomputed: (series) => summary.changed(series),
  });
  const ingestion = startIngestion({
    config,
    database,
    store,
    logger,
    clock,
    providers: createProviders(config.market, { clock, log: logger }),
    onStored: (changed) => {
      volatility.changed(changed);
      options.onStored?.(changed);
    },
    ...(options.afterCycle ? { afterCycle: options.afterCycle } : {}),
    ...(options.onCycleDone ? { onCycleDone: options.onCycleDone } : {}),
    ...(options.priorityItems ? { priorityItems: options.priorityItems } : {}),
    ...(demoBackfillApplies(config.market.providers)
      ? {
          backfill: (term) => backfillDemoMarket({ config, database, store, logger, clock }, term),
        }
      : {}),
  });
  logger.info(
    { providers: config.market.providers, intervalMs: config.market.ingest.intervalMs },
    'market ingestion started',
  );
  return {
    async stop() {
      await ingestion.stop();
      await volatility.idle();
      await summary.idle();
    },
  };
}
