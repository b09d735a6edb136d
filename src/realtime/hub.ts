// The hub of one instance: it listens on the store's `prices` and
// `volatility` channels (Redis pub/sub when REDIS_URL is set, so every
// instance hears every update, whichever instance's ingestion leader
// published it) and hands each update to the sockets following its item, and
// only to them: an index from item to connections, so an update costs its
// followers, not every socket. Each update is serialized once and the same
// bytes are written to every follower.
//
// It also listens on `notifications` (notifications.ts) and writes each to
// the sockets of its user, which an index from user to connections finds.
// A private message goes only to a socket whose session is live when the
// message arrives: the hub asks the store, once for all of that user's
// sockets on this instance, before writing. Asking on delivery, rather than
// being told when a session ends, covers every way one ends (sign-out,
// "end all sessions", a password reset, an account disabled, the idle and
// absolute timeouts, which no one announces) and cannot miss an end the way
// a lost pub/sub message would; it costs a store read per notification for
// a user with sockets here, and notifications are rare. A socket whose
// session has ended stays open for public prices, as anonymous.
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { latestPricesOfItems } from '../market/ingest/index.js';
import {
  INDEX_CHANNEL,
  PRICES_CHANNEL,
  type PriceSource,
  VOLATILITY_CHANNEL,
} from '../market/types.js';
import type { Clock } from '../platform/clock.js';
import type { Store, Unsubscribe } from '../platform/store/index.js';
import { CLOSE_CODES, Connection, type ConnectionLimits, type FeedIdentity } from './connection.js';
import { HeartbeatWheel } from './heartbeat-wheel.js';
import {
  type ChannelUpdates,
  indexFrame,
  type PriceUpdate,
  priceChannelUpdates,
  priceUpdateOfQuote,
  volatilityChannelUpdates,
} from './messages.js';
import {
  type AddressedNotification,
  NOTIFICATIONS_CHANNEL,
  notificationOfChannel,
} from './notifications.js';

export type { FeedIdentity };

/** Which of a user's sessions, by token hash, are live now; throws when the store cannot answer. */
export type LiveSessions = (
  userId: number,
  tokenHashes: readonly string[],
) => Promise<ReadonlySet<string>>;

export interface HubOptions extends ConnectionLimits {
  readonly store: Store;
  readonly logger: FastifyBaseLogger;
  /** The sources whose latest prices a new subscription is sent. */
  readonly sources: readonly PriceSource[];
  readonly heartbeatMs: number;
  /** Heartbeats and message budgets run on it; tests move it by hand. */
  readonly clock: Clock;
  /** Asked before a user's sockets get a private message. */
  readonly liveSessions: LiveSessions;
}

/** How long shutdown waits for clients to answer its close before cutting them off. */
const CLOSE_GRACE_MS = 1000;
/** Steps of a heartbeat interval: at the default 30 s, a thirtieth of the connections each second. */
const HEARTBEAT_SLICES = 30;
/** Turns of the event loop an unbroken stream of channel messages may hold queued updates back. */
const QUIET_TURNS = 8;

export interface HubStats {
  readonly connections: number;
  /** Items at least one connection follows. */
  readonly items: number;
  /** Messages clients have sent since the hub started. */
  readonly messages: number;
  /** Messages written to clients since the hub started. */
  readonly sent: number;
  /** Connections of a signed-in user whose session was live when last asked. */
  readonly signedIn: number;
  /** Private notifications written to clients since the hub started (counted in `sent` too). */
  readonly notifications: number;
}

/** A user's notifications waiting for the check of their sessions. */
interface NotificationQueue {
  frames: Buffer[];
  /** A check is under way; frames that arrive meanwhile wait for the next one. */
  checking: boolean;
}

export class Hub {
  private readonly followers = new Map<number, Set<Connection>>();
  private readonly connections = new Set<Connection>();
  /** Each signed-in user's connections. */
  private readonly users = new Map<number, Set<Connection>>();
  private readonly notificationQueues = new Map<number, NotificationQueue>();
  private signedIn = 0;
  private notificationsSent = 0;
  private readonly sockets = new Set<WebSocket>();
  private readonly wheel = new HeartbeatWheel<Connection>(HEARTBEAT_SLICES);
  private readonly log: FastifyBaseLogger;
  /** Connections with updates queued, to be written once the channels are quiet; a flush is due while it has any. */
  private readonly flushing = new Set<Connection>();
  /** Whether a channel message arrived since the last look. */
  private heardSinceLook = false;
  private readonly heartbeat = new AbortController();
  private unsubscribes: Unsubscribe[] = [];
  private messages = 0;
  private sentMessages = 0;

