// `tracera serve`: build the web app when web/dist is missing or older than
// its sources, migrate, load the item catalog on a first run, then serve
// HTTP, and run market ingestion (with the portfolio snapshots and the
// alerts behind it) in-process unless INGEST_IN_SERVE=false,
// until SIGINT or SIGTERM. On a signal ingestion stops, the server stops
// accepting connections, lets requests in flight finish, then closes the
// database and the store; if that takes longer than
// SHUTDOWN_TIMEOUT_MS the process exits anyway, with a non-zero code.
import { buildApp } from '../app.js';
import { type MarketPipeline, startMarketPipeline } from '../market/pipeline.js';
import { backgroundWork, exitOnSignal, openRuntime, priorityItemsOf } from './runtime.js';
import { ensureWebBuild } from './web-build.js';

export async function runServe(): Promise<void> {
  await ensureWebBuild();
  const runtime = await openRuntime();
  const { config, logger, database, store } = runtime;
  const app = await buildApp(config, { database, store, logger });
  // The worker has no HTTP server: only ingestion and alerts run here reach /metrics.
  const background = config.market.ingest.inServe
    ? await backgroundWork(runtime, app.metrics)
    : null;
  const pipeline: MarketPipeline | null = background
    ? startMarketPipeline({
        ...runtime,
        afterCycle: background.afterCycle,
        onStored: background.onStored,
        priorityItems: priorityItemsOf(runtime),
        onCycleDone: (outcomes) => app.metrics.ingestCycle(outcomes),
      })
    : null;
  const shutdown = async () => {
    // Ingestion and alerts write to the database and the store the app closes.
    await pipeline?.stop();
    await background?.stop();
    await app.close();
  };
  exitOnSignal(runtime, shutdown);

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await shutdown();
    throw error;
  }
  process.stderr.write(
    `Tracera is serving ${config.baseUrl} (listening on ${config.host}:${config.port})\n`,
  );
}
