// Steam Community Market prices, one item per request from
// `/market/priceoverview/`. Steam answers 429 to clients faster than about one
// request a second, often without Retry-After, so this provider is the
// slowest source by far and is built around that:
//
// - One request at a time, each starting at least STEAM_MARKET_REQUEST_INTERVAL_MS
//   after the previous one, across cycles too (the spacing lives in the
//   provider, not the cycle).
// - A 429 waits out Retry-After when Steam sends one, else an exponential
//   backoff (30 s doubling to 10 min, reset by the next answer), then retries
//   the same item. A wait that reaches past the cycle ends the cycle, and a
//   later cycle retries that item once the wait is over.
// - A cycle prices at most as many items as fit into the ingestion interval
//   at that spacing, and stops starting requests once the interval is over.
//   Items someone holds or watches (`priority`) come first every cycle; the
//   rest are walked in id order from where the previous cycle stopped, so
//   successive cycles cover the whole catalog. A cycle started while another
//   is running prices nothing.
//
// An item counts as visited once its request ended any way but a 429 or an
// abort (a price, no price, an error), so one item Steam keeps failing on
// cannot stall the rotation.

import { systemClock } from '../../platform/clock.js';
import {
  describeTarget,
  fetchJson,
  HttpRequestError,
  statusFailure,
} from '../../platform/http/bounded-fetch.js';
import { MINUTE_MS } from '../../platform/time.js';
import type { PricedItem, PriceProvider, PriceQuote } from '../types.js';
import type { ProviderDeps } from './deps.js';
import {
  parseSteamPrice,
  parseSteamVolume,
  STEAM_CURRENCY_IDS,
  type SteamCurrency,
} from './steam-price.js';

/** Counter-Strike 2's Steam app id. */
export const CS2_APP_ID = 730;
/** First wait after a 429 without Retry-After. */
export const STEAM_BACKOFF_INITIAL_MS = 30_000;
/** Longest wait after repeated 429s without Retry-After. */
export const STEAM_BACKOFF_MAX_MS = 10 * MINUTE_MS;

export interface SteamProviderOptions {
  /** STEAM_MARKET_URL, without a trailing slash. */
  readonly baseUrl: string;
  readonly currency: SteamCurrency;
  readonly requestIntervalMs: number;
  /** Time one cycle may spend: the ingestion interval. */
  readonly cycleMs: number;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

/** Ids of the last item visited, per group; the next cycle continues after them. */
interface RotationCursor {
  priority: number | null;
  rest: number | null;
}

/** `items` in id order, starting with the first one after `afterId` and wrapping around. */
function rotatedAfter(items: readonly PricedItem[], afterId: number | null): PricedItem[] {
  const sorted = [...items].sort((a, b) => a.id - b.id);
  const start = afterId === null ? -1 : sorted.findIndex((item) => item.id > afterId);
  return start <= 0 ? sorted : [...sorted.slice(start), ...sorted.slice(0, start)];
}

function planCycle(
  items: readonly PricedItem[],
  budget: number,
  cursor: RotationCursor,
): PricedItem[] {
  const priority = rotatedAfter(
    items.filter((item) => item.priority),
    cursor.priority,
  ).slice(0, budget);
  const rest = rotatedAfter(
    items.filter((item) => !item.priority),
    cursor.rest,
  ).slice(0, budget - priority.length);
  return [...priority, ...rest];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function createSteamProvider(
  options: SteamProviderOptions,
  deps: ProviderDeps = {},
): PriceProvider {
  const clock = deps.clock ?? systemClock;
  const budget = Math.max(1, Math.floor(options.cycleMs / options.requestIntervalMs));
  const cursor: RotationCursor = { priority: null, rest: null };
  let nextRequestAt = Number.NEGATIVE_INFINITY;
  let backoffMs = 0;
  let cycleRunning = false;

  const visited = (item: PricedItem) => {
    if (item.priority) cursor.priority = item.id;
    else cursor.rest = item.id;
  };

  const rateLimitWaitMs = (retryAfterMs: number | null): number => {
    if (retryAfterMs !== null) return Math.max(retryAfterMs, options.requestIntervalMs);
    backoffMs =
      backoffMs === 0 ? STEAM_BACKOFF_INITIAL_MS : Math.min(backoffMs * 2, STEAM_BACKOFF_MAX_MS);
    return backoffMs;
  };

  const overviewUrl = (item: PricedItem) =>
    `${options.baseUrl}/market/priceoverview/?appid=${CS2_APP_ID}` +
    `&currency=${STEAM_CURRENCY_IDS[options.currency]}` +
    `&market_hash_name=${encodeURIComponent(item.marketHashName)}`;

  /** The quote in one priceoverview answer, or null when Steam has no usable price for the item. */
  const readOverview = (answer: unknown, item: PricedItem): PriceQuote | null => {
    if (!isRecord(answer)) {
      throw new HttpRequestError(describeTarget(new URL(overviewUrl(item))), {
        kind: 'invalid_body',
        reason: 'expected an object',
      });
    }
    if (answer.success !== true) return null;
    const priceText = answer.lowest_price ?? answer.median_price;
    if (priceText === undefined || priceText === null) return null;
    const priceCents = parseSteamPrice(priceText, options.currency);
    if (priceCents === null || priceCents <= 0) {
      deps.log?.warn(
        { item_id: item.id, price: priceText, currency: options.currency },
        'unreadable Steam price',
      );
      return null;
    }
    const volume = answer.volume === undefined ? null : parseSteamVolume(answer.volume);
    if (answer.volume !== undefined && volume === null) {
      deps.log?.warn({ item_id: item.id, volume: answer.volume }, 'unreadable Steam volume');
    }
    return {
      item_id: item.id,
      source: 'steam',
      price_cents: priceCents,
      ...(volume === null ? {} : { volume }),
      observed_at: new Date(clock.now()),
    };
  };

  return {
    source: 'steam',
    async *fetchPrices(items, signal) {
      // Overlapping cycles would break the spacing; a second one prices nothing.
      if (cycleRunning) return;
      cycleRunning = true;
      try {
        const deadline = clock.now() + options.cycleMs;
        for (const item of planCycle(items, budget, cursor)) {
          for (;;) {
            const startAt = Math.max(clock.now(), nextRequestAt);
            if (startAt >= deadline || signal.aborted) return;
            if (startAt > clock.now()) await clock.sleep(startAt - clock.now(), signal);
            if (signal.aborted) return;
            nextRequestAt = clock.now() + options.requestIntervalMs;
            let answer: unknown;
            try {
              answer = await fetchJson(overviewUrl(item), {
                timeoutMs: options.timeoutMs,
                maxBytes: options.maxResponseBytes,
                signal,
                now: () => clock.now(),
              });
            } catch (error) {
              if (signal.aborted) return;
              const refused = statusFailure(error);
              if (refused?.status === 429) {
                nextRequestAt = clock.now() + rateLimitWaitMs(refused.retryAfterMs);
                continue;
              }
              visited(item);
              throw error;
            }
            visited(item);
            backoffMs = 0;
            const quote = readOverview(answer, item);
            if (quote) yield [quote];
            break;
          }
        }
      } finally {
        cycleRunning = false;
      }
    },
  };
}
