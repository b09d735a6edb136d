// A small, lifelike market for the browser tests, stored the way ingestion
// stores one: a week of hourly prices and the last two hours every five
// minutes, written with writePrices, the latest prices in the store, the
// volatility computed, the rollups run, the market summary refreshed and
// the market index stepped every three hours, so every page reads what the
// real pipeline would have left. Prices walk deterministically (a seeded
// generator), each item with its own trend, so sorting and movers have
// something to order. One item's last price is two hours old: stale.
import { sql } from 'kysely';
import { writePrices } from '../../src/market/ingest/index.js';
import { updateLatestPrices } from '../../src/market/ingest/latest-prices.js';
import { rollUpPrices } from '../../src/market/ingest/rollups.js';
import { stepIndex } from '../../src/market/summary/market-index.js';
import { refreshSummaries } from '../../src/market/summary/refresh.js';
import type { PriceQuote } from '../../src/market/types.js';
import { recomputeVolatility } from '../../src/market/volatility/recompute.js';
import type { Database } from '../../src/platform/db/index.js';
import type { Store } from '../../src/platform/store/index.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export interface SeedItem {
  readonly name: string;
  readonly category: string;
  readonly rarity: string | null;
  readonly exterior?: string;
  readonly weaponType?: string;
  readonly stattrak?: boolean;
  readonly souvenir?: boolean;
  /** The price a week ago, in cents. */
  readonly startCents: number;
  /** Growth over the week: 0.2 is +20 %. */
  readonly trend: number;
  readonly volume: number;
  /** Stops being priced this long before now (a stale price). */
  readonly silentMs?: number;
}

export const SEED_ITEMS: readonly SeedItem[] = [
  {
    name: 'AK-47 | Redline (Field-Tested)',
    category: 'skin',
    rarity: 'Classified',
    exterior: 'Field-Tested',
    weaponType: 'AK-47',
    startCents: 1850,
    trend: 0.12,
    volume: 940,
  },
  {
    name: 'AWP | Asiimov (Battle-Scarred)',
    category: 'skin',
    rarity: 'Covert',
    exterior: 'Battle-Scarred',
    weaponType: 'AWP',
    startCents: 9400,
    trend: -0.09,
    volume: 310,
  },
  {
    name: '★ Karambit | Doppler (Factory New)',
    category: 'knife',
    rarity: 'Covert',
    exterior: 'Factory New',
    weaponType: 'Karambit',
    startCents: 142_000,
    trend: 0.21,
    volume: 24,
  },
  {
    name: 'StatTrak™ M4A1-S | Printstream (Minimal Wear)',
    category: 'skin',
    rarity: 'Covert',
    exterior: 'Minimal Wear',
    weaponType: 'M4A1-S',
    stattrak: true,
    startCents: 31_500,
    trend: 0.02,
    volume: 58,
  },
  {
    name: 'Sticker | Natus Vincere (Holo) | Paris 2023',
    category: 'sticker',
    rarity: 'Remarkable',
    startCents: 420,
    trend: -0.18,
    volume: 1300,
  },
  {
    name: 'Kilowatt Case',
    category: 'container',
    rarity: 'Base Grade',
    startCents: 118,
    trend: 0.06,
    volume: 52_000,
  },
  {
    name: 'Souvenir P250 | Sand Dune (Field-Tested)',
    category: 'skin',
    rarity: 'Consumer Grade',
    exterior: 'Field-Tested',
    weaponType: 'P250',
    souvenir: true,
    startCents: 160,
    trend: -0.04,
    volume: 700,
  },
  {
    name: 'Desert Eagle | Blaze (Factory New)',
    category: 'skin',
    rarity: 'Restricted',
    exterior: 'Factory New',
    weaponType: 'Desert Eagle',
    startCents: 56_000,
    trend: 0.07,
    volume: 35,
  },
  {
    name: 'Glock-18 | Fade (Minimal Wear)',
    category: 'skin',
    rarity: 'Restricted',
    exterior: 'Minimal Wear',
    weaponType: 'Glock-18',
    startCents: 128_000,
    trend: -0.03,
    volume: 12,
  },
  {
    name: 'USP-S | Kill Confirmed (Well-Worn)',
    category: 'skin',
    rarity: 'Covert',
    exterior: 'Well-Worn',
    weaponType: 'USP-S',
    startCents: 4_900,
    trend: 0.15,
    volume: 410,
  },
  {
    name: 'M4A4 | Howl (Field-Tested)',
    category: 'skin',
    rarity: 'Contraband',
    exterior: 'Field-Tested',
    weaponType: 'M4A4',
    startCents: 310_000,
    trend: 0.04,
    volume: 3,
    silentMs: 2 * HOUR_MS,
  },
  {
    name: 'Sticker | Crown (Foil)',
    category: 'sticker',
    rarity: 'Exotic',
    startCents: 98_000,
    trend: -0.11,
    volume: 9,
  },
];

