// One provider failing or hanging never blocks or loses the others' prices:
// each batch is stored as it arrives, the cycle ends at its deadline, and
// what cannot be stored (bad quotes, a store that is down) costs only itself.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Ingestion, startIngestion } from '../../../src/market/ingest/index.js';
import { type CycleOptions, runIngestCycle } from '../../../src/market/ingest/ingest-cycle.js';
import { latestPrices } from '../../../src/market/ingest/latest-prices.js';
import type { StoredChange } from '../../../src/market/ingest/write-prices.js';
import type { PricedItem, PriceProvider } from '../../../src/market/types.js';
import { createLogger } from '../../../src/platform/logger.js';
import { type Store, StoreUnavailableError } from '../../../src/platform/store/index.js';
import { LogCapture, testConfig } from '../../support/app.js';
import { openTestStore, type TestStore } from '../../support/backends.js';
import { ManualClock } from '../../support/manual-clock.js';
import { pricedItem, useMigratedDatabase } from '../../support/market.js';
import { failingProvider, hangingProvider, quotingProvider } from './fake-providers.js';
import { addItems, clearMarket, countPrices, DAY_MS, quote, storedPrices } from './fixtures.js';

const INTERVAL_MS = 60_000;
const config = testConfig({ INGEST_INTERVAL_SECONDS: String(INTERVAL_MS / 1000) });
/**
 * These tests move the clock a whole interval at a time, where real timers
 * would renew the leader lock many times over; a lease longer than that
 * keeps leadership out of the way (test/market/ingest/leader tests it).
 */
const leaderTiming = { ttlMs: 10 * INTERVAL_MS, renewMs: INTERVAL_MS, retryMs: INTERVAL_MS };

const database = useMigratedDatabase();
let harness: TestStore;
let logs: LogCapture;
let items: number[];
let ingestion: Ingestion | null;

beforeEach(async () => {
  await clearMarket(database());
  items = await addItems(database(), 4);
  harness = await openTestStore();
  logs = new LogCapture();
  ingestion = null;
});

afterEach(async () => {
  await ingestion?.stop();
  await harness.store.close();
});

const logged = (msg: string) => logs.lines.filter((line) => line.msg === msg);

function cycleOptions(
  providers: readonly PriceProvider[],
  overrides: Partial<CycleOptions> = {},
): CycleOptions {
  const clock = new ManualClock();
  return {
    database: database(),
    store: harness.store,
    logger: createLogger('debug', logs),
    providers,
    items: items.map((id): PricedItem => pricedItem(id, `item ${id}`)),
    signal: new AbortController().signal,
    isLeading: () => true,
    now: clock.now,
    rawRetentionMs: config.market.rawRetentionMs,
    onStored: () => {},
    ...overrides,
  };
}

/** A store whose every command fails, as Redis does while it is unreachable. */
function unreachable(store: Store): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return () => Promise.reject(new StoreUnavailableError('Redis unavailable: test'));
    },
  });
}

