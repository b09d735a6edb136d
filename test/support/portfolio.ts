// A portfolio on test storage: an accounts app whose Steam inventory client
// points at the stand-in (test/support/steam-inventory.ts), a small priced
// market stored the way ingestion stores one (raw prices, daily rollups, the
// market summary), and a signed-in user with Steam linked.
import { sql } from 'kysely';
import { linkProvider } from '../../src/auth/federated/links.js';
import { writePrices } from '../../src/market/ingest/index.js';
import { rollUpPrices } from '../../src/market/ingest/rollups.js';
import { refreshSummaries } from '../../src/market/summary/refresh.js';
import type { PriceQuote } from '../../src/market/types.js';
import type { Database } from '../../src/platform/db/index.js';
import type { Store } from '../../src/platform/store/index.js';
import { type AccountsApp, createVerifiedUser, signIn } from './accounts.js';
import type { Browser } from './browser.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Items the test market prices: name and today's price in cents. */
export const PRICED = {
  redline: { name: 'AK-47 | Redline (Field-Tested)', cents: 2000 },
  asiimov: { name: 'AWP | Asiimov (Battle-Scarred)', cents: 9000 },
  case: { name: 'Kilowatt Case', cents: 100 },
} as const;
/** In the catalog, never priced. */
export const UNPRICED_NAME = 'Sticker | Unpriced (Holo)';

export interface TestMarket {
  readonly ids: Readonly<Record<keyof typeof PRICED | 'unpriced', number>>;
}

/**
 * Five days of prices, one an hour, each item's price rising a cent an hour
 * to its PRICED value at `now`; then the rollups and the market summary.
 */
export async function seedPortfolioMarket(
  database: Database,
  store: Store,
  now: number,
): Promise<TestMarket> {
  const names = [...Object.values(PRICED).map((item) => item.name), UNPRICED_NAME];
  const { rows } = await sql<{ id: number; market_hash_name: string }>`
    insert into items (market_hash_name, category)
    select name, 'skin' from unnest(${names}::text[]) as name
    returning id, market_hash_name`.execute(database.db);
  const idOf = (name: string) => rows.find((row) => row.market_hash_name === name)?.id as number;
  const quotes: PriceQuote[] = [];
  for (const item of Object.values(PRICED)) {
    for (let hours = 5 * 24; hours >= 0; hours -= 1) {
      quotes.push({
        item_id: idOf(item.name),
        source: 'demo',
        price_cents: item.cents - hours,
        volume: 100,
        observed_at: new Date(now - hours * HOUR_MS),
      });
    }
  }
  await writePrices(database, quotes);
  await rollUpPrices(database, { now: new Date(now), graceMs: 0, rawRetentionMs: 30 * DAY_MS });
  const itemIds = Object.values(PRICED).map((item) => idOf(item.name));
  await refreshSummaries({ database, store, source: 'demo', itemIds, now: new Date(now) });
  return {
    ids: {
      redline: idOf(PRICED.redline.name),
      asiimov: idOf(PRICED.asiimov.name),
      case: idOf(PRICED.case.name),
      unpriced: idOf(UNPRICED_NAME),
    },
  };
}

export interface PortfolioUser {
  readonly browser: Browser;
  readonly userId: number;
}

/** A verified, signed-in user; with `steamId`, Steam is linked to the account. */
export async function portfolioUser(
  app: AccountsApp,
  email: string,
  steamId: string | null,
  ip?: string,
): Promise<PortfolioUser> {
  const browser = app.browser(ip);
  await createVerifiedUser(app, browser, email);
  await signIn(browser, email);
  const me = await browser.request({ url: '/api/v1/auth/me' });
  const userId = (me.json() as { id: number }).id;
  if (steamId) await linkProvider(app.database, { userId, provider: 'steam', providerId: steamId });
  return { browser, userId };
}
