// The clients of bench/ws-fanout, in a process of their own: `count` live
// feed connections, client i following `perClient` consecutive items from
// (i * perClient) mod `items`, so every item has the same number of
// followers. Each price message's delay is its receipt time minus its
// `timestamp`, which the publisher sets to the moment it publishes (both
// processes read the same clock). Talks to its parent over IPC:
// → {type:'ready', connected} once every connection has its subscription;
// ← 'report' → {type:'report', received, latencyCounts, lastReceivedAt, closed};
// ← 'reset': what was received so far is forgotten (the end of a warm-up).
import { connect, type Socket } from 'node:net';
import {
  clientFrame,
  eachFrame,
  handshakeKey,
  OPCODES,
  switchedProtocols,
  upgradeRequest,
} from '../test/support/websocket-wire.js';

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
// (test/support/websocket-wire.ts) rather than by `ws`, which spent more per
// message than the server itself; every socket reads into one buffer
// (`onread`), which spares a stream and a fresh buffer per read, a
// measurable share of a client's cost; a message is told by one byte, its
// timestamp is at its end, and each distinct one is parsed once.
const readBuffer = Buffer.allocUnsafe(256 * 1024);
const lastTimestamp = Buffer.alloc(ISO_LENGTH);
let lastTimestampMs = 0;

/**
 * Whether the timestamp at `from` is the last one parsed: compared from its
 * end, where two timestamps differ first, in a loop that costs a fraction of
 * a call to Buffer.compare.
 */
function isLastTimestamp(data: Buffer, from: number): boolean {
  for (let at = ISO_LENGTH - 1; at >= 0; at -= 1) {
    if (data[from + at] !== lastTimestamp[at]) return false;
  }
  return true;
}

/** A price message ends with its timestamp: `"timestamp":"<ISO 8601>"}`. */
function onPrice(data: Buffer, end: number, now: number): void {
  const from = end - ISO_LENGTH - 2;
  if (!isLastTimestamp(data, from)) {
    data.copy(lastTimestamp, 0, from, end - 2);
    lastTimestampMs = Date.parse(lastTimestamp.toString('latin1'));
  }
  const delay = Math.max(0, now - lastTimestampMs);
  const slot = Math.min(delay, MAX_DELAY_MS);
  latencyCounts[slot] = (latencyCounts[slot] ?? 0) + 1;
  received += 1;
}

/** Opens connection `index`, resolving once the server has answered its subscription. */
function open(index: number): Promise<void> {
  const { hostname, port } = new URL(url as string);
  const key = handshakeKey();
  const ids = Array.from({ length: perClient }, (_, k) => ((index * perClient + k) % items) + 1);
  return new Promise((resolve, reject) => {
    let handshake: Buffer | null = Buffer.alloc(0);
    /** The start of a frame the last read ended inside, copied out of the shared buffer. */
    let unread: Buffer | null = null;
    const onRead = (length: number): boolean => {
      // One read is one instant: every message in it arrived by now.
      const now = Date.now();
      lastReceivedAt = now;
      let data: Buffer = readBuffer.subarray(0, length);
      if (handshake) {
        handshake = Buffer.concat([handshake, data]);
        const end = handshake.indexOf('\r\n\r\n');
        if (end < 0) return true;
        if (!switchedProtocols(handshake.subarray(0, end).toString('latin1'), key)) {
          reject(new Error(`upgrade refused: ${handshake.toString('latin1').split('\r\n')[0]}`));
          socket.destroy();
          return false;
        }
        data = handshake.subarray(end + 4);
        handshake = null;
        const subscribe = { action: 'subscribe', item_ids: ids };
        socket.write(clientFrame(OPCODES.text, Buffer.from(JSON.stringify(subscribe))));
      }
      if (unread) data = Buffer.concat([unread, data]);
      const used = eachFrame(data, (opcode, start, end) => {
        if (opcode === OPCODES.text) {
          // `{"type":"p`: a price; `{"type":"s`: the subscription's answer.
          const kind = data[start + TYPE_OFFSET];
          if (kind === PRICE_KIND) onPrice(data, end, now);
          else if (kind === SUBSCRIBED_KIND) resolve();
        } else if (opcode === OPCODES.ping) {
          socket.write(clientFrame(OPCODES.pong, data.subarray(start, end)));
        }
      });
      unread = used < data.length ? Buffer.from(data.subarray(used)) : null;
      return true;
    };
    const socket = connect({
      host: hostname,
      port: Number(port),
      onread: { buffer: readBuffer, callback: onRead },
    });
    socket.once('connect', () =>
      socket.write(upgradeRequest(url as string, origin as string, key)),
    );
    socket.on('error', reject);
    socket.once('close', () => {
      closed += 1;
      reject(new Error('closed before its subscription was answered'));
    });
    sockets.push(socket);
  });
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
  if (message === 'reset') {
    latencyCounts.fill(0);
    received = 0;
    process.send?.({ type: 'reset' });
    return;
  }
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
