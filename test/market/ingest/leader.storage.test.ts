// Exactly one ingestion leader: two instances share one store and one
// database. Only the lock holder ingests; a leader that stops hands over at
// once, one that dies hands over when its lock expires, and one that was
// paused past its lease writes nothing when it wakes, even with a batch in
// hand. Each instance has its own clock, so a test can stop one in time.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Ingestion, startIngestion } from '../../../src/market/ingest/index.js';
import { createLogger } from '../../../src/platform/logger.js';
import { type Store, StoreUnavailableError } from '../../../src/platform/store/index.js';
import { LogCapture, testConfig } from '../../support/app.js';
import { openTestStore, type TestStore } from '../../support/backends.js';
import { ManualClock } from '../../support/manual-clock.js';
import { useMigratedDatabase } from '../../support/market.js';
import { type QuotingProvider, quotingProvider } from './fake-providers.js';
import { addItems, clearMarket } from './fixtures.js';

const INTERVAL_MS = 1000;
const config = testConfig({ INGEST_INTERVAL_SECONDS: String(INTERVAL_MS / 1000) });
/** In each instance's own time, and in the store's: Redis expires the lock in real time. */
const TIMING = { ttlMs: 2000, renewMs: 500, retryMs: 500 };
const A_PRICE = 111;
const B_PRICE = 222;

const database = useMigratedDatabase();
let harness: TestStore;
let logs: LogCapture;
let instances: Instance[];

interface Instance {
  readonly clock: ManualClock;
  readonly provider: QuotingProvider;
  readonly ingestion: Ingestion;
  /** Cuts this instance off from the store, as a network partition or a dead process would. */
  cutOff(): void;
}

function cuttable(store: Store): { store: Store; cut: () => void } {
  let cut = false;
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        cut
          ? Promise.reject(new StoreUnavailableError('Redis unavailable: cut off'))
          : (value as (...parameters: unknown[]) => unknown).apply(target, args);
    },
  });
  return {
    store: proxy,
    cut: () => {
      cut = true;
    },
  };
}

/** An instance whose clock starts `offsetMs` after the others, so its quotes never share a timestamp with theirs. */
function startInstance(
  name: string,
  priceCents: number,
  offsetMs = 0,
  afterCycle?: (signal: AbortSignal) => Promise<void>,
): Instance {
  const clock = new ManualClock(new Date(Date.parse('2026-11-17T12:00:00Z') + offsetMs));
  const link = cuttable(harness.store);
  const provider = quotingProvider('demo', clock.now, priceCents);
  const ingestion = startIngestion({
    config,
    database: database(),
    store: link.store,
    logger: createLogger('debug', logs).child({ instance: name }),
    providers: [provider],
    clock,
    leaderTiming: TIMING,
    maintenanceIntervalMs: 3_600_000,
    ...(afterCycle ? { afterCycle } : {}),
  });
  const instance = { clock, provider, ingestion, cutOff: link.cut };
  instances.push(instance);
  return instance;
}

async function pricesWritten(priceCents: number): Promise<number> {
  const { rows } = await sql<{ count: number }>`
    select count(*)::int as count from prices where price_cents = ${priceCents}`.execute(
    database().db,
  );
  return rows[0]?.count ?? 0;
}

/**
 * Waits until a follower has tried for the lock, lost, and gone back to
 * sleep: on a clock that moves only when told, nothing more can happen until
 * the next advance, and it ran no cycle meanwhile.
 */
async function triedAndLost(follower: Instance): Promise<void> {
  const calls = follower.provider.calls;
  follower.clock.advance(TIMING.retryMs);
  await expect.poll(() => follower.clock.sleeping).toBe(1);
  expect(follower.provider.calls).toBe(calls);
}

let items: number[];

beforeEach(async () => {
  await clearMarket(database());
  items = await addItems(database(), 3);
  harness = await openTestStore();
  logs = new LogCapture();
  instances = [];
});

afterEach(async () => {
  await Promise.all(instances.map((instance) => instance.ingestion.stop()));
  await harness.store.close();
});

