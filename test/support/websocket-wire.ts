// The WebSocket wire protocol (RFC 6455) from the client's side, by hand: the
// opening handshake over a plain TCP socket and the framing. Tests use it for
// clients that misbehave in ways a library will not (stop reading, ignore
// pings); bench/ws-clients.ts for clients that cost little per message.
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const OPCODES = { text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface Frame {
  readonly opcode: number;
  readonly payload: Buffer;
}

/**
 * Calls `onFrame` with the opcode and payload bounds of each complete
 * unmasked (server) frame at the start of `data`, without copying; returns
 * the bytes those frames take.
 */
export function eachFrame(
  data: Buffer,
  onFrame: (opcode: number, start: number, end: number) => void,
): number {
  let at = 0;
  while (at + 2 <= data.length) {
    const opcode = (data[at] as number) & 0x0f;
    let length = (data[at + 1] as number) & 0x7f;
    let header = 2;
    if (length === 126) {
      if (at + 4 > data.length) break;
      length = data.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      if (at + 10 > data.length) break;
      length = Number(data.readBigUInt64BE(at + 2));
      header = 10;
    }
    if (at + header + length > data.length) break;
    onFrame(opcode, at + header, at + header + length);
    at += header + length;
  }
  return at;
}

/** The complete unmasked (server) frames at the start of `data`. */
export function parseFrames(data: Buffer): Frame[] {
  const frames: Frame[] = [];
  eachFrame(data, (opcode, start, end) =>
    frames.push({ opcode, payload: data.subarray(start, end) }),
  );
  return frames;
}

/** A client frame: masked, as RFC 6455 requires of clients. */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const length =
    payload.length < 126
      ? Buffer.from([0x80 | payload.length])
      : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const masked = Buffer.from(payload.map((byte, index) => byte ^ (mask[index % 4] as number)));
  return Buffer.concat([Buffer.from([0x80 | opcode]), length, mask, masked]);
}

/** An opening handshake for `url` (ws:// or http://) from `origin`, with `headers` (a cookie). */
export function upgradeRequest(
  url: string,
  origin: string,
  key: string,
  headers: Readonly<Record<string, string>> = {},
): string {
  const { host, pathname } = new URL(url);
  return [
    `GET ${pathname} HTTP/1.1`,
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
    `Origin: ${origin}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n');
}

/** A new Sec-WebSocket-Key. */
export const handshakeKey = () => randomBytes(16).toString('base64');

/** Whether `head`, a response's head, completes the handshake that sent `key`. */
export function switchedProtocols(head: string, key: string): boolean {
  const accept = createHash('sha1').update(`${key}${ACCEPT_GUID}`).digest('base64');
  return (
    head.startsWith('HTTP/1.1 101') &&
    head.toLowerCase().includes(`sec-websocket-accept: ${accept.toLowerCase()}`)
  );
}

export interface OpenedSocket {
  /** Paused, past the handshake. */
  readonly socket: Socket;
  /** What the server sent after its handshake in the same read. */
  readonly rest: Buffer;
}

/** Connects to `url` (ws://) sending `origin`; rejects unless the server switches protocols properly. */
export async function openWebSocket(
  url: string,
  origin: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<OpenedSocket> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const key = handshakeKey();
  socket.write(upgradeRequest(url, origin, key, headers));
  const { head, rest } = await new Promise<{ head: string; rest: Buffer }>((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.pause();
      resolve({
        head: received.subarray(0, end).toString('latin1'),
        rest: received.subarray(end + 4),
      });
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('closed during the handshake')));
  });
  if (!switchedProtocols(head, key)) {
    socket.destroy();
    throw new Error(`upgrade refused: ${head.split('\r\n')[0]}`);
  }
  return { socket, rest };
}
