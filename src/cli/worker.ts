// `tracera worker`: ingestion without the HTTP server, for an operator who runs
// it apart from the API instances. It migrates, loads the catalog on a first
// run (as serve does), then competes for the ingestion leader lock and, while
// it holds it, prices the catalog every INGEST_INTERVAL_SECONDS (what anyone
// watches or holds first), keeps volatility current, and evaluates and
// delivers the alerts. On SIGINT or
// SIGTERM it aborts the provider calls in flight, finishes the write in
// progress, releases the lock (a follower takes over at once) and closes the
// store and the database; past SHUTDOWN_TIMEOUT_MS it exits anyway, non-zero.
// It serves no /metrics: its cycles show in its log (docs/metrics.md).
import { startMarketPipeline } from '../market/pipeline.js';
import { backgroundWork, exitOnSignal, openRuntime, priorityItemsOf } from './runtime.js';

export async function runWorker(): Promise<void> {
  const runtime = await openRuntime();
  const background = await backgroundWork(runtime);
  const pipeline = startMarketPipeline({
    ...runtime,
    afterCycle: background.afterCycle,
    onStored: background.onStored,
    priorityItems: priorityItemsOf(runtime),
  });
  exitOnSignal(runtime, async () => {
    await pipeline.stop();
    await background.stop();
    await runtime.store.close();
    await runtime.database.close();
  });
}
