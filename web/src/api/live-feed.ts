// The live feed (GET /api/v1/ws, docs/api.md#live-feed) for the whole app:
// one WebSocket, shared by every component that follows an item. Components
// say which items they show; the feed works out the difference and sends at
// most one subscribe and one unsubscribe per flush, so scrolling a long
// table stays inside the server's message budget (S27). It keeps the newest
// price per item and source (a late snapshot never undoes a newer tick) and
// the newest market index, follows no more items than the server's limit,
// and reconnects with a growing, jittered delay (backoff.ts). A signed-in
// user's socket also brings their private notifications (alerts that
// fired), handed to whoever listens; the server sends them only while the
// session the page loaded with is live, and keeps none for a closed socket.
import type {
  IndexUpdate,
  Notification,
  NotificationUpdate,
  PriceUpdate,
  Subscribed,
} from '../../../src/shared/live-feed.js';
import type { MarketProvider } from '../../../src/shared/market-vocabulary.js';
import { Backoff, LIVE_FEED_BACKOFF } from './backoff.js';
import { API_PREFIX } from './client.js';
import { Subscriptions } from './subscriptions.js';

/** Changes to what is followed are sent together, this long after the first. */
const FLUSH_DELAY_MS = 400;

type Listener = () => void;

export type NotificationListener = (notification: Notification) => void;

const priceKey = (itemId: number, source: MarketProvider) => `${itemId}:${source}`;

type ServerMessage =
  | PriceUpdate
  | IndexUpdate
  | Subscribed
  | NotificationUpdate
  | { readonly type: 'unsubscribed' | 'pong' | 'volatility' | 'error' };

class LiveFeed {
  private socket: WebSocket | null = null;
  private readonly subscriptions = new Subscriptions();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly backoff = new Backoff(LIVE_FEED_BACKOFF);
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly prices = new Map<string, PriceUpdate>();
  private readonly priceListeners = new Map<string, Set<Listener>>();
  private index: IndexUpdate | null = null;
  private readonly indexListeners = new Set<Listener>();
  private readonly stateListeners = new Set<Listener>();
  private readonly notificationListeners = new Set<NotificationListener>();
  private open = false;

  /** Follows `itemIds` until the returned function is called. */
  follow(itemIds: readonly number[]): () => void {
    this.subscriptions.want(itemIds);
    this.connect();
    this.scheduleFlush();
    return () => {
      this.subscriptions.unwant(itemIds);
      this.scheduleFlush();
    };
  }

  latestPrice(itemId: number, source: MarketProvider): PriceUpdate | undefined {
    return this.prices.get(priceKey(itemId, source));
  }

  onPrice(itemId: number, source: MarketProvider, listener: Listener): () => void {
    const key = priceKey(itemId, source);
    const listeners = this.priceListeners.get(key) ?? new Set();
    listeners.add(listener);
    this.priceListeners.set(key, listeners);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.priceListeners.delete(key);
    };
  }

  latestIndex(): IndexUpdate | null {
    return this.index;
  }

  /** The index goes to every client, so listening alone opens the socket. */
  onIndex(listener: Listener): () => void {
    this.indexListeners.add(listener);
    this.connect();
    return () => this.indexListeners.delete(listener);
  }

  /**
   * Calls `listener` with each notification of the signed-in user from now
   * on. They go to every client of the user, so listening alone opens the
   * socket, as for the index.
   */
  onNotification(listener: NotificationListener): () => void {
    this.notificationListeners.add(listener);
    this.connect();
    return () => this.notificationListeners.delete(listener);
  }

  isOpen(): boolean {
    return this.open;
  }

  onState(listener: Listener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Opens the socket, unless it is open or a reconnect is already waiting out its delay. */
  private connect(): void {
    if (this.socket || this.reconnectTimer !== null) return;
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${window.location.host}${API_PREFIX}/ws`);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.backoff.opened(Date.now());
      this.setOpen(true);
      this.subscriptions.reset();
      this.flush();
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data === 'string') this.receive(JSON.parse(event.data) as ServerMessage);
    });
    socket.addEventListener('close', () => {
      this.socket = null;
      this.subscriptions.reset();
      this.setOpen(false);
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        if (
          this.subscriptions.anyWanted() ||
          this.indexListeners.size > 0 ||
          this.notificationListeners.size > 0
        ) {
          this.connect();
        }
      }, this.backoff.closed(Date.now()));
    });
  }

  private setOpen(open: boolean): void {
    this.open = open;
    for (const listener of this.stateListeners) listener();
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== null) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, FLUSH_DELAY_MS);
  }

  private flush(): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const { unsubscribe, subscribe } = this.subscriptions.changes();
    if (unsubscribe.length > 0)
      socket.send(JSON.stringify({ action: 'unsubscribe', item_ids: unsubscribe }));
    if (subscribe.length > 0)
      socket.send(JSON.stringify({ action: 'subscribe', item_ids: subscribe }));
  }

  private receive(message: ServerMessage): void {
    if (message.type === 'price') this.keepPrice(message);
    else if (message.type === 'subscribed') {
      if (this.subscriptions.answered(message)) this.scheduleFlush();
      for (const price of message.prices) this.keepPrice(price);
    } else if (message.type === 'index') {
      if (this.index && this.index.computed_at >= message.computed_at) return;
      this.index = message;
      for (const listener of this.indexListeners) listener();
    } else if (message.type === 'notification') {
      for (const listener of [...this.notificationListeners]) listener(message.notification);
    }
  }

  private keepPrice(price: PriceUpdate): void {
    const key = priceKey(price.item_id, price.source);
    const known = this.prices.get(key);
    if (known && Date.parse(known.observed_at) >= Date.parse(price.observed_at)) return;
    this.prices.set(key, price);
    for (const listener of this.priceListeners.get(key) ?? []) listener();
  }
}

export const liveFeed = new LiveFeed();
