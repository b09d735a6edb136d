// Every request Tracera makes to another host (market providers, Steam's
// OpenID endpoint, OAuth providers) goes through `fetchBounded`, so none can hang or flood memory: one deadline covers
// connecting, the headers and the whole body; the body is counted as it
// streams (after decompression, so a small compressed body cannot expand past
// the cap) and the request is torn down the moment it passes the cap; and
// only the statuses the caller accepts are read at all.
//
// Failures are typed so callers can react (back off on 429, give up on a
// timeout) without parsing messages. A message names the request as method,
// origin and path only: query strings and URL credentials, where API keys
// travel, never reach an error and so never reach a log line.
//
// Redirects are not followed: every host we call is configured, and a
// redirect means the configuration or the host changed, which an operator
// should see as an error rather than have the request go elsewhere.
import { SECOND_MS } from '../time.js';

export class HttpRequestError extends Error {
  constructor(
    /** `GET https://host/path` (or POST), without query or credentials. */
    readonly target: string,
    message: string,
  ) {
    super(`${target}: ${message}`);
    this.name = 'HttpRequestError';
  }
}

/** The whole exchange (connect, headers, body) took longer than allowed. */
export class HttpTimeoutError extends HttpRequestError {
  constructor(
    target: string,
    readonly timeoutMs: number,
  ) {
    super(target, `timed out after ${timeoutMs} ms`);
    this.name = 'HttpTimeoutError';
  }
}

/** The body was, or announced it would be, larger than allowed; it was not read further. */
export class HttpResponseTooLargeError extends HttpRequestError {
  constructor(
    target: string,
    readonly maxBytes: number,
  ) {
    super(target, `response body exceeds ${maxBytes} bytes`);
    this.name = 'HttpResponseTooLargeError';
  }
}

/** The host answered with a status the caller does not accept. */
export class HttpStatusError extends HttpRequestError {
  constructor(
    target: string,
    readonly status: number,
    /** From Retry-After, when the host sent a valid one. */
    readonly retryAfterMs: number | null,
  ) {
    super(target, `unexpected status ${status}`);
    this.name = 'HttpStatusError';
  }
}

/** No answer: DNS, connection, TLS or a connection dropped mid-body. */
export class HttpNetworkError extends HttpRequestError {
  constructor(
    target: string,
    /** The system or undici error code, e.g. ECONNREFUSED, when there is one. */
    readonly code: string | null,
  ) {
    super(target, `request failed${code ? ` (${code})` : ''}`);
    this.name = 'HttpNetworkError';
  }
}

/** The body arrived but is not what the caller can read (not JSON, not the expected shape). */
export class HttpInvalidBodyError extends HttpRequestError {
  constructor(target: string, reason: string) {
    super(target, `invalid response body: ${reason}`);
    this.name = 'HttpInvalidBodyError';
  }
}

/** The caller's signal aborted the request. */
export class HttpAbortedError extends HttpRequestError {
  constructor(target: string) {
    super(target, 'aborted');
    this.name = 'HttpAbortedError';
  }
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
    throw new HttpRequestError(method, 'invalid URL');
  }
}

/**
 * GETs `url` (or POSTs `request.form` to it) and returns its 2xx response
 * with the whole body, or throws one of the HttpRequestError subclasses above.
 */
export async function fetchBounded(
  url: string | URL,
  request: BoundedRequest,
): Promise<BoundedResponse> {
  const method = methodOf(request);
  const parsed = parseUrl(url, method);
  const target = describeTarget(parsed, method);
  const { signal: callerSignal, timeoutMs, maxBytes } = request;
  if (callerSignal?.aborted) throw new HttpAbortedError(target);

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
    if (callerSignal?.aborted) return new HttpAbortedError(target);
    if (timedOut) return new HttpTimeoutError(target, timeoutMs);
    return new HttpNetworkError(target, errorCode(error));
  };

  try {
    const response = await fetch(parsed, {
      method,
      ...(request.form ? { body: request.form } : {}),
      headers: request.headers,
      redirect: 'manual',
      signal: local.signal,
    });
    if (!isSuccess(response.status)) {
      const retryAfterMs = parseRetryAfterMs(
        response.headers.get('retry-after'),
        (request.now ?? Date.now)(),
      );
      throw new HttpStatusError(target, response.status, retryAfterMs);
    }
    const declared = response.headers.get('content-length');
    if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
      throw new HttpResponseTooLargeError(target, maxBytes);
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
    if (size > maxBytes) throw new HttpResponseTooLargeError(target, maxBytes);
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

/** Like fetchBounded, then reads the body as UTF-8 JSON; anything else is HttpInvalidBodyError. */
export async function fetchJson(url: string | URL, request: BoundedRequest): Promise<unknown> {
  const method = methodOf(request);
  const parsed = parseUrl(url, method);
  const response = await fetchBounded(parsed, {
    ...request,
    headers: { accept: 'application/json', ...request.headers },
  });
  try {
    return JSON.parse(utf8.decode(response.body));
  } catch {
    // The parser's message quotes the body, which is not ours to log.
    throw new HttpInvalidBodyError(describeTarget(parsed, method), 'not valid UTF-8 JSON');
  }
}
