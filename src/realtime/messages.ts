// The live feed's wire format. What a client sends is untrusted (S27): at
// most 4 KiB (the socket enforces that before we see it), JSON, one of three
// actions, and item ids that are positive integers in the catalog's id range;
// anything else in `item_ids` is dropped, duplicates collapse. What the
// server sends is built from the market pipeline's channel messages, each
// serialized and framed once however many sockets receive it, and names a
// price's fields as the REST API does (price_cents, observed_at, simulated).
import { MARKET_PROVIDERS } from '../config/settings.js';
import { isCountOrAbsent, type PriceMessage } from '../market/ingest/index.js';
import {
  isSimulated,
  type PriceQuote,
  type PriceSource,
  VOLATILITY_WINDOWS,
} from '../market/types.js';
import { roundedVolatility, type Volatility } from '../market/volatility/index.js';
import type { PriceUpdate, Subscribed } from '../shared/live-feed.js';
import { textFrame } from './frames.js';

export type { PriceUpdate, Subscribed };

/** S27: the largest client message, in bytes. */
export const MAX_CLIENT_MESSAGE_BYTES = 4096;
/** Item ids are PostgreSQL `integer`s. */
const MAX_ITEM_ID = 2_147_483_647;
const SOURCES: ReadonlySet<unknown> = new Set(MARKET_PROVIDERS);
const WINDOWS: ReadonlySet<unknown> = new Set(VOLATILITY_WINDOWS);

export type ClientRequest =
  | {
      readonly action: 'subscribe' | 'unsubscribe';
      readonly itemIds: readonly number[];
      /** Entries of `item_ids` that were not item ids, or repeated one. */
      readonly dropped: number;
    }
  | { readonly action: 'ping' };

/** A message the server refuses; the client is told `detail`. */
export class RefusedMessage extends Error {
  override name = 'RefusedMessage';
}

export const isItemId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= MAX_ITEM_ID;

/** The client's request in `text`; throws RefusedMessage saying what is wrong. */
export function parseClientMessage(text: string): ClientRequest {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw new RefusedMessage('Messages must be JSON');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new RefusedMessage('Messages must be JSON objects with an "action"');
  }
  const { action, item_ids: itemIds } = message as { action?: unknown; item_ids?: unknown };
  if (action === 'ping') return { action };
  if (action !== 'subscribe' && action !== 'unsubscribe') {
    throw new RefusedMessage('"action" must be "subscribe", "unsubscribe" or "ping"');
  }
  if (!Array.isArray(itemIds)) {
    throw new RefusedMessage('"item_ids" must be an array of item ids');
  }
  const ids = new Set<number>();
  for (const id of itemIds) if (isItemId(id)) ids.add(id);
  return { action, itemIds: [...ids], dropped: itemIds.length - ids.size };
}

/** A server message addressed to the subscribers of one item. */
export interface Update {
  readonly itemId: number;
  /** The message as a complete WebSocket frame, serialized and framed once for every socket. */
  readonly frame: Buffer;
  /** For a price: `<item_id>:<source>`, what a newer price replaces. */
  readonly priceKey?: string;
}

function priceUpdate(quote: PriceMessage): PriceUpdate {
  return {
    type: 'price',
    item_id: quote.item_id,
    source: quote.source,
    simulated: isSimulated(quote.source),
    price_cents: quote.price_cents,
    volume: quote.volume ?? null,
    listings: quote.listings ?? null,
    observed_at: quote.observed_at,
  };
}

export function priceUpdateOfQuote(quote: PriceQuote): PriceUpdate {
  return priceUpdate({
    item_id: quote.item_id,
    source: quote.source,
    price_cents: quote.price_cents,
    ...(quote.volume === undefined ? {} : { volume: quote.volume }),
    ...(quote.listings === undefined ? {} : { listings: quote.listings }),
    observed_at: quote.observed_at.toISOString(),
  });
}

const isRatio = (value: unknown) => value === null || typeof value === 'number';

const isWhole = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;

