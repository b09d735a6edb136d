// The demo market's history, filled in when an ingestion leader starts, so a
// first start shows charts, volatility, rankings, movers and the index at
// once instead of after hours of ticks, and a restart after a stop shows no
// hole. The history is the model's own walk (providers/demo-model.ts): the
// rows are those the live provider would have stored, labelled simulated by
// their source like every demo price, and the live provider goes on from
// where they end. It never runs beside a real provider, whose market it
// would make up.
//
// A run fills a span (from, to], in an order that makes the market usable
// early: first every item's latest tick and summary row (the whole catalog
// priced, in the market table too), then the history, the volatility of the windows read from raw rows, the summary
// rows, the index stepped hour by hour over the span with the same step as
// live (market-index.ts) on the model's prices as of each hour, and last the
// rollups of the span and the volatility of the windows read from them.
// Older than BACKFILL_FULL_RESOLUTION_MS, history keeps only the last tick
// of each hour: the span's hourly rollups and the charts of 7 and 30 days
// are the same, at a fraction of the rows and of the time. A new leader also
// recomputes every item's volatility once, since its store may have lost it
// (an in-process store does on every restart).
//
// The span comes from market_backfills (migration 011): a first run fills
// the raw retention up to now; a run cut short (leadership lost, the process
// stopped) is done again from its start, and rows already stored are skipped
// on the way; after a finished run, the next one starts at the newest stored
// demo price, which the live provider kept up while it ran, or at the end of
// that run if nothing newer was stored. A run that ends
// more than an ingestion interval after its `to` is followed by another up
// to the new now, so the live provider's first cycle, which looks back one
// interval, leaves no gap.
import { setImmediate } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { inBatches } from '../../platform/batches.js';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/db/index.js';
import type { Store } from '../../platform/store/index.js';
import { DAY_MS, HOUR_MS } from '../../platform/time.js';
import { DemoModels } from '../providers/demo.js';
import {
  DEMO_STEP_MS,
  type DemoQuoteOptions,
  latestTickStep,
  quoteAtStep,
  stepAt,
  tickSteps,
} from '../providers/demo-model.js';
import { type IndexPrices, indexState, stepIndex } from '../summary/market-index.js';
import { ITEMS_PER_REFRESH, refreshSummaries } from '../summary/refresh.js';
import {
  type PricedItem,
  type PriceQuote,
  type PriceSource,
  VOLATILITY_WINDOWS,
  type VolatilityWindow,
} from '../types.js';
import { recomputeVolatility } from '../volatility/recompute.js';
import { SERIES_ORIGIN } from '../volatility/series.js';
import { loadItemsToPrice } from './items-to-price.js';
import { updateLatestPrices } from './latest-prices.js';
import type { Term } from './leader.js';
import { rollUpPrices, rollupGraceMs } from './rollups.js';
import { writePrices } from './write-prices.js';

/** The last day of a span is stored tick by tick, as live ingestion stores it. */
export const BACKFILL_FULL_RESOLUTION_MS = DAY_MS;
/** Quotes per write: enough that the write path's own batching is used, few enough to yield often. */
const QUOTES_PER_WRITE = 10_000;
/** Items whose history is computed and written together. */
const ITEMS_PER_HISTORY_BATCH = 1000;
/** Items per volatility recompute call, between which progress is logged and the loop turns. */
const ITEMS_PER_RECOMPUTE = 2000;

const SOURCE: PriceSource = 'demo';

/** Whether the demo market's history is filled in: only when the demo is the only source. */
export function demoBackfillApplies(providers: readonly PriceSource[]): boolean {
  return providers.length > 0 && providers.every((source) => source === SOURCE);
}

export interface DemoBackfillOptions {
  readonly config: Pick<Config, 'market'>;
  readonly database: Database;
  readonly store: Store;
  readonly logger: Logger;
  readonly clock: Clock;
  /** How far back a first run starts; the raw retention by default, which caps it. */
  readonly historyMs?: number;
}

/** What one run stored. */
export interface BackfillRun {
  readonly from: Date;
  readonly to: Date;
  /** Items whose latest tick was stored. */
  readonly latest: number;
  /** History rows stored before the latest ticks, new or not. */
  readonly history: number;
  /** Rows new to the prices table. */
  readonly inserted: number;
  readonly indexSteps: number;
}

