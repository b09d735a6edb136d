// One POST of a webhook body to its receiver: one connection, one request,
// one answer judged. It guarantees that a single deadline covers resolving,
// connecting, TLS, the answer and its body; that redirects are never
// followed (any 3xx is a failure); that at most `maxResponseBytes` of a
// success's body are read before the connection is torn down; that the
// connection is closed afterwards, whatever happened; and that it never
// throws: every way it can go wrong comes back as an outcome with a reason.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { parseRetryAfterMs } from '../../platform/http/bounded-fetch.js';
import type { AddressPolicy } from './address-policy.js';
import { openCheckedConnection } from './connection.js';
import type { Resolver } from './resolver.js';

/** Why an attempt failed; `deliverWebhook` adds the reasons found before any attempt. */
export type AttemptFailureReason =
  | 'dns_failed'
  | 'address_not_public'
  | 'timeout'
  | 'redirect'
  | 'http_status'
  | 'too_large'
  | 'network'
  | 'aborted';

export type AttemptOutcome =
  | { readonly ok: true; readonly status: number }
  | {
      readonly ok: false;
      readonly reason: AttemptFailureReason;
      /** The receiver's status, when it answered. */
      readonly status: number | null;
      /** From the receiver's Retry-After, when it sent a valid one. */
      readonly retryAfterMs: number | null;
      /** Safe to show the webhook's owner. */
      readonly message: string;
    };

export interface AttemptRequest {
  readonly url: URL;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly resolver: Resolver;
  readonly addressPolicy: AddressPolicy;
  readonly ca?: string | Buffer;
  readonly signal?: AbortSignal;
  /** Epoch milliseconds, for a Retry-After given as a date. */
  readonly nowMs: number;
}

function failed(
  reason: AttemptFailureReason,
  message: string,
  status: number | null = null,
  retryAfterMs: number | null = null,
): AttemptOutcome {
  return { ok: false, reason, status, retryAfterMs, message };
}

function errorCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** POSTs `request.body` once; never throws. */
export async function postOnce(request: AttemptRequest): Promise<AttemptOutcome> {
  const { signal: callerSignal, timeoutMs } = request;
  if (callerSignal?.aborted) return failed('aborted', 'Delivery was cancelled');
  const local = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    local.abort();
  }, timeoutMs);
  const onCallerAbort = () => local.abort();
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  let socket: TLSSocket | undefined;
  try {
    const connection = await openCheckedConnection({
      url: request.url,
      resolver: request.resolver,
      addressPolicy: request.addressPolicy,
      ...(request.ca === undefined ? {} : { ca: request.ca }),
      signal: local.signal,
    });
    if (!connection.ok) return failed(connection.reason, connection.message);
    socket = connection.socket;
    const response = await send(request, connection.socket, local.signal);
    return await judge(response, request);
  } catch (error) {
    // Whatever interrupted the exchange decides what the owner hears about it.
    if (callerSignal?.aborted) return failed('aborted', 'Delivery was cancelled');
    if (timedOut) return failed('timeout', `No complete answer within ${timeoutMs} ms`);
    const code = errorCode(error);
    return failed('network', `Could not reach the receiver${code ? ` (${code})` : ''}`);
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
    socket?.destroy();
  }
}

function send(
  request: AttemptRequest,
  socket: TLSSocket,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const { url, body } = request;
  return new Promise((resolve, reject) => {
    // Plain http over the already verified TLS socket: the client never opens a connection itself.
    const outgoing = httpRequest({
      createConnection: () => socket,
      method: 'POST',
      path: `${url.pathname}${url.search}`,
      headers: {
        ...request.headers,
        host: url.host,
        'content-length': String(body.byteLength),
        connection: 'close',
      },
      signal,
    });
    outgoing.once('response', resolve);
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

async function judge(response: IncomingMessage, request: AttemptRequest): Promise<AttemptOutcome> {
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400) {
    return failed(
      'redirect',
      `The receiver answered ${status}, a redirect; webhooks never follow redirects`,
      status,
    );
  }
  if (status < 200 || status >= 300) {
    const retryAfter = response.headers['retry-after'];
    return failed(
      'http_status',
      `The receiver answered ${status}`,
      status,
      parseRetryAfterMs(retryAfter ?? null, request.nowMs),
    );
  }
  const { maxResponseBytes } = request;
  const tooLarge = () =>
    failed('too_large', `The receiver's answer is larger than ${maxResponseBytes} bytes`, status);
  const declared = response.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxResponseBytes) return tooLarge();
  let size = 0;
  // Read to the end so "delivered" means the receiver finished its answer.
  for await (const chunk of response) {
    size += (chunk as Buffer).byteLength;
    // Leaving the loop destroys the stream; `finally` above closes the socket.
    if (size > maxResponseBytes) return tooLarge();
  }
  return { ok: true, status };
}
