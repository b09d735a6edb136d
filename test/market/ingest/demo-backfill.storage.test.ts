// The demo market's history filled in by a new leader: on a first start the
// whole catalog priced, the model's ticks over the raw retention (hourly
// points, and the last day tick by tick), their rollups, volatility, summary
// rows and the index stepped over the span; nothing more on a second start;
// only the gap after a stop; a run cut short finished by the next; never
// beside a real provider. A slice of the real catalog keeps it quick.
import { sql } from 'kysely';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config.js';
import { syncCatalog } from '../../../src/market/catalog/index.js';
import {
  BACKFILL_FULL_RESOLUTION_MS,
  backfillDemoMarket,
  backfilledSteps,
  demoBackfillApplies,
} from '../../../src/market/ingest/demo-backfill.js';
import { type Ingestion, startIngestion } from '../../../src/market/ingest/index.js';
import { loadItemsToPrice } from '../../../src/market/ingest/items-to-price.js';
import { latestPricesOfItems } from '../../../src/market/ingest/latest-prices.js';
import type { Term } from '../../../src/market/ingest/leader.js';
import { createDemoProvider } from '../../../src/market/providers/demo.js';
import {
  DEMO_STEP_MS,
  type DemoItemModel,
  demoItemModel,
  latestTickStep,
  quoteAtStep,
  stepAt,
  tickSteps,
} from '../../../src/market/providers/demo-model.js';
import type { PricedItem } from '../../../src/market/types.js';
import { cachedVolatility, rankingKey } from '../../../src/market/volatility/index.js';
import { createLogger } from '../../../src/platform/logger.js';
import { DAY_MS, HOUR_MS } from '../../../src/platform/time.js';
import { LogCapture, testConfig } from '../../support/app.js';
import { openTestStore, type TestStore } from '../../support/backends.js';
import { ManualClock } from '../../support/manual-clock.js';
import { realCatalogEntries, useMigratedDatabase } from '../../support/market.js';

const START = new Date('2026-11-17T12:00:30Z');
const config = testConfig({ MARKET_PROVIDERS: 'demo' });
const SEED = config.market.demo.seed;
const USD = { seed: SEED, currency: config.market.currency };

const database = useMigratedDatabase();
let harness: TestStore;
let logs: LogCapture;
let entries: Awaited<ReturnType<typeof realCatalogEntries>>;

beforeAll(async () => {
  const catalog = await realCatalogEntries();
  // Keys and cases trade most; knives, skins and stickers less and less.
  const every = (category: string, step: number) =>
    catalog.filter((entry) => entry.category === category).filter((_, i) => i % step === 0);
  entries = [
    ...every('key', 1),
    ...every('container', 10),
    ...every('knife', 300),
    ...every('skin', 1000),
    ...every('sticker', 2000),
  ];
});

beforeEach(async () => {
  const db = database().db;
  await sql`delete from items`.execute(db);
  for (const table of [
    'price_rollups_hourly',
    'price_rollups_daily',
    'market_summary',
    'market_index_state',
    'market_index_points',
    'market_index_hourly',
    'market_backfills',
  ]) {
    await sql`delete from ${sql.table(table)}`.execute(db);
  }
  await sql`update price_rollup_watermarks set rolled_up_to = null`.execute(db);
  await syncCatalog(database(), entries);
  harness = await openTestStore();
  logs = new LogCapture();
});

afterEach(async () => {
  await harness.store.close();
});

const term = (isLeading: () => boolean = () => true): Term => ({
  signal: new AbortController().signal,
  isLeading,
});

function backfill(clock: ManualClock, options: { config?: Config; historyMs?: number } = {}) {
  return {
    config: options.config ?? config,
    database: database(),
    store: harness.store,
    logger: createLogger('info', logs),
    clock,
    ...(options.historyMs === undefined ? {} : { historyMs: options.historyMs }),
  };
}

interface Catalog {
  readonly items: PricedItem[];
  readonly models: Map<number, DemoItemModel>;
}

async function catalog(): Promise<Catalog> {
  const items = await loadItemsToPrice(database());
  return { items, models: new Map(items.map((item) => [item.id, demoItemModel(SEED, item)])) };
}

/** The demo rows stored, as epoch milliseconds per item. */
async function storedTimes(): Promise<Map<number, number[]>> {
  const { rows } = await sql<{ item_id: number; times: number[] }>`
    select item_id, json_agg(round(date_part('epoch', observed_at) * 1000) order by observed_at)
      as times
    from prices where source = 'demo' group by item_id`.execute(database().db);
  return new Map(rows.map((row) => [row.item_id, row.times]));
}

