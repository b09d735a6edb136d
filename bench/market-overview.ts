// The market table at catalog scale, on PostgreSQL as an operator runs it:
// the whole CS2 catalog (about 37,000 items) priced in market_summary, and
// the three pages a trader opens most, each at a steady rate (requests due
// every 10 ms, each timed from when it was due), beside GET /api/v1/health
// at the same rate as the run's baseline:
//  - the top of the market by volume,
//  - a search ("ak redline"),
//  - a category (weapon skins, the largest) sorted by the 24 h change.
// Target: each page's p99 under 30 ms.
import { migrate, openDatabase } from '../src/platform/db/index.js';
import {
  BENCH_DATABASE_URL,
  createScratchDatabase,
  DURATION_SECONDS,
  describeRuns,
  type Measurement,
  p99,
  ROUNDS,
  startApp,
  steadyLoad,
  stopAll,
  WARMUP_SECONDS,
} from './harness.js';
import { priceWholeCatalog } from './priced-catalog.js';

const RATE_PER_SECOND = 100;
const CONNECTIONS = 8;
const TARGET_P99_MS = 30;
const PAGES: readonly [string, string][] = [
  ['top by volume', '/api/v1/market?sort=volume&source=steam'],
  ['search "ak redline"', '/api/v1/market?q=ak%20redline&source=steam'],
  ['skins by 24 h change', '/api/v1/market?category=skin&sort=change_24h&source=steam'],
];

const seconds = (startedMs: number) => ((performance.now() - startedMs) / 1000).toFixed(1);

export async function runMarketOverview(): Promise<boolean> {
  const scratch = await createScratchDatabase();
  const database = await openDatabase({ kind: 'postgres', url: scratch.url, poolSize: 4 });
  let app: Awaited<ReturnType<typeof startApp>> | null = null;
  try {
    await migrate(database);
    const started = performance.now();
    const inserted = await priceWholeCatalog(database);
    process.stdout.write(
      `  ${inserted.toLocaleString('en-US')} catalog items priced in ${seconds(started)} s\n`,
    );

    app = await startApp('app', { DATABASE_URL: scratch.url, MARKET_PROVIDERS: 'steam' });
    const steady = {
      seconds: DURATION_SECONDS,
      connections: CONNECTIONS,
      ratePerSecond: RATE_PER_SECOND,
    };
    for (const [, path] of PAGES) {
      await steadyLoad(app, { ...steady, path, seconds: WARMUP_SECONDS });
    }
    const health: Measurement[] = [];
    const pages = new Map<string, Measurement[]>(PAGES.map(([name]) => [name, []]));
    for (let round = 1; round <= ROUNDS; round += 1) {
      health.push(await steadyLoad(app, { ...steady, path: '/api/v1/health' }));
      const line = [`  round ${round}: health p99 ${health.at(-1)?.p99Ms.toFixed(1)} ms`];
      for (const [name, path] of PAGES) {
        const measured = await steadyLoad(app, { ...steady, path });
        pages.get(name)?.push(measured);
        line.push(`${name} ${measured.p99Ms.toFixed(1)} ms`);
      }
      process.stdout.write(`${line.join(', ')}\n`);
    }

    const lines = [
      `market-overview: PostgreSQL ${new URL(BENCH_DATABASE_URL).host}; ${inserted} priced items; ${RATE_PER_SECOND} req/s each`,
      `  GET /health (baseline): ${describeRuns(health)}`,
    ];
    let passed = true;
    let errors = health.reduce((sum, m) => sum + m.errors, 0);
    for (const [name, runs] of pages) {
      const ok = p99(runs) < TARGET_P99_MS;
      passed &&= ok;
      errors += runs.reduce((sum, m) => sum + m.errors, 0);
      lines.push(
        `  ${name}: ${describeRuns(runs)}; p99 ratio to health ${(p99(runs) / Math.max(p99(health), 1)).toFixed(2)} (target p99 < ${TARGET_P99_MS} ms) ${ok ? 'PASS' : 'FAIL'}`,
      );
    }
    lines.push(`  failed or non-2xx responses: ${errors}`, '');
    process.stdout.write(lines.join('\n'));
    return passed && errors === 0;
  } finally {
    if (app) stopAll([app]);
    await database.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await scratch.drop();
  }
}