/** What a channel message brings: its updates, and how much of it was dropped. */
export interface ChannelUpdates {
  readonly updates: Update[];
  /** Changes dropped as malformed; the whole message counts as one when it is not an array. */
  readonly malformed: number;
}

/**
 * The updates of a channel message, a JSON array of changes (see
 * PRICES_CHANNEL), each turned into an update by `updateOf`, which answers
 * null for a change that is not one. The channel is ours, but it crosses
 * Redis: a malformed message or change is dropped and counted, never forwarded.
 */
function channelUpdates(
  text: string,
  updateOf: (change: Record<string, unknown>) => Update | null,
): ChannelUpdates {
  let changes: unknown;
  try {
    changes = JSON.parse(text);
  } catch {
    return { updates: [], malformed: 1 };
  }
  if (!Array.isArray(changes)) return { updates: [], malformed: 1 };
  const updates: Update[] = [];
  for (const change of changes) {
    const update = typeof change === 'object' && change !== null ? updateOf(change) : null;
    if (update) updates.push(update);
  }
  return { updates, malformed: changes.length - updates.length };
}

function priceChange(change: Partial<PriceMessage>): Update | null {
  if (
    !isItemId(change.item_id) ||
    !SOURCES.has(change.source) ||
    !isWhole(change.price_cents) ||
    !isCountOrAbsent(change.volume) ||
    !isCountOrAbsent(change.listings) ||
    !isTimestamp(change.observed_at)
  ) {
    return null;
  }
  return {
    itemId: change.item_id,
    frame: textFrame(Buffer.from(JSON.stringify(priceUpdate(change as PriceMessage)))),
    priceKey: `${change.item_id}:${change.source}`,
  };
}

function volatilityChange(change: Partial<Volatility>): Update | null {
  if (
    !isItemId(change.item_id) ||
    !SOURCES.has(change.source) ||
    !WINDOWS.has(change.window) ||
    typeof change.stddev_cents !== 'number' ||
    !isRatio(change.percent_change) ||
    !isRatio(change.trend_score) ||
    !isTimestamp(change.computed_at) ||
    typeof change.bollinger !== 'object' ||
    change.bollinger === null
  ) {
    return null;
  }
  const volatility = change as Volatility;
  const rounded = roundedVolatility(volatility);
  // Named as GET /items/:id/volatility names them.
  const update = {
    type: 'volatility',
    item_id: volatility.item_id,
    source: volatility.source,
    simulated: isSimulated(volatility.source),
    window: volatility.window,
    stddev_cents: rounded.stddev_cents,
    percent_change: rounded.percent_change,
    trend_score: rounded.trend_score,
    computed_at: volatility.computed_at,
  };
  return { itemId: volatility.item_id, frame: textFrame(Buffer.from(JSON.stringify(update))) };
}

/**
 * The frame of an INDEX_CHANNEL message (one index after a step), named as
 * GET /index names it; null for a message that is not one.
 */
export function indexFrame(text: string): Buffer | null {
  let change: Record<string, unknown>;
  try {
    change = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (
    typeof change !== 'object' ||
    change === null ||
    !SOURCES.has(change.source) ||
    typeof change.value !== 'number' ||
    !Number.isFinite(change.value) ||
    !isRatio(change.change_24h) ||
    !isTimestamp(change.computed_at)
  ) {
    return null;
  }
  const source = change.source as PriceSource;
  const update = {
    type: 'index',
    source,
    simulated: isSimulated(source),
    value: change.value,
    change_24h: change.change_24h,
    computed_at: change.computed_at,
  };
  return textFrame(Buffer.from(JSON.stringify(update)));
}

/** The updates of a PRICES_CHANNEL message. */
export const priceChannelUpdates = (text: string) => channelUpdates(text, priceChange);

/** The updates of a VOLATILITY_CHANNEL message. */
export const volatilityChannelUpdates = (text: string) => channelUpdates(text, volatilityChange);

export function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

export interface Unsubscribed {
  readonly type: 'unsubscribed';
  readonly item_ids: readonly number[];
}

export type Reply =
  | Subscribed
  | Unsubscribed
  | { readonly type: 'pong' }
  | { readonly type: 'error'; readonly detail: string };