/** What a run over (from, to] stores for `model`, by the model alone. */
function expectedTimes(model: DemoItemModel, from: number, to: number): number[] {
  const full = stepAt(to - BACKFILL_FULL_RESOLUTION_MS);
  return backfilledSteps(tickSteps(model, stepAt(from), stepAt(to)), full).map(
    (step) => step * DEMO_STEP_MS,
  );
}

const count = async (table: string) => {
  const { rows } = await sql<{ count: number }>`select count(*)::int as count
    from ${sql.table(table)}`.execute(database().db);
  return rows[0]?.count ?? 0;
};

describe('demo backfill on a first start', () => {
  it('prices every item, stores the model ticks over 30 days, and fills rollups, volatility, summary and index', async () => {
    const clock = new ManualClock(START);
    const runs = await backfillDemoMarket(backfill(clock), term());
    expect(runs).toHaveLength(1);
    const [run] = runs;
    const from = Math.ceil((START.getTime() - 30 * DAY_MS) / HOUR_MS) * HOUR_MS;
    expect(run?.from).toEqual(new Date(from));
    expect(run?.to).toEqual(START);

    const { items, models } = await catalog();
    // Every item priced: its latest tick, in the store as in the table.
    const latest = await latestPricesOfItems(
      harness.store,
      items.map((item) => item.id),
      ['demo'],
    );
    expect(latest).toHaveLength(items.length);
    for (const quote of latest) {
      const model = models.get(quote.item_id) as DemoItemModel;
      expect(quote).toEqual(
        quoteAtStep(USD, model, latestTickStep(model, stepAt(START.getTime()))),
      );
    }

    // Exactly the model's ticks: hourly points, then the last day tick by tick.
    const stored = await storedTimes();
    for (const item of items) {
      const model = models.get(item.id) as DemoItemModel;
      expect(stored.get(item.id) ?? [], item.marketHashName).toEqual(
        expectedTimes(model, from, START.getTime()),
      );
    }
    // A period of half an hour or less holds a whole window, so a tick, in every hour.
    const liquid = items.filter((item) => (models.get(item.id)?.tickPeriodSteps ?? 0) <= 30);
    expect(liquid.length).toBeGreaterThanOrEqual(3);
    for (const item of liquid) {
      const times = stored.get(item.id) ?? [];
      const hours = new Set(times.map((time) => Math.floor(time / HOUR_MS)));
      expect(hours.size, item.marketHashName).toBeGreaterThanOrEqual(30 * 24 - 1);
      const lastDay = times.filter((time) => time > START.getTime() - DAY_MS);
      expect(lastDay.length).toBeGreaterThanOrEqual(24);
    }

    // Rollups of the span, volatility and rankings, summary rows, the index.
    const { rows: watermarks } = await sql<{ rolled_up_to: Date }>`
      select rolled_up_to from price_rollup_watermarks where rollup = 'hourly'`.execute(
      database().db,
    );
    expect(watermarks[0]?.rolled_up_to.getTime()).toBeGreaterThan(START.getTime() - 2 * HOUR_MS);
    const { rows: hourly } = await sql<{ buckets: number }>`
      select count(*)::int as buckets from price_rollups_hourly
      where item_id = ${liquid[0]?.id ?? 0}`.execute(database().db);
    expect(hourly[0]?.buckets).toBeGreaterThanOrEqual(30 * 24 - 3);
    expect(await count('price_rollups_daily')).toBeGreaterThan(29 * liquid.length);
    for (const window of ['24h', '30d'] as const) {
      const ranked = await harness.store.sortedSetRange(rankingKey('demo', window), 0, -1);
      expect(ranked.map((entry) => Number(entry.member))).toEqual(
        expect.arrayContaining(liquid.map((item) => item.id)),
      );
    }
    const volatility = await cachedVolatility(harness.store, {
      itemId: liquid[0]?.id ?? 0,
      source: 'demo',
      window: '7d',
    });
    expect(volatility?.points).toBeGreaterThanOrEqual(7 * 24 - 2);
    const { rows: summary } = await sql<{
      item_id: number;
      change_24h: number | null;
      sparkline: number[];
    }>`select item_id, change_24h, sparkline from market_summary where source = 'demo'`.execute(
      database().db,
    );
    expect(summary).toHaveLength(items.length);
    const liquidRows = summary.filter((row) => liquid.some((item) => item.id === row.item_id));
    for (const row of liquidRows) {
      expect(row.change_24h).not.toBeNull();
      expect(row.sparkline.length).toBeGreaterThanOrEqual(28);
    }
    // A step at the end of each hour of the span.
    const hourEnds = Math.floor((START.getTime() - from + DEMO_STEP_MS) / HOUR_MS);
    const { rows: points } = await sql<{ count: number; first: Date; last: Date }>`
      select count(*)::int as count, min(at) as first, max(at) as last
      from market_index_points where source = 'demo'`.execute(database().db);
    expect(points[0]?.count).toBe(hourEnds);
    expect(points[0]?.first).toEqual(new Date(from + HOUR_MS - DEMO_STEP_MS));
    expect(points[0]?.last.getTime()).toBeGreaterThan(START.getTime() - HOUR_MS);
    expect(await count('market_index_hourly')).toBe(hourEnds);
    const { rows: record } = await sql<{ completed_at: Date | null }>`
      select completed_at from market_backfills where source = 'demo'`.execute(database().db);
    expect(record[0]?.completed_at).not.toBeNull();
    expect(logs.lines.filter((line) => line.phase === 'history').at(-1)).toEqual(
      expect.objectContaining({ percent: 100, rows: run?.history }),
    );

    // Started again at once, as after a quick restart: nothing to fill in.
    const before = await count('prices');
    expect(await backfillDemoMarket(backfill(clock), term())).toEqual([]);
    expect(await count('prices')).toBe(before);
    expect(await count('market_index_points')).toBe(hourEnds);
  });
});

