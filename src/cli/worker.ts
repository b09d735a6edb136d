// `tracera worker`: ingestion without the HTTP server, for an operator who runs
// it apart from the API instances. It migrates, loads the catalog on a first
// run (as serve does), then competes for the ingestion leader lock and, while
// it holds it, prices the catalog every INGEST_INTERVAL_SECONDS and keeps
// volatility current, pricing first what anyone watches or holds. On SIGINT or
// SIGTERM it aborts the provider calls in flight, finishes the write in
// progress, releases the lock (a follower takes over at once) and closes the
// store and the database; past SHUTDOWN_TIMEOUT_MS it exits anyway, non-zero.
// It serves no /metrics: its cycles show in its log (docs/metrics.md).
import { startMarketPipeline } from '../market/pipeline.js';
import { exitOnSignal, openRuntime, priorityItemsOf, snapshotsAfterCycle } from './runtime.js';

export async function runWorker(): Promise<void> {
  const runtime = await openRuntime();
  const pipeline = startMarketPipeline({
    ...runtime,
    afterCycle: snapshotsAfterCycle(runtime),
    priorityItems: priorityItemsOf(runtime),
  });
  exitOnSignal(runtime, async () => {
    await pipeline.stop();
    await runtime.store.close();
    await runtime.database.close();
  });
}
