// The Steam provider against a local server replaying priceoverview answers,
// with an injected clock: spacing and backoff are asserted on the times the
// server saw requests, not by sleeping.
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { settings } from '../../../src/config/settings.js';
import {
  createSteamProvider,
  STEAM_BACKOFF_INITIAL_MS,
  STEAM_BACKOFF_MAX_MS,
  type SteamProviderOptions,
} from '../../../src/market/providers/steam.js';
import { PACE_QUIET_MS, PACE_REFUSED_MEMORY_MS } from '../../../src/market/providers/steam-pace.js';
import type { PricedItem, PriceProvider, ProviderPace } from '../../../src/market/types.js';
import { systemClock } from '../../../src/platform/clock.js';
import { HttpRequestError } from '../../../src/platform/http/bounded-fetch.js';
import { HOUR_MS, MINUTE_MS } from '../../../src/platform/time.js';
import { WAIT_BOUND_MS } from '../../support/backends.js';
import { type LocalHttpServer, sendJson, startLocalHttpServer } from '../../support/local-http.js';
import { pricedItem } from '../../support/market.js';
import { collect, InstantClock, recordingLog, START_MS } from './support.js';

const INTERVAL_MS = 1000;

type Reply = (response: ServerResponse) => void;

const ok =
  (body: unknown): Reply =>
  (response) =>
    sendJson(response, body);
const tooMany =
  (headers: Record<string, string> = {}): Reply =>
  (response) => {
    response.writeHead(429, headers);
    response.end();
  };

interface FakeSteam {
  readonly server: LocalHttpServer;
  /** Names asked for, with the clock's time when each request arrived. */
  readonly seen: { name: string; at: number }[];
}

let steam: FakeSteam | undefined;

afterEach(async () => {
  await steam?.server.close();
  steam = undefined;
});

/**
 * A priceoverview endpoint: each name answers with its queued replies in turn
 * (the last one repeats), unknown names with `{"success":false}`.
 */
async function startSteam(
  clock: InstantClock,
  replies: Record<string, Reply | Reply[]>,
): Promise<FakeSteam> {
  const seen: { name: string; at: number }[] = [];
  const queues = new Map(
    Object.entries(replies).map(([name, reply]) => [name, Array.isArray(reply) ? reply : [reply]]),
  );
  const server = await startLocalHttpServer((_request, response, url) => {
    if (url.pathname !== '/market/priceoverview/') {
      response.writeHead(404);
      response.end();
      return;
    }
    const name = url.searchParams.get('market_hash_name') ?? '';
    seen.push({ name, at: clock.now() });
    const queue = queues.get(name);
    const reply = queue && queue.length > 1 ? queue.shift() : queue?.[0];
    (reply ?? ok({ success: false }))(response);
  });
  steam = { server, seen };
  return steam;
}

interface LimitedSteam {
  /** Every request's arrival time and answer, in order. */
  readonly answers: { readonly at: number; readonly status: 200 | 429 }[];
  /** From now on every request is answered. */
  lift(): void;
}

/**
 * A priceoverview limited as users report Steam's: a request that arrives
 * when `limit` requests (refused ones included) arrived in the minute before
 * it is answered 429, with an empty body and no Retry-After.
 */
async function startLimitedSteam(clock: InstantClock, limit: number): Promise<LimitedSteam> {
  const answers: { at: number; status: 200 | 429 }[] = [];
  let lifted = false;
  const server = await startLocalHttpServer((_request, response) => {
    const now = clock.now();
    const lastMinute = answers.filter((answer) => answer.at > now - MINUTE_MS).length;
    const refused = !lifted && lastMinute >= limit;
    answers.push({ at: now, status: refused ? 429 : 200 });
    if (refused) {
      response.writeHead(429);
      response.end();
    } else {
      sendJson(response, { success: true, lowest_price: '$1.00', volume: '12' });
    }
  });
  steam = { server, seen: [] };
  return {
    answers,
    lift: () => {
      lifted = true;
    },
  };
}

/**
 * One-minute cycles back to back over a catalog larger than a cycle can
 * price, as the ingestion leader runs them, until the clock reaches
 * `untilMs`; the provider's pace after each.
 */
