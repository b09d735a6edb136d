// The demo market's footprint on the embedded database: a PGlite database in
// a scratch folder, with the real catalog, filled with 30 days of what live
// ingestion stores from the demo market (every tick of the model, the rows
// the provider yields, written through the same write path a day at a time
// in time order, rolled up after each day as the leader's maintenance does,
// with a checkpoint as the platform takes them), then the market summary of
// every item and the index points the summary updater adds after each
// cycle. It prints the rows a day against the model's count, each table's
// size and bytes per row, and the folder's size on disk, write-ahead log
// included. Then a few more days as the steady state goes: raw rows past the
// retention deleted and the hourly vacuum PGlite gets (src/platform/db), to
// show what the database still grows by a day.
// Target: the folder under 1 GB after 30 days.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { buildCatalogFromDataSet, syncCatalog } from '../src/market/catalog/index.js';
import { loadItemsToPrice } from '../src/market/ingest/items-to-price.js';
import { deleteExpiredPrices } from '../src/market/ingest/retention.js';
import { rollUpPrices, rollupGraceMs } from '../src/market/ingest/rollups.js';
import { writePrices } from '../src/market/ingest/write-prices.js';
import { DemoModels, demoTicks } from '../src/market/providers/demo.js';
import { demoRowsPerDay, stepAt } from '../src/market/providers/demo-model.js';
import { ITEMS_PER_REFRESH, refreshSummaries } from '../src/market/summary/refresh.js';
import { inBatches } from '../src/platform/batches.js';
import { migrate, openDatabase } from '../src/platform/db/index.js';
import { MemoryStore } from '../src/platform/store/memory-store.js';
import { DAY_MS, MINUTE_MS } from '../src/platform/time.js';

const DAYS = 30;
const MORE_DAYS = 3;
const TARGET_BYTES = 1024 ** 3;
const INTERVAL_MS = MINUTE_MS;
const RETENTION_MS = 30 * DAY_MS;
const SEED = 1;
const ROWS_PER_WRITE = 10_000;
const TABLES = [
  'prices',
  'price_rollups_hourly',
  'price_rollups_daily',
  'market_summary',
  'market_index_points',
  'market_index_hourly',
  'items',
] as const;

const MB = 1024 * 1024;
const seconds = (startedMs: number) => ((performance.now() - startedMs) / 1000).toFixed(1);
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

function folderBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : statSync(full).size;
  }
  return total;
}

