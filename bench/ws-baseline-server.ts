// The baseline of bench/ws-fanout: a bare `ws` server on the same Redis
// channel the hub listens on, doing the naive broadcast: every update walks
// every socket, and each subscriber gets its own JSON.stringify of it. It
// speaks just enough of the live feed's protocol for the bench clients
// (subscribe, price messages); no origin check, limits or heartbeats.
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { type WebSocket, WebSocketServer } from 'ws';
import { isSimulated, type PriceSource } from '../src/market/types.js';

const [portArgument, redisUrl, channel] = process.argv.slice(2);
if (!portArgument || !redisUrl || !channel) {
  throw new Error('usage: ws-baseline-server.ts <port> <redis url> <channel>');
}

const server = createServer((request, response) => {
  response.writeHead(request.url === '/api/v1/health' ? 200 : 404).end();
});
const wss = new WebSocketServer({ server, maxPayload: 4096 });
const subscriptions = new Map<WebSocket, Set<number>>();

wss.on('connection', (socket) => {
  const items = new Set<number>();
  subscriptions.set(socket, items);
  socket.on('close', () => subscriptions.delete(socket));
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { action?: string; item_ids?: number[] };
    if (message.action !== 'subscribe') return;
    for (const id of message.item_ids ?? []) items.add(id);
    socket.send(JSON.stringify({ type: 'subscribed', item_ids: message.item_ids, prices: [] }));
  });
});

const redis = new Redis(redisUrl);
await redis.subscribe(channel);
interface PriceChange {
  readonly item_id: number;
  readonly source: PriceSource;
  readonly price_cents: number;
  readonly volume?: number;
  readonly listings?: number;
  readonly observed_at: string;
}

redis.on('message', (_channel: string, text: string) => {
  for (const change of JSON.parse(text) as PriceChange[]) {
    for (const socket of wss.clients) {
      if (!subscriptions.get(socket)?.has(change.item_id)) continue;
      socket.send(
        JSON.stringify({
          type: 'price',
          item_id: change.item_id,
          source: change.source,
          simulated: isSimulated(change.source),
          price_cents: change.price_cents,
          volume: change.volume ?? null,
          listings: change.listings ?? null,
          observed_at: change.observed_at,
        }),
      );
    }
  }
});

server.listen(Number(portArgument), '127.0.0.1');
