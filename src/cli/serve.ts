// `tracera serve`: build the web app when web/dist is missing or older than
// its sources, migrate, load the item catalog on a first run, then serve
// HTTP, and run market ingestion in-process unless INGEST_IN_SERVE=false,
// until SIGINT or SIGTERM. On a signal ingestion stops, the server stops
// accepting connections, lets requests in flight finish, then closes the
// database and the store; if that takes longer than
// SHUTDOWN_TIMEOUT_MS the process exits anyway, with a non-zero code.
import { buildApp } from '../app.js';
import { type MarketPipeline, startMarketPipeline } from '../market/pipeline.js';
import { exitOnSignal, openRuntime, priorityItemsOf, snapshotsAfterCycle } from './runtime.js';
import { ensureWebBuild } from './web-build.js';

export async function runServe(): Promise<void> {
  await ensureWebBuild();
  const runtime = await openRuntime();
  const { config, logger, database, store } = runtime;
  const app = await buildApp(config, { database, store, logger });
  const pipeline: MarketPipeline | null = config.market.ingest.inServe
    ? startMarketPipeline({
        ...runtime,
        afterCycle: snapshotsAfterCycle(runtime),
        priorityItems: priorityItemsOf(runtime),
        // The worker has no HTTP server: only ingestion run here reaches /metrics.
        onCycleDone: (outcomes) => app.metrics.ingestCycle(outcomes),
      })
    : null;
  const shutdown = async () => {
    // Ingestion writes to the database and the store the app closes.
    await pipeline?.stop();
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
