-- History filled in for a source that has none from before it started: the
-- demo market's, on its first start and after a stop
-- (src/market/ingest/demo-backfill.ts). One row per source records the span
-- of the last run and whether it finished, so a run cut short is done again
-- from its start (rows already stored are skipped), and a finished one is
-- followed only by the span since the newest stored price.
create table market_backfills (
  source text collate "C" primary key,
  filled_from timestamptz not null,
  filled_to timestamptz not null,
  completed_at timestamptz
);
