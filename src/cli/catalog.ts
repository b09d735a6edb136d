// `tracera catalog sync`: builds the CS2 item catalog from the installed
// @ianlucas/cs2-lib and loads it, or brings it up to date (safe to run any
// number of times), after applying pending migrations. Progress goes to
// stderr: a bar redrawn in place on a terminal, a line per 10% in a log; the
// summary goes to stdout. `serve` loads the catalog the same way on the first
// run (loadCatalogOnFirstRun).
import type { Logger } from 'pino';
import {
  buildCatalogFromDataSet,
  type CatalogSyncProgress,
  type CatalogSyncReport,
  catalogLoaded,
  syncCatalog,
} from '../market/catalog/index.js';
import { type Database, migrate } from '../platform/db/index.js';
import { configOrExit, openLoggedDatabase, processLogger } from './startup.js';

const BAR_WIDTH = 30;
const PLAIN_STEP_PERCENT = 10;

interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** An onProgress callback that draws on `stream`. */
export function progressReporter(
  stream: ProgressStream,
  label: string,
): (progress: CatalogSyncProgress) => void {
  let lastStep = 0;
  return ({ done, total }) => {
    const fraction = total === 0 ? 1 : done / total;
    const percent = Math.floor(fraction * 100);
    if (stream.isTTY) {
      const filled = Math.round(fraction * BAR_WIDTH);
      const bar = `${'='.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}`;
      stream.write(`\r${label} [${bar}] ${percent}% ${done}/${total}${done >= total ? '\n' : ''}`);
      return;
    }
    const step = Math.floor(percent / PLAIN_STEP_PERCENT);
    if (step > lastStep) {
      lastStep = step;
      stream.write(`${label}: ${percent}% (${done}/${total})\n`);
    }
  };
}

export function catalogSummary(report: CatalogSyncReport, elapsedMs: number): string {
  const count = (n: number) => n.toLocaleString('en-US');
  return (
    `Catalog: ${count(report.total)} items (${count(report.inserted)} new, ` +
    `${count(report.updated)} updated, ${count(report.unchanged)} unchanged) ` +
    `in ${(elapsedMs / 1000).toFixed(1)} s`
  );
}

async function buildAndSync(database: Database, label: string): Promise<CatalogSyncReport> {
  const entries = await buildCatalogFromDataSet();
  return syncCatalog(database, entries, { onProgress: progressReporter(process.stderr, label) });
}

export async function runCatalogSync(): Promise<void> {
  const config = configOrExit();
  const database = await openLoggedDatabase(config, processLogger(config));
  try {
    const started = performance.now();
    await migrate(database, undefined, (file) =>
      process.stderr.write(`Applied migration ${file.name}\n`),
    );
    const report = await buildAndSync(database, 'Syncing catalog');
    process.stdout.write(`${catalogSummary(report, performance.now() - started)}\n`);
  } catch (error) {
    throw new Error(`catalog sync failed: ${(error as Error).message}`, { cause: error });
  } finally {
    await database.close();
  }
}

/**
 * Loads the catalog when the database has none, as on the first `npm start`;
 * does nothing otherwise (`tracera catalog sync` updates an existing one).
 */
export async function loadCatalogOnFirstRun(database: Database, logger: Logger): Promise<void> {
  if (await catalogLoaded(database)) return;
  logger.info('no item catalog yet: loading it from @ianlucas/cs2-lib');
  const started = performance.now();
  const report = await buildAndSync(database, 'Loading catalog');
  logger.info(
    { items: report.total, ms: Math.round(performance.now() - started) },
    'item catalog loaded',
  );
}
