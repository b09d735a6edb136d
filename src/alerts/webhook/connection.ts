// The one way a webhook reaches its receiver (S45): a TLS connection to an
// address that was checked, opened by this module and nothing else. It
// guarantees:
//
// - The host is resolved once per connection, here, and EVERY address the
//   resolver answers must pass the address policy; when any fails, nothing
//   is connected to. Refusing the whole answer (rather than dropping the bad
//   addresses) is deliberate: a name that answers a private address next to
//   a public one is someone probing, and a retry could otherwise land on it.
// - The socket is opened to one of those checked addresses given as an IP
//   literal, so Node performs no lookup of its own: there is no second
//   resolution between check and connect for DNS rebinding to use. A
//   literal IP in the URL is checked by the same policy.
// - TLS verifies the certificate against the URL's host name (SNI included),
//   with the system's trusted roots unless a test passes its own `ca`.
// - The caller's signal (deadline or cancel) destroys the socket at any phase.
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import type { AddressPolicy } from './address-policy.js';
import type { Resolver } from './resolver.js';

export interface ConnectionRequest {
  readonly url: URL;
  readonly resolver: Resolver;
  readonly addressPolicy: AddressPolicy;
  /** Trusted roots instead of the system's; only tests pass it, for a self-signed receiver. */
  readonly ca?: string | Buffer;
  readonly signal: AbortSignal;
}

export type ConnectionOutcome =
  | { readonly ok: true; readonly socket: TLSSocket }
  | {
      readonly ok: false;
      readonly reason: 'dns_failed' | 'address_not_public';
      readonly message: string;
    };

/** The URL's host without IPv6 brackets: `[::1]` is `::1`. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * A TLS socket to the URL's host on a checked address, or why none was
 * opened. Network and TLS errors, and the signal's abort, reject.
 */
export async function openCheckedConnection(
  request: ConnectionRequest,
): Promise<ConnectionOutcome> {
  const { url, signal } = request;
  const host = hostOf(url);
  let addresses: readonly string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      addresses = await untilAborted(request.resolver(host), signal);
    } catch (error) {
      if (signal.aborted) throw error;
      return { ok: false, reason: 'dns_failed', message: `Could not resolve ${host}` };
    }
    if (addresses.length === 0) {
      return { ok: false, reason: 'dns_failed', message: `${host} has no address` };
    }
  }
  if (!addresses.every((address) => request.addressPolicy(address))) {
    // The address itself is not named: it would tell a user the layout of our network.
    return {
      ok: false,
      reason: 'address_not_public',
      message: `${host} is not a public internet address; webhooks are sent only to public addresses`,
    };
  }
  const port = url.port === '' ? 443 : Number(url.port);
  const socket = await connectToFirst(addresses, port, signal);
  return { ok: true, socket: await startTls(socket, host, request.ca, signal) };
}

/** Connects to each address in turn until one answers; the last error when none does. */
async function connectToFirst(
  addresses: readonly string[],
  port: number,
  signal: AbortSignal,
): Promise<Socket> {
  let lastError: unknown;
  for (const address of addresses) {
    try {
      return await settle(connectTcp({ host: address, port }), 'connect', signal);
    } catch (error) {
      if (signal.aborted) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

function startTls(
  socket: Socket,
  host: string,
  ca: string | Buffer | undefined,
  signal: AbortSignal,
): Promise<TLSSocket> {
  const tlsSocket = connectTls({
    socket,
    // The certificate is checked against `host`; SNI carries names only (RFC 6066).
    host,
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...(ca === undefined ? {} : { ca }),
    ALPNProtocols: ['http/1.1'],
  });
  return settle(tlsSocket, 'secureConnect', signal).catch((error: unknown) => {
    socket.destroy();
    throw error;
  });
}

/** Resolves with `socket` on `event`; on an error or the signal's abort, destroys it and rejects. */
function settle<S extends Socket>(socket: S, event: string, signal: AbortSignal): Promise<S> {
  return new Promise((resolve, reject) => {
    const onAbort = () => socket.destroy(new Error('aborted'));
    const done = (error?: Error) => {
      signal.removeEventListener('abort', onAbort);
      socket.off(event, onEvent);
      socket.off('error', done);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve(socket);
      }
    };
    const onEvent = () => done();
    socket.once(event, onEvent);
    socket.once('error', done);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `promise`, or a rejection as soon as `signal` aborts (a lookup cannot be cancelled). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