/** A small deterministic generator (mulberry32), so every run draws the same market. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The moments an item is priced at: hourly for a week, every five minutes in the last two hours. */
function observationTimes(now: number): number[] {
  const times: number[] = [];
  const start = now - 7 * DAY_MS - HOUR_MS;
  for (let at = start; at < now - 2 * HOUR_MS; at += HOUR_MS) times.push(at);
  for (let at = now - 2 * HOUR_MS; at <= now - MINUTE_MS; at += 5 * MINUTE_MS) times.push(at);
  return times;
}

export interface SeededMarket {
  /** Item ids by name. */
  readonly ids: ReadonlyMap<string, number>;
}

export async function seedMarket(
  database: Database,
  store: Store,
  now: number,
): Promise<SeededMarket> {
  const { rows } = await sql<{ id: number; market_hash_name: string }>`
    insert into items (market_hash_name, category, rarity, exterior, weapon_type, stattrak, souvenir)
    select * from unnest(
      ${SEED_ITEMS.map((item) => item.name)}::text[],
      ${SEED_ITEMS.map((item) => item.category)}::text[],
      ${SEED_ITEMS.map((item) => item.rarity)}::text[],
      ${SEED_ITEMS.map((item) => item.exterior ?? null)}::text[],
      ${SEED_ITEMS.map((item) => item.weaponType ?? null)}::text[],
      ${SEED_ITEMS.map((item) => item.stattrak ?? false)}::boolean[],
      ${SEED_ITEMS.map((item) => item.souvenir ?? false)}::boolean[])
    returning id, market_hash_name`.execute(database.db);
  const ids = new Map(rows.map((row) => [row.market_hash_name, row.id]));

  const times = observationTimes(now);
  const quotes: PriceQuote[] = [];
  SEED_ITEMS.forEach((item, index) => {
    const id = ids.get(item.name) as number;
    const random = seededRandom(index + 1);
    let price = item.startCents;
    const drift = item.trend / times.length;
    for (const at of times) {
      if (item.silentMs && at > now - item.silentMs) break;
      price = Math.max(3, Math.round(price * (1 + drift + (random() - 0.5) * 0.02)));
      const volume = Math.max(1, Math.round(item.volume * (0.7 + random() * 0.6)));
      quotes.push({
        item_id: id,
        source: 'demo',
        price_cents: price,
        volume,
        observed_at: new Date(at),
      });
    }
  });
  await writePrices(database, quotes);
  await updateLatestPrices(store, quotes, { publish: false });
  await rollUpPrices(database, { now: new Date(now), graceMs: 0, rawRetentionMs: 30 * DAY_MS });
  const series = [...ids.values()].map((itemId) => ({ itemId, source: 'demo' as const }));
  await recomputeVolatility({ database, store, now: new Date(now) }, series);

  const itemIds = [...ids.values()];
  for (let at = now - 3 * DAY_MS; at < now; at += 3 * HOUR_MS) {
    await refreshSummaries({ database, store, source: 'demo', itemIds, now: new Date(at) });
    await stepIndex(database, 'demo', new Date(at));
  }
  await refreshSummaries({ database, store, source: 'demo', itemIds, now: new Date(now) });
  await stepIndex(database, 'demo', new Date(now));
  return { ids };
}

/**
 * One new price through the ingestion path a provider's quote takes: stored,
 * made the latest, and published on the prices channel the live feed reads.
 */
export async function ingestPrice(
  database: Database,
  store: Store,
  quote: PriceQuote,
): Promise<void> {
  await writePrices(database, [quote]);
  await updateLatestPrices(store, [quote]);
}
