// Skinport prices from its public `/v1/items`: one bulk answer with every CS2
// item Skinport lists, in the requested currency. Skinport serves that
// endpoint only with `Accept-Encoding: br` (fetch decodes it), caches it for
// five minutes, and allows 8 requests per five minutes. So:
//
// - After a successful fetch the provider asks again only once the cache
//   window has passed; a cycle inside the window yields nothing. Yielding
//   the previous quotes again would add no observation (same item, source
//   and time) and make the prices look polled more often than they are.
// - After a failure it waits at least a fair share of the rate limit
//   (5 min / 8) before asking again, however short the ingestion interval;
//   after a 429 it waits Retry-After, or the cache window when none is given.
//
// A quote's price is `min_price`, the lowest offer (like Steam's lowest
// price), converted from major units to cents through its decimal digits so
// 13.18 is exactly 1318; `quantity` is the number of offers. observed_at is
// when we fetched: the body has no time for its prices (`updated_at` is when
// the item's record changed).

import { systemClock } from '../../platform/clock.js';
import {
  describeTarget,
  fetchJson,
  HttpRequestError,
  statusFailure,
} from '../../platform/http/bounded-fetch.js';
import { MINUTE_MS } from '../../platform/time.js';
import type { PriceProvider, PriceQuote } from '../types.js';
import type { ProviderDeps } from './deps.js';
import { CS2_APP_ID } from './steam.js';

/** How long Skinport caches /v1/items. */
export const SKINPORT_CACHE_MS = 5 * MINUTE_MS;
/** 8 requests per 5 minutes, spread evenly. */
export const SKINPORT_MIN_REQUEST_SPACING_MS = SKINPORT_CACHE_MS / 8;

export interface SkinportProviderOptions {
  /** SKINPORT_API_URL, without a trailing slash. */
  readonly baseUrl: string;
  /** An ISO code Skinport prices in. */
  readonly currency: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

/** Cents from a price in major units with at most two decimals, or null. */
export function centsFromMajorUnits(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null;
  // String(13.18) is "13.18": the shortest text that reads back as the same double.
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(value));
  if (!match) return null;
  const cents = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? cents : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function createSkinportProvider(
  options: SkinportProviderOptions,
  deps: ProviderDeps = {},
): PriceProvider {
  const clock = deps.clock ?? systemClock;
  let notBefore = Number.NEGATIVE_INFINITY;
  const url =
    `${options.baseUrl}/v1/items?app_id=${CS2_APP_ID}` +
    `&currency=${encodeURIComponent(options.currency)}&tradable=0`;

  const toQuotes = (answer: unknown, idsByName: ReadonlyMap<string, number>, at: Date) => {
    if (!Array.isArray(answer)) {
      throw new HttpRequestError(describeTarget(new URL(url)), {
        kind: 'invalid_body',
        reason: 'expected an array',
      });
    }
    const quotes: PriceQuote[] = [];
    let unreadable = 0;
    let otherCurrency = 0;
    for (const entry of answer) {
      if (!isRecord(entry) || typeof entry.market_hash_name !== 'string') continue;
      const itemId = idsByName.get(entry.market_hash_name);
      if (itemId === undefined) continue;
      if (entry.currency !== options.currency) {
        otherCurrency += 1;
        continue;
      }
      // null: nobody offers the item right now.
      if (entry.min_price === null) continue;
      const priceCents = centsFromMajorUnits(entry.min_price);
      if (priceCents === null || priceCents === 0) {
        unreadable += 1;
        continue;
      }
      const listings = entry.quantity;
      const isCount =
        typeof listings === 'number' && Number.isSafeInteger(listings) && listings >= 0;
      quotes.push({
        item_id: itemId,
        source: 'skinport',
        price_cents: priceCents,
        ...(isCount ? { listings } : {}),
        observed_at: at,
      });
    }
    if (unreadable > 0 || otherCurrency > 0) {
      deps.log?.warn({ unreadable, otherCurrency }, 'Skinport prices skipped');
    }
    return quotes;
  };

  return {
    source: 'skinport',
    async *fetchPrices(items, signal) {
      const startedAt = clock.now();
      if (items.length === 0 || signal.aborted || startedAt < notBefore) return;
      // Claimed before the request, so a failure or an overlapping cycle cannot ask again at once.
      notBefore = startedAt + SKINPORT_MIN_REQUEST_SPACING_MS;
      let answer: unknown;
      try {
        answer = await fetchJson(url, {
          timeoutMs: options.timeoutMs,
          maxBytes: options.maxResponseBytes,
          signal,
          headers: { 'accept-encoding': 'br' },
          now: () => clock.now(),
        });
      } catch (error) {
        if (signal.aborted) return;
        const refused = statusFailure(error);
        if (refused?.status === 429) {
          notBefore = clock.now() + (refused.retryAfterMs ?? SKINPORT_CACHE_MS);
        }
        throw error;
      }
      const fetchedAt = clock.now();
      notBefore = fetchedAt + SKINPORT_CACHE_MS;
      const idsByName = new Map(items.map((item) => [item.marketHashName, item.id]));
      const quotes = toQuotes(answer, idsByName, new Date(fetchedAt));
      if (quotes.length > 0) yield quotes;
    },
  };
}