describe('ingestion leader', () => {
  it('lets only one of two instances ingest', async () => {
    const a = startInstance('a', A_PRICE);
    await expect.poll(() => a.provider.calls).toBe(1);
    const b = startInstance('b', B_PRICE, 30_000);
    await expect.poll(() => b.clock.sleeping).toBe(1);
    for (let cycle = 2; cycle <= 4; cycle += 1) {
      a.clock.advance(INTERVAL_MS);
      await triedAndLost(b);
      await expect.poll(() => a.provider.calls).toBe(cycle);
    }
    await expect.poll(() => pricesWritten(A_PRICE)).toBe(4 * items.length);
    expect(b.provider.calls).toBe(0);
    expect(await pricesWritten(B_PRICE)).toBe(0);
  });

  it('runs the work after a cycle on the leader only, and goes on when it fails', async () => {
    const ran = { a: 0, b: 0 };
    const a = startInstance('a', A_PRICE, 0, async () => {
      ran.a += 1;
      // The portfolios' snapshot job, failing: logged, and the next cycle still runs.
      throw new Error('snapshots failed');
    });
    await expect.poll(() => ran.a).toBe(1);
    const b = startInstance('b', B_PRICE, 30_000, async () => {
      ran.b += 1;
    });
    await triedAndLost(b);
    a.clock.advance(INTERVAL_MS);
    await expect.poll(() => ran.a).toBe(2);
    expect(a.provider.calls).toBe(2);
    expect(ran.b).toBe(0);
    expect(logs.lines.some((line) => line.msg === 'work after the ingestion cycle failed')).toBe(
      true,
    );
  });

  it('hands over at once when the leader stops', async () => {
    const a = startInstance('a', A_PRICE);
    await expect.poll(() => a.provider.calls).toBe(1);
    const b = startInstance('b', B_PRICE, 30_000);
    await triedAndLost(b);
    await a.ingestion.stop();
    b.clock.advance(TIMING.retryMs);
    await expect.poll(() => b.provider.calls).toBe(1);
    await expect.poll(() => pricesWritten(B_PRICE)).toBe(items.length);
  });

  it('hands over once the lock expires when the leader dies', async () => {
    const a = startInstance('a', A_PRICE);
    await expect.poll(() => a.provider.calls).toBe(1);
    const b = startInstance('b', B_PRICE, 30_000);
    // a dies: it renews no more, and its clock (its life) stands still.
    a.cutOff();
    await triedAndLost(b);
    await harness.advance(TIMING.ttlMs + 100);
    b.clock.advance(TIMING.retryMs);
    await expect.poll(() => b.provider.calls).toBe(1);
    await expect.poll(() => pricesWritten(B_PRICE)).toBe(items.length);
  });

  it('a leader cut off from the store goes on while its lease lasts, then stops', async () => {
    const a = startInstance('a', A_PRICE);
    await expect.poll(() => a.provider.calls).toBe(1);
    a.cutOff();
    // One failed renewal: the lease (0.9 of the TTL from the last renewal) still holds.
    a.clock.advance(INTERVAL_MS);
    await expect.poll(() => a.provider.calls).toBe(2);
    await expect.poll(() => pricesWritten(A_PRICE)).toBe(2 * items.length);
    // Past the lease: the term ends before another cycle, and a waits to try for the lock again.
    a.clock.advance(INTERVAL_MS);
    await expect.poll(() => a.clock.sleeping).toBe(1);
    a.clock.advance(INTERVAL_MS);
    // It tried for the lock again, lost it to nobody's renewal, and sleeps: no third cycle.
    await expect.poll(() => a.clock.sleeping).toBe(1);
    expect(a.provider.calls).toBe(2);
  });

  it('a leader paused past its lease writes nothing when it wakes, even the batch it was holding', async () => {
    const a = startInstance('a', A_PRICE);
    await expect.poll(() => a.provider.calls).toBe(1);
    await expect.poll(() => pricesWritten(A_PRICE)).toBe(items.length);
    const b = startInstance('b', B_PRICE, 30_000);
    await expect.poll(() => b.clock.sleeping).toBe(1);

    // a's second cycle waits for its batch...
    const deliverBatch = a.provider.holdNextBatch();
    a.clock.advance(INTERVAL_MS);
    await expect.poll(() => a.provider.calls).toBe(2);

    // ...and a is paused: its clock stands still while the lock expires and b takes over.
    await harness.advance(TIMING.ttlMs + 100);
    b.clock.advance(TIMING.retryMs);
    await expect.poll(() => pricesWritten(B_PRICE)).toBe(items.length);

    // a wakes: time has moved on, and the batch arrives before any of its timers has run.
    a.clock.jump(TIMING.ttlMs + 100);
    deliverBatch();
    await expect
      .poll(() =>
        logs.lines.filter((line) => line.msg === 'ingestion leader lease ran out; stopping'),
      )
      .toEqual([expect.objectContaining({ instance: 'a' })]);
    expect(await pricesWritten(A_PRICE)).toBe(items.length);

    // Its timers run: it cannot renew, and it does not take the lock back from b.
    a.clock.advance(TIMING.retryMs);
    await expect.poll(() => a.clock.sleeping).toBe(1);
    a.clock.advance(TIMING.retryMs);
    b.clock.advance(INTERVAL_MS);
    await expect.poll(() => b.provider.calls).toBe(2);
    expect(a.provider.calls).toBe(2);
    expect(await pricesWritten(A_PRICE)).toBe(items.length);
  });
});
