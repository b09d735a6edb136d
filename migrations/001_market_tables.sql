-- The CS2 item catalog and the price observations of every market source.
-- Prices are integers in minor units (cents); every row names its source and
-- the time it was observed, and (item, source, time) is unique, so a batch
-- delivered twice is stored once.

create table items (
  id integer generated always as identity primary key,
  market_hash_name text not null unique,
  category text not null,
  weapon_type text,
  skin_name text,
  exterior text,
  stattrak boolean not null default false,
  souvenir boolean not null default false,
  rarity text,
  image_url text,
  created_at timestamptz not null default now()
);

create table prices (
  item_id integer not null references items (id) on delete cascade,
  source text not null,
  observed_at timestamptz not null,
  price_cents bigint not null check (price_cents >= 0),
  volume integer check (volume >= 0),
  listings integer check (listings >= 0),
  primary key (item_id, source, observed_at)
);

-- Retention and rollups scan by time across all items.
create index prices_observed_at_idx on prices (observed_at);