export async function runDemoStorage(): Promise<boolean> {
  const folder = mkdtempSync(join(tmpdir(), 'tracera-demo-storage-'));
  const dataDir = join(folder, 'pglite');
  const database = await openDatabase({ kind: 'pglite', dataDir });
  try {
    await migrate(database);
    await syncCatalog(database, await buildCatalogFromDataSet());
    const items = await loadItemsToPrice(database);
    const models = new DemoModels(SEED);
    const options = { seed: SEED, currency: 'USD' as const };
    const expected = demoRowsPerDay(items.map((item) => models.of(item)));
    const end = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const start = end - DAYS * DAY_MS;

    /** A day of ticks in time order, then the rollups and the checkpoint; the rows written. */
    const writeDay = async (dayStart: number) => {
      const ticks = demoTicks(options, models, items, stepAt(dayStart), stepAt(dayStart + DAY_MS));
      ticks.sort((a, b) => a.observed_at.getTime() - b.observed_at.getTime());
      for (const batch of inBatches(ticks, ROWS_PER_WRITE)) await writePrices(database, batch);
      await rollUpPrices(database, {
        now: new Date(dayStart + DAY_MS),
        graceMs: rollupGraceMs(INTERVAL_MS),
        rawRetentionMs: RETENTION_MS,
      });
      await sql`checkpoint`.execute(database.db);
      return ticks.length;
    };

    const started = performance.now();
    let rows = 0;
    for (let day = 0; day < DAYS; day += 1) {
      const written = await writeDay(start + day * DAY_MS);
      rows += written;
      process.stdout.write(
        `  day ${day + 1}: ${written.toLocaleString('en-US')} rows, ${seconds(started)} s\n`,
      );
    }
    const store = new MemoryStore();
    for (const chunk of inBatches(
      items.map((item) => item.id),
      ITEMS_PER_REFRESH,
    )) {
      await refreshSummaries({
        database,
        store,
        source: 'demo',
        itemIds: chunk,
        now: new Date(end),
      });
    }
    // One index point per cycle, one close per hour: their values do not change their size.
    await sql`insert into market_index_points (source, at, value)
      select 'demo', t, 1000 + random() from generate_series(${new Date(start)}::timestamptz,
        ${new Date(end)}::timestamptz, ${`${INTERVAL_MS} milliseconds`}::interval) t`.execute(
      database.db,
    );
    await sql`insert into market_index_hourly (source, bucket, open, close, low, high)
      select 'demo', t, 1000, 1000, 1000, 1000 from generate_series(${new Date(start)}::timestamptz,
        ${new Date(end)}::timestamptz, interval '1 hour') t`.execute(database.db);
    await sql`checkpoint`.execute(database.db);
    const fillSeconds = seconds(started);

    const lines = [
      `demo-storage: PGlite, ${items.length.toLocaleString('en-US')} catalog items, ${DAYS} days at a ${INTERVAL_MS / 1000} s interval, filled in ${fillSeconds} s`,
      `  model: ${Math.round(expected.prices).toLocaleString('en-US')} price rows a day, at most ${Math.round(expected.hourlyRollups).toLocaleString('en-US')} hourly and ${Math.round(expected.dailyRollups).toLocaleString('en-US')} daily rollup rows`,
      `  stored: ${Math.round(rows / DAYS).toLocaleString('en-US')} price rows a day`,
    ];
    for (const table of TABLES) {
      const { rows: sized } = await sql<{ count: number; bytes: number }>`
        select (select count(*) from ${sql.table(table)})::int as count,
          pg_total_relation_size(${table}::regclass)::float8 as bytes`.execute(database.db);
      const { count = 0, bytes = 0 } = sized[0] ?? {};
      lines.push(
        `  ${table}: ${count.toLocaleString('en-US')} rows, ${mb(bytes)}${count > 0 ? `, ${Math.round(bytes / count)} bytes a row` : ''}`,
      );
    }
    const { rows: dbSize } = await sql<{ bytes: number }>`
      select pg_database_size(current_database())::float8 as bytes`.execute(database.db);
    const onDisk = folderBytes(dataDir);
    const wal = folderBytes(join(dataDir, 'pg_wal'));
    const passed = onDisk < TARGET_BYTES;
    lines.push(
      `  database ${mb(dbSize[0]?.bytes ?? 0)}; on disk ${mb(onDisk)}, of which write-ahead log ${mb(wal)} (target < ${mb(TARGET_BYTES)}) ${passed ? 'PASS' : 'FAIL'}`,
    );

    let previous = onDisk;
    for (let day = 0; day < MORE_DAYS; day += 1) {
      const dayEnd = end + (day + 1) * DAY_MS;
      await writeDay(dayEnd - DAY_MS);
      const deleted = await deleteExpiredPrices(database, {
        now: new Date(dayEnd),
        rawRetentionMs: RETENTION_MS,
      });
      const vacuumStarted = performance.now();
      await sql`vacuum`.execute(database.db);
      const vacuumMs = performance.now() - vacuumStarted;
      await sql`checkpoint`.execute(database.db);
      const size = folderBytes(dataDir);
      lines.push(
        `  day ${DAYS + day + 1}: ${deleted.toLocaleString('en-US')} raw rows past retention deleted, vacuum ${Math.round(vacuumMs)} ms; on disk ${mb(size)} (${size >= previous ? '+' : ''}${mb(size - previous)})`,
      );
      previous = size;
    }
    lines.push('');
    process.stdout.write(lines.join('\n'));
    return passed;
  } finally {
    await database.close();
    rmSync(folder, { recursive: true, force: true });
  }
}
