// How each price source fared, for GET /api/v1/market/sources (the UI's
// freshness display, and admins): the ingestion leader records it after
// every cycle as one JSON value per source in the store, kept without expiry,
// so every instance answers the same and a source that stopped keeps its last
// status, whose times tell how old it is.
//
// Coverage (catalog items with a stored price from the source) is counted in
// one pass over the catalog when a leader's term records its first cycle,
// then kept up in memory from the items each cycle priced: a pass per cycle
// would probe the price history once per catalog item and source every
// minute.
//
// A failure is shown to anyone who asks, so its message names the kind of
// failure only; the host, the request and the database's own words stay in
// the server log.
import { setImmediate } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Static } from 'typebox';
import { Value } from 'typebox/value';
import type { Database } from '../../platform/db/index.js';
import { describeFailure, HttpRequestError } from '../../platform/http/bounded-fetch.js';
import type { Store } from '../../platform/store/index.js';
import { MINUTE_MS } from '../../platform/time.js';
import { SourceStatusJson } from '../schemas.js';
import { isSimulated, type PriceSource, type ProviderPace } from '../types.js';
import type { ProviderOutcome } from './ingest-cycle.js';
import type { Term } from './leader.js';

export type SourceStatus = Static<typeof SourceStatusJson>;

/** Catalog items per coverage query. */
const COVERAGE_ITEMS_PER_QUERY = 1000;

export function sourceStatusKey(source: PriceSource): string {
  return `market-source:${source}`;
}

function notRunYet(source: PriceSource): SourceStatus {
  return {
    source,
    simulated: isSimulated(source),
    state: 'not_run_yet',
    last_cycle_at: null,
    cycle_duration_ms: null,
    rows_last_cycle: null,
    items_last_cycle: null,
    items_covered: null,
    catalog_items: null,
    last_success_at: null,
    last_error: null,
    pace: null,
  };
}

/** The recorded status in `text`, or null when absent or not one of ours. */
function parseStatus(text: string | null, source: PriceSource): SourceStatus | null {
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return Value.Check(SourceStatusJson, value) && value.source === source ? value : null;
}

/** The status of each of `sources`, in that order; `not_run_yet` for one no leader recorded. */
export async function sourceStatuses(
  store: Store,
  sources: readonly PriceSource[],
): Promise<SourceStatus[]> {
  const held = await store.getMany(sources.map(sourceStatusKey));
  return sources.map(
    (source, index) => parseStatus(held[index] ?? null, source) ?? notRunYet(source),
  );
}

function failureMessage(failure: NonNullable<ProviderOutcome['failure']>): string {
  if (failure.stage === 'write') return 'could not store its prices';
  if (failure.error instanceof HttpRequestError) return describeFailure(failure.error.failure);
  return 'failed; the server log has the details';
}

function paceJson(pace: ProviderPace): NonNullable<SourceStatus['pace']> {
  return {
    interval_ms: pace.intervalMs,
    requests_per_minute: Math.round((MINUTE_MS / pace.intervalMs) * 100) / 100,
    floor_interval_ms: pace.floorMs,
    rate_limited_last_cycle: pace.rateLimitedLastCycle,
    last_rate_limited_at:
      pace.lastRateLimitedAt === null ? null : new Date(pace.lastRateLimitedAt).toISOString(),
  };
}

/**
 * The catalog items with a stored price from each of `sources`: one index
 * probe per item and source (a lateral `limit 1`; `exists` over a page was
 * planned as a scan of the prices), a page of items per query, with a turn of
 * the event loop between pages so PGlite, which runs on this thread, never
 * holds it for long.
 */
