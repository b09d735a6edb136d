// Ingestion as `tracera worker` and `tracera serve` run it: every instance
// competes for the leader lock, and the leader alone runs the price cycles
// (every INGEST_INTERVAL_SECONDS, never overlapping) and, on a loop of its
// own so that neither delays the other, the rollups and raw retention.
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { type Clock, systemClock } from '../../platform/clock.js';
import type { Database } from '../../platform/db/index.js';
import type { Store } from '../../platform/store/index.js';
import { MINUTE_MS } from '../../platform/time.js';
import { deleteExpiredIndexPoints } from '../summary/market-index.js';
import type { PriceProvider, PriceSource } from '../types.js';
import { type OnStored, type ProviderOutcome, runIngestCycle } from './ingest-cycle.js';
import { loadItemsToPrice, type PriorityItems } from './items-to-price.js';
import { rebuildLatestPrices } from './latest-prices.js';
import { LEADER_TIMING, type LeaderTiming, runForLeadership, type Term } from './leader.js';
import { deleteExpiredPrices } from './retention.js';
import { rollUpPrices, rollupGraceMs } from './rollups.js';
import { runEvery } from './scheduler.js';
import { createSourceStatusRecorder } from './source-status.js';

export type { Clock } from '../../platform/clock.js';
export type { OnStored, ProviderOutcome } from './ingest-cycle.js';
export type { PriorityItems } from './items-to-price.js';
export {
  isCountOrAbsent,
  latestPriceKey,
  latestPrices,
  latestPricesOfItems,
  type PriceMessage,
  rebuildLatestPrices,
} from './latest-prices.js';
export type { LeaderTiming, Term } from './leader.js';
export { type StoredChange, type WrittenPrices, writePrices } from './write-prices.js';

/** How often the leader brings rollups up to date and deletes expired raw rows. */
const MAINTENANCE_INTERVAL_MS = MINUTE_MS;

export interface IngestionOptions {
  readonly config: Pick<Config, 'market'>;
  readonly database: Database;
  readonly store: Store;
  readonly logger: Logger;
  readonly providers: readonly PriceProvider[];
  /**
   * Called after each stored batch with the (item, source) pairs that got new
   * rows; the provider's next batch waits for it, so it should be quick.
   */
  readonly onStored?: OnStored;
  /**
   * Run by each new leader before its first cycle, such as filling in
   * history (demo-backfill.ts); it should stop when the term ends.
   */
  readonly backfill?: (term: Term) => Promise<unknown>;
  /** The items providers should price first; none by default. */
  readonly priorityItems?: PriorityItems;
  /**
   * Run by the leader after each cycle, with the term's signal: work that
   * wants the prices just stored, such as the portfolios' daily snapshots.
   * A failure is logged and does not stop ingestion.
   */
  readonly afterCycle?: (signal: AbortSignal) => Promise<void>;
  /** Told each cycle's outcome per provider, as it is logged (docs/metrics.md). */
  readonly onCycleDone?: (outcomes: readonly ProviderOutcome[]) => void;
  readonly clock?: Clock;
  readonly leaderTiming?: LeaderTiming;
  readonly maintenanceIntervalMs?: number;
}

export interface Ingestion {
  /** Aborts provider calls in flight, waits for the write in progress, and releases the leader lock. */
  stop(): Promise<void>;
}

