-- Where the TimescaleDB extension is installed, prices become a hypertable
-- chunked by day; elsewhere (PGlite, plain PostgreSQL) they stay a plain table
-- with the indexes of 001. Queries are the same either way.
--
-- A server that has the extension installed but not preloaded fails here on
-- purpose, naming shared_preload_libraries, rather than silently running
-- without it.
do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'timescaledb') then
    create extension if not exists timescaledb;
    perform create_hypertable(
      'prices', 'observed_at',
      chunk_time_interval => interval '1 day',
      if_not_exists => true,
      migrate_data => true
    );
  end if;
end
$$;
