// React's view of the live feed: the newest price of an item from a source,
// the newest market index, whether the feed is connected, and the signed-in
// user's notifications as they arrive.
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { IndexUpdate, Notification, PriceUpdate } from '../../../src/shared/live-feed.js';
import type { MarketProvider } from '../../../src/shared/market-vocabulary.js';
import { liveFeed } from './live-feed.js';

/** Follows the items while the component shows them. */
export function useFollow(itemIds: readonly number[]): void {
  const key = itemIds.join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: the ids' text is the dependency, so a new array with the same ids follows nothing again.
  useEffect(() => liveFeed.follow(itemIds), [key]);
}

export function useLivePrice(itemId: number, source: MarketProvider): PriceUpdate | undefined {
  return useSyncExternalStore(
    (listener) => liveFeed.onPrice(itemId, source, listener),
    () => liveFeed.latestPrice(itemId, source),
  );
}

export function useLiveIndex(): IndexUpdate | null {
  return useSyncExternalStore(
    (listener) => liveFeed.onIndex(listener),
    () => liveFeed.latestIndex(),
  );
}

export function useFeedConnected(): boolean {
  return useSyncExternalStore(
    (listener) => liveFeed.onState(listener),
    () => liveFeed.isOpen(),
  );
}

/**
 * Calls `onNotification` with each notification of the signed-in user that
 * arrives while the component is mounted (none for a visitor). The latest
 * callback is called, so an inline function does not resubscribe.
 * Listening opens the socket and keeps it open, so mount it for a
 * signed-in user only: a visitor would hold a socket for nothing.
 */
export function useNotifications(onNotification: (notification: Notification) => void): void {
  const latest = useRef(onNotification);
  useEffect(() => {
    latest.current = onNotification;
  });
  useEffect(() => liveFeed.onNotification((notification) => latest.current(notification)), []);
}

export interface ObservedPrice {
  readonly price_cents: number;
  readonly observed_at: string;
  readonly stale: boolean;
}

/**
 * The newer of a price from an answer and one from the feed; `live` says
 * which. A price from the feed has just arrived, so it is never stale.
 */
export function newerPrice(
  answered: ObservedPrice | null | undefined,
  live: PriceUpdate | undefined,
): (ObservedPrice & { readonly live: boolean }) | null {
  if (live && (!answered || Date.parse(live.observed_at) > Date.parse(answered.observed_at))) {
    return {
      price_cents: live.price_cents,
      observed_at: live.observed_at,
      stale: false,
      live: true,
    };
  }
  return answered ? { ...answered, live: false } : null;
}
