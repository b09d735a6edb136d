-- A user's portfolio (src/portfolio/): what they hold, what they traded, each
-- Steam inventory import, and one value snapshot a day.
--
-- Holdings come from two origins. `steam` rows are one per inventory asset
-- and are replaced as a whole by each import, so what left the inventory
-- leaves the holdings; `manual` rows are items held elsewhere, added by hand,
-- and no import touches them. A holding names its item by market_hash_name
-- and keeps item_id null when the catalog has no such item: it is shown,
-- not valued.
create table portfolio_holdings (
  id bigint generated always as identity primary key,
  user_id bigint not null references users (id) on delete cascade,
  origin text not null check (origin in ('steam', 'manual')),
  item_id integer references items (id) on delete set null,
  market_hash_name text not null check (length(market_hash_name) between 1 and 255),
  quantity integer not null check (quantity between 1 and 1000000),
  asset_id text check ((origin = 'steam') = (asset_id is not null)),
  float_value double precision,
  pattern integer,
  note text not null default '' check (length(note) <= 500),
  added_at timestamptz not null default now()
);

create index portfolio_holdings_user_item_idx on portfolio_holdings (user_id, item_id);
create unique index portfolio_holdings_user_asset_idx on portfolio_holdings (user_id, asset_id)
  where asset_id is not null;

-- The ledger: buys and sells the user records (or imports from CSV). It is
-- never touched by an inventory import. Amounts are integer minor units in
-- `currency`, which is the market currency (the API refuses others, having
-- no exchange rates to convert them with).
create table portfolio_transactions (
  id bigint generated always as identity primary key,
  user_id bigint not null references users (id) on delete cascade,
  kind text not null check (kind in ('buy', 'sell')),
  item_id integer references items (id) on delete set null,
  market_hash_name text not null check (length(market_hash_name) between 1 and 255),
  quantity integer not null check (quantity between 1 and 1000000),
  unit_price_cents bigint not null check (unit_price_cents >= 0),
  fee_cents bigint not null default 0 check (fee_cents >= 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  occurred_at timestamptz not null,
  note text not null default '' check (length(note) <= 500),
  created_at timestamptz not null default now()
);

create index portfolio_transactions_user_time_idx
  on portfolio_transactions (user_id, occurred_at, id);

-- One row per finished import: when, from which Steam account, and what it
-- found, so the portfolio can say how current it is and what it could not
-- match.
create table portfolio_imports (
  id bigint generated always as identity primary key,
  user_id bigint not null references users (id) on delete cascade,
  steam_id text not null,
  imported_at timestamptz not null,
  pages integer not null,
  assets integer not null,
  matched integer not null,
  unmatched integer not null,
  without_description integer not null,
  duration_ms integer not null
);

create index portfolio_imports_user_time_idx on portfolio_imports (user_id, imported_at desc);

-- The portfolio's value once a UTC day, taken by the ingestion leader after
-- a cycle (or filled from price history by the first import): one row per
-- user and day, so taking it twice changes nothing.
create table portfolio_snapshots (
  user_id bigint not null references users (id) on delete cascade,
  day date not null,
  value_cents bigint not null,
  net_value_cents bigint not null,
  priced_quantity integer not null,
  taken_at timestamptz not null,
  primary key (user_id, day)
);