  private constructor(private readonly options: HubOptions) {
    this.log = options.logger.child({ component: 'realtime' });
  }

  /** A hub listening on the store's channels, pinging each client every `heartbeatMs`. */
  static async start(options: HubOptions): Promise<Hub> {
    const hub = new Hub(options);
    const { store } = options;
    hub.unsubscribes = await Promise.all([
      store.subscribe(PRICES_CHANNEL, (text) => hub.fanOut(priceChannelUpdates(text), text)),
      store.subscribe(VOLATILITY_CHANNEL, (text) =>
        hub.fanOut(volatilityChannelUpdates(text), text),
      ),
      store.subscribe(INDEX_CHANNEL, (text) => hub.broadcast(indexFrame(text), text)),
      store.subscribe(NOTIFICATIONS_CHANNEL, (text) =>
        hub.notify(notificationOfChannel(text), text),
      ),
    ]);
    void hub.beat(options.heartbeatMs / HEARTBEAT_SLICES);
    return hub;
  }

  /** Each step of the heartbeat, until the hub stops: the connections of the next slice. */
  private async beat(stepMs: number): Promise<void> {
    const { signal } = this.heartbeat;
    for (;;) {
      await this.options.clock.sleep(stepMs, signal);
      if (signal.aborted) return;
      for (const connection of this.wheel.turn()) connection.heartbeat();
    }
  }

  /**
   * Serves `socket`, over `transport`, until it closes; with `identity`, it
   * also gets that user's private messages while the session is live.
   */
  accept(
    socket: WebSocket,
    transport: Socket,
    log: FastifyBaseLogger,
    identity: FeedIdentity | null = null,
  ): void {
    const connection = new Connection(socket, transport, this, this.options, log);
    this.connections.add(connection);
    this.sockets.add(socket);
    this.wheel.add(connection);
    if (identity) this.signIn(connection, identity);
    socket.once('close', () => {
      this.connections.delete(connection);
      this.wheel.delete(connection);
      this.sockets.delete(socket);
      this.unfollow(connection, [...connection.items]);
      this.signOut(connection);
    });
  }

  private signIn(connection: Connection, identity: FeedIdentity): void {
    connection.identity = identity;
    let set = this.users.get(identity.userId);
    if (!set) {
      set = new Set();
      this.users.set(identity.userId, set);
    }
    set.add(connection);
    this.signedIn += 1;
  }

  /** The connection gets no more private messages: closed, or its session ended. */
  private signOut(connection: Connection): void {
    const identity = connection.identity;
    if (!identity) return;
    connection.identity = null;
    this.signedIn -= 1;
    const set = this.users.get(identity.userId);
    set?.delete(connection);
    if (set?.size === 0) this.users.delete(identity.userId);
  }

  follow(connection: Connection, itemIds: readonly number[]): void {
    // A request may finish after its connection closed and left the index.
    if (!this.connections.has(connection)) return;
    for (const id of itemIds) {
      connection.items.add(id);
      let set = this.followers.get(id);
      if (!set) {
        set = new Set();
        this.followers.set(id, set);
      }
      set.add(connection);
    }
  }

  unfollow(connection: Connection, itemIds: readonly number[]): void {
    for (const id of itemIds) {
      connection.items.delete(id);
      const set = this.followers.get(id);
      if (!set) continue;
      set.delete(connection);
      if (set.size === 0) this.followers.delete(id);
    }
  }

  async latestPrices(itemIds: readonly number[]): Promise<PriceUpdate[]> {
    if (itemIds.length === 0) return [];
    const quotes = await latestPricesOfItems(this.options.store, itemIds, this.options.sources);
    return quotes.map(priceUpdateOfQuote);
  }

  now(): number {
    return this.options.clock.now();
  }

  received(): void {
    this.messages += 1;
  }

  sent(count: number): void {
    this.sentMessages += count;
  }

  stats(): HubStats {
    return {
      connections: this.connections.size,
      items: this.followers.size,
      messages: this.messages,
      sent: this.sentMessages,
      signedIn: this.signedIn,
      notifications: this.notificationsSent,
    };
  }