describe('provider isolation', () => {
  it('one provider throws, one hangs past the deadline, and the third still lands all its rows before the deadline ends the cycle', async () => {
    const clock = new ManualClock();
    const steam = failingProvider('steam', new Error('steam is down'));
    const skinport = hangingProvider('skinport');
    const demo = quotingProvider('demo', clock.now, 1234, 3);
    const stored: StoredChange[][] = [];
    ingestion = startIngestion({
      config,
      database: database(),
      store: harness.store,
      logger: createLogger('debug', logs),
      providers: [steam, skinport, demo],
      clock,
      leaderTiming,
      onStored: (changed) => {
        stored.push([...changed]);
      },
    });

    // All three batches of the demo provider are stored while skinport hangs.
    await expect.poll(() => countPrices(database())).toBe(3 * items.length);
    // The rows are visible before the store is updated and onStored is called for the last batch.
    await expect.poll(() => stored.length).toBe(3);
    expect(skinport.signals[0]?.aborted).toBe(false);
    expect(logged('ingestion cycle done')).toEqual([]);
    const failure = logged('price provider failed');
    expect(failure).toEqual([expect.objectContaining({ source: 'steam', stage: 'fetch' })]);
    expect(failure[0]?.err?.message).toBe('steam is down');
    const [first = 0] = items;
    expect(await latestPrices(harness.store, first, ['demo'])).toEqual([
      expect.objectContaining({ price_cents: 1234, volume: 2 }),
    ]);

    // The deadline (one interval) ends the cycle: skinport is aborted and left behind.
    clock.advance(INTERVAL_MS - 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(skinport.signals[0]?.aborted).toBe(false);
    clock.advance(1);
    await expect.poll(() => logged('ingestion cycle done').length).toBe(1);
    expect(skinport.signals[0]?.aborted).toBe(true);
    expect(logged('price provider still running at the cycle deadline; left behind')).toEqual([
      expect.objectContaining({ source: 'skinport' }),
    ]);
    expect(logged('ingestion cycle done')[0]?.providers).toEqual([
      expect.objectContaining({ source: 'steam', failed: true, failuresSinceStart: 1 }),
      expect.objectContaining({ source: 'skinport', cutOff: true, inserted: 0 }),
      expect.objectContaining({
        source: 'demo',
        batches: 3,
        inserted: 3 * items.length,
        failed: false,
      }),
    ]);

    // The next cycle starts on time, and the failures are counted on.
    await expect.poll(() => demo.calls).toBe(2);
    clock.advance(INTERVAL_MS);
    await expect.poll(() => logged('ingestion cycle done').length).toBe(2);
    expect(logged('ingestion cycle done')[1]?.providers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: 'steam', failuresSinceStart: 2 }),
        expect.objectContaining({ source: 'demo', failuresSinceStart: 0 }),
      ]),
    );
  });

  it('stops cleanly: in-flight provider calls are aborted and the write in progress is finished', async () => {
    const clock = new ManualClock();
    const skinport = hangingProvider('skinport');
    const demo = quotingProvider('demo', clock.now, 500);
    let releaseOnStored = () => {};
    const onStoredDone = new Promise<void>((resolve) => {
      releaseOnStored = resolve;
    });
    let onStoredEntered = false;
    ingestion = startIngestion({
      config,
      database: database(),
      store: harness.store,
      logger: createLogger('debug', logs),
      providers: [skinport, demo],
      clock,
      leaderTiming,
      onStored: async () => {
        onStoredEntered = true;
        await onStoredDone;
      },
    });
    await expect.poll(() => onStoredEntered).toBe(true);
    let stopped = false;
    const stopping = ingestion.stop().then(() => {
      stopped = true;
    });
    await expect.poll(() => skinport.signals[0]?.aborted).toBe(true);
    // Stopping has nothing left to wait for but the held hook: a stop that
    // did not wait for it would be done within a few turns of the event loop.
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    releaseOnStored();
    await stopping;
    ingestion = null;
    expect(await countPrices(database())).toBe(items.length);
  });
});

