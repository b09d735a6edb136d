-- What a trader scans (GET /api/v1/market, /movers, the market index), kept
-- current by ingestion for the items each batch changed, so no request
-- computes from raw prices (src/market/summary/).
--
-- One row per (item, source) with a price. The item's own filter columns are
-- copied in, so a page filtered by category or rarity and sorted by change
-- is read from this table's indexes alone; a catalog sync that changes an
-- item updates them too. Changes are percentages (null when there is no
-- price that long ago), volume is the latest the source reported (Steam:
-- units sold in the last 24 hours), volatility is the 24 h coefficient of
-- variation, and the sparkline is about 30 closing prices over 7 days.
create table market_summary (
  item_id integer not null references items (id) on delete cascade,
  source text collate "C" not null,
  market_hash_name text not null,
  category text not null,
  rarity text,
  exterior text,
  stattrak boolean not null,
  souvenir boolean not null,
  price_cents bigint not null,
  observed_at timestamptz not null,
  volume integer,
  change_1h double precision,
  change_24h double precision,
  change_7d double precision,
  volatility double precision,
  sparkline bigint[] not null,
  sparkline_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (item_id, source)
);

-- The sorts a page asks for, each within a source.
create index market_summary_price_idx on market_summary (source, price_cents, item_id);
create index market_summary_volume_idx on market_summary (source, volume, item_id);
create index market_summary_change_1h_idx on market_summary (source, change_1h, item_id);
create index market_summary_change_24h_idx on market_summary (source, change_24h, item_id);
create index market_summary_change_7d_idx on market_summary (source, change_7d, item_id);
create index market_summary_volatility_idx on market_summary (source, volatility, item_id);
create index market_summary_category_idx on market_summary (source, category, item_id);

-- The Tracera CS2 index of each source: its latest state (the basket, with
-- each item's weight and the price the last step used, and when it was
-- last reweighted), and its points over time, one per ingestion, with an
-- hourly close kept forever for long charts while points are kept as long
-- as raw prices.
create table market_index_state (
  source text collate "C" primary key,
  value double precision not null,
  basket jsonb not null,
  reweighted_at timestamptz not null,
  computed_at timestamptz not null
);

create table market_index_points (
  source text collate "C" not null,
  at timestamptz not null,
  value double precision not null,
  primary key (source, at)
);

create table market_index_hourly (
  source text collate "C" not null,
  bucket timestamptz not null,
  open double precision not null,
  close double precision not null,
  low double precision not null,
  high double precision not null,
  primary key (source, bucket)
);
