// S24 for the answers made before any route runs: what Node's HTTP parser
// refuses, what Node's server would refuse by itself, and what Fastify's
// router refuses carry the security headers and a `{"detail"}` body like
// every other answer. Raw sockets to the listening app, since no HTTP client
// sends such requests.
import { maxHeaderSize, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';

/** S24's header set for an https BASE_URL, as SECURITY.md states it. */
const S24_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-xss-protection': '1; mode=block',
  'content-security-policy':
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
};

const HOST = 'Host: tracera.test';
const HEADERS_TIMEOUT_MS = 500;

let harness: TestApp;
let port: number;
/** Responses the streaming route began and never finished. */
const unfinished: ServerResponse[] = [];

beforeAll(async () => {
  harness = await buildTestApp({
    env: {
      BASE_URL: 'https://tracera.test',
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: '5000',
    },
    routes: (app) => {
      // The parser refuses the requests sent here while reading them, before
      // the route's CSRF check could answer.
      app.post('/test/upload', async (request) => ({ received: String(request.body).length }));
      app.get('/test/stream', (_request, reply) => {
        reply.hijack();
        reply.raw.writeHead(200, { 'content-type': 'text/plain' });
        reply.raw.write('first part\n');
        unfinished.push(reply.raw);
      });
    },
  });
  await harness.app.listen({ host: '127.0.0.1', port: 0 });
  port = (harness.app.server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const response of unfinished) response.destroy();
  await harness.app.close();
});

/**
 * Sends `request` and collects what comes back until the server closes the
 * connection; the client never closes first, so this resolving is the
 * server's doing.
 */
function exchange(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', reject);
    socket.once('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

function parseResponse(raw: string): RawResponse {
  const headEnd = raw.indexOf('\r\n\r\n');
  expect(headEnd, `no complete response in ${JSON.stringify(raw)}`).toBeGreaterThan(0);
  const [statusLine = '', ...headerLines] = raw.slice(0, headEnd).split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1];
  expect(status, statusLine).toBeDefined();
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    expect(headers, `header ${name} sent twice`).not.toHaveProperty(name);
    headers[name] = line.slice(colon + 1).trim();
  }
  return { status: Number(status), headers, body: raw.slice(headEnd + 4) };
}

/** Status, every S24 header, JSON `{"detail"}` and nothing else after it. */
function expectAnswer(raw: string, status: number, detail: string): RawResponse {
  const response = parseResponse(raw);
  expect(response.status).toBe(status);
  for (const [name, value] of Object.entries(S24_HEADERS)) {
    expect(response.headers[name], name).toBe(value);
  }
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.body));
  expect(JSON.parse(response.body)).toEqual({ detail });
  return response;
}

