// The whole CS2 catalog in a migrated database, every item priced in
// market_summary by one source with the spread of a real market: prices
// from cents to thousands, volume falling as price rises, changes of a few
// percent. The market table and the portfolio benchmarks read it.
import { sql } from 'kysely';
import { buildCatalogFromDataSet, syncCatalog } from '../src/market/catalog/index.js';
import type { Database } from '../src/platform/db/index.js';

/** Loads and prices the catalog; returns how many items it inserted. */
export async function priceWholeCatalog(database: Database): Promise<number> {
  const report = await syncCatalog(database, await buildCatalogFromDataSet());
  await sql`insert into market_summary (item_id, source, market_hash_name, category, rarity,
      exterior, stattrak, souvenir, price_cents, observed_at, volume, change_1h, change_24h,
      change_7d, volatility, sparkline, sparkline_at, updated_at)
    select id, 'steam', market_hash_name, category, rarity, exterior, stattrak, souvenir,
      price, now(), greatest(0, (200000 / price)::int + (id % 17)),
      (random() - 0.5) * 2, (random() - 0.5) * 10, (random() - 0.5) * 30, random() / 10,
      array(select (price * (1 + (random() - 0.5) / 10))::bigint
        from generate_series(1, 28)), now(), now()
    from (select id, market_hash_name, category, rarity, exterior, stattrak, souvenir,
        (3 + (exp(random() * 12)))::bigint as price from items) priced`.execute(database.db);
  await sql`vacuum (analyze) items, market_summary`.execute(database.db);
  return report.inserted;
}
