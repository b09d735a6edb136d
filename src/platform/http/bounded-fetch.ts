// Every request Tracera makes to another host (market providers, Steam's
// OpenID endpoint, OAuth providers) goes through `fetchBounded`, so none can
// hang or flood memory: one deadline covers connecting, the headers and the
// whole body; the body is counted as it streams (after decompression, so a
// small compressed body cannot expand past the cap) and the request is torn
// down the moment it passes the cap; and only the statuses the caller
// accepts are read at all: 2xx, plus any status the caller lists in
// `readStatuses` because its body says something (Steam's 500 carries an
// EResult), read under the same cap and deadline.
//
// Every failure is one HttpRequestError whose `failure` says which kind it
// is and carries what goes with it (the status and Retry-After, the
// timeout), so callers can react (back off on 429, give up on a timeout)
// without parsing messages. A message names the request as method, origin
// and path only: query strings and URL credentials, where API keys travel,
// never reach an error and so never reach a log line.
//
// Redirects are not followed: every host we call is configured, and a
// redirect means the configuration or the host changed, which an operator
// should see as an error rather than have the request go elsewhere.
import { SECOND_MS } from '../time.js';

/** What went wrong, with what a caller may act on for each kind. */
export type HttpFailure =
  /** The URL could not be parsed. */
  | { readonly kind: 'invalid_url' }
  /** The caller's signal aborted the request. */
  | { readonly kind: 'aborted' }
  /** The whole exchange (connect, headers, body) took longer than allowed. */
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  /** No answer: DNS, connection, TLS or a connection dropped mid-body. */
  | {
      readonly kind: 'network';
      /** The system or undici error code, e.g. ECONNREFUSED, when there is one. */
      readonly code: string | null;
    }
  /** The host answered with a status the caller does not accept. */
  | {
      readonly kind: 'status';
      readonly status: number;
      /** From Retry-After, when the host sent a valid one. */
      readonly retryAfterMs: number | null;
    }
  /** The body was, or announced it would be, larger than allowed; it was not read further. */
  | { readonly kind: 'too_large'; readonly maxBytes: number }
  /** The body arrived but is not what the caller can read (not JSON, not the expected shape). */
  | { readonly kind: 'invalid_body'; readonly reason: string };

/** The failure in a few words, without the request: safe to show to anyone. */
export function describeFailure(failure: HttpFailure): string {
  switch (failure.kind) {
    case 'invalid_url':
      return 'invalid URL';
    case 'aborted':
      return 'aborted';
    case 'timeout':
      return `timed out after ${failure.timeoutMs} ms`;
    case 'network':
      return `request failed${failure.code ? ` (${failure.code})` : ''}`;
    case 'status':
      return `unexpected status ${failure.status}`;
    case 'too_large':
      return `response body exceeds ${failure.maxBytes} bytes`;
    case 'invalid_body':
      return `invalid response body: ${failure.reason}`;
  }
}

/** Every failure of an outbound request: one class, told apart by `failure.kind`. */
export class HttpRequestError extends Error {
  override name = 'HttpRequestError';

  constructor(
    /** `GET https://host/path` (or POST), without query or credentials. */
    readonly target: string,
    readonly failure: HttpFailure,
  ) {
    super(`${target}: ${describeFailure(failure)}`);
  }
}

/** The status failure `error` carries, or null when it is anything else. */
export function statusFailure(
  error: unknown,
): Extract<HttpFailure, { readonly kind: 'status' }> | null {
  return error instanceof HttpRequestError && error.failure.kind === 'status'
    ? error.failure
    : null;
}

export interface BoundedRequest {
  /** GET unless a form is given: then POST, the form as the body. */
  readonly form?: URLSearchParams;
  /** Deadline for the whole exchange, body included. */
  readonly timeoutMs: number;
  /** Largest body accepted, in bytes, counted after decompression. */
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
  readonly headers?: Readonly<Record<string, string>>;
  /** Epoch milliseconds, for Retry-After given as a date. */
  readonly now?: () => number;
  /**
   * Non-2xx statuses whose body the caller wants: returned as a response,
   * read under the same cap and deadline, instead of thrown as `status`.
   */
  readonly readStatuses?: readonly number[];
}

