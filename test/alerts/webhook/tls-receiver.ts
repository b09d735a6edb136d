// A webhook receiver stand-in: a real HTTPS server on a loopback address
// with a self-signed certificate made at test time (openssl), for the
// names and addresses the tests use. The client trusts it only through the
// `ca` option. Each test hands it a handler and reads back the requests and
// the TCP connections it received.

import { execFile } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { WebhookOptions } from '../../../src/alerts/webhook/delivery.js';

/** The name the certificate is made out to; test resolvers point it at the receiver. */
export const RECEIVER_HOST = 'receiver.test';

export interface Certificate {
  readonly key: string;
  readonly cert: string;
}

let certificate: Promise<Certificate> | undefined;

/** One self-signed certificate per test worker, for receiver.test, 127.0.0.1 and 127.0.0.2. */
export function receiverCertificate(): Promise<Certificate> {
  certificate ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tracera-webhook-cert-'));
    try {
      await promisify(execFile)('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        `/CN=${RECEIVER_HOST}`,
        '-addext',
        `subjectAltName=DNS:${RECEIVER_HOST},IP:127.0.0.1,IP:127.0.0.2`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ]);
      return {
        key: await readFile(join(dir, 'key.pem'), 'utf8'),
        cert: await readFile(join(dir, 'cert.pem'), 'utf8'),
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return certificate;
}

export interface ReceivedWebhook {
  readonly headers: IncomingMessage['headers'];
  /** The raw body, as the signature covers it. */
  readonly body: Buffer;
}

/** Answers one request; what it returns is ignored, so `() => response.end()` will do. */
export type ReceiverHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
) => unknown;

export interface TlsReceiver {
  readonly port: number;
  readonly requests: ReceivedWebhook[];
  /** TCP connections accepted, whether or not a request followed. */
  readonly connections: () => number;
  close(): Promise<void>;
}

export async function startTlsReceiver(
  handler: ReceiverHandler,
  { host = '127.0.0.1', port = 0 }: { host?: string; port?: number } = {},
): Promise<TlsReceiver> {
  const requests: ReceivedWebhook[] = [];
  let connections = 0;
  const server: Server = createServer(await receiverCertificate(), async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    requests.push({ headers: request.headers, body });
    Promise.resolve(handler(request, response, body)).catch(() => response.destroy());
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Runs `work` and counts the outbound TCP sockets created meanwhile (Node's
 * `net.client.socket` channel): zero proves no connection was attempted.
 * A socket announced meanwhile is failed before it connects, so that even
 * with a control broken, a test naming 10.x or 169.254.169.254 sends nothing
 * off this machine.
 */
export async function countOutboundSockets<T>(
  work: () => Promise<T>,
): Promise<{ readonly result: T; readonly sockets: number }> {
  let sockets = 0;
  const onSocket = (message: unknown) => {
    sockets += 1;
    // The channel announces the socket just before net.connect calls its connect().
    const { socket } = message as { socket: Socket };
    socket.connect = (() => {
      process.nextTick(() => socket.destroy(new Error('outbound connection blocked by the test')));
      return socket;
    }) as Socket['connect'];
  };
  subscribe('net.client.socket', onSocket);
  try {
    const result = await work();
    return { result, sockets };
  } finally {
    unsubscribe('net.client.socket', onSocket);
  }
}

/** A clock whose sleeps return at once and are recorded; time moves by what was slept. */
export function recordingClock(start = Date.now()) {
  let time = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    sleep: (ms: number) => {
      sleeps.push(ms);
      time += ms;
      return Promise.resolve();
    },
  };
}

/**
 * What only tests pass the webhook client (S45): trust the receiver's
 * certificate, resolve RECEIVER_HOST to 127.0.0.1, and allow that address.
 */
export async function localWebhookOptions(): Promise<
  Required<Pick<WebhookOptions, 'ca' | 'resolver' | 'addressPolicy'>>
> {
  return {
    ca: (await receiverCertificate()).cert,
    resolver: async (host) => (host === RECEIVER_HOST ? ['127.0.0.1'] : []),
    addressPolicy: (address) => address === '127.0.0.1',
  };
}