describe('demo backfill and the market table', () => {
  it('prices every item in the market table before it stores the history', async () => {
    const clock = new ManualClock(START);
    // Leadership ends as soon as the table is said to be priced.
    const priced = () => logs.lines.some((line) => line.msg === 'demo market table priced');
    expect(
      await backfillDemoMarket(
        backfill(clock),
        term(() => !priced()),
      ),
    ).toEqual([]);
    const { items } = await catalog();
    const { rows } = await sql<{ price_cents: number }>`
      select price_cents from market_summary where source = 'demo'`.execute(database().db);
    expect(rows).toHaveLength(items.length);
    expect(rows.every((row) => row.price_cents > 0)).toBe(true);
    expect(await count('prices')).toBe(items.length);
  });
});

describe('demo backfill and the event loop', () => {
  it('lets the event loop turn between the statements of its rollup phase', async () => {
    const clock = new ManualClock(START);
    // One callback per turn of the event loop, counted while the rollups run:
    // from the index phase's line to the rollups' line.
    let turns = 0;
    let counting = true;
    const count = () => {
      const msgs = logs.lines.map((line) => line.msg);
      if (msgs.includes('demo market index') && !msgs.includes('demo market rolled up')) turns += 1;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    try {
      await backfillDemoMarket(backfill(clock, { historyMs: 2 * DAY_MS }), term());
    } finally {
      counting = false;
    }
    // At least one turn per transaction of six hourly buckets over two days.
    expect(turns).toBeGreaterThanOrEqual(8);
  });
});

describe('demo backfill after a stop', () => {
  it('fills only the gap since the newest stored price, tick by tick', async () => {
    const clock = new ManualClock(START);
    const history = 2 * DAY_MS;
    await backfillDemoMarket(backfill(clock, { historyMs: history }), term());
    const before = await storedTimes();
    const indexPoints = await count('market_index_points');

    clock.jump(3 * HOUR_MS);
    const runs = await backfillDemoMarket(backfill(clock, { historyMs: history }), term());
    expect(runs).toHaveLength(1);
    const newest = Math.max(...[...before.values()].flat());
    expect(runs[0]?.from).toEqual(new Date(Math.max(newest, START.getTime())));
    const { items, models } = await catalog();
    let gapTicks = 0;
    const after = await storedTimes();
    for (const item of items) {
      const model = models.get(item.id) as DemoItemModel;
      const gap = tickSteps(model, stepAt(newest), stepAt(clock.now())).map(
        (step) => step * DEMO_STEP_MS,
      );
      gapTicks += gap.length;
      expect(after.get(item.id) ?? []).toEqual([...(before.get(item.id) ?? []), ...gap]);
    }
    expect(gapTicks).toBeGreaterThan(0);
    expect(runs[0]?.inserted).toBe(gapTicks);
    expect(await count('market_index_points')).toBe(indexPoints + 3);
  });

  it('ends after one run when nothing ticked since the last: the run itself says how far it got', async () => {
    await sql`delete from items`.execute(database().db);
    const rare = entries.filter((entry) => entry.category === 'sticker');
    await syncCatalog(database(), rare);
    const clock = new ManualClock(START);
    const history = 2 * DAY_MS;
    expect(await backfillDemoMarket(backfill(clock, { historyMs: history }), term())).toHaveLength(
      1,
    );
    clock.jump(10 * config.market.ingest.intervalMs);
    const runs = await backfillDemoMarket(backfill(clock, { historyMs: history }), term());
    expect(runs.map((run) => run.from)).toEqual([START]);
    expect(await backfillDemoMarket(backfill(clock, { historyMs: history }), term())).toEqual([]);
  });

  it('finishes a run cut short by the end of leadership, storing what one whole run stores', async () => {
    const clock = new ManualClock(START);
    const history = 2 * DAY_MS;
    let checks = 0;
    const cut = await backfillDemoMarket(
      backfill(clock, { historyMs: history }),
      term(() => {
        checks += 1;
        return checks < 4;
      }),
    );
    expect(cut).toEqual([]);
    expect(logs.lines.map((line) => line.msg)).toContain(
      'leadership ended during the demo backfill; the next leader finishes it',
    );
    const { rows: record } = await sql<{ completed_at: Date | null }>`
      select completed_at from market_backfills where source = 'demo'`.execute(database().db);
    expect(record[0]?.completed_at).toBeNull();

    const runs = await backfillDemoMarket(backfill(clock, { historyMs: history }), term());
    expect(runs.length).toBeGreaterThanOrEqual(1);
    const from = Math.ceil((START.getTime() - history) / HOUR_MS) * HOUR_MS;
    expect(runs[0]?.from).toEqual(new Date(from));
    const { items, models } = await catalog();
    const stored = await storedTimes();
    for (const item of items) {
      const model = models.get(item.id) as DemoItemModel;
      expect(stored.get(item.id) ?? []).toEqual(expectedTimes(model, from, clock.now()));
    }
  });
});

describe('demo backfill and live ingestion', () => {
  it('runs before the first cycle, and the live provider goes on from it without a gap', async () => {
    const clock = new ManualClock(START);
    const intervalMs = config.market.ingest.intervalMs;
    const historyMs = 2 * DAY_MS;
    let ingestion: Ingestion | null = startIngestion({
      config,
      database: database(),
      store: harness.store,
      logger: createLogger('info', logs),
      providers: [createDemoProvider({ ...USD, intervalMs }, { clock })],
      clock,
      leaderTiming: { ttlMs: 10 * intervalMs, renewMs: intervalMs, retryMs: intervalMs },
      backfill: (leading) => backfillDemoMarket(backfill(clock, { historyMs }), leading),
    });
    try {
      const cycles = () => logs.lines.filter((line) => line.msg === 'ingestion cycle done').length;
      await expect.poll(cycles).toBe(1);
      const filled = logs.lines.findIndex((line) => line.msg === 'demo market history filled in');
      const firstCycle = logs.lines.findIndex((line) => line.msg === 'ingestion cycle done');
      expect(filled).toBeGreaterThanOrEqual(0);
      expect(filled).toBeLessThan(firstCycle);
      for (let minute = 1; minute <= 5; minute += 1) {
        clock.advance(intervalMs);
        await expect.poll(cycles).toBe(minute + 1);
      }
      const { items, models } = await catalog();
      const stored = await storedTimes();
      const from = Math.ceil((START.getTime() - historyMs) / HOUR_MS) * HOUR_MS;
      for (const item of items) {
        const model = models.get(item.id) as DemoItemModel;
        // The backfill's rows, then every tick of the live minutes.
        const live = tickSteps(model, stepAt(START.getTime()), stepAt(clock.now())).map(
          (step) => step * DEMO_STEP_MS,
        );
        expect(stored.get(item.id) ?? []).toEqual([
          ...expectedTimes(model, from, START.getTime()),
          ...live,
        ]);
      }
    } finally {
      await ingestion.stop();
      ingestion = null;
    }
  });
});

describe('demo backfill beside a real provider', () => {
  it('never runs when a real provider is enabled', async () => {
    expect(demoBackfillApplies(['demo'])).toBe(true);
    expect(demoBackfillApplies(['steam', 'demo'])).toBe(false);
    expect(demoBackfillApplies(['demo', 'skinport'])).toBe(false);
    expect(demoBackfillApplies(['steam'])).toBe(false);
    expect(demoBackfillApplies([])).toBe(false);
    const withSteam = testConfig({ MARKET_PROVIDERS: 'steam,demo' });
    const clock = new ManualClock(START);
    expect(await backfillDemoMarket(backfill(clock, { config: withSteam }), term())).toEqual([]);
    expect(await count('prices')).toBe(0);
    expect(await count('market_backfills')).toBe(0);
  });
});
