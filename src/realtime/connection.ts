// One client of the live feed. S27 bounds what it can cost us: each message
// spends from a budget that refills over time and a refused one spends more,
// so a flood, or a client stuck sending garbage, is closed instead of served;
// it holds at most `maxSubscriptions` items; and what it has not read yet
// stays under `maxBufferedBytes`, past which it is closed rather than given
// more memory. Messages are answered one at a time, in order, a refusal
// included, so a reply never overtakes the one before it.
import type { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { WebSocket } from 'ws';
import { SECOND_MS } from '../platform/time.js';
import {
  type ClientRequest,
  type PriceUpdate,
  parseClientMessage,
  RefusedMessage,
  type Reply,
  type Update,
} from './messages.js';

/** RFC 6455 close codes the hub uses. */
export const CLOSE_CODES = {
  goingAway: 1001,
  policyViolation: 1008,
  internalError: 1011,
} as const;

export interface ConnectionLimits {
  readonly maxSubscriptions: number;
  readonly maxBufferedBytes: number;
}

/** What a connection asks of the hub it belongs to. */
export interface ConnectionHost {
  follow(connection: Connection, itemIds: readonly number[]): void;
  unfollow(connection: Connection, itemIds: readonly number[]): void;
  /** The latest price of each item from each source; throws when the store cannot answer. */
  latestPrices(itemIds: readonly number[]): Promise<PriceUpdate[]>;
  /** Milliseconds on the hub's clock: the message budget refills by it. */
  now(): number;
  /** Counts a message a client sent, whatever becomes of it. */
  received(): void;
  /** Counts messages written to a client. */
  sent(count: number): void;
}

/** A burst of this many messages is served at once... */
const MESSAGE_BURST = 20;
/** ...and this many a second after it. */
const MESSAGES_PER_SECOND = 5;
/** A refused message costs this many: four in a row spend a full budget. */
const REFUSED_MESSAGE_COST = 5;
/** Pings a connection may leave unanswered; at the next heartbeat it is dropped. */
const MAX_MISSED_PONGS = 2;

/** Who a socket was opened by: the user, and the session (by its store key's hash) they opened it with. */
export interface FeedIdentity {
  readonly userId: number;
  readonly tokenHash: string;
}

export class Connection {
  /** The items this connection receives. */
  readonly items = new Set<number>();
  /**
   * The signed-in user whose private messages this connection receives, or
   * null (anonymous, or its session has ended since); the hub sets it.
   */
  identity: FeedIdentity | null = null;
  private tokens = MESSAGE_BURST;
  private refilledAt: number;
  private missedPongs = 0;
  private closing = false;
  /** Over its budget: further messages are ignored, and the close follows the answers owed. */
  private flooded = false;
  /** Frames of the current burst not yet written, and their size. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private requests: Promise<void> = Promise.resolve();
  /** While a subscribe waits for its snapshot: the prices sent live meanwhile, newer than any it could hold. */
  private sentDuringSnapshot: Set<string> | null = null;

  constructor(
    private readonly socket: WebSocket,
    /** The TCP socket under `socket`. */
    private readonly transport: Writable,
    private readonly host: ConnectionHost,
    private readonly limits: ConnectionLimits,
    private readonly log: FastifyBaseLogger,
  ) {
    this.refilledAt = host.now();
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('pong', () => {
      this.missedPongs = 0;
    });
    // A ping spends from the budget like any message, or a stream of pings
    // would cost us a pong each without end (`ws` leaves pongs to us).
    socket.on('ping', (data) => {
      if (this.spend(1) && !this.closing && socket.readyState === WebSocket.OPEN) {
        socket.pong(data);
      }
    });
    // Closed by the client or the network: requests still queued are not
    // served, and the burst's flush drops what was queued.
    socket.once('close', () => {
      this.closing = true;
    });
    // A protocol error (an oversize or malformed frame): `ws` has already
    // closed with the matching code (1009, 1002, ...); there is nothing to add.
    socket.on('error', (error) => {
      this.log.info({ err: { message: error.message } }, 'live feed client broke the protocol');
    });
  }

  /**
   * Queues `update` to go out with the rest of its burst. True when it is
   * the first of a burst: the caller then owes this connection a `flush`.
   * Queued frames are the ones every follower shares, so a queue costs its
   * references only; the backlog is judged when they are written.
   */
  deliver(update: Update): boolean {
    if (this.closing) return false;
    const size = update.frame.length;
    if (this.pendingBytes + size > this.limits.maxBufferedBytes) {
      // A burst larger than the bound by itself: what is queued goes to the
      // kernel now, which takes what a reading client has room for.
      this.flush();
      if (this.closing) return false;
    }
    this.pending.push(update.frame);
    this.pendingBytes += size;
    if (this.sentDuringSnapshot && update.priceKey) this.sentDuringSnapshot.add(update.priceKey);
    return this.pending.length === 1;
  }

  /**
   * Writes the queued frames in one write: the updates of a burst cost a
   * follower one system call and one small copy, instead of one of each per
   * update. A client whose unread backlog they would take past its bound is
   * closed instead. True when they were written.
   */
  flush(): boolean {
    if (this.pending.length === 0) return false;
    const size = this.pendingBytes;
    const count = this.pending.length;
    const frames = count === 1 ? this.pending[0] : Buffer.concat(this.pending, size);
    this.pending = [];
    this.pendingBytes = 0;
    // Complete frames: written as they are, after anything `ws` wrote before them.
    if (!frames || !this.hasRoomFor(size)) return false;
    this.transport.write(frames);
    this.host.sent(count);
    return true;
  }

  /** Pings, or drops a connection that left the last pings unanswered. */
  heartbeat(): void {
    if (this.missedPongs >= MAX_MISSED_PONGS) {
      this.log.info({ missedPongs: this.missedPongs }, 'live feed client stopped answering pings');
      this.closing = true;
      this.socket.terminate();
      return;
    }
    this.missedPongs += 1;
    this.socket.ping();
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.socket.close(code, reason);
  }

  /**
   * Whether `size` more bytes keep the backlog within its bound; a client
   * past it is closed. A client that has read everything may take one
   * message of any size: a full subscription's snapshot can pass a small bound.
   */
  private hasRoomFor(size: number): boolean {
    if (this.closing || this.socket.readyState !== WebSocket.OPEN) return false;
    const max = this.limits.maxBufferedBytes;
    const unread = this.socket.bufferedAmount;
    if (unread === 0 || unread + size <= max) return true;
    this.log.warn(
      { bufferedBytes: this.socket.bufferedAmount, maxBufferedBytes: max },
      'live feed client too slow: closed',
    );
    this.close(CLOSE_CODES.policyViolation, 'Too slow: unread messages over the limit');
    return false;
  }

  private reply(reply: Reply): void {
    // Updates queued before the reply go before it.
    this.flush();
    const text = JSON.stringify(reply);
    if (this.hasRoomFor(Buffer.byteLength(text))) {
      this.socket.send(text);
      this.host.sent(1);
    }
  }

  private receive(data: unknown, isBinary: boolean): void {
    this.host.received();
    if (this.closing || this.flooded) return;
    let request: ClientRequest | null = null;
    let refusal: string | null = null;
    if (isBinary) refusal = 'Messages must be text';
    else {
      try {
        request = parseClientMessage(String(data));
      } catch (error) {
        if (!(error instanceof RefusedMessage)) throw error;
        refusal = error.message;
      }
    }
    if (!this.spend(refusal === null ? 1 : REFUSED_MESSAGE_COST)) return;
    this.answer(
      refusal === null
        ? () => this.handle(request as ClientRequest)
        : async () => this.reply({ type: 'error', detail: refusal }),
    );
  }

  /** Runs `answer` once the answers before it are done. */
  private answer(answer: () => Promise<void>): void {
    this.requests = this.requests.then(answer).catch((error: unknown) => {
      this.log.error({ err: error }, 'live feed request failed');
      this.close(CLOSE_CODES.internalError, 'Internal error');
    });
  }

  /**
   * Takes `cost` from the budget; false when the budget cannot pay it, and
   * the client is closed once the answers it is owed have gone.
   */
  private spend(cost: number): boolean {
    const now = this.host.now();
    this.tokens = Math.min(
      MESSAGE_BURST,
      this.tokens + ((now - this.refilledAt) / SECOND_MS) * MESSAGES_PER_SECOND,
    );
    this.refilledAt = now;
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return true;
    }
    if (!this.flooded) {
      this.flooded = true;
      this.log.warn({ cost }, 'live feed client flooding: closed');
      this.answer(async () => this.close(CLOSE_CODES.policyViolation, 'Too many messages'));
    }
    return false;
  }

  private async handle(request: ClientRequest): Promise<void> {
    if (this.closing) return;
    if (request.action === 'ping') {
      this.reply({ type: 'pong' });
      return;
    }
    if (request.action === 'unsubscribe') {
      const held = request.itemIds.filter((id) => this.items.has(id));
      this.host.unfollow(this, held);
      this.reply({ type: 'unsubscribed', item_ids: request.itemIds });
      return;
    }
    await this.subscribe(request.itemIds, request.dropped);
  }

  private async subscribe(itemIds: readonly number[], dropped: number): Promise<void> {
    const accepted: number[] = [];
    const added: number[] = [];
    let room = this.limits.maxSubscriptions - this.items.size;
    for (const id of itemIds) {
      if (this.items.has(id)) accepted.push(id);
      else if (room > 0) {
        room -= 1;
        accepted.push(id);
        added.push(id);
      }
    }
    // Following before reading the snapshot means no price can fall between
    // the two; a price sent live meanwhile is newer than the snapshot's.
    this.host.follow(this, added);
    this.sentDuringSnapshot = new Set();
    let prices: PriceUpdate[] = [];
    let unavailable = false;
    try {
      prices = await this.host.latestPrices(accepted);
    } catch (error) {
      unavailable = true;
      this.log.warn({ err: error }, 'latest prices unavailable for a live feed subscription');
    }
    const sent = this.sentDuringSnapshot;
    this.sentDuringSnapshot = null;
    this.reply({
      type: 'subscribed',
      item_ids: accepted,
      dropped: dropped + itemIds.length - accepted.length,
      limit: this.limits.maxSubscriptions,
      prices: prices.filter((price) => !sent.has(`${price.item_id}:${price.source}`)),
    });
    if (unavailable) {
      this.reply({
        type: 'error',
        detail: 'Latest prices are unavailable right now; updates will follow as they arrive',
      });
    }
  }
}