/** Leadership ended during a run: the run is left for the next leader. */
class TermEnded extends Error {}

interface RunContext {
  readonly options: DemoBackfillOptions;
  readonly logger: Logger;
  readonly term: Term;
  readonly quoteOptions: DemoQuoteOptions;
  readonly models: DemoModels;
}

interface BackfillRecord {
  readonly filled_from: Date;
  readonly filled_to: Date;
  readonly completed_at: Date | null;
}

interface Span {
  readonly from: Date;
  readonly to: Date;
}

async function catalogIds(database: Database): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`select id from items order by id`.execute(database.db);
  return rows.map((row) => row.id);
}

/** The span the next run fills, or null when the stored history is current. */
async function nextSpan(context: RunContext): Promise<Span | null> {
  const { database, clock, config } = context.options;
  const now = clock.now();
  const historyMs = Math.min(
    context.options.historyMs ?? config.market.rawRetentionMs,
    config.market.rawRetentionMs,
  );
  // On the hour, so the first run's hourly points are whole hours.
  const earliest = Math.ceil((now - historyMs) / HOUR_MS) * HOUR_MS;
  const { rows } = await sql<BackfillRecord>`select filled_from, filled_to, completed_at
    from market_backfills where source = ${SOURCE}`.execute(database.db);
  const record = rows[0];
  let fromMs = earliest;
  if (record && record.completed_at === null) {
    fromMs = Math.max(record.filled_from.getTime(), earliest);
  } else if (record) {
    // The live provider went on from the end of the last run: the newest
    // stored price says how far, unless nothing ticked since.
    const { rows: newest } = await sql<{ latest: Date | null }>`
      select max(observed_at) as latest from prices where source = ${SOURCE}`.execute(database.db);
    const latestMs = newest[0]?.latest?.getTime() ?? Number.NEGATIVE_INFINITY;
    fromMs = Math.max(latestMs, record.filled_to.getTime(), earliest);
  }
  if (now - fromMs <= config.market.ingest.intervalMs) return null;
  return { from: new Date(fromMs), to: new Date(now) };
}

function checkLeading(term: Term): void {
  if (!term.isLeading()) throw new TermEnded();
}

/** Writes `quotes` a statement's worth at a time, turning the event loop between writes. */
async function store(context: RunContext, quotes: readonly PriceQuote[]): Promise<number> {
  let inserted = 0;
  for (const batch of inBatches(quotes, QUOTES_PER_WRITE)) {
    checkLeading(context.term);
    inserted += (await writePrices(context.options.database, batch)).inserted;
    await setImmediate();
  }
  return inserted;
}

/**
 * The ticks of `steps` (one item's, in order) a backfill stores: all of those
 * from `fullFromStep` on, and before it the last of each hour.
 */
export function backfilledSteps(steps: readonly number[], fullFromStep: number): number[] {
  const stepsPerHour = HOUR_MS / DEMO_STEP_MS;
  return steps.filter((step, index) => {
    const next = steps[index + 1];
    return (
      step >= fullFromStep ||
      next === undefined ||
      Math.floor(next / stepsPerHour) !== Math.floor(step / stepsPerHour)
    );
  });
}

/** The model's prices of `items` as of `at`: the stored ones wherever the span stored rows. */
function modelPrices(context: RunContext, items: readonly PricedItem[], at: Date): IndexPrices {
  const step = stepAt(at.getTime());
  const byId = new Map(items.map((item) => [item.id, item]));
  const quoteOf = (item: PricedItem) => {
    const model = context.models.of(item);
    return quoteAtStep(context.quoteOptions, model, latestTickStep(model, step));
  };
  return {
    async mostTraded(limit, minPriceCents) {
      const traded = [];
      for (const item of items) {
        const quote = quoteOf(item);
        const volume = quote.volume ?? 0;
        if (quote.price_cents < minPriceCents || volume <= 0) continue;
        traded.push({ item_id: item.id, price_cents: quote.price_cents, volume });
      }
      traded.sort(
        (a, b) => b.price_cents * b.volume - a.price_cents * a.volume || a.item_id - b.item_id,
      );
      return traded.slice(0, limit);
    },
    async pricesOf(itemIds) {
      const prices = new Map<number, number>();
      for (const id of itemIds) {
        const item = byId.get(id);
        if (item) prices.set(id, quoteOf(item).price_cents);
      }
      return prices;
    },
  };
}

