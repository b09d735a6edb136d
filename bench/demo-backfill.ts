// The demo market's first start on the embedded database: a PGlite database
// in a scratch folder with the real catalog, and the backfill a new leader
// runs (src/market/ingest/demo-backfill.ts) timed phase by phase: how long
// until every item is priced, and until the history, rollups, volatility,
// summary and index are there. Then the backfill again, as after a restart
// a minute later, which should write only that minute. The longest the
// event loop was held during the first start is printed too: the server
// answers requests and renews the leader's lease on that loop.
// Target: every catalog item priced within a minute of the start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { buildCatalogFromDataSet, syncCatalog } from '../src/market/catalog/index.js';
import { backfillDemoMarket } from '../src/market/ingest/demo-backfill.js';
import { systemClock } from '../src/platform/clock.js';
import { migrate, openDatabase } from '../src/platform/db/index.js';
import { MemoryStore } from '../src/platform/store/memory-store.js';
import { SECOND_MS } from '../src/platform/time.js';

const TARGET_PRICED_MS = 60 * SECOND_MS;

interface Line {
  readonly msg: string;
  readonly phase?: string;
  readonly elapsedMs?: number;
  readonly rows?: number;
}

export async function runDemoBackfill(): Promise<boolean> {
  const folder = mkdtempSync(join(tmpdir(), 'tracera-demo-backfill-'));
  const database = await openDatabase({ kind: 'pglite', dataDir: join(folder, 'pglite') });
  const store = new MemoryStore();
  const lines: Line[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        const line = JSON.parse(chunk.toString()) as Line;
        lines.push(line);
        if (line.phase) {
          process.stdout.write(`  ${line.phase}: ${((line.elapsedMs ?? 0) / 1000).toFixed(1)} s\n`);
        }
        done();
      },
    }),
  );
  try {
    await migrate(database);
    await syncCatalog(database, await buildCatalogFromDataSet());
    const { config } = loadConfig({
      NODE_ENV: 'test',
      SESSION_SECRET: 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG8xMjM0NTY3ODkw',
    });
    const term = { signal: new AbortController().signal, isLeading: () => true };
    const options = { config, database, store, logger, clock: systemClock };

    const delay = monitorEventLoopDelay({ resolution: 20 });
    delay.enable();
    const started = performance.now();
    const runs = await backfillDemoMarket(options, term);
    const totalMs = performance.now() - started;
    delay.disable();
    const pricedMs = lines.find((line) => line.phase === 'latest')?.elapsedMs ?? Number.NaN;
    const { rows: counted } = await sql<{ prices: number; hourly: number; points: number }>`
      select (select count(*) from prices)::int as prices,
        (select count(*) from price_rollups_hourly)::int as hourly,
        (select count(*) from market_index_points)::int as points`.execute(database.db);

    const again = performance.now();
    const rerun = await backfillDemoMarket(options, term);
    const againMs = performance.now() - again;

    const passed = pricedMs < TARGET_PRICED_MS && runs.length > 0;
    process.stdout.write(
      [
        `demo-backfill: PGlite, first start with ${runs[0]?.latest.toLocaleString('en-US')} items priced`,
        `  every item priced after ${(pricedMs / 1000).toFixed(1)} s (target < ${TARGET_PRICED_MS / 1000} s) ${passed ? 'PASS' : 'FAIL'}`,
        `  done after ${(totalMs / 1000).toFixed(1)} s in ${runs.length} run(s): ${counted[0]?.prices.toLocaleString('en-US')} price rows, ${counted[0]?.hourly.toLocaleString('en-US')} hourly rollups, ${counted[0]?.points} index points`,
        `  event loop held at most ${(delay.max / 1e6).toFixed(0)} ms at a time (p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms)`,
        `  again at once: ${(againMs / 1000).toFixed(1)} s, ${rerun.reduce((sum, run) => sum + run.inserted, 0)} new rows in ${rerun.length} run(s)`,
        '',
      ].join('\n'),
    );
    return passed;
  } finally {
    await store.close();
    await database.close();
    rmSync(folder, { recursive: true, force: true });
  }
}
