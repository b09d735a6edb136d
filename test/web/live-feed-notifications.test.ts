// The web app's live feed hands a signed-in user's notifications to the
// pages that listen, and only to them: the feed module run in Node against
// a stand-in WebSocket, since Node 20 has no browser socket of its own.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Notification } from '../../src/shared/live-feed.js';

type Handler = (event: { data?: unknown }) => void;

/**
 * The module under test, imported by URL: the server's type check has no
 * DOM types for the browser code it reads (the web app's own check has).
 */
const FEED_MODULE = new URL('../../web/src/api/live-feed.ts', import.meta.url).href;

interface FeedModule {
  readonly liveFeed: {
    onNotification(listener: (notification: Notification) => void): () => void;
  };
}

/** Records the sockets the feed opens and lets the test play the server. */
class StandInSocket {
  static readonly OPEN = 1;
  static readonly opened: StandInSocket[] = [];
  readyState = 0;
  readonly sent: string[] = [];
  private readonly handlers = new Map<string, Handler[]>();

  constructor(readonly url: string) {
    StandInSocket.opened.push(this);
  }

  addEventListener(type: string, handler: Handler): void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
  }

  send(text: string): void {
    this.sent.push(text);
  }

  emit(type: string, event: { data?: unknown } = {}): void {
    if (type === 'open') this.readyState = StandInSocket.OPEN;
    for (const handler of this.handlers.get(type) ?? []) handler(event);
  }
}

const NOTIFICATION: Notification = {
  id: '42',
  kind: 'price_alert',
  title: 'AK-47 | Redline (Field-Tested) is above $12.00',
  message: 'Steam lists it at $12.34.',
  item_id: 7,
  fired_at: '2026-11-01T12:00:00.000Z',
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('notifications in the web app', () => {
  it('go to each listener until it stops listening; listening opens the socket', async () => {
    vi.stubGlobal('WebSocket', StandInSocket);
    vi.stubGlobal('window', { location: { protocol: 'https:', host: 'tracera.example' } });
    const { liveFeed } = (await import(FEED_MODULE)) as FeedModule;
    const first: Notification[] = [];
    const second: Notification[] = [];
    const stopFirst = liveFeed.onNotification((notification) => first.push(notification));
    const stopSecond = liveFeed.onNotification((notification) => second.push(notification));
    const [socket] = StandInSocket.opened;
    expect(socket?.url).toBe('wss://tracera.example/api/v1/ws');
    if (!socket) return;
    socket.emit('open');
    const frame = { data: JSON.stringify({ type: 'notification', notification: NOTIFICATION }) };
    socket.emit('message', frame);
    socket.emit('message', { data: JSON.stringify({ type: 'pong' }) });
    expect(first).toEqual([NOTIFICATION]);
    expect(second).toEqual([NOTIFICATION]);

    stopFirst();
    socket.emit('message', frame);
    expect(first).toEqual([NOTIFICATION]);
    expect(second).toEqual([NOTIFICATION, NOTIFICATION]);
    stopSecond();
    // Leaves the shared feed closed, with no listener to reopen it.
    socket.emit('close');
  });
});