/** Windows read from raw rows, which a run has before its rollups, and those read from rollups. */
const RAW_WINDOWS = VOLATILITY_WINDOWS.filter((window) => SERIES_ORIGIN[window] === 'prices');
const ROLLUP_WINDOWS = VOLATILITY_WINDOWS.filter((window) => SERIES_ORIGIN[window] !== 'prices');

async function recompute(
  context: RunContext,
  itemIds: readonly number[],
  windows: readonly VolatilityWindow[],
  at: Date,
  started: number,
): Promise<void> {
  const { database, store: cache, clock } = context.options;
  let done = 0;
  for (const chunk of inBatches(itemIds, ITEMS_PER_RECOMPUTE)) {
    checkLeading(context.term);
    await recomputeVolatility(
      { database, store: cache, now: at },
      chunk.map((itemId) => ({ itemId, source: SOURCE })),
      windows,
    );
    done += chunk.length;
    await setImmediate();
  }
  context.logger.info(
    { phase: 'volatility', windows, items: done, elapsedMs: clock.now() - started },
    'demo market volatility',
  );
}

async function refreshSummary(
  context: RunContext,
  itemIds: readonly number[],
  now: Date,
  drawSparklines: boolean,
): Promise<void> {
  const { database, store: cache } = context.options;
  for (const chunk of inBatches(itemIds, ITEMS_PER_REFRESH)) {
    checkLeading(context.term);
    await refreshSummaries({
      database,
      store: cache,
      source: SOURCE,
      itemIds: chunk,
      now,
      drawSparklines,
    });
    await setImmediate();
  }
}

/** Fills `span`; recomputes the volatility of `volatilityItemIds`, or of the items it priced. */
async function fill(
  context: RunContext,
  span: Span,
  volatilityItemIds: readonly number[] | null,
): Promise<BackfillRun> {
  const { database, store: cache, clock, config } = context.options;
  const { logger, term } = context;
  const { from, to } = span;
  const started = clock.now();
  const elapsedMs = () => clock.now() - started;
  const items = await loadItemsToPrice(database);
  const afterStep = stepAt(from.getTime());
  const untilStep = stepAt(to.getTime());
  const fullFromStep = stepAt(to.getTime() - BACKFILL_FULL_RESOLUTION_MS);
  logger.info({ from, to, items: items.length }, 'filling in the demo market history');

  // The whole catalog priced first: each item's latest tick in the span.
  const latest: PriceQuote[] = [];
  for (const item of items) {
    const model = context.models.of(item);
    const step = latestTickStep(model, untilStep);
    if (step > afterStep) latest.push(quoteAtStep(context.quoteOptions, model, step));
  }
  let inserted = await store(context, latest);
  await updateLatestPrices(cache, latest, { publish: false });
  const priced = latest.map((quote) => quote.item_id);
  logger.info(
    { phase: 'latest', rows: latest.length, elapsedMs: elapsedMs() },
    'demo market priced',
  );
  // The market table reads the summary rows: priced now, and given its
  // changes and sparklines once the history is stored.
  await refreshSummary(context, priced, to, false);
  logger.info(
    { phase: 'summary-priced', items: priced.length, elapsedMs: elapsedMs() },
    'demo market table priced',
  );

  let history = 0;
  let done = 0;
  let reported = 0;
  for (const batch of inBatches(items, ITEMS_PER_HISTORY_BATCH)) {
    const quotes: PriceQuote[] = [];
    for (const item of batch) {
      const model = context.models.of(item);
      const steps = backfilledSteps(tickSteps(model, afterStep, untilStep), fullFromStep);
      // The last is the latest tick, stored above.
      for (const step of steps.slice(0, -1)) {
        quotes.push(quoteAtStep(context.quoteOptions, model, step));
      }
    }
    inserted += await store(context, quotes);
    history += quotes.length;
    done += batch.length;
    const percent = Math.floor((done * 100) / items.length);
    if (percent >= reported + 10 || done === items.length) {
      reported = percent;
      logger.info(
        { phase: 'history', rows: history, percent, elapsedMs: elapsedMs() },
        'demo market history',
      );
    }
  }

  // What reads raw rows first, so rankings, movers and the index come before the rollups.
  const volatilityItems = volatilityItemIds ?? priced;
  await recompute(context, volatilityItems, RAW_WINDOWS, to, started);

  await refreshSummary(context, priced, to, true);
  logger.info(
    { phase: 'summary', items: priced.length, elapsedMs: elapsedMs() },
    'demo market summary',
  );

  // The index at the end of each hour of the span after its last step, with
  // the prices a summary refresh would have read then.
  const state = await indexState(database, SOURCE);
  const lastStepMs = Math.max(from.getTime(), state?.computedAt.getTime() ?? 0);
  let indexSteps = 0;
  for (
    let at = Math.floor(lastStepMs / HOUR_MS) * HOUR_MS + HOUR_MS - DEMO_STEP_MS;
    at <= to.getTime();
    at += HOUR_MS
  ) {
    if (at <= lastStepMs) continue;
    checkLeading(term);
    const when = new Date(at);
    await stepIndex(database, SOURCE, when, modelPrices(context, items, when));
    indexSteps += 1;
    await setImmediate();
  }
  logger.info({ phase: 'index', steps: indexSteps, elapsedMs: elapsedMs() }, 'demo market index');

  checkLeading(term);
  const rollups = await rollUpPrices(database, {
    now: to,
    graceMs: rollupGraceMs(config.market.ingest.intervalMs),
    rawRetentionMs: config.market.rawRetentionMs,
    signal: term.signal,
  });
  logger.info({ phase: 'rollups', rollups, elapsedMs: elapsedMs() }, 'demo market rolled up');
  await recompute(context, volatilityItems, ROLLUP_WINDOWS, to, started);
  return { from, to, latest: latest.length, history, inserted, indexSteps };
}

