-- The CS2 item catalog (`tracera catalog sync`, src/market/catalog/) and
-- search by name. updated_at records when a sync last changed a row.
--
-- GET /items?q= looks for items whose name contains every word of the query,
-- case-insensitively (`lower(market_hash_name) like lower('%word%')`, one per
-- word; twice as fast as ILIKE when many rows must be tested). A btree cannot
-- serve a pattern with a leading wildcard; a pg_trgm GIN index can, for any
-- word of three characters or more. pg_trgm is a trusted contrib extension, so
-- a database owner may create it; PGlite bundles it.
create extension if not exists pg_trgm;

alter table items add column updated_at timestamptz not null default now();

create index items_lower_market_hash_name_trgm_idx on items
  using gin (lower(market_hash_name) gin_trgm_ops);

-- Browsing one category in name order, page by page.
create index items_category_market_hash_name_idx on items (category, market_hash_name);
