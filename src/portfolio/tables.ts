// The portfolio's tables as Kysely sees them (migrations/012_portfolio.sql),
// with the catalog's items table they join to.
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { ItemTables } from '../market/catalog/items.js';
import type { Database } from '../platform/db/index.js';

export type HoldingOrigin = 'steam' | 'manual';
export type TransactionKind = 'buy' | 'sell';

export type PortfolioTables = ItemTables & {
  portfolio_holdings: {
    id: Generated<number>;
    user_id: number;
    origin: HoldingOrigin;
    item_id: number | null;
    market_hash_name: string;
    quantity: number;
    asset_id: string | null;
    float_value: number | null;
    pattern: number | null;
    note: ColumnType<string, string | undefined, string>;
    added_at: ColumnType<Date, Date | undefined, never>;
  };
  portfolio_transactions: {
    id: Generated<number>;
    user_id: number;
    kind: TransactionKind;
    item_id: number | null;
    market_hash_name: string;
    quantity: number;
    unit_price_cents: number;
    fee_cents: number;
    currency: string;
    occurred_at: Date;
    note: ColumnType<string, string | undefined, string>;
    created_at: ColumnType<Date, Date | undefined, never>;
  };
  portfolio_imports: {
    id: Generated<number>;
    user_id: number;
    steam_id: string;
    imported_at: Date;
    pages: number;
    assets: number;
    matched: number;
    unmatched: number;
    without_description: number;
    duration_ms: number;
  };
  portfolio_snapshots: {
    user_id: number;
    day: ColumnType<string, string, string>;
    value_cents: number;
    net_value_cents: number;
    priced_quantity: number;
    taken_at: Date;
  };
};

export function portfolioDb(database: Database): Kysely<PortfolioTables> {
  return database.db.withTables<PortfolioTables>();
}