/**
 * Fills in the demo market's history up to now, as the ingestion leader
 * starts, run after run until it is current (see the top of this file).
 * Stops without finishing when the term ends. Returns the runs.
 */
export async function backfillDemoMarket(
  options: DemoBackfillOptions,
  term: Term,
): Promise<BackfillRun[]> {
  const logger = options.logger.child({ component: 'demo-backfill' });
  if (!demoBackfillApplies(options.config.market.providers)) return [];
  const context: RunContext = {
    options,
    logger,
    term,
    quoteOptions: {
      seed: options.config.market.demo.seed,
      currency: options.config.market.currency,
    },
    models: new DemoModels(options.config.market.demo.seed),
  };
  const { database, clock } = options;
  const runs: BackfillRun[] = [];
  try {
    for (;;) {
      checkLeading(term);
      const span = await nextSpan(context);
      if (!span) break;
      await sql`insert into market_backfills (source, filled_from, filled_to, completed_at)
        values (${SOURCE}, ${span.from}, ${span.to}, null)
        on conflict (source) do update set filled_from = excluded.filled_from,
          filled_to = excluded.filled_to, completed_at = null`.execute(database.db);
      // The first run of a term computes every item's volatility (see the top).
      const run = await fill(context, span, runs.length === 0 ? await catalogIds(database) : null);
      // A leader whose term ended while it finished must not mark the run a
      // new leader started complete: it checks once more, and marks only
      // its own span.
      checkLeading(term);
      await sql`update market_backfills set completed_at = ${new Date(clock.now())}
        where source = ${SOURCE} and filled_from = ${span.from} and filled_to = ${span.to}`.execute(
        database.db,
      );
      logger.info(
        { ...run, durationMs: clock.now() - span.to.getTime() },
        'demo market history filled in',
      );
      runs.push(run);
    }
    if (runs.length === 0) {
      const at = new Date(clock.now());
      const started = clock.now();
      const ids = await catalogIds(database);
      await recompute(context, ids, VOLATILITY_WINDOWS, at, started);
    }
  } catch (error) {
    if (!(error instanceof TermEnded)) throw error;
    logger.warn('leadership ended during the demo backfill; the next leader finishes it');
  }
  return runs;
}
