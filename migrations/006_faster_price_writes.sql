-- Two changes that make storing a price cheaper (bench/ingest), without
-- changing what is stored.
--
-- 1. Prices keep their item's integrity without a per-row foreign key check.
-- A foreign key checks every inserted row with its own trigger, which locks
-- the item row again for each price: that was about 40% of the cost of
-- storing a price (bench/ingest). Instead, writers of prices
-- (src/market/ingest/write-prices.ts) hold advisory lock 7238110005 shared
-- for their transaction and store only prices of items they see, and a
-- delete from items takes it exclusively before it deletes anything, then
-- deletes the prices of the deleted items, as `on delete cascade` did. So a
-- delete waits for every write in flight and then deletes what it stored,
-- and a write that starts later waits for the delete to commit and then no
-- longer sees the item: no price outlives its item, at one lock per write
-- instead of one per row. Taking the lock before deleting matters: a delete
-- holding item rows while it waited could deadlock with a writer whose
-- rollup queue entry (price_rollup_pending) checks the same item.
alter table prices drop constraint prices_item_id_fkey;

create function lock_out_price_writes() returns trigger
language plpgsql as $$
begin
  -- Under a stricter isolation level the prices deleted afterwards would be
  -- those of the transaction's first snapshot, missing any written while
  -- this waited: refused rather than left behind.
  if current_setting('transaction_isolation') <> 'read committed' then
    raise exception 'deleting catalog items needs READ COMMITTED isolation, not %',
      current_setting('transaction_isolation');
  end if;
  perform pg_advisory_xact_lock(7238110005);
  return null;
end
$$;

create function truncate_prices_with_items() returns trigger
language plpgsql as $$
begin
  perform pg_advisory_xact_lock(7238110005);
  truncate prices;
  return null;
end
$$;

create function delete_prices_of_deleted_items() returns trigger
language plpgsql as $$
begin
  delete from prices where item_id in (select id from deleted_items);
  return null;
end
$$;

create trigger items_delete_waits_for_price_writes
  before delete on items
  for each statement execute function lock_out_price_writes();

create trigger items_delete_prices
  after delete on items
  referencing old table as deleted_items
  for each statement execute function delete_prices_of_deleted_items();

-- `truncate items cascade` empties the tables whose foreign keys point at
-- items; prices has none, so it is emptied here.
create trigger items_truncate_prices
  before truncate on items
  for each statement execute function truncate_prices_with_items();

-- 2. A source is an identifier ('steam', 'skinport', 'demo'), not text in a
-- language: comparing it byte by byte ("C") instead of by the database's
-- locale makes every index insertion and lookup on (item, source, time)
-- cheaper, by about a tenth of a price write here and more under locales
-- with costlier comparison rules. The tables that are joined on source
-- change together, so their comparisons agree.
alter table prices alter column source type text collate "C";
alter table price_rollups_hourly alter column source type text collate "C";
alter table price_rollups_daily alter column source type text collate "C";
alter table price_rollup_pending alter column source type text collate "C";