describe('S24 requests refused by the HTTP parser', () => {
  const MALFORMED = 'Malformed HTTP request';

  it('S24: a header block over the limit is answered 431 with the security headers and {"detail"}, then closed', async () => {
    const padding = 'a'.repeat(maxHeaderSize + 1);
    const raw = await exchange(
      `GET /api/v1/health HTTP/1.1\r\n${HOST}\r\nX-Padding: ${padding}\r\n\r\n`,
    );
    const response = expectAnswer(raw, 431, 'Request header fields are too large');
    expect(response.headers.connection).toBe('close');
  });

  it('S24: a bare LF line ending is answered 400 with the security headers and {"detail"}, then closed', async () => {
    const raw = await exchange('GET /api/v1/health HTTP/1.1\nHost: tracera.test\n\n');
    expect(expectAnswer(raw, 400, MALFORMED).headers.connection).toBe('close');
  });

  it('S24: a NUL in a header value is answered 400 with the security headers and {"detail"}, then closed', async () => {
    const raw = await exchange(`GET /api/v1/health HTTP/1.1\r\n${HOST}\r\nX-Note: a\0b\r\n\r\n`);
    expect(expectAnswer(raw, 400, MALFORMED).headers.connection).toBe('close');
  });

  it('S24: Content-Length together with Transfer-Encoding is answered 400 with the security headers and {"detail"}, then closed', async () => {
    const raw = await exchange(
      `POST /test/upload HTTP/1.1\r\n${HOST}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    );
    expect(expectAnswer(raw, 400, MALFORMED).headers.connection).toBe('close');
  });

  it('S24: an invalid method is answered 400 with the security headers and {"detail"}, then closed', async () => {
    const raw = await exchange(`BREW /api/v1/health HTTP/1.1\r\n${HOST}\r\n\r\n`);
    expect(expectAnswer(raw, 400, MALFORMED).headers.connection).toBe('close');
  });

  it('S24: an unknown HTTP version is answered 400 with the security headers and {"detail"}, then closed', async () => {
    const raw = await exchange(`GET /api/v1/health HTTP/9.9\r\n${HOST}\r\n\r\n`);
    expect(expectAnswer(raw, 400, MALFORMED).headers.connection).toBe('close');
  });

  it('S24: chunk extensions over the limit are answered 413 with the security headers and {"detail"}, then closed', async () => {
    const extension = 'a'.repeat(20 * 1024);
    const raw = await exchange(
      `POST /test/upload HTTP/1.1\r\n${HOST}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n1;${extension}\r\nx\r\n0\r\n\r\n`,
    );
    const response = expectAnswer(raw, 413, 'Request chunk extensions are too large');
    expect(response.headers.connection).toBe('close');
  });

  it('S24: headers that stop arriving are answered 408 with the security headers and {"detail"}, then closed', async () => {
    const raw = await exchange(`GET /api/v1/health HTTP/1.1\r\n${HOST}\r\n`);
    const response = expectAnswer(raw, 408, 'Request took too long to arrive');
    expect(response.headers.connection).toBe('close');
  });

  it('S24: a malformed request behind a response already begun gets nothing written into that response', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(`GET /test/stream HTTP/1.1\r\n${HOST}\r\n\r\n`),
      );
      socket.on('data', (chunk: Buffer) => {
        const firstData = text === '';
        text += chunk.toString('latin1');
        if (firstData) socket.write(`BREW / HTTP/1.1\r\n${HOST}\r\n\r\n`);
      });
      socket.once('error', reject);
      socket.once('close', () => resolve(text));
    });
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toContain('first part');
    expect(received).not.toContain('HTTP/1.1 400');
    expect(received).not.toContain('detail');
  });
});

describe('S24 requests Node would refuse by itself', () => {
  it('S24: an HTTP/1.1 request without Host is answered 400 with the security headers and {"detail"}, then closed', async () => {
    const raw = await exchange('GET /api/v1/health HTTP/1.1\r\n\r\n');
    const response = expectAnswer(raw, 400, 'Malformed HTTP request');
    expect(response.headers.connection).toBe('close');
  });

  it('S24: an Expect other than 100-continue is answered 417 with the security headers and {"detail"}, then closed', async () => {
    const raw = await exchange(`GET /api/v1/health HTTP/1.1\r\n${HOST}\r\nExpect: 200-ok\r\n\r\n`);
    const response = expectAnswer(raw, 417, 'Unsupported Expect header');
    expect(response.headers.connection).toBe('close');
  });
});

describe('S24 requests refused by the router', () => {
  const request = (path: string) => `GET ${path} HTTP/1.1\r\n${HOST}\r\nConnection: close\r\n\r\n`;

  it('S24: a path that does not percent-decode is answered 400 with the security headers and {"detail"}', async () => {
    const response = expectAnswer(
      await exchange(request('/api/v1/items/%zz')),
      400,
      'Request path is not valid',
    );
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('S24: a path parameter over the router limit is answered 414 with the security headers and {"detail"}', async () => {
    const response = expectAnswer(
      await exchange(request(`/api/v1/items/${'1'.repeat(500)}`)),
      414,
      'A request path segment is too long',
    );
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('S24: an unknown path is answered 404 with the security headers and {"detail"}', async () => {
    expectAnswer(await exchange(request('/no/such/page')), 404, 'Not found');
  });
});