  /**
   * Stops listening, closes every socket with 1001 (going away) and waits
   * for them to close; one that has not within CLOSE_GRACE_MS is cut off.
   * The store drops the hub's handlers at once, but telling Redis waits on
   * its connection, which may be down: that wait gets the same grace, and
   * the sockets do not wait for it.
   */
  async stop(): Promise<void> {
    this.heartbeat.abort();
    const unsubscribes = this.unsubscribes;
    this.unsubscribes = [];
    const unsubscribed = Promise.allSettled(unsubscribes.map((unsubscribe) => unsubscribe()));
    const closed = [...this.sockets].map(
      (socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())),
    );
    for (const connection of this.connections) {
      connection.close(CLOSE_CODES.goingAway, 'Server shutting down');
    }
    const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
    await Promise.race([Promise.all([...closed, unsubscribed]), grace]);
    for (const socket of this.sockets) socket.terminate();
  }

  /** A message for every client, not one item's followers: the market index after a step. */
  private broadcast(frame: Buffer | null, text: string): void {
    if (!frame) {
      this.log.warn({ message: text.slice(0, 200) }, 'malformed index message dropped');
      return;
    }
    this.heardSinceLook = true;
    const flushDue = this.flushing.size > 0;
    for (const connection of this.connections) {
      if (connection.deliver({ itemId: 0, frame })) this.flushing.add(connection);
    }
    if (!flushDue && this.flushing.size > 0) setImmediate(() => this.flushWhenQuiet(0));
  }

  /**
   * Queues a notification for its user's connections on this instance, if
   * any, and starts a check of their sessions unless one is under way.
   * Every frame waits for a check that started after it arrived, so a
   * session that had ended by then never gets it.
   */
  private notify(addressed: AddressedNotification | null, text: string): void {
    if (!addressed) {
      this.log.warn({ message: text.slice(0, 200) }, 'malformed notification dropped');
      return;
    }
    const { userId, frame } = addressed;
    if (!this.users.has(userId)) return;
    let queue = this.notificationQueues.get(userId);
    if (!queue) {
      queue = { frames: [], checking: false };
      this.notificationQueues.set(userId, queue);
    }
    queue.frames.push(frame);
    if (queue.checking) return;
    queue.checking = true;
    this.deliverNotifications(userId, queue).catch((error: unknown) => {
      this.log.error({ err: error }, 'notification delivery failed');
      this.notificationQueues.delete(userId);
    });
  }

  /**
   * Until the user's queue is empty: checks which of their connections'
   * sessions are live, writes the frames queued before the check to those,
   * and stops the others getting private messages. When the store cannot
   * answer, the frames are dropped rather than sent unchecked (S7's fail
   * closed); the sender's own record (alert history) still has them.
   */
  private async deliverNotifications(userId: number, queue: NotificationQueue): Promise<void> {
    while (queue.frames.length > 0) {
      const frames = queue.frames;
      queue.frames = [];
      const connections = [...(this.users.get(userId) ?? [])];
      const tokenHashes = new Set<string>();
      for (const connection of connections) {
        if (connection.identity) tokenHashes.add(connection.identity.tokenHash);
      }
      if (tokenHashes.size === 0) continue;
      let live: ReadonlySet<string>;
      try {
        live = await this.options.liveSessions(userId, [...tokenHashes]);
      } catch (error) {
        this.log.warn(
          { err: error, notifications: frames.length },
          'notifications withheld: sessions could not be checked',
        );
        continue;
      }
      for (const connection of connections) {
        const identity = connection.identity;
        if (!identity) continue;
        if (!live.has(identity.tokenHash)) {
          this.signOut(connection);
          continue;
        }
        for (const frame of frames) connection.deliver({ itemId: 0, frame });
        if (connection.flush()) this.notificationsSent += frames.length;
      }
    }
    this.notificationQueues.delete(userId);
  }

  private fanOut({ updates, malformed }: ChannelUpdates, text: string): void {
    if (malformed > 0) {
      this.log.warn(
        { malformed, message: text.slice(0, 200) },
        'malformed channel changes dropped',
      );
    }
    this.heardSinceLook = true;
    const flushDue = this.flushing.size > 0;
    for (const update of updates) {
      const followers = this.followers.get(update.itemId);
      if (!followers) continue;
      for (const connection of followers) {
        if (connection.deliver(update)) this.flushing.add(connection);
      }
    }
    if (!flushDue && this.flushing.size > 0) setImmediate(() => this.flushWhenQuiet(0));
  }

  /**
   * Writes what the followers have queued once a turn of the event loop has
   * read no channel message, or after QUIET_TURNS turns that all did. A tick
   * comes as a few channel messages, and Redis may hand over the second
   * after the turn that read the first: one more turn, a few microseconds
   * when nothing waits, reads it, so a follower gets its tick in one write
   * rather than two with a whole round of writes between them.
   */
  private flushWhenQuiet(turns: number): void {
    if (this.heardSinceLook && turns < QUIET_TURNS) {
      this.heardSinceLook = false;
      setImmediate(() => this.flushWhenQuiet(turns + 1));
      return;
    }
    this.heardSinceLook = false;
    for (const connection of this.flushing) connection.flush();
    this.flushing.clear();
  }
}
