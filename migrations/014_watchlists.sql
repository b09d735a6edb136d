-- A user's watchlist (src/watchlist/): the catalog items they follow, each
-- with an optional note and when it was added. One row per user and item,
-- so adding an item twice changes nothing but its note. How many items one
-- user may watch is a setting (WATCHLIST_ITEMS_PER_USER), checked by the
-- API under a lock on the user's row, not here.
--
-- An item that leaves the catalog leaves every watchlist with it: a
-- watched item is only ever shown with its catalog fields and price.
create table watchlist_items (
  user_id bigint not null references users (id) on delete cascade,
  item_id integer not null references items (id) on delete cascade,
  note text not null default '' check (length(note) <= 500),
  added_at timestamptz not null default now(),
  primary key (user_id, item_id)
);

-- A user's list newest first, and the ingestion leader's "what anyone
-- watches" (priority.ts), which reads item ids across users.
create index watchlist_items_user_added_idx on watchlist_items (user_id, added_at desc, item_id desc);
create index watchlist_items_item_idx on watchlist_items (item_id);