describe('runIngestCycle', () => {
  it('drops quotes the database would refuse or that are out of time, and stores the rest', async () => {
    const options = cycleOptions([]);
    const now = options.now();
    const [a = 0, b = 0] = items;
    const source: PriceProvider = {
      source: 'demo',
      async *fetchPrices() {
        yield [
          quote(a, now, 100),
          quote(b, now - 1000, 200, { volume: 3, listings: 4 }),
          quote(a, now - 1, -5), // negative
          quote(a, now - 2, 1.5), // not whole cents
          quote(a, now - 3, 100, { volume: -1 }),
          quote(a, now - 4, 100, { listings: 2 ** 31 }), // beyond the column
          quote(999_999, now, 100), // not an item we asked for
          quote(a, now - 5, 100, { source: 'steam' }), // another source
          quote(a, now + 10 * 60_000, 100), // the future
          quote(a, now - config.market.rawRetentionMs - 1, 100), // older than retention
          quote(a, Number.NaN, 100),
        ];
      },
    };
    const [outcome] = await runIngestCycle({ ...options, providers: [source] });
    expect(outcome).toMatchObject({ quotes: 11, rejected: 9, inserted: 2, failure: null });
    expect((await storedPrices(database())).map((row) => row.price_cents).sort()).toEqual([
      100, 200,
    ]);
    expect(logged('dropped unusable quotes')).toEqual([
      expect.objectContaining({ source: 'demo', rejected: 9 }),
    ]);
  });

  it('stores the rows when the store is down, and says so', async () => {
    const stored: StoredChange[] = [];
    const options = cycleOptions([], { store: unreachable(harness.store) });
    const demo = quotingProvider('demo', options.now, 700);
    const [outcome] = await runIngestCycle({
      ...options,
      providers: [demo],
      onStored: (changed) => {
        stored.push(...changed);
      },
    });
    expect(outcome).toMatchObject({ inserted: items.length, failure: null });
    expect(await countPrices(database())).toBe(items.length);
    expect(stored).toHaveLength(items.length);
    expect(
      logged(
        'could not update latest prices; the rows are stored and the next batch corrects them',
      ),
    ).toHaveLength(1);
  });

  it('tells onStored each item and source with new rows, and nothing for a batch stored before', async () => {
    const calls: StoredChange[][] = [];
    const options = cycleOptions([], {
      onStored: (changed) => {
        calls.push([...changed]);
      },
    });
    const demo = quotingProvider('demo', options.now, 700);
    const steam = quotingProvider('steam', options.now, 710);
    await runIngestCycle({ ...options, providers: [demo, steam] });
    expect(calls).toHaveLength(2);
    expect(calls.flat()).toEqual(
      expect.arrayContaining(
        items.flatMap((itemId) => [
          { itemId, source: 'demo' },
          { itemId, source: 'steam' },
        ]),
      ),
    );
    expect(calls.flat()).toHaveLength(2 * items.length);
    await runIngestCycle({ ...options, providers: [demo] });
    expect(calls).toHaveLength(2);
  });

  it('skips a quote for an item deleted from the catalog since it was priced, and stores the rest', async () => {
    const options = cycleOptions([]);
    const [gone = 0] = items;
    const demo = quotingProvider('demo', options.now, 800);
    const deleting: PriceProvider = {
      source: 'demo',
      async *fetchPrices(priced, signal) {
        await sql`delete from items where id = ${gone}`.execute(database().db);
        yield* demo.fetchPrices(priced, signal);
      },
    };
    const [outcome] = await runIngestCycle({ ...options, providers: [deleting] });
    expect(outcome).toMatchObject({ inserted: items.length - 1, rejected: 0, failure: null });
    expect(await countPrices(database())).toBe(items.length - 1);
  });

  it('writes nothing once leadership is lost', async () => {
    const options = cycleOptions([], { isLeading: () => false });
    const demo = quotingProvider('demo', options.now, 800);
    const [outcome] = await runIngestCycle({ ...options, providers: [demo] });
    expect(outcome).toMatchObject({ inserted: 0, batches: 0 });
    expect(await countPrices(database())).toBe(0);
  });

  it('keeps quotes up to the retention horizon', async () => {
    const options = cycleOptions([]);
    const [a = 0] = items;
    const source: PriceProvider = {
      source: 'demo',
      async *fetchPrices() {
        yield [quote(a, options.now() - config.market.rawRetentionMs + DAY_MS, 100)];
      },
    };
    const [outcome] = await runIngestCycle({ ...options, providers: [source] });
    expect(outcome).toMatchObject({ inserted: 1, rejected: 0 });
  });
});
