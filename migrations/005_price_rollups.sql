-- Hourly and daily rollups of the prices table, kept forever while raw rows
-- are deleted after PRICE_RAW_RETENTION_DAYS. Buckets start at whole UTC
-- hours and days. Our own rollup job fills them on every backend (see
-- src/market/ingest/rollups.ts); they are plain tables, not TimescaleDB
-- continuous aggregates, so the same queries read and test them everywhere.
--
-- stddev_cents is the population standard deviation (0 for one sample).
-- volume is the last non-null volume observed in the bucket, not a sum:
-- sources report volume as a rolling count (Steam: units sold in the last 24
-- hours), so adding the samples of a bucket would count the same sales many
-- times over.

create table price_rollups_hourly (
  item_id integer not null references items (id) on delete cascade,
  source text not null,
  bucket timestamptz not null,
  open_cents bigint not null,
  close_cents bigint not null,
  avg_cents double precision not null,
  min_cents bigint not null,
  max_cents bigint not null,
  stddev_cents double precision not null,
  volume integer,
  samples integer not null check (samples > 0),
  primary key (item_id, source, bucket)
);

create table price_rollups_daily (
  item_id integer not null references items (id) on delete cascade,
  source text not null,
  bucket timestamptz not null,
  open_cents bigint not null,
  close_cents bigint not null,
  avg_cents double precision not null,
  min_cents bigint not null,
  max_cents bigint not null,
  stddev_cents double precision not null,
  volume integer,
  samples integer not null check (samples > 0),
  primary key (item_id, source, bucket)
);

-- How far each rollup has got: every bucket that ends at or before
-- rolled_up_to has been rolled up (null: nothing yet). The rows exist from
-- the start, because writers lock them (for share) to learn whether a row
-- they insert is late, while the rollup job locks one (for update) as it
-- moves it forward; see src/market/ingest/write-prices.ts.
create table price_rollup_watermarks (
  rollup text primary key check (rollup in ('hourly', 'daily')),
  bucket_width interval not null,
  rolled_up_to timestamptz
);

insert into price_rollup_watermarks (rollup, bucket_width)
values ('hourly', interval '1 hour'), ('daily', interval '1 day');

-- Without statistics the planner guesses about a thousand rows here, which
-- makes every batch write look expensive enough for JIT compilation (a
-- fifth of a second per statement on PostgreSQL); two rows never change that
-- guess again, since autovacuum does not analyze a table this small.
analyze price_rollup_watermarks;

-- Buckets already rolled up that received rows since (late rows): the
-- rollup job computes them again from the raw rows and deletes the entry.
create table price_rollup_pending (
  rollup text not null references price_rollup_watermarks (rollup),
  item_id integer not null references items (id) on delete cascade,
  source text not null,
  bucket timestamptz not null,
  primary key (rollup, item_id, source, bucket)
);