async function runCycles(
  steamProvider: PriceProvider,
  clock: InstantClock,
  untilMs: number,
): Promise<{ at: number; pace: ProviderPace | undefined }[]> {
  const catalog = Array.from({ length: 100 }, (_, index) => item(index + 1));
  const paces: { at: number; pace: ProviderPace | undefined }[] = [];
  while (clock.now() < untilMs) {
    const started = clock.now();
    await collect(steamProvider.fetchPrices(catalog, signal()));
    clock.time = Math.max(clock.time, started + MINUTE_MS);
    paces.push({ at: clock.now(), pace: steamProvider.pace?.() });
  }
  return paces;
}

/** 429 episodes: runs of 429s, each ended by an answer. */
const episodes = (answers: LimitedSteam['answers']) =>
  answers.filter((answer, index) => answer.status === 429 && answers[index - 1]?.status !== 429);

function item(id: number, marketHashName = `Item ${id}`, priority = false): PricedItem {
  return { ...pricedItem(id, marketHashName), priority };
}

function provider(
  clock: InstantClock,
  overrides: Partial<SteamProviderOptions> = {},
  log = recordingLog(),
) {
  return createSteamProvider(
    {
      baseUrl: steam?.server.origin ?? '',
      currency: 'USD',
      requestIntervalMs: INTERVAL_MS,
      cycleMs: 60_000,
      // A bound for a stall, not a deadline: these tests are about other answers.
      timeoutMs: WAIT_BOUND_MS,
      maxResponseBytes: 64 * 1024,
      ...overrides,
    },
    { clock, log },
  );
}

const signal = () => new AbortController().signal;

