// Which items the live feed asks the server for: what components want,
// trimmed to the server's limit, against what the server has accepted.
// Pure, so Node tests can run it without a socket.
import type { Subscribed } from '../../../src/shared/live-feed.js';

/**
 * The server's WS_MAX_SUBSCRIPTIONS default, assumed until its first
 * `subscribed` answer says the limit; the newest wanted ids win past it.
 */
const DEFAULT_LIMIT = 200;

export interface SubscriptionChanges {
  readonly unsubscribe: readonly number[];
  readonly subscribe: readonly number[];
}

export class Subscriptions {
  /** How many components want each item. */
  private readonly wanted = new Map<number, number>();
  /** What the server has been asked to send and has not refused. */
  private readonly sent = new Set<number>();
  /** The ids of each subscribe not answered yet; the server answers in order. */
  private readonly awaiting: (readonly number[])[] = [];
  private limit = DEFAULT_LIMIT;

  want(itemIds: readonly number[]): void {
    for (const id of itemIds) this.wanted.set(id, (this.wanted.get(id) ?? 0) + 1);
  }

  unwant(itemIds: readonly number[]): void {
    for (const id of itemIds) {
      const count = (this.wanted.get(id) ?? 0) - 1;
      if (count > 0) this.wanted.set(id, count);
      else this.wanted.delete(id);
    }
  }

  anyWanted(): boolean {
    return this.wanted.size > 0;
  }

  /** A new connection, or none: the server holds nothing of this client. */
  reset(): void {
    this.sent.clear();
    this.awaiting.length = 0;
  }

  /** What to send now to follow the newest wanted ids up to the limit; counted as sent. */
  changes(): SubscriptionChanges {
    const wanted = [...this.wanted.keys()].slice(-this.limit);
    const wantedSet = new Set(wanted);
    const unsubscribe = [...this.sent].filter((id) => !wantedSet.has(id));
    const subscribe = wanted.filter((id) => !this.sent.has(id));
    for (const id of unsubscribe) this.sent.delete(id);
    for (const id of subscribe) this.sent.add(id);
    if (subscribe.length > 0) this.awaiting.push(subscribe);
    return { unsubscribe, subscribe };
  }

  /**
   * Keeps only the ids the server accepted, and its limit; true when what
   * is followed should be sent again. An id it refused is no longer counted
   * as sent. When the limit is lower than assumed, sending again trims what
   * is followed to it; otherwise asking again would only be refused again,
   * so that waits for the next change.
   */
  answered(message: Pick<Subscribed, 'item_ids' | 'limit'>): boolean {
    const lowered = message.limit < this.limit;
    this.limit = message.limit;
    const accepted = new Set(message.item_ids);
    for (const id of this.awaiting.shift() ?? []) if (!accepted.has(id)) this.sent.delete(id);
    return lowered;
  }
}