export interface BoundedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/** `GET https://host/path`: what an error may say about a request. */
export function describeTarget(url: URL, method: 'GET' | 'POST' = 'GET'): string {
  return `${method} ${url.origin}${url.pathname}`;
}

/**
 * Milliseconds to wait from a Retry-After value (delta-seconds or an
 * HTTP-date), or null when absent or unreadable.
 */
export function parseRetryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * SECOND_MS;
  // HTTP-dates end in GMT; Date.parse alone would also take "12.5" for a date.
  if (!trimmed.endsWith('GMT')) return null;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function errorCode(error: unknown): string | null {
  for (let current = error, depth = 0; current && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

const methodOf = (request: BoundedRequest) => (request.form ? 'POST' : 'GET');

/** URL's own error keeps the text it could not parse, query string and all. */
function parseUrl(url: string | URL, method: 'GET' | 'POST' = 'GET'): URL {
  try {
    return new URL(url);
  } catch {
    throw new HttpRequestError(method, { kind: 'invalid_url' });
  }
}

/**
 * GETs `url` (or POSTs `request.form` to it) and returns its 2xx response
 * (or one with a status in `request.readStatuses`) with the whole body, or throws an HttpRequestError saying which kind of failure.
 */
export async function fetchBounded(
  url: string | URL,
  request: BoundedRequest,
): Promise<BoundedResponse> {
  const method = methodOf(request);
  const parsed = parseUrl(url, method);
  const target = describeTarget(parsed, method);
  const { signal: callerSignal, timeoutMs, maxBytes } = request;
  if (callerSignal?.aborted) throw new HttpRequestError(target, { kind: 'aborted' });

  const local = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    local.abort();
  }, timeoutMs);
  const onCallerAbort = () => local.abort();
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

  // Whatever interrupted the exchange decides what the caller hears about it.
  const failure = (error: unknown): HttpRequestError => {
    if (error instanceof HttpRequestError) return error;
    if (callerSignal?.aborted) return new HttpRequestError(target, { kind: 'aborted' });
    if (timedOut) return new HttpRequestError(target, { kind: 'timeout', timeoutMs });
    return new HttpRequestError(target, { kind: 'network', code: errorCode(error) });
  };

  try {
    const response = await fetch(parsed, {
      method,
      ...(request.form ? { body: request.form } : {}),
      headers: request.headers,
      redirect: 'manual',
      signal: local.signal,
    });
    if (!isSuccess(response.status) && !request.readStatuses?.includes(response.status)) {
      const retryAfterMs = parseRetryAfterMs(
        response.headers.get('retry-after'),
        (request.now ?? Date.now)(),
      );
      throw new HttpRequestError(target, { kind: 'status', status: response.status, retryAfterMs });
    }
    const declared = response.headers.get('content-length');
    if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
      throw new HttpRequestError(target, { kind: 'too_large', maxBytes });
    }
    const body = await readCapped(response, maxBytes, target);
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    throw failure(error);
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
    // Tears down a body left unread (error statuses, oversize); a no-op after a full read.
    local.abort();
  }
}

async function readCapped(
  response: Response,
  maxBytes: number,
  target: string,
): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) throw new HttpRequestError(target, { kind: 'too_large', maxBytes });
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Like fetchBounded, then reads the body as UTF-8 JSON; anything else is an `invalid_body` failure. */
export async function fetchJson(url: string | URL, request: BoundedRequest): Promise<unknown> {
  const method = methodOf(request);
  const parsed = parseUrl(url, method);
  const response = await fetchBounded(parsed, {
    ...request,
    headers: { accept: 'application/json', ...request.headers },
  });
  return parseJsonBody(response, describeTarget(parsed, method));
}

/**
 * Reads a fetched body as UTF-8 JSON, for callers that fetched with
 * `readStatuses` and decide by status first; anything else is an
 * `invalid_body` failure naming `target` (from describeTarget).
 */
export function parseJsonBody(response: BoundedResponse, target: string): unknown {
  try {
    return JSON.parse(utf8.decode(response.body));
  } catch {
    // The parser's message quotes the body, which is not ours to log.
    throw new HttpRequestError(target, { kind: 'invalid_body', reason: 'not valid UTF-8 JSON' });
  }
}