describe('Steam priceoverview provider', () => {
  it('asks for appid 730 in the configured currency and reads lowest price and volume', async () => {
    const clock = new InstantClock();
    const name = '★ StatTrak™ Karambit | Doppler (Factory New)';
    await startSteam(clock, {
      [name]: ok({
        success: true,
        lowest_price: '1.234,56€',
        volume: '1.234',
        median_price: '1.200,00€',
      }),
    });
    const quotes = await collect(
      provider(clock, { currency: 'EUR' }).fetchPrices([item(7, name)], signal()),
    );
    expect(quotes).toEqual([
      {
        item_id: 7,
        source: 'steam',
        price_cents: 123456,
        volume: 1234,
        observed_at: new Date(START_MS),
      },
    ]);
    const url = steam?.server.requests[0]?.url;
    expect(url?.pathname).toBe('/market/priceoverview/');
    expect(url?.searchParams.get('appid')).toBe('730');
    expect(url?.searchParams.get('currency')).toBe('3');
    expect(url?.searchParams.get('market_hash_name')).toBe(name);
    expect(url?.search).not.toContain('+');
  });

  it('falls back to the median price when there is no lowest price, and omits a missing volume', async () => {
    const clock = new InstantClock();
    await startSteam(clock, {
      'Item 1': ok({ success: true, median_price: '$0.20' }),
      'Item 2': ok({ success: true, lowest_price: '$0.25', volume: '12' }),
    });
    const quotes = await collect(provider(clock).fetchPrices([item(1), item(2)], signal()));
    expect(
      quotes.map(({ item_id, price_cents, volume }) => ({ item_id, price_cents, volume })),
    ).toEqual([
      { item_id: 1, price_cents: 20, volume: undefined },
      { item_id: 2, price_cents: 25, volume: 12 },
    ]);
    expect(quotes[0]).not.toHaveProperty('volume');
  });

  it('yields nothing for unknown items ({"success":false}) or items with no price at all', async () => {
    const clock = new InstantClock();
    await startSteam(clock, {
      'Item 2': ok({ success: true, volume: '3' }),
      'Item 3': ok({ success: true }),
    });
    const quotes = await collect(
      provider(clock).fetchPrices([item(1), item(2), item(3)], signal()),
    );
    expect(quotes).toEqual([]);
    expect(steam?.seen.map((request) => request.name)).toEqual(['Item 1', 'Item 2', 'Item 3']);
  });

  it('skips and logs a price in another currency rather than misreading it', async () => {
    const clock = new InstantClock();
    await startSteam(clock, {
      'Item 1': ok({ success: true, lowest_price: '1,23€', volume: '1' }),
      'Item 2': ok({ success: true, lowest_price: '$1.23', volume: 'lots' }),
    });
    const log = recordingLog();
    const quotes = await collect(
      provider(clock, {}, log).fetchPrices([item(1), item(2)], signal()),
    );
    expect(quotes.map((quote) => [quote.item_id, quote.price_cents, quote.volume])).toEqual([
      [2, 123, undefined],
    ]);
    expect(log.lines.map((line) => line.message)).toEqual([
      'unreadable Steam price',
      'unreadable Steam volume',
    ]);
  });

  it('starts requests at least the configured interval apart, within a cycle and across cycles', async () => {
    const clock = new InstantClock();
    await startSteam(clock, {});
    const steamProvider = provider(clock);
    const items = [1, 2, 3, 4].map((id) => item(id));
    await collect(steamProvider.fetchPrices(items, signal()));
    clock.time += 300;
    await collect(steamProvider.fetchPrices(items, signal()));
    const times = steam?.seen.map((request) => request.at - START_MS);
    expect(times).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000]);
  });

  it('on 429 with Retry-After waits that long, retries the same item, then goes at half the pace', async () => {
    const clock = new InstantClock();
    await startSteam(clock, {
      'Item 1': [tooMany({ 'retry-after': '7' }), ok({ success: true, lowest_price: '$1.00' })],
      'Item 2': ok({ success: true, lowest_price: '$2.00' }),
    });
    const quotes = await collect(provider(clock).fetchPrices([item(1), item(2)], signal()));
    expect(quotes.map((quote) => [quote.item_id, quote.price_cents])).toEqual([
      [1, 100],
      [2, 200],
    ]);
    expect(steam?.seen.map((request) => [request.name, request.at - START_MS])).toEqual([
      ['Item 1', 0],
      ['Item 1', 7000],
      ['Item 2', 7000 + 2 * INTERVAL_MS],
    ]);
  });

  it('on 429 without Retry-After backs off exponentially, starts over after an answer, and halves the pace once', async () => {
    const clock = new InstantClock();
    await startSteam(clock, {
      'Item 1': [tooMany(), tooMany(), ok({ success: true, lowest_price: '$1.00' })],
      'Item 2': [tooMany(), ok({ success: true, lowest_price: '$2.00' })],
    });
    const steamProvider = provider(clock, { cycleMs: 3_600_000 });
    await collect(steamProvider.fetchPrices([item(1), item(2)], signal()));
    const first = STEAM_BACKOFF_INITIAL_MS;
    const second = first + 2 * STEAM_BACKOFF_INITIAL_MS;
    expect(steam?.seen.map((request) => [request.name, request.at - START_MS])).toEqual([
      ['Item 1', 0],
      ['Item 1', first],
      ['Item 1', second],
      ['Item 2', second + 2 * INTERVAL_MS],
      ['Item 2', second + 2 * INTERVAL_MS + STEAM_BACKOFF_INITIAL_MS],
    ]);
    // Two episodes of 429s (Item 1's two, Item 2's one), each halving the pace once.
    expect(steamProvider.pace?.()).toMatchObject({
      intervalMs: 4 * INTERVAL_MS,
      floorMs: INTERVAL_MS,
      rateLimitedLastCycle: 3,
      lastRateLimitedAt: START_MS + second + 2 * INTERVAL_MS,
    });
  });

  it('under a limit of 10 requests in a sliding minute, settles at a pace the limit accepts, with at most one 429 an hour after the first', async () => {
    const clock = new InstantClock();
    const limited = await startLimitedSteam(clock, 10);
    const floorMs = Number(settings.STEAM_MARKET_REQUEST_INTERVAL_MS.default);
    const steamProvider = provider(clock, { requestIntervalMs: floorMs, cycleMs: MINUTE_MS });
    const paces = await runCycles(steamProvider, clock, START_MS + 3 * HOUR_MS);

    // The default pace passes the limit within the first minute: the 11th request is refused.
    expect(limited.answers.findIndex((answer) => answer.status === 429)).toBe(10);
    // After that, probing costs at most one 429 episode an hour.
    const probes = episodes(limited.answers).filter((answer) => answer.at >= START_MS + HOUR_MS);
    expect(probes.length).toBeLessThanOrEqual(2);
    // The pace held longest over the last two hours is within a step of the
    // limit, and no cycle at that pace met a 429.
    const lastTwoHours = paces.flatMap(({ at, pace }) =>
      at > START_MS + HOUR_MS && pace ? [pace] : [],
    );
    const cyclesAt = (intervalMs: number) =>
      lastTwoHours.filter((pace) => pace.intervalMs === intervalMs);
    const settledMs = lastTwoHours
      .map((pace) => pace.intervalMs)
      .sort((a, b) => cyclesAt(b).length - cyclesAt(a).length)[0];
    expect(settledMs).toBeGreaterThanOrEqual(Math.floor(MINUTE_MS / 11));
    expect(settledMs).toBeLessThanOrEqual(Math.ceil(MINUTE_MS / 9));
    expect(cyclesAt(settledMs ?? 0).every((pace) => pace.rateLimitedLastCycle === 0)).toBe(true);
    // And it uses most of what the limit allows.
    const answeredLastTwoHours = limited.answers.filter(
      (answer) => answer.status === 200 && answer.at >= START_MS + HOUR_MS,
    ).length;
    expect(answeredLastTwoHours).toBeGreaterThanOrEqual(0.8 * 10 * 120);
  });

  it('creeps back to the configured pace, and never past it, once the limit is lifted', async () => {
    const clock = new InstantClock();
    const limited = await startLimitedSteam(clock, 10);
    const floorMs = Number(settings.STEAM_MARKET_REQUEST_INTERVAL_MS.default);
    const steamProvider = provider(clock, { requestIntervalMs: floorMs, cycleMs: MINUTE_MS });
    await runCycles(steamProvider, clock, START_MS + HOUR_MS);
    expect(steamProvider.pace?.().intervalMs).toBeGreaterThan(floorMs);

    limited.lift();
    const liftedAt = clock.now();
    const paces = await runCycles(steamProvider, clock, liftedAt + 2 * HOUR_MS);
    // A refused pace is out of reach for an hour, then the pace grows a step
    // every quiet period: from within a step of 10 a minute to 15.
    const back = paces.find(({ pace }) => pace?.intervalMs === floorMs);
    expect((back?.at ?? Number.POSITIVE_INFINITY) - liftedAt).toBeLessThanOrEqual(
      PACE_REFUSED_MEMORY_MS + 6 * PACE_QUIET_MS,
    );
    expect(paces.at(-1)?.pace).toMatchObject({ intervalMs: floorMs, rateLimitedLastCycle: 0 });
    expect(
      limited.answers.filter((answer) => answer.at >= liftedAt && answer.status === 429),
    ).toEqual([]);
    const gaps = limited.answers.slice(1).map((answer, index) => {
      const previous = limited.answers[index]?.at ?? 0;
      return answer.at - previous;
    });
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(floorMs);
  });

  it('caps the backoff', async () => {
    const clock = new InstantClock();
    await startSteam(clock, { 'Item 1': tooMany() });
    const abort = new AbortController();
    const steamProvider = provider(clock, { cycleMs: 24 * 3_600_000 });
    const cycle = collect(steamProvider.fetchPrices([item(1)], abort.signal));
    while ((steam?.seen.length ?? 0) < 10) await new Promise((resolve) => setImmediate(resolve));
    abort.abort();
    await cycle;
    const gaps = (steam?.seen ?? []).slice(1).map((request, index) => {
      const previous = steam?.seen[index]?.at ?? 0;
      return request.at - previous;
    });
    expect(gaps.slice(0, 6)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 600_000]);
    expect(Math.max(...gaps)).toBe(STEAM_BACKOFF_MAX_MS);
  });

  it('ends the cycle when a 429 wait reaches past it, and resumes with the same item after the wait', async () => {
    const clock = new InstantClock();
    await startSteam(clock, {
      'Item 1': [tooMany(), ok({ success: true, lowest_price: '$1.00' })],
      'Item 2': ok({ success: true, lowest_price: '$2.00' }),
    });
    const steamProvider = provider(clock, { cycleMs: 10_000 });
    const items = [item(1), item(2)];
    expect(await collect(steamProvider.fetchPrices(items, signal()))).toEqual([]);
    expect(clock.sleeps).toEqual([]);

    clock.time = START_MS + 10_000;
    expect(await collect(steamProvider.fetchPrices(items, signal()))).toEqual([]);
    expect(steam?.seen).toHaveLength(1);

    clock.time = START_MS + STEAM_BACKOFF_INITIAL_MS;
    const quotes = await collect(steamProvider.fetchPrices(items, signal()));
    expect(quotes.map((quote) => quote.item_id)).toEqual([1, 2]);
    expect(steam?.seen.map((request) => request.name)).toEqual(['Item 1', 'Item 1', 'Item 2']);
  });

  it('prices as many items per cycle as the interval allows, walking the catalog across cycles', async () => {
    const clock = new InstantClock();
    await startSteam(clock, {});
    const steamProvider = provider(clock, { cycleMs: 2 * INTERVAL_MS });
    const items = [5, 3, 1, 4, 2].map((id) => item(id));
    const cycles: string[][] = [];
    for (let cycle = 0; cycle < 4; cycle += 1) {
      const before = steam?.seen.length ?? 0;
      await collect(steamProvider.fetchPrices(items, signal()));
      cycles.push((steam?.seen ?? []).slice(before).map((request) => request.name));
      clock.time = START_MS + (cycle + 1) * 2 * INTERVAL_MS;
    }
    expect(cycles).toEqual([
      ['Item 1', 'Item 2'],
      ['Item 3', 'Item 4'],
      ['Item 5', 'Item 1'],
      ['Item 2', 'Item 3'],
    ]);
  });

  it('prices items someone holds or watches first in every cycle', async () => {
    const clock = new InstantClock();
    await startSteam(clock, {});
    const steamProvider = provider(clock, { cycleMs: 3 * INTERVAL_MS });
    const items = [item(1), item(2), item(3), item(4), item(5, 'Held', true), item(6)];
    const cycles: string[][] = [];
    for (let cycle = 0; cycle < 3; cycle += 1) {
      const before = steam?.seen.length ?? 0;
      await collect(steamProvider.fetchPrices(items, signal()));
      cycles.push((steam?.seen ?? []).slice(before).map((request) => request.name));
      clock.time = START_MS + (cycle + 1) * 3 * INTERVAL_MS;
    }
    expect(cycles).toEqual([
      ['Held', 'Item 1', 'Item 2'],
      ['Held', 'Item 3', 'Item 4'],
      ['Held', 'Item 6', 'Item 1'],
    ]);
  });

  it('rotates among priority items too when they alone exceed the budget', async () => {
    const clock = new InstantClock();
    await startSteam(clock, {});
    const steamProvider = provider(clock, { cycleMs: 2 * INTERVAL_MS });
    const items = [item(1), item(2, 'P2', true), item(3, 'P3', true), item(4, 'P4', true)];
    const cycles: string[][] = [];
    for (let cycle = 0; cycle < 2; cycle += 1) {
      const before = steam?.seen.length ?? 0;
      await collect(steamProvider.fetchPrices(items, signal()));
      cycles.push((steam?.seen ?? []).slice(before).map((request) => request.name));
      clock.time = START_MS + (cycle + 1) * 2 * INTERVAL_MS;
    }
    expect(cycles).toEqual([
      ['P2', 'P3'],
      ['P4', 'P2'],
    ]);
  });

  it('throws when Steam fails, and the next cycle moves on past the failing item', async () => {
    const clock = new InstantClock();
    await startSteam(clock, {
      'Item 2': [
        (response) => {
          response.writeHead(502);
          response.end('<html>Bad gateway</html>');
        },
        ok({ success: true, lowest_price: '$2.00' }),
      ],
      'Item 3': ok({ success: true, lowest_price: '$3.00' }),
    });
    const steamProvider = provider(clock, { cycleMs: 3 * INTERVAL_MS });
    const items = [item(1), item(2), item(3)];
    const error = await collect(steamProvider.fetchPrices(items, signal())).catch((e) => e);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error.failure).toMatchObject({ kind: 'status', status: 502 });
    clock.time += 3 * INTERVAL_MS;
    const quotes = await collect(steamProvider.fetchPrices(items, signal()));
    expect(quotes.map((quote) => quote.item_id)).toEqual([3, 2]);
    expect(steam?.seen.map((request) => request.name)).toEqual([
      'Item 1',
      'Item 2',
      'Item 3',
      'Item 1',
      'Item 2',
    ]);
  });

  it('fails with an invalid_body failure for an answer that is not a priceoverview object', async () => {
    const clock = new InstantClock();
    await startSteam(clock, {
      'Item 1': (response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<!DOCTYPE html><html>Error</html>');
      },
      'Item 2': ok([1, 2]),
    });
    const steamProvider = provider(clock);
    for (const id of [1, 2]) {
      const error = await collect(steamProvider.fetchPrices([item(id)], signal())).catch((e) => e);
      expect(error).toBeInstanceOf(HttpRequestError);
      expect(error.failure.kind).toBe('invalid_body');
    }
  });

  it('throws a timeout when Steam does not answer', async () => {
    const clock = new InstantClock();
    await startSteam(clock, { 'Item 1': () => {} });
    const error = await collect(
      provider(clock, { timeoutMs: 50 }).fetchPrices([item(1)], signal()),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error.failure).toEqual({ kind: 'timeout', timeoutMs: 50 });
  });

  it('stops promptly, without throwing, when aborted while waiting for the next request slot', async () => {
    // Real time: the test shows the wait itself is cut short, not just skipped by a fake clock.
    const server = await startLocalHttpServer((_request, response) => {
      sendJson(response, { success: false });
    });
    steam = { server, seen: [] };
    const waits: number[] = [];
    const clock = {
      now: systemClock.now,
      sleep: (ms: number, abortSignal: AbortSignal) => {
        waits.push(ms);
        return systemClock.sleep(ms, abortSignal);
      },
    };
    const steamProvider = createSteamProvider(
      {
        baseUrl: server.origin,
        currency: 'USD',
        requestIntervalMs: 60_000,
        cycleMs: 3_600_000,
        timeoutMs: WAIT_BOUND_MS,
        maxResponseBytes: 64 * 1024,
      },
      { clock },
    );
    const abort = new AbortController();
    const cycle = collect(steamProvider.fetchPrices([item(1), item(2)], abort.signal));
    await expect.poll(() => waits.length, { interval: 5 }).toBeGreaterThan(0);
    expect(waits[0]).toBeGreaterThan(59_000);
    const started = performance.now();
    abort.abort();
    await expect(cycle).resolves.toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(server.requests).toHaveLength(1);
  });

  it('stops promptly, without throwing, when aborted mid-request', async () => {
    const clock = new InstantClock();
    await startSteam(clock, { 'Item 1': () => {} });
    const abort = new AbortController();
    const cycle = collect(
      provider(clock, { timeoutMs: 10_000 }).fetchPrices([item(1)], abort.signal),
    );
    await expect.poll(() => steam?.seen.length ?? 0, { interval: 5 }).toBe(1);
    const started = performance.now();
    abort.abort();
    await expect(cycle).resolves.toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('prices nothing in a cycle that overlaps a running one', async () => {
    const clock = new InstantClock();
    await startSteam(clock, { 'Item 1': ok({ success: true, lowest_price: '$1.00' }) });
    const steamProvider = provider(clock);
    const first = steamProvider.fetchPrices([item(1)], signal())[Symbol.asyncIterator]();
    const firstBatch = first.next();
    expect(await collect(steamProvider.fetchPrices([item(1)], signal()))).toEqual([]);
    expect((await firstBatch).value).toHaveLength(1);
    await first.return?.();
    expect(steam?.seen).toHaveLength(1);
  });
});