export function startIngestion(options: IngestionOptions): Ingestion {
  const { database, store, providers } = options;
  const logger = options.logger.child({ component: 'ingest' });
  const clock = options.clock ?? systemClock;
  const { intervalMs } = options.config.market.ingest;
  const { rawRetentionMs } = options.config.market;
  const sources = providers.map((provider) => provider.source);
  const failures = new Map<PriceSource, number>();
  const stopping = new AbortController();
  const sourceStatus = createSourceStatusRecorder({
    database,
    store,
    logger,
    now: clock.now,
    sources,
  });

  function report(outcomes: readonly ProviderOutcome[], term: Term, startedMs: number): void {
    for (const { source, failure, cutOff } of outcomes) {
      if (failure) failures.set(source, (failures.get(source) ?? 0) + 1);
      else if (cutOff && !term.signal.aborted) {
        logger.warn({ source }, 'price provider still running at the cycle deadline; left behind');
      }
    }
    logger.info(
      {
        durationMs: clock.now() - startedMs,
        providers: outcomes.map(({ failure, pricedItemIds, ...counts }) => ({
          ...counts,
          items: pricedItemIds.size,
          failed: failure !== null,
          failuresSinceStart: failures.get(counts.source) ?? 0,
        })),
      },
      'ingestion cycle done',
    );
    options.onCycleDone?.(outcomes);
  }

  async function cycle(term: Term): Promise<void> {
    if (!term.isLeading()) return;
    const startedMs = clock.now();
    const deadline = new AbortController();
    const endCycle = () => deadline.abort();
    term.signal.addEventListener('abort', endCycle, { once: true });
    const timer = clock.sleep(intervalMs, deadline.signal).then(endCycle);
    try {
      const items = await loadItemsToPrice(database, options.priorityItems);
      const outcomes = await runIngestCycle({
        database,
        store,
        logger,
        providers,
        items,
        signal: deadline.signal,
        isLeading: term.isLeading,
        now: clock.now,
        rawRetentionMs,
        onStored: options.onStored ?? (() => {}),
      });
      report(outcomes, term, startedMs);
      await sourceStatus.record({ outcomes, term, catalogItems: items.length });
      if (options.afterCycle && term.isLeading()) {
        await options
          .afterCycle(term.signal)
          .catch((error: unknown) =>
            logger.error({ err: error }, 'work after the ingestion cycle failed'),
          );
      }
    } finally {
      endCycle();
      term.signal.removeEventListener('abort', endCycle);
      await timer;
    }
  }

  async function maintain(term: Term): Promise<void> {
    const now = new Date(clock.now());
    const rollups = await rollUpPrices(database, {
      now,
      graceMs: rollupGraceMs(intervalMs),
      rawRetentionMs,
      signal: term.signal,
    });
    const deleted = await deleteExpiredPrices(database, {
      now,
      rawRetentionMs,
      signal: term.signal,
    });
    // The market index's points go with the raw prices; its hourly closes stay.
    await deleteExpiredIndexPoints(database, new Date(now.getTime() - rawRetentionMs));
    const busy = deleted > 0 || rollups.some((r) => r.rolledUp + r.rolledUpAgain + r.tooOld > 0);
    if (busy) logger.info({ rollups, deletedRawRows: deleted }, 'price maintenance done');
  }

  async function lead(term: Term): Promise<void> {
    try {
      const updated = await rebuildLatestPrices(database, store, sources);
      logger.info({ updated }, 'latest prices rebuilt from the database');
    } catch (error) {
      logger.warn({ err: error }, 'could not rebuild latest prices; ingesting anyway');
    }
    if (options.backfill) {
      try {
        await options.backfill(term);
      } catch (error) {
        logger.error({ err: error }, 'backfill failed; ingesting anyway');
      }
    }
    await Promise.all([
      runEvery({
        intervalMs,
        clock,
        signal: term.signal,
        run: () => cycle(term),
        onError: (error) => logger.error({ err: error }, 'ingestion cycle failed'),
        onOverrun: (lateMs) =>
          logger.warn(
            { lateMs },
            'ingestion cycle ran past its interval; the next one starts late',
          ),
      }),
      runEvery({
        intervalMs: options.maintenanceIntervalMs ?? MAINTENANCE_INTERVAL_MS,
        clock,
        signal: term.signal,
        run: () => maintain(term),
        onError: (error) => logger.error({ err: error }, 'price maintenance failed'),
        onOverrun: (lateMs) => logger.warn({ lateMs }, 'price maintenance ran past its interval'),
      }),
    ]);
  }

  const running = runForLeadership({
    store,
    clock,
    logger,
    timing: options.leaderTiming ?? LEADER_TIMING,
    signal: stopping.signal,
    lead,
  });

  return {
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
