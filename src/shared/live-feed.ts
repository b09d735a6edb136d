// What the live feed (GET /api/v1/ws) sends, shared by the server that builds
// the messages and the web app that reads them; docs/api.md#live-feed
// describes the protocol.
import type { MarketProvider } from './market-vocabulary.js';

/** A price as GET /items/:id lists it, with the item it is of; `observed_at` comes last. */
export interface PriceUpdate {
  readonly type: 'price';
  readonly item_id: number;
  readonly source: MarketProvider;
  /** True for the demo market: simulated prices, not a real market. */
  readonly simulated: boolean;
  /** Minor units (cents) of MARKET_CURRENCY, like every price. */
  readonly price_cents: number;
  readonly volume: number | null;
  readonly listings: number | null;
  /** ISO 8601: when the source observed the price. */
  readonly observed_at: string;
}

/** The market index of a source after a step, sent to every client. */
export interface IndexUpdate {
  readonly type: 'index';
  readonly source: MarketProvider;
  readonly simulated: boolean;
  readonly value: number;
  /** Percent; null while the index is younger than a day. */
  readonly change_24h: number | null;
  readonly computed_at: string;
}

export interface Subscribed {
  readonly type: 'subscribed';
  /** Every id of the request now subscribed, whether new or already. */
  readonly item_ids: readonly number[];
  /** Entries of the request that were not item ids, repeated one, or were over the limit. */
  readonly dropped: number;
  /** The most ids one connection may hold. */
  readonly limit: number;
  /** The latest known price of each id from each source, so the client need not wait for a tick. */
  readonly prices: readonly PriceUpdate[];
}

/**
 * A private message to one signed-in user (an alert that fired, for one).
 * The alerts capability fills it; the feed only carries it. `id` is the
 * sender's own identifier, so a client can tell a repeat from a new one.
 */
export interface Notification {
  readonly id: string;
  /** What sent it, such as `price_alert`; a client shows unknown kinds as plain messages. */
  readonly kind: string;
  readonly title: string;
  readonly message: string;
  /** The item it is about, or null. */
  readonly item_id: number | null;
  /** ISO 8601: when it was raised. */
  readonly fired_at: string;
}

/** A notification as the feed sends it, to the sockets of its user only. */
export interface NotificationUpdate {
  readonly type: 'notification';
  readonly notification: Notification;
}
