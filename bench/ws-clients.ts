// The clients of bench/ws-fanout, in a process of their own: `count` live
// feed connections, client i following `perClient` consecutive items from
// (i * perClient) mod `items`, so every item has the same number of
// followers. Each price message's delay is its receipt time minus its
// `timestamp`, which the publisher sets to the moment it publishes (both
// processes read the same clock). Talks to its parent over IPC:
// → {type:'ready', connected} once every connection has its subscription;
// ← 'report' → {type:'report', received, latencyCounts, lastReceivedAt, closed}.
import type { Socket } from 'node:net';
import { clientFrame, eachFrame, OPCODES, openWebSocket } from '../test/support/websocket-wire.js';

const [url, origin, firstArgument, countArgument, perClientArgument, itemsArgument] =
  process.argv.slice(2);
if (!url || !origin || !firstArgument || !countArgument || !perClientArgument || !itemsArgument) {
  throw new Error('usage: ws-clients.ts <url> <origin> <first> <count> <per client> <items>');
}
const first = Number(firstArgument);
const count = Number(countArgument);
const perClient = Number(perClientArgument);
const items = Number(itemsArgument);
/** Connections opening at once. */
const OPENING_AT_ONCE = 200;
/** Delays are counted per millisecond up to this; longer ones share the last slot. */
const MAX_DELAY_MS = 60_000;
const ISO_LENGTH = '2026-01-01T00:00:00.000Z'.length;

const latencyCounts = new Uint32Array(MAX_DELAY_MS + 1);
let received = 0;
let lastReceivedAt = 0;
let closed = 0;
const sockets: Socket[] = [];
const TYPE_OFFSET = '{"type":"'.length;
const PRICE_KIND = 'p'.charCodeAt(0);
const SUBSCRIBED_KIND = 's'.charCodeAt(0);

// The clients share two cores with the server, so what they spend per
// message is kept small: frames are read in place by hand
// (test/support/websocket-wire.ts) rather than by `ws`, which spent about
// 3 us a message, three times the server's own cost; a message is told by
// one byte, its timestamp is at its end, and each distinct one is parsed once.
const lastTimestamp = Buffer.alloc(ISO_LENGTH);
let lastTimestampMs = 0;

/** A price message ends with its timestamp: `"timestamp":"<ISO 8601>"}`. */
function onPrice(data: Buffer, end: number, now: number): void {
  const from = end - ISO_LENGTH - 2;
  if (data.compare(lastTimestamp, 0, ISO_LENGTH, from, end - 2) !== 0) {
    data.copy(lastTimestamp, 0, from, end - 2);
    lastTimestampMs = Date.parse(lastTimestamp.toString('latin1'));
  }
  const delay = Math.max(0, now - lastTimestampMs);
  const slot = Math.min(delay, MAX_DELAY_MS);
  latencyCounts[slot] = (latencyCounts[slot] ?? 0) + 1;
  received += 1;
}

async function open(index: number): Promise<void> {
  const { socket, rest } = await openWebSocket(url as string, origin as string);
  const ids = Array.from({ length: perClient }, (_, k) => ((index * perClient + k) % items) + 1);
  socket.write(
    clientFrame(OPCODES.text, Buffer.from(JSON.stringify({ action: 'subscribe', item_ids: ids }))),
  );
  let subscribed: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    subscribed = resolve;
  });
  let unread = rest;
  const onData = (chunk: Buffer) => {
    // One read is one instant: every message in it arrived by now.
    const now = Date.now();
    lastReceivedAt = now;
    const data = unread.length > 0 ? Buffer.concat([unread, chunk]) : chunk;
    const used = eachFrame(data, (opcode, start, end) => {
      if (opcode === OPCODES.text) {
        // `{"type":"p`: a price; `{"type":"s`: the subscription's answer.
        const kind = data[start + TYPE_OFFSET];
        if (kind === PRICE_KIND) onPrice(data, end, now);
        else if (kind === SUBSCRIBED_KIND) subscribed();
      } else if (opcode === OPCODES.ping) {
        socket.write(clientFrame(OPCODES.pong, data.subarray(start, end)));
      }
    });
    unread = data.subarray(used);
  };
  socket.on('data', onData);
  socket.once('close', () => {
    closed += 1;
  });
  socket.resume();
  if (rest.length > 0) onData(Buffer.alloc(0));
  sockets.push(socket);
  await ready;
}

for (let next = first; next < first + count; next += OPENING_AT_ONCE) {
  const batch = Array.from(
    { length: Math.min(OPENING_AT_ONCE, first + count - next) },
    (_, k) => next + k,
  );
  await Promise.all(batch.map(open));
}
process.send?.({ type: 'ready', connected: sockets.length });

process.on('message', (message) => {
  if (message !== 'report') return;
  process.send?.({
    type: 'report',
    received,
    latencyCounts: Array.from(latencyCounts),
    lastReceivedAt,
    closed,
  });
});
process.on('disconnect', () => process.exit(0));
