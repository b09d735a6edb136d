// The bounds on every outgoing request, against a real server on 127.0.0.1
// that misbehaves the way remote hosts do: slow to answer, trickling a body,
// sending too much, failing, rate limiting.
import type { ServerResponse } from 'node:http';
import { brotliCompressSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fetchBounded,
  fetchJson,
  HttpRequestError,
  parseJsonBody,
  parseRetryAfterMs,
} from '../../../src/platform/http/bounded-fetch.js';
import {
  type Handler,
  type LocalHttpServer,
  startLocalHttpServer,
} from '../../support/local-http.js';
import { freePort } from '../../support/ports.js';

const SECRET = 'sekrit-api-key';
/** Short, for the tests that wait for it; the others allow a loaded machine's first request. */
const TIMEOUT_MS = 150;
const GENEROUS_TIMEOUT_MS = 10_000;
const MAX_BYTES = 1024;

let server: LocalHttpServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: Handler): Promise<string> {
  server = await startLocalHttpServer(handler);
  return `${server.origin}/v1/items?key=${SECRET}`;
}

function bounds(overrides: { signal?: AbortSignal; now?: () => number } = {}) {
  return { timeoutMs: GENEROUS_TIMEOUT_MS, maxBytes: MAX_BYTES, ...overrides };
}

