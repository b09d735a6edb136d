// The updater behind ingestion: changed series are recomputed in the
// background, the short windows on every pass, the long ones (which read the
// hourly rollups) at most once an hour per series.
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cachedVolatility, createVolatilityUpdater } from '../../../src/market/volatility/index.js';
import { createLogger } from '../../../src/platform/logger.js';
import { openTestStore, type TestStore } from '../../support/backends.js';
import { ManualClock } from '../../support/manual-clock.js';
import { insertItems, useMigratedDatabase } from '../../support/market.js';
import { addHourly, addPrices, HOUR_MS, MINUTE_MS, spaced } from './fixtures.js';

const NOW = new Date('2026-11-17T12:30:00Z');
const database = useMigratedDatabase();
let harness: TestStore;
let itemId: number;

beforeEach(async () => {
  await sql`delete from items`.execute(database().db);
  harness = await openTestStore();
  [itemId = 0] = await insertItems(database(), ['AK-47 | Redline (Field-Tested)']);
  const wave = (base: number) => Array.from({ length: 25 }, (_, i) => base + (i % 2) * 10);
  await addPrices(
    database(),
    itemId,
    'steam',
    spaced(new Date(NOW.getTime() - 25 * MINUTE_MS), MINUTE_MS, wave(100)),
  );
  await addHourly(
    database(),
    itemId,
    'steam',
    spaced(new Date(NOW.getTime() - 48 * HOUR_MS), HOUR_MS, wave(200)),
  );
});

afterEach(async () => {
  await harness.store.close();
});

it('recomputes short windows on every pass and long ones at most hourly', async () => {
  const clock = new ManualClock(NOW);
  const updater = createVolatilityUpdater({
    database: database(),
    store: harness.store,
    logger: createLogger('silent'),
    clock,
  });
  const read = (window: '1h' | '7d') =>
    cachedVolatility(harness.store, { itemId, source: 'steam', window });

  updater.changed([{ itemId, source: 'steam' }]);
  updater.changed([{ itemId, source: 'steam' }]);
  await updater.idle();
  expect(await read('1h')).toMatchObject({ points: 25, mean_cents: 104.8 });
  const week = await read('7d');
  expect(week).toMatchObject({ points: 25, computed_at: NOW.toISOString() });

  clock.jump(30 * MINUTE_MS);
  updater.changed([{ itemId, source: 'steam' }]);
  await updater.idle();
  expect((await read('1h'))?.computed_at).toBe(
    new Date(NOW.getTime() + 30 * MINUTE_MS).toISOString(),
  );
  expect(await read('7d')).toEqual(week);

  clock.jump(30 * MINUTE_MS);
  updater.changed([{ itemId, source: 'steam' }]);
  await updater.idle();
  expect((await read('7d'))?.computed_at).toBe(new Date(NOW.getTime() + HOUR_MS).toISOString());
});

it('logs a failed pass instead of failing ingestion', async () => {
  const lines: string[] = [];
  const clock = new ManualClock(NOW);
  const updater = createVolatilityUpdater({
    database: database(),
    store: harness.store,
    logger: createLogger('error', { write: (line: string) => lines.push(line) }),
    clock,
  });
  await harness.store.close();
  updater.changed([{ itemId, source: 'steam' }]);
  await updater.idle();
  expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['volatility recompute failed']);
});
