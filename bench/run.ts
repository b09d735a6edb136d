// `npm run bench`: every benchmark, each printing ratios against a baseline
// measured in the same run. Exits non-zero when a target is missed.
import { runAlerts } from './alerts.js';
import { runAuth } from './auth.js';
import { runDemoBackfill } from './demo-backfill.js';
import { runDemoStorage } from './demo-storage.js';
import { runHttpOverhead } from './http-overhead.js';
import { runIngest } from './ingest.js';
import { runMarket } from './market.js';
import { runMarketOverview } from './market-overview.js';
import { runPortfolio } from './portfolio.js';
import { runWsFanout } from './ws-fanout.js';

const benchmarks: [string, () => Promise<boolean>][] = [
  ['http-overhead', runHttpOverhead],
  ['auth', runAuth],
  ['ingest', runIngest],
  ['market', runMarket],
  ['market-overview', runMarketOverview],
  ['portfolio', runPortfolio],
  ['alerts', runAlerts],
  ['demo-storage', runDemoStorage],
  ['demo-backfill', runDemoBackfill],
  ['ws-fanout', runWsFanout],
];
const only = process.argv[2];
let passed = true;
for (const [name, run] of benchmarks) {
  if (only && only !== name) continue;
  process.stdout.write(`\n== ${name}\n`);
  passed = (await run()) && passed;
}
process.exitCode = passed ? 0 : 1;
