// What the long-running commands (`serve`, `worker`) share: opening what
// they run on, and stopping on a signal within SHUTDOWN_TIMEOUT_MS.

import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { PriorityItems } from '../market/ingest/index.js';
import { type Database, migrate } from '../platform/db/index.js';
import { openStore, type Store } from '../platform/store/index.js';
import { dailySnapshotJob } from '../portfolio/snapshots.js';
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
export function snapshotsAfterCycle(runtime: Runtime): (signal: AbortSignal) => Promise<void> {
  return dailySnapshotJob({
    database: runtime.database,
    priceSources: runtime.config.portfolio.priceSources,
    logger: runtime.logger,
  });
}

/**
 * The items the ingestion leader asks providers to price first: what anyone
 * watches or holds, so Steam, which cannot price the catalog each cycle,
 * keeps watchlists and portfolios current (docs/watchlist.md).
 */
export function priorityItemsOf(runtime: Runtime): PriorityItems {
  return watchedOrHeldItems(runtime.database);
}
