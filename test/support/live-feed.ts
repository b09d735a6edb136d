// Clients of the live feed for tests: `FeedClient`, a well-behaved one on the
// `ws` library, and `RawFeedSocket`, which speaks the WebSocket handshake and
// frames over a plain TCP socket so a test can make it misbehave the way real
// clients do (stop reading, ignore pings) without the library's help.
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { WAIT_BOUND_MS } from './backends.js';
import {
  clientFrame,
  type Frame,
  handshakeKey,
  OPCODES,
  openWebSocket,
  parseFrames,
  upgradeRequest,
} from './websocket-wire.js';

export interface FeedMessage {
  readonly type: string;
  readonly [field: string]: unknown;
}

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

const WAIT_MS = WAIT_BOUND_MS;

export class FeedClient {
  private readonly received: FeedMessage[] = [];
  private readonly waiters = new Set<() => void>();
  readonly closed: Promise<Closed>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(String(data)) as FeedMessage);
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters) wake();
      });
    });
  }

  /** Connects to `url` sending `origin` as Origin (none when null), and `headers`. */
  static open(
    url: string,
    origin: string | null,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<FeedClient> {
    const socket = new WebSocket(url, origin === null ? { headers } : { origin, headers });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new FeedClient(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`upgrade refused with ${response.statusCode}`));
      });
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Every message received so far, in order. */
  messages(): readonly FeedMessage[] {
    return this.received;
  }

  /** Removes and returns the first message received that matches `match`, waiting for one. */
  async next(
    match: (message: FeedMessage) => boolean = () => true,
    timeoutMs = WAIT_MS,
  ): Promise<FeedMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex(match);
      if (index >= 0) return this.received.splice(index, 1)[0] as FeedMessage;
      if (this.socket.readyState === WebSocket.CLOSED) {
        throw new Error('the feed closed before the message came');
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /** The next message of `type`. */
  nextOf(type: string, timeoutMs?: number): Promise<FeedMessage> {
    return this.next((message) => message.type === type, timeoutMs);
  }

  /** Sends a request and waits for the reply of `type`. */
  async request(message: unknown, type: string): Promise<FeedMessage> {
    this.send(message);
    return this.nextOf(type);
  }

  close(): Promise<Closed> {
    this.socket.close();
    return this.closed;
  }
}

export interface RefusedUpgrade {
  readonly status: number;
  readonly body: string;
}

/** Attempts an upgrade the server should refuse; resolves with its HTTP answer. */
export function refusedUpgrade(
  url: string,
  headers: Readonly<Record<string, string>>,
): Promise<RefusedUpgrade> {
  const socket = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.once('error', () => {});
  });
}

/**
 * Sends an upgrade request to `url`, after `before` in the same write when
 * given; resolves with all the server sent once it has closed the connection.
 */
export async function upgradeElsewhere(url: string, origin: string, before = ''): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.write(before + upgradeRequest(url, origin, handshakeKey()));
  let received = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('close', () => resolve());
    socket.once('error', reject);
  });
  return received;
}

/**
 * A live feed client on a bare TCP socket: it completes the handshake, then
 * reads only while `resume`d and never answers a ping.
 */
export class RawFeedSocket {
  private data = Buffer.alloc(0);
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.data = Buffer.concat([this.data, chunk]);
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Opened from `origin`, sending `headers` too (a session cookie). */
  static async open(
    url: string,
    origin: string,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<RawFeedSocket> {
    const { socket, rest } = await openWebSocket(url, origin, headers);
    if (rest.length > 0) socket.unshift(rest);
    return new RawFeedSocket(socket);
  }

  sendText(text: string): void {
    this.socket.write(clientFrame(OPCODES.text, Buffer.from(text)));
  }

  sendPing(): void {
    this.socket.write(clientFrame(OPCODES.ping, Buffer.alloc(0)));
  }

  /** Reads what the server sent and keeps reading. */
  resume(): void {
    this.socket.resume();
  }

  /** Stops reading: what the server sends piles up in the kernel, then in the server. */
  pause(): void {
    this.socket.pause();
  }

  frames(): Frame[] {
    return parseFrames(this.data);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