/** Runs `promise`, expecting it to reject; returns the error and how long it took. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ error: HttpRequestError; elapsedMs: number }> {
  const started = performance.now();
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpRequestError);
    expect((error as Error).message).not.toContain(SECRET);
    expect((error as Error).message).not.toContain('?');
    return { error: error as HttpRequestError, elapsedMs: performance.now() - started };
  }
  throw new Error('expected the request to fail');
}

function trickle(response: ServerResponse, chunk: Buffer, everyMs: number): void {
  const timer = setInterval(() => response.write(chunk), everyMs);
  response.on('close', () => clearInterval(timer));
}

describe('fetchBounded', () => {
  it('returns the status, headers and whole body of a 2xx answer', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200, { 'x-thing': 'yes' });
      response.end('hello');
    });
    const answer = await fetchBounded(url, bounds());
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-thing')).toBe('yes');
    expect(Buffer.from(answer.body).toString()).toBe('hello');
    expect(server?.requests[0]?.url.searchParams.get('key')).toBe(SECRET);
  });

  it('POSTs a form when given one, and names the method in its errors', async () => {
    const url = await serve((request, response) => {
      if (request.method !== 'POST') response.writeHead(405);
      else response.writeHead(request.url?.startsWith('/fail') ? 500 : 200);
      response.end('posted');
    });
    const form = new URLSearchParams({ 'openid.mode': 'check_authentication', a: 'b c' });
    const answer = await fetchBounded(url, { ...bounds(), form });
    expect(Buffer.from(answer.body).toString()).toBe('posted');
    const received = server?.requests[0];
    expect(received?.method).toBe('POST');
    expect(received?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(received?.body).toBe(form.toString());
    const { error } = await failure(
      fetchBounded(`${server?.origin}/fail?key=${SECRET}`, { ...bounds(), form }),
    );
    expect(error.failure.kind).toBe('status');
    expect(error.message).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/fail: /);
  });

  it('times out when the headers never come', async () => {
    const url = await serve(() => {});
    const { error, elapsedMs } = await failure(
      fetchBounded(url, { ...bounds(), timeoutMs: TIMEOUT_MS }),
    );
    expect(error.failure).toEqual({ kind: 'timeout', timeoutMs: TIMEOUT_MS });
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS + 2000);
  });

  it('times out on a body that trickles in below the size cap (the deadline covers the body)', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200);
      trickle(response, Buffer.from('x'), 10);
    });
    const { error, elapsedMs } = await failure(
      fetchBounded(url, { ...bounds(), timeoutMs: TIMEOUT_MS }),
    );
    expect(error.failure.kind).toBe('timeout');
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS + 2000);
  });

  it('refuses a body whose Content-Length is over the cap without waiting for it', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200, { 'content-length': String(MAX_BYTES + 1) });
      response.write('x');
    });
    const { error } = await failure(fetchBounded(url, bounds()));
    expect(error.failure).toEqual({ kind: 'too_large', maxBytes: MAX_BYTES });
  });

  it('refuses an endless chunked body as soon as it passes the cap', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200);
      trickle(response, Buffer.alloc(256, 'x'), 1);
    });
    const { error, elapsedMs } = await failure(fetchBounded(url, bounds()));
    expect(error.failure).toEqual({ kind: 'too_large', maxBytes: MAX_BYTES });
    expect(elapsedMs).toBeLessThan(2000);
  });

  it('counts the body after decompression, so a small brotli body cannot expand past the cap', async () => {
    const bomb = brotliCompressSync(Buffer.alloc(1024 * 1024, 'x'));
    expect(bomb.byteLength).toBeLessThan(MAX_BYTES);
    const url = await serve((_request, response) => {
      response.writeHead(200, { 'content-encoding': 'br', 'content-length': bomb.byteLength });
      response.end(bomb);
    });
    const { error } = await failure(fetchBounded(url, bounds()));
    expect(error.failure).toEqual({ kind: 'too_large', maxBytes: MAX_BYTES });
  });

  it('accepts a body of exactly the cap', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200);
      response.end(Buffer.alloc(MAX_BYTES, 'x'));
    });
    expect((await fetchBounded(url, bounds())).body.byteLength).toBe(MAX_BYTES);
  });

  it('fails with a status failure for a 500, with no Retry-After', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(500);
      response.end(`internal error for ${SECRET}`);
    });
    const { error } = await failure(fetchBounded(url, bounds()));
    expect(error.failure).toEqual({ kind: 'status', status: 500, retryAfterMs: null });
  });

  it('reads Retry-After in seconds from a 429', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(429, { 'retry-after': '7' });
      response.end();
    });
    const { error } = await failure(fetchBounded(url, bounds()));
    expect(error.failure).toEqual({ kind: 'status', status: 429, retryAfterMs: 7000 });
  });

  it('reads Retry-After as an HTTP-date against the injected clock', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(429, { 'retry-after': 'Wed, 21 Oct 2015 07:28:30 GMT' });
      response.end();
    });
    const now = () => Date.parse('2015-10-21T07:28:00Z');
    const { error } = await failure(fetchBounded(url, bounds({ now })));
    expect(error.failure).toEqual({ kind: 'status', status: 429, retryAfterMs: 30_000 });
  });

  it('reports a 429 without Retry-After as retryAfterMs null', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(429);
      response.end();
    });
    const { error } = await failure(fetchBounded(url, bounds()));
    expect(error.failure).toEqual({ kind: 'status', status: 429, retryAfterMs: null });
  });

  it('does not follow redirects', async () => {
    const url = await serve((request, response) => {
      if (request.url?.startsWith('/elsewhere')) throw new Error('followed the redirect');
      response.writeHead(302, { location: '/elsewhere' });
      response.end();
    });
    const { error } = await failure(fetchBounded(url, bounds()));
    expect(error.failure).toMatchObject({ kind: 'status', status: 302 });
    expect(server?.requests).toHaveLength(1);
  });

  it('stops promptly when the caller aborts while waiting for headers', async () => {
    const url = await serve(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    const { error, elapsedMs } = await failure(
      fetchBounded(url, bounds({ signal: controller.signal })),
    );
    expect(error.failure).toEqual({ kind: 'aborted' });
    expect(elapsedMs).toBeLessThan(2000);
  });

  it('stops promptly when the caller aborts mid-body', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200);
      trickle(response, Buffer.from('x'), 5);
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const { error, elapsedMs } = await failure(
      fetchBounded(url, bounds({ signal: controller.signal })),
    );
    expect(error.failure).toEqual({ kind: 'aborted' });
    expect(elapsedMs).toBeLessThan(2000);
  });

  it('sends nothing when the signal has already aborted', async () => {
    const url = await serve((_request, response) => {
      response.end();
    });
    const { error } = await failure(fetchBounded(url, bounds({ signal: AbortSignal.abort() })));
    expect(error.failure).toEqual({ kind: 'aborted' });
    expect(server?.requests).toHaveLength(0);
  });

  it('reports a refused connection as a network failure with its code', async () => {
    const port = await freePort();
    const { error } = await failure(
      fetchBounded(`http://127.0.0.1:${port}/v1/items?key=${SECRET}`, bounds()),
    );
    expect(error.failure).toEqual({ kind: 'network', code: 'ECONNREFUSED' });
  });

  it('reports a connection dropped mid-body as a network failure', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('partial', () => response.destroy());
    });
    const { error } = await failure(fetchBounded(url, bounds()));
    expect(error.failure.kind).toBe('network');
  });

  it('refuses an unparseable URL without repeating it', async () => {
    const { error } = await failure(fetchBounded(`http://[bad/v1/items?key=${SECRET}`, bounds()));
    expect(error.failure).toEqual({ kind: 'invalid_url' });
    expect(error.message).toBe('GET: invalid URL');
  });

  it('names the request by method, origin and path only', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(503);
      response.end();
    });
    const { error } = await failure(fetchBounded(url, bounds()));
    expect(error.message).toBe(`GET ${server?.origin}/v1/items: unexpected status 503`);
    const withCredentials = `${server?.origin}/path`.replace('http://', `http://user:${SECRET}@`);
    const refused = await failure(fetchBounded(withCredentials, bounds()));
    expect(refused.error.message.startsWith(`GET ${server?.origin}/path: `)).toBe(true);
  });
});

describe('fetchBounded with readStatuses', () => {
  it('returns a listed non-2xx status with its body instead of throwing', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end('{"error":"Failed to get inventory (15)"}');
    });
    const answer = await fetchBounded(url, { ...bounds(), readStatuses: [403, 500] });
    expect(answer.status).toBe(500);
    expect(parseJsonBody(answer, 'GET target')).toEqual({
      error: 'Failed to get inventory (15)',
    });
  });

  it('still throws a status failure for a status it does not list', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(502);
      response.end('bad gateway');
    });
    const { error } = await failure(fetchBounded(url, { ...bounds(), readStatuses: [500] }));
    expect(error.failure).toEqual({ kind: 'status', status: 502, retryAfterMs: null });
  });

  it('applies the byte cap to a listed status body', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(500);
      trickle(response, Buffer.alloc(256, 'x'), 1);
    });
    const { error } = await failure(fetchBounded(url, { ...bounds(), readStatuses: [500] }));
    expect(error.failure).toEqual({ kind: 'too_large', maxBytes: MAX_BYTES });
  });

  it('applies the deadline to a listed status body', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(500);
      trickle(response, Buffer.from('x'), 10);
    });
    const { error } = await failure(
      fetchBounded(url, { ...bounds(), timeoutMs: TIMEOUT_MS, readStatuses: [500] }),
    );
    expect(error.failure).toEqual({ kind: 'timeout', timeoutMs: TIMEOUT_MS });
  });
});

describe('parseJsonBody', () => {
  it('fails with an invalid_body failure naming the given target, without quoting the body', () => {
    const response = { status: 500, headers: new Headers(), body: Buffer.from(SECRET) };
    try {
      parseJsonBody(response, 'GET http://host/path');
      throw new Error('expected parseJsonBody to throw');
    } catch (error) {
      expect(error).toBeInstanceOf(HttpRequestError);
      expect((error as HttpRequestError).failure).toEqual({
        kind: 'invalid_body',
        reason: 'not valid UTF-8 JSON',
      });
      expect((error as Error).message).toBe(
        'GET http://host/path: invalid response body: not valid UTF-8 JSON',
      );
    }
  });
});

describe('fetchJson', () => {
  it('parses a JSON body and asks for JSON', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"success":true}');
    });
    expect(await fetchJson(url, bounds())).toEqual({ success: true });
    expect(server?.requests[0]?.headers.accept).toBe('application/json');
  });

  it('fails with an invalid_body failure for a body that is not JSON, without quoting it', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(`<html>${SECRET}</html>`);
    });
    const { error } = await failure(fetchJson(url, bounds()));
    expect(error.failure).toEqual({ kind: 'invalid_body', reason: 'not valid UTF-8 JSON' });
  });

  it('fails with an invalid_body failure for a body that is not UTF-8', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200);
      response.end(Buffer.from([0x22, 0xff, 0xfe, 0x22]));
    });
    const { error } = await failure(fetchJson(url, bounds()));
    expect(error.failure).toEqual({ kind: 'invalid_body', reason: 'not valid UTF-8 JSON' });
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2015-10-21T07:28:00Z');
  it.each([
    ['0', 0],
    ['120', 120_000],
    [' 5 ', 5000],
    ['Wed, 21 Oct 2015 07:29:00 GMT', 60_000],
    ['Wed, 21 Oct 2015 07:00:00 GMT', 0],
    [null, null],
    ['', null],
    ['-5', null],
    ['1.5', null],
    ['soon', null],
    ['Wed, 99 Foo 2015 07:29:00 GMT', null],
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfterMs(value, now)).toBe(expected);
  });
});
