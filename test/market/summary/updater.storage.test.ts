// Behind ingestion: a stored batch's series get their volatility, then their
// summary rows with that volatility, then the source's index steps and its
// value is published on the index channel.
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { writePrices } from '../../../src/market/ingest/index.js';
import { createSummaryUpdater, type IndexMessage } from '../../../src/market/summary/updater.js';
import { INDEX_CHANNEL } from '../../../src/market/types.js';
import { createVolatilityUpdater } from '../../../src/market/volatility/index.js';
import { createLogger } from '../../../src/platform/logger.js';
import { openTestStore, type TestStore } from '../../support/backends.js';
import { ManualClock } from '../../support/manual-clock.js';
import { insertItems, useMigratedDatabase } from '../../support/market.js';
import { quote } from '../ingest/fixtures.js';

const NOW = new Date('2026-11-17T12:30:00Z');
const MINUTE_MS = 60_000;
const database = useMigratedDatabase();
let harness: TestStore;

beforeEach(async () => {
  await sql`delete from items`.execute(database().db);
  for (const table of ['market_summary', 'market_index_state', 'market_index_points']) {
    await sql`delete from ${sql.table(table)}`.execute(database().db);
  }
  harness = await openTestStore();
});

afterEach(async () => {
  await harness.store.close();
});

it('refreshes the summary after the volatility and publishes the index', async () => {
  const clock = new ManualClock(NOW);
  const logger = createLogger('silent');
  const [itemId = 0] = await insertItems(database(), ['AK-47 | Redline (Field-Tested)']);
  const quotes = Array.from({ length: 30 }, (_, minute) =>
    quote(itemId, NOW.getTime() - (30 - minute) * MINUTE_MS, 1000 + (minute % 2) * 50, {
      volume: 40,
    }),
  );
  await writePrices(database(), quotes);
  const published: IndexMessage[] = [];
  await harness.store.subscribe(INDEX_CHANNEL, (message) =>
    published.push(JSON.parse(message) as IndexMessage),
  );
  const summary = createSummaryUpdater({
    database: database(),
    store: harness.store,
    logger,
    clock,
  });
  const volatility = createVolatilityUpdater({
    database: database(),
    store: harness.store,
    logger,
    clock,
    onRecomputed: (series) => summary.changed(series),
  });
  volatility.changed([{ itemId, source: 'demo' }]);
  await volatility.idle();
  await summary.idle();
  const { rows } = await sql<{ price_cents: number; volatility: number | null }>`
    select price_cents, volatility from market_summary where item_id = ${itemId}`.execute(
    database().db,
  );
  expect(rows[0]?.price_cents).toBe(1050);
  expect(rows[0]?.volatility).toBeGreaterThan(0);
  await expect.poll(() => published.length).toBe(1);
  expect(published[0]).toEqual({
    source: 'demo',
    value: 1000,
    change_24h: null,
    computed_at: NOW.toISOString(),
  });
});
