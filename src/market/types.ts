// The shapes every stage of the market pipeline agrees on: the catalog hands
// providers the items to price, providers yield normalized quotes, ingestion
// stores them, and volatility and the API read them back. Prices are integers
// in minor units (cents) of the configured MARKET_CURRENCY, and every quote
// names its source and the moment the source observed it.
import type { MARKET_PROVIDERS } from '../config/settings.js';
import { DAY_MS, HOUR_MS } from '../platform/time.js';
import {
  HISTORY_WINDOWS,
  type HistoryWindow,
  VOLATILITY_WINDOWS,
  type VolatilityWindow,
} from '../shared/market-vocabulary.js';

export type PriceSource = (typeof MARKET_PROVIDERS)[number];

/** The demo market's prices are simulated; every answer about a source's prices says so. */
export const isSimulated = (source: PriceSource): boolean => source === 'demo';

/** What a provider needs to know about an item to price it: its catalog row (see catalog/). */
export interface PricedItem {
  readonly id: number;
  readonly marketHashName: string;
  readonly category: string;
  /** The gun, knife or glove model; null for other items. */
  readonly weaponType: string | null;
  /** The finish; null for vanilla knives and items that are not skins. */
  readonly skinName: string | null;
  readonly exterior: string | null;
  readonly rarity: string | null;
  readonly stattrak: boolean;
  readonly souvenir: boolean;
  /** Someone holds or watches it: providers that cannot price everything every cycle price it first. */
  readonly priority?: boolean;
}

/** One normalized observation; field names are those of the prices table and the API. */
export interface PriceQuote {
  readonly item_id: number;
  readonly source: PriceSource;
  readonly price_cents: number;
  /** Units sold recently (Steam: the last 24 hours), when the source says. */
  readonly volume?: number;
  /** Offers on sale at `observed_at`, when the source says. */
  readonly listings?: number;
  readonly observed_at: Date;
}

/** How fast a provider that paces its requests asks now, as it learned from its source. */
export interface ProviderPace {
  /** Time between the starts of two requests. */
  readonly intervalMs: number;
  /** The configured least interval: the provider never asks faster. */
  readonly floorMs: number;
  /** 429 answers during its last cycle. */
  readonly rateLimitedLastCycle: number;
  /** Epoch milliseconds of the last 429; null when there was none since the process started. */
  readonly lastRateLimitedAt: number | null;
}

export interface PriceProvider {
  readonly source: PriceSource;
  /** Its current pace, for a provider that adapts it to its source's rate limit. */
  pace?(): ProviderPace;
  /**
   * Prices `items`, yielding quotes in batches as they arrive. Stops early,
   * without throwing, once `signal` aborts; a failure of the source itself
   * (unreachable, bad status, malformed or oversize body) is thrown.
   */
  fetchPrices(
    items: readonly PricedItem[],
    signal: AbortSignal,
  ): AsyncIterable<readonly PriceQuote[]>;
}

/** The windows volatility, rankings and history are computed over. */
export { HISTORY_WINDOWS, type HistoryWindow, VOLATILITY_WINDOWS, type VolatilityWindow };

/**
 * Buckets of every width start at multiples of it since the Unix epoch (UTC):
 * the rollups, the late-row queue and the charts all cut time the same way.
 */
export const BUCKET_ORIGIN = '1970-01-01T00:00:00Z';

export const WINDOW_MS: Readonly<Record<HistoryWindow, number>> = {
  '1h': HOUR_MS,
  '24h': DAY_MS,
  '7d': 7 * DAY_MS,
  '30d': 30 * DAY_MS,
  '1y': 365 * DAY_MS,
};

/**
 * Pub/sub channels the pipeline publishes on (the realtime hub subscribes).
 * Each message is a JSON array of the changes of one write, at most
 * CHANGES_PER_MESSAGE of them: a tick of a thousand items is two messages
 * rather than a thousand, for the publisher, Redis and every instance's hub.
 */
export const PRICES_CHANNEL = 'prices';
export const VOLATILITY_CHANNEL = 'volatility';
/** The market index of a source after each step: one JSON object per message. */
export const INDEX_CHANNEL = 'index';
/** At most this many changes per channel message (a price is about 130 bytes). */
export const CHANGES_PER_MESSAGE = 500;
