// What the long-running commands (`serve`, `worker`) share: opening what
// they run on, and stopping on a signal within SHUTDOWN_TIMEOUT_MS.

import type { Logger } from 'pino';
import { startAlertsBackground } from '../alerts/background.js';
import type { Config } from '../config.js';
import type { PriorityItems, StoredChange } from '../market/ingest/index.js';
import type { Metrics } from '../metrics/metrics.js';
import { systemClock } from '../platform/clock.js';
import { type Database, migrate } from '../platform/db/index.js';
import { createMailer } from '../platform/mail/index.js';
import { openStore, type Store } from '../platform/store/index.js';
import { dailySnapshotJob } from '../portfolio/snapshots.js';
import { notifyUser } from '../realtime/notifications.js';
import { watchedOrHeldItems } from '../watchlist/priority.js';
import { loadCatalogOnFirstRun } from './catalog.js';
import { configOrExit, openLoggedDatabase, processLogger } from './startup.js';

export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly store: Store;
}

/**
 * What `serve` and `worker` run on: the configuration, the logger, the
 * database with every migration applied and the item catalog loaded (on a
 * first run), and the store.
 */
export async function openRuntime(): Promise<Runtime> {
  const config = configOrExit();
  const logger = processLogger(config);
  const database = await openLoggedDatabase(config, logger);
  const report = await migrate(database, undefined, (file) =>
    logger.info({ migration: file.name }, 'applied migration'),
  );
  logger.info({ applied: report.applied.length, database: database.kind }, 'database ready');
  await loadCatalogOnFirstRun(database, logger);
  const store = await openStore(config.redis, {
    onDown: (error) => logger.warn({ err: { message: error.message } }, 'Redis unreachable'),
    onUp: () => logger.info('Redis reachable'),
    onHandlerError: (error) => logger.error({ err: error }, 'subscriber failed'),
  });
  return { config, logger, database, store };
}

/**
 * Runs `shutdown` on the first SIGINT or SIGTERM and exits 0; a second
 * signal, or a shutdown longer than SHUTDOWN_TIMEOUT_MS, exits 1 at once.
 */
export function exitOnSignal(runtime: Runtime, shutdown: () => Promise<void>): void {
  const { config, logger } = runtime;
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    await shutdown();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', stop).on('SIGTERM', stop);
}

/** What the ingestion leader runs after each cycle: the portfolios' daily snapshots. */
function snapshotsAfterCycle(runtime: Runtime): (signal: AbortSignal) => Promise<void> {
  return dailySnapshotJob({
    database: runtime.database,
    priceSources: runtime.config.portfolio.priceSources,
    logger: runtime.logger,
  });
}

/**
 * The background work beside ingestion: the daily snapshots and the alerts
 * (evaluated behind each batch and after each cycle, then delivered). What
 * it returns goes into `startMarketPipeline`; `stop` after the pipeline's.
 */
export async function backgroundWork(
  runtime: Runtime,
  metrics?: Pick<Metrics, 'alertEvaluated' | 'alertFired' | 'alertDelivered'>,
): Promise<{
  readonly afterCycle: (signal: AbortSignal) => Promise<void>;
  readonly onStored: (changed: readonly StoredChange[]) => void;
  stop(): Promise<void>;
}> {
  const { config, database, store, logger } = runtime;
  const snapshots = snapshotsAfterCycle(runtime);
  const mailer = createMailer(config.mail);
  const alerts = await startAlertsBackground({
    config,
    database,
    store,
    logger,
    clock: systemClock,
    mailer,
    notify: (userId, notification) => notifyUser(store, userId, notification),
    ...(metrics
      ? {
          onEvaluated: metrics.alertEvaluated,
          onFired: metrics.alertFired,
          onDelivery: metrics.alertDelivered,
        }
      : {}),
  });
  return {
    async afterCycle(signal) {
      await snapshots(signal);
      await alerts.afterCycle(signal);
    },
    onStored: (changed) => alerts.changed(changed),
    async stop() {
      await alerts.stop();
      await mailer.close();
    },
  };
}

/**
 * The items the ingestion leader asks providers to price first: what anyone
 * watches or holds, so Steam, which cannot price the catalog each cycle,
 * keeps watchlists and portfolios current (docs/watchlist.md).
 */
export function priorityItemsOf(runtime: Runtime): PriorityItems {
  return watchedOrHeldItems(runtime.database);
}