async function loadCoverage(
  database: Database,
  sources: readonly PriceSource[],
): Promise<Map<PriceSource, Set<number>>> {
  const covered = new Map(sources.map((source) => [source, new Set<number>()]));
  let after = 0;
  for (;;) {
    const { rows: page } = await sql<{ id: number }>`
      select id from items where id > ${after} order by id
      limit ${COVERAGE_ITEMS_PER_QUERY}`.execute(database.db);
    const last = page.at(-1);
    if (!last) return covered;
    after = last.id;
    const { rows } = await sql<{ source: PriceSource; item_id: number }>`
      select wanted.source, item.id as item_id
      from unnest(${page.map((item) => item.id)}::int[]) as item (id)
      cross join unnest(${[...sources]}::text[]) as wanted (source)
      cross join lateral (
        select 1 from prices
        where prices.item_id = item.id and prices.source = wanted.source
        limit 1
      ) as priced`.execute(database.db);
    for (const row of rows) covered.get(row.source)?.add(row.item_id);
    await setImmediate();
  }
}

export interface SourceStatusRecorderOptions {
  readonly database: Database;
  readonly store: Store;
  readonly logger: Logger;
  readonly now: () => number;
  /** The sources the leader ingests. */
  readonly sources: readonly PriceSource[];
}

export interface FinishedCycle {
  readonly outcomes: readonly ProviderOutcome[];
  readonly term: Term;
  /** How many items the cycle asked the providers to price. */
  readonly catalogItems: number;
}

export interface SourceStatusRecorder {
  /** Records each source's status after a cycle; logs, and does not throw, when it cannot. */
  record(cycle: FinishedCycle): Promise<void>;
}

export function createSourceStatusRecorder(
  options: SourceStatusRecorderOptions,
): SourceStatusRecorder {
  const { database, store, logger, now, sources } = options;
  let coverage: { readonly term: Term; readonly covered: Map<PriceSource, Set<number>> } | null =
    null;

  /** The coverage as of this term, counted once per term; null when it cannot be counted now. */
  async function coverageOf(term: Term): Promise<Map<PriceSource, Set<number>> | null> {
    if (coverage?.term === term) return coverage.covered;
    try {
      coverage = { term, covered: await loadCoverage(database, sources) };
      return coverage.covered;
    } catch (error) {
      logger.warn({ err: error }, 'could not count the items each source covers');
      return null;
    }
  }

  function statusAfter(
    outcome: ProviderOutcome,
    previous: SourceStatus | null,
    covered: ReadonlySet<number> | undefined,
    cycle: FinishedCycle,
  ): SourceStatus {
    const at = new Date(now()).toISOString();
    return {
      source: outcome.source,
      simulated: isSimulated(outcome.source),
      state: outcome.failure ? 'failing' : 'ok',
      last_cycle_at: at,
      cycle_duration_ms: outcome.durationMs,
      rows_last_cycle: outcome.inserted,
      items_last_cycle: outcome.pricedItemIds.size,
      items_covered: covered?.size ?? previous?.items_covered ?? null,
      catalog_items: cycle.catalogItems,
      last_success_at: outcome.pricedItemIds.size > 0 ? at : (previous?.last_success_at ?? null),
      last_error: outcome.failure
        ? { at, message: failureMessage(outcome.failure) }
        : (previous?.last_error ?? null),
      pace: outcome.pace && paceJson(outcome.pace),
    };
  }

  return {
    async record(cycle) {
      const covered = await coverageOf(cycle.term);
      for (const { source, pricedItemIds } of cycle.outcomes) {
        const items = covered?.get(source);
        for (const itemId of pricedItemIds) items?.add(itemId);
      }
      try {
        const keys = cycle.outcomes.map((outcome) => sourceStatusKey(outcome.source));
        const held = await store.getMany(keys);
        // A former leader's status would overwrite its successor's.
        if (!cycle.term.isLeading()) return;
        await Promise.all(
          cycle.outcomes.map((outcome, index) => {
            const previous = parseStatus(held[index] ?? null, outcome.source);
            const status = statusAfter(outcome, previous, covered?.get(outcome.source), cycle);
            return store.set(keys[index] as string, JSON.stringify(status));
          }),
        );
      } catch (error) {
        logger.warn({ err: error }, 'could not record the status of the price sources');
      }
    },
  };
}
