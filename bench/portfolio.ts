// The portfolio of a large trader, on PostgreSQL and Redis as an operator
// runs them, then on embedded PGlite (BENCH_PORTFOLIO_PGLITE=false skips it):
// the whole catalog priced in market_summary (source steam), and a Steam
// inventory of 5,000 assets in 1,500 catalog items plus a few names the
// catalog does not know, served in 5 pages of 1,000 by the Steam stand-in
// (test/support/steam-inventory.ts, a real HTTP server on 127.0.0.1).
//  1. POST /api/v1/portfolio/import as a signed-in user with Steam linked,
//     then the first GET /api/v1/portfolio: seconds for each, and a
//     re-import (the same inventory replacing the holdings).
//  2. GET /api/v1/portfolio at a steady rate (requests due every 1/rate s,
//     each timed from when it was due) beside GET /api/v1/health at the same
//     rate as the run's baseline. Target: p99 under 50 ms.
// The portfolio routes count requests per client address with
// AUTH_READ_RATE_LIMIT_PER_MIN, raised for the run, or they would (rightly)
// answer 429 to the load generator. The import cooldown is 1 s so the
// re-import may follow at once.
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { linkProvider } from '../src/auth/federated/links.js';
import { getItems } from '../src/market/catalog/items.js';
import { type Database, migrate, openDatabase } from '../src/platform/db/index.js';
import { readOutbox } from '../src/platform/mail/index.js';
import { heldItems, lastImport, listManualHoldings } from '../src/portfolio/holdings.js';
import { wholeLedger } from '../src/portfolio/ledger.js';
import { preferredPrices } from '../src/portfolio/valuation.js';
import {
  type InventoryItemSpec,
  inventoryFixture,
  startSteamInventory,
} from '../test/support/steam-inventory.js';
import {
  type AppTarget,
  BENCH_DATABASE_URL,
  BENCH_REDIS_URL,
  cpuSeconds,
  createScratchDatabase,
  DURATION_SECONDS,
  mean,
  p99,
  ROUNDS,
  type SteadyMeasurement,
  startApp,
  steadyLoad,
  stopAll,
  WARMUP_SECONDS,
} from './harness.js';
import { priceWholeCatalog } from './priced-catalog.js';
import { Visitor } from './visitor.js';

/**
 * A portfolio page is opened by its owner now and then, not polled (only the
 * import status is, while an import runs): 20 openings a second of the
 * largest portfolio the target names is 1,200 a minute on one instance, far
 * above what the market table's 100 a second implies for this page.
 */
const RATE_PER_SECOND = 20;
const CONNECTIONS = 8;
const TARGET_P99_MS = 50;
const STEAM_ID = '76561198000000001';
const EMAIL = 'portfolio-bench@example.com';
const PAGE_SIZE = 1000;
const OUTBOX_WAIT_MS = 10_000;
/** How many times each valuation stage is timed in the profile; the median is printed. */
const PROFILE_REPEATS = 15;
/** Requests sent one at a time, for the time one takes with nothing queued ahead of it. */
const ALONE_REQUESTS = 20;
const PGLITE = process.env.BENCH_PORTFOLIO_PGLITE !== 'false';

/**
 * The inventory's shape: stacks of containers, a sticker collection, and
 * skins, knives and gloves one or two at a time. 1,500 items, 4,990 assets;
 * with the unmatched names, 5,000.
 */
const TIERS: readonly { categories: readonly string[]; items: number; each: number }[] = [
  { categories: ['container'], items: 50, each: 30 },
  { categories: ['sticker'], items: 300, each: 5 },
  { categories: ['skin'], items: 840, each: 2 },
  { categories: ['knife', 'gloves', 'agent', 'charm'], items: 310, each: 1 },
];
/** Names from a game update the catalog does not know yet: kept, shown, not valued. */
const UNMATCHED: readonly InventoryItemSpec[] = Array.from({ length: 5 }, (_, index) => ({
  marketHashName: `Sticker | Bench Unreleased ${index + 1} (Holo)`,
  count: 2,
}));

const seconds = (startedMs: number) => (performance.now() - startedMs) / 1000;

