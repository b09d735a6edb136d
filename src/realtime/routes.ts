// `GET /api/v1/ws`, the live feed. S26: the upgrade is answered 403, before
// any upgrade, unless Origin is exactly our own (a missing Origin included:
// browsers always send one on a WebSocket handshake, so its absence is a
// script or a tool, which the feed does not serve). With
// WS_MAX_CONNECTIONS_PER_IP a client address past its cap is answered 429.
// A session cookie is resolved as any request's is (`identify`): a live
// session makes the socket its user's, for private messages; no cookie, or
// one that is not a live session's, makes it anonymous, as before. A store
// that cannot say which is answered 503 (S7), never taken for signed out.
//
// Upgrades go through Fastify's routing like any request (hooks, access
// log, errors as JSON), from our own `upgrade` listener, and only the feed's
// route finishes one; an upgrade to any other path gets that path's HTTP
// answer and is closed. @fastify/websocket does the same, but with an
// onRequest and an onResponse hook on every route of the app, which cost
// the health route a measurable share of its throughput (bench/http-overhead;
// figures in docs/benchmarks.md).
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { WebSocketServer } from 'ws';
import type { Config } from '../config.js';
import { detail, TAGS } from '../http/openapi.js';
import type { Clock } from '../platform/clock.js';
import { ApiError } from '../platform/errors.js';
import type { Store } from '../platform/store/index.js';
import { allowedOrigins } from '../security/origin.js';
import { clientKey } from '../security/rate-limit.js';
import { type FeedIdentity, Hub, type LiveSessions } from './hub.js';
import { MAX_CLIENT_MESSAGE_BYTES } from './messages.js';

export interface RealtimeOptions {
  readonly config: Pick<Config, 'baseUrl' | 'env' | 'realtime'> & {
    readonly market: Pick<Config['market'], 'providers'>;
  };
  readonly store: Store;
  readonly path: string;
  readonly clock: Clock;
  /** The signed-in user of an upgrade request, by its session cookie; throws when the store cannot answer. */
  readonly identify: (request: FastifyRequest) => Promise<FeedIdentity | null>;
  /** Which of a user's sessions are live now (hub.ts). */
  readonly liveSessions: LiveSessions;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The live feed's hub: its figures, for operators and tests. */
    liveFeed: Hub;
  }
}

/** Counts the live connections of each client address, for WS_MAX_CONNECTIONS_PER_IP. */
class ConnectionCounts {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Counts the connection of `request` until its socket closes; false when over the cap. */
  take(request: FastifyRequest): boolean {
    const key = clientKey(request.ip);
    const count = this.counts.get(key) ?? 0;
    if (count >= this.max) return false;
    this.counts.set(key, count + 1);
    request.raw.socket.once('close', () => {
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    });
    return true;
  }
}

/** An upgrade request on its way through Fastify's routing, with what `ws` needs to finish it. */
interface PendingUpgrade {
  readonly socket: Socket;
  readonly head: Buffer;
  readonly onError: () => void;
}

export async function registerRealtime(
  app: FastifyInstance,
  options: RealtimeOptions,
): Promise<void> {
  const { config, store, path, clock, identify } = options;
  const hub = await Hub.start({
    store,
    logger: app.log,
    sources: config.market.providers,
    maxSubscriptions: config.realtime.maxSubscriptions,
    maxBufferedBytes: config.realtime.maxBufferedBytes,
    heartbeatMs: config.realtime.heartbeatMs,
    clock,
    liveSessions: options.liveSessions,
  });
  app.addHook('preClose', () => hub.stop());
  app.decorate('liveFeed', hub);

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_MESSAGE_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    // Each connection answers pings within its message budget (connection.ts).
    autoPong: false,
  });
  const upgrades = new WeakMap<IncomingMessage, PendingUpgrade>();
  app.server.on('upgrade', (raw: IncomingMessage, socket: Socket, head: Buffer) => {
    // Node takes its own error listener off the socket before this event.
    const onError = () => socket.destroy();
    socket.on('error', onError);
    const response = new ServerResponse(raw);
    try {
      response.assignSocket(socket);
    } catch {
      // An upgrade pipelined behind a request still being answered: the
      // socket belongs to that answer. Nothing serves such a client, and an
      // exception here would escape into Node's parser and end the process.
      socket.destroy();
      return;
    }
    upgrades.set(raw, { socket, head, onError });
    // Answered in HTTP rather than upgraded (refused, or not the feed's
    // path): the HTTP server no longer watches this socket, so the answer ends it.
    response.once('finish', () => socket.destroy());
    app.routing(raw, response);
  });

  const origins = allowedOrigins(config);
  const counts =
    config.realtime.maxConnectionsPerIp === null
      ? null
      : new ConnectionCounts(config.realtime.maxConnectionsPerIp);

  app.route({
    method: 'GET',
    url: path,
    schema: {
      summary: 'Live prices and volatility over WebSocket',
      description:
        'Upgrade to a WebSocket from this site’s Origin, then send `{"action":"subscribe","item_ids":[...]}` (or `"unsubscribe"`); the server sends `{"type":"price",...}` and `{"type":"volatility",...}` for the items followed. With a live session cookie, the socket also gets its user’s `{"type":"notification","notification":{...}}` while the session lasts. Messages are at most 4 KiB.',
      tags: [TAGS.liveFeed.name],
      response: {
        101: Type.Null({ description: 'Switched to the WebSocket protocol' }),
        403: detail('The Origin is not this site’s (S26)'),
        426: detail('Not a WebSocket upgrade request', {
          upgrade: { type: 'string', description: '`websocket`' },
        }),
        429: detail('Too many live feed connections from this address (S43)'),
      },
    },
    onRequest: async (request) => {
      const origin = request.headers.origin;
      if (origin === undefined || !origins.has(origin)) {
        throw new ApiError(403, 'The live feed accepts connections from this site only');
      }
      if (upgrades.has(request.raw) && counts && !counts.take(request)) {
        throw new ApiError(429, 'Too many live feed connections from this address');
      }
    },
    handler: async (request, reply) => {
      const pending = upgrades.get(request.raw);
      if (!pending) {
        throw new ApiError(426, 'This endpoint speaks WebSocket only; send an upgrade request', {
          upgrade: 'websocket',
        });
      }
      const identity = await identify(request);
      reply.hijack();
      pending.socket.off('error', pending.onError);
      wss.handleUpgrade(request.raw, pending.socket, pending.head, (socket) =>
        hub.accept(socket, pending.socket, request.log, identity),
      );
    },
  });
}