/** The catalog, every item priced as market-overview prices it; returns the inventory to import. */
async function seedMarket(database: Database): Promise<{
  items: InventoryItemSpec[];
  catalogItems: number;
}> {
  await migrate(database);
  const catalogItems = await priceWholeCatalog(database);

  const items: InventoryItemSpec[] = [];
  for (const tier of TIERS) {
    // md5 of the name: a spread over the catalog that is the same every run.
    const { rows } = await sql<{ market_hash_name: string; exterior: string | null }>`
      select market_hash_name, exterior from items
      where category = any(${`{${tier.categories.join(',')}}`}::text[])
      order by md5(market_hash_name) limit ${tier.items}`.execute(database.db);
    if (rows.length < tier.items) throw new Error(`catalog short of ${tier.categories}`);
    for (const [index, row] of rows.entries()) {
      items.push({
        marketHashName: row.market_hash_name,
        count: tier.each,
        // Skins carry wear and pattern in asset_properties, as Steam sends them.
        ...(row.exterior === null
          ? {}
          : { float: 0.01 + (index % 97) / 100, pattern: index % 1000 }),
      });
    }
  }
  return { items: [...items, ...UNMATCHED], catalogItems };
}

/** The token of the newest sign-in link in the outbox, once it is not `previous`. */
async function nextOutboxToken(outbox: string, previous: string | null): Promise<string> {
  const deadline = Date.now() + OUTBOX_WAIT_MS;
  while (Date.now() < deadline) {
    const [latest] = await readOutbox(outbox, 1);
    const link = latest?.links[0];
    const token = link ? (new URL(link).searchParams.get('token') ?? '') : '';
    if (token && token !== previous) return token;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no sign-in link arrived in the outbox');
}

interface SignedIn {
  readonly visitor: Visitor;
  readonly userId: number;
  /** The emailed token used, spent now. */
  readonly token: string;
}

/** Signs up, or in, by emailed link through the app's API. */
async function signIn(app: AppTarget, dataDir: string, previous: string | null): Promise<SignedIn> {
  const visitor = new Visitor(app.origin);
  await visitor.call('GET', '/api/v1/auth/csrf');
  await visitor.call('POST', '/api/v1/auth/magic/request', { email: EMAIL });
  const token = await nextOutboxToken(join(dataDir, 'outbox'), previous);
  await visitor.call('POST', '/api/v1/auth/magic/verify', { token });
  const me = await visitor.call('GET', '/api/v1/auth/me');
  return { visitor, userId: Number(me.id), token };
}

interface Backend {
  readonly name: string;
  /** The app's database settings. */
  readonly env: Record<string, string>;
  /** Whether the bench may use the database while the app runs (not PGlite: one process owns it). */
  readonly shared: boolean;
  open(): Promise<Database>;
  drop(): Promise<void>;
}

async function postgresBackend(): Promise<Backend> {
  const scratch = await createScratchDatabase();
  return {
    name: `PostgreSQL ${new URL(BENCH_DATABASE_URL).host}`,
    env: { DATABASE_URL: scratch.url, REDIS_KEY_PREFIX: `${scratch.name}:` },
    shared: true,
    open: () => openDatabase({ kind: 'postgres', url: scratch.url, poolSize: 4 }),
    drop: () => scratch.drop(),
  };
}

function pgliteBackend(): Backend {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracera-bench-portfolio-'));
  return {
    name: 'PGlite (embedded)',
    env: { DATA_DIR: dataDir, REDIS_KEY_PREFIX: `${dataDir.split('/').at(-1)}:` },
    shared: false,
    open: () => openDatabase({ kind: 'pglite', dataDir: join(dataDir, 'pglite') }),
    drop: () => rm(dataDir, { recursive: true, force: true }),
  };
}

/** CPU seconds so far of each PostgreSQL backend serving the bench's database, by pid. */
async function backendCpu(database: Database): Promise<Map<number, number>> {
  const { rows } = await sql<{ pid: number }>`
    select pid from pg_stat_activity where datname = current_database()`.execute(database.db);
  return new Map(rows.map((row) => [row.pid, cpuSeconds(row.pid)]));
}

/**
 * The database's CPU per request over `run`: backends that exit during it
 * are missed (the app's pool keeps its connections under a steady load).
 */
async function withDatabaseCpu<T extends { readonly requestsPerSecond: number }>(
  database: Database | null,
  run: () => Promise<T>,
): Promise<{ measured: T; databaseCpuSeconds: number | null }> {
  if (!database) return { measured: await run(), databaseCpuSeconds: null };
  const before = await backendCpu(database);
  const measured = await run();
  const after = await backendCpu(database);
  let used = 0;
  for (const [pid, cpu] of after) used += cpu - (before.get(pid) ?? 0);
  return { measured, databaseCpuSeconds: used };
}

interface Outcome {
  readonly passed: boolean;
  readonly lines: string[];
}

/** Times `run` PROFILE_REPEATS times; the median in ms. */
async function medianMs(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let repeat = 0; repeat < PROFILE_REPEATS; repeat += 1) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

/** Each query of a valuation timed on its own from the bench's process: where a request's time goes. */
async function profileValuation(database: Database, userId: number): Promise<string> {
  const held = await heldItems(database, userId);
  const ids = held.flatMap((entry) => (entry.itemId === null ? [] : [entry.itemId]));
  const stages: [string, () => Promise<unknown>][] = [
    ['held items (group by)', () => heldItems(database, userId)],
    ['ledger', () => wholeLedger(database, userId)],
    ['last import', () => lastImport(database, userId)],
    ['manual holdings', () => listManualHoldings(database, userId)],
    ['items by id', () => getItems(database, ids)],
    ['preferred prices', () => preferredPrices(database, ids, ['steam'])],
  ];
  const parts: string[] = [];
  for (const [name, run] of stages) parts.push(`${name} ${(await medianMs(run)).toFixed(1)}`);
  return `  valuation queries, each alone, median of ${PROFILE_REPEATS} (ms): ${parts.join(', ')}`;
}

async function runOn(backend: Backend): Promise<Outcome> {
  const stand = await startSteamInventory({ maxCount: PAGE_SIZE });
  const targets: AppTarget[] = [];
  let database: Database | null = null;
  try {
    const seeding = performance.now();
    database = await backend.open();
    const { items, catalogItems } = await seedMarket(database);
    const fixture = inventoryFixture({ items });
    stand.inventories.set(STEAM_ID, fixture);
    process.stdout.write(
      `  ${backend.name}: ${catalogItems.toLocaleString('en-US')} catalog items priced, inventory of ${fixture.assets.length} assets in ${items.length} names, in ${seconds(seeding).toFixed(1)} s\n`,
    );
    if (!backend.shared) {
      await database.close();
      database = null;
    }

    const env = {
      ...backend.env,
      REDIS_URL: BENCH_REDIS_URL,
      MARKET_PROVIDERS: 'steam',
      PORTFOLIO_PRICE_SOURCES: 'steam',
      STEAM_COMMUNITY_URL: stand.origin,
      STEAM_INVENTORY_PAGE_SIZE: String(PAGE_SIZE),
      PORTFOLIO_IMPORT_COOLDOWN_SECONDS: '1',
      AUTH_READ_RATE_LIMIT_PER_MIN: '100000000',
    };
    let app = await startApp('app', env);
    targets.push(app);
    const dataDir = backend.env.DATA_DIR ?? app.dataDir;
    let { visitor, userId, token } = await signIn(app, dataDir, null);
    if (database) {
      await linkProvider(database, { userId, provider: 'steam', providerId: STEAM_ID });
    } else {
      // PGlite belongs to the serving process: link Steam between two starts,
      // then sign in again on the second.
      stopAll([app]);
      await new Promise((resolve) => app.child.once('exit', resolve));
      const linking = await backend.open();
      await linkProvider(linking, { userId, provider: 'steam', providerId: STEAM_ID });
      await linking.close();
      app = await startApp('app', env);
      targets.push(app);
      ({ visitor, userId, token } = await signIn(app, dataDir, token));
    }

    // 1. The import, the first valuation, a re-import.
    let started = performance.now();
    const imported = (await visitor.call('POST', '/api/v1/portfolio/import')) as {
      import: { assets: number; matched: number; unmatched: number; pages: number };
    };
    const importSeconds = seconds(started);
    started = performance.now();
    const valued = (await visitor.call('GET', '/api/v1/portfolio')) as {
      holdings: unknown[];
      holdings_count: number;
      unmatched: unknown[];
      totals: { priced_quantity: number; unmatched_quantity: number };
    };
    const firstValuationSeconds = seconds(started);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    started = performance.now();
    await visitor.call('POST', '/api/v1/portfolio/import');
    const reimportSeconds = seconds(started);
    const requests = stand.requests.length;
    const shapeOk =
      imported.import.assets === 5000 &&
      imported.import.pages === 5 &&
      valued.holdings_count === 1500 &&
      valued.holdings.length === 100 &&
      valued.unmatched.length === UNMATCHED.length &&
      valued.totals.priced_quantity === 4990;
    process.stdout.write(
      `  import ${importSeconds.toFixed(2)} s (${imported.import.pages} pages, ${imported.import.matched} matched, ${imported.import.unmatched} unmatched), first valuation ${firstValuationSeconds.toFixed(2)} s (${valued.holdings_count} items valued, ${valued.holdings.length} on the first page, ${valued.unmatched.length} unmatched), re-import ${reimportSeconds.toFixed(2)} s; ${requests} requests to the stand-in\n`,
    );

    // 2. The valued portfolio under a steady load, beside health.
    const headers = { cookie: visitor.cookieHeader };
    const steady = {
      seconds: DURATION_SECONDS,
      connections: CONNECTIONS,
      ratePerSecond: RATE_PER_SECOND,
      headers,
    };
    await steadyLoad(app, {
      ...steady,
      path: '/api/v1/portfolio',
      seconds: WARMUP_SECONDS,
    });
    const alone: number[] = [];
    for (let request = 0; request < ALONE_REQUESTS; request += 1) {
      started = performance.now();
      await visitor.call('GET', '/api/v1/portfolio');
      alone.push(performance.now() - started);
    }
    alone.sort((a, b) => a - b);
    const aloneMedian = alone[Math.floor(alone.length / 2)] ?? 0;
    const load = loadavg()[0] ?? 0;
    const health: SteadyMeasurement[] = [];
    const portfolio: SteadyMeasurement[] = [];
    /** PostgreSQL's CPU seconds per portfolio request, each round. */
    const databaseCpu: number[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      health.push(await steadyLoad(app, { ...steady, path: '/api/v1/health' }));
      const { measured, databaseCpuSeconds } = await withDatabaseCpu(database, () =>
        steadyLoad(app, { ...steady, path: '/api/v1/portfolio' }),
      );
      portfolio.push(measured);
      if (databaseCpuSeconds !== null)
        databaseCpu.push(databaseCpuSeconds / (RATE_PER_SECOND * DURATION_SECONDS));
      process.stdout.write(
        `  round ${round}: health p99 ${health.at(-1)?.p99Ms.toFixed(1)} ms, portfolio p99 ${portfolio.at(-1)?.p99Ms.toFixed(1)} ms\n`,
      );
    }
    const profile = database ? await profileValuation(database, userId) : null;

    const cpuMs = (runs: readonly SteadyMeasurement[]) =>
      (mean(runs.map((m) => m.cpuMicrosPerRequest)) / 1000).toFixed(2);
    const describe = (runs: readonly SteadyMeasurement[]) =>
      `p99 ${p99(runs).toFixed(1)} ms (rounds ${runs.map((m) => m.p99Ms.toFixed(1)).join(', ')}), server CPU ${cpuMs(runs)} ms/request`;
    const errors = [...health, ...portfolio].reduce((sum, m) => sum + m.errors, 0);
    const ok = p99(portfolio) < TARGET_P99_MS;
    const bytes = portfolio.at(-1)?.responseBytes ?? 0;
    const lines = [
      `portfolio on ${backend.name}: 5,000 assets in 1,500 items + ${UNMATCHED.length} unmatched names; ${RATE_PER_SECOND} req/s, ${CONNECTIONS} connections; load average ${load.toFixed(1)} before the load`,
      `  import (5 pages of ${PAGE_SIZE}): ${importSeconds.toFixed(2)} s; first valuation ${firstValuationSeconds.toFixed(2)} s; re-import ${reimportSeconds.toFixed(2)} s${shapeOk ? '' : ' (UNEXPECTED SHAPE)'}`,
      `  GET /health (baseline): ${describe(health)}`,
      `  GET /portfolio: ${describe(portfolio)}, ${(bytes / 1024).toFixed(0)} KB a response`,
      ...(databaseCpu.length > 0
        ? [`  PostgreSQL CPU per GET /portfolio: ${(mean(databaseCpu) * 1000).toFixed(2)} ms`]
        : []),
      `  GET /portfolio one at a time: median ${aloneMedian.toFixed(1)} ms, fastest ${alone[0]?.toFixed(1)} ms (${ALONE_REQUESTS} requests)`,
      `  p99 ratio to health ${(p99(portfolio) / Math.max(p99(health), 1)).toFixed(2)} (target p99 < ${TARGET_P99_MS} ms) ${ok ? 'PASS' : 'MISS'}`,
      ...(profile ? [profile] : []),
      `  failed or non-2xx responses: ${errors}`,
      '',
    ];
    return { passed: ok && errors === 0 && shapeOk, lines };
  } finally {
    stopAll(targets);
    await database?.close();
    await stand.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await backend.drop();
  }
}

export async function runPortfolio(): Promise<boolean> {
  const outcomes = [await runOn(await postgresBackend())];
  if (PGLITE) outcomes.push(await runOn(pgliteBackend()));
  process.stdout.write(outcomes.flatMap((outcome) => outcome.lines).join('\n'));
  return outcomes.every((outcome) => outcome.passed);
}
