// S23 and the one error handler: every failure is JSON `{"detail"}`, client
// errors are 4xx and never 500, and nothing a client did logs a stack trace.
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/platform/errors.js';
import { StoreUnavailableError } from '../../src/platform/store/index.js';
import { buildTestApp, LOG_LEVEL_ERROR, type TestApp } from '../support/app.js';
import { Browser } from '../support/browser.js';

let harness: TestApp;

beforeAll(async () => {
  harness = await buildTestApp({
    env: { BODY_LIMIT_BYTES: '1024' },
    routes: (app) => {
      app.post(
        '/api/v1/test/echo',
        {
          schema: {
            body: Type.Object(
              { name: Type.String({ maxLength: 50 }), count: Type.Integer({ minimum: 0 }) },
              { additionalProperties: false },
            ),
          },
        },
        async (request) => request.body,
      );
      app.get(
        '/api/v1/test/items',
        {
          schema: {
            querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100 }) }),
          },
        },
        async (request) => request.query,
      );
      app.get('/api/v1/test/teapot', async () => {
        throw new ApiError(418, 'No coffee here');
      });
      app.get('/api/v1/test/store-down', async () => {
        throw new StoreUnavailableError('Redis unavailable: connection refused');
      });
    },
  });
});

afterAll(async () => {
  await harness.app.close();
});

/** A visitor holding a CSRF token, so the body checks are what answers. */
async function post(payload: string, contentType = 'application/json') {
  const visitor = new Browser(harness.app);
  await visitor.fetchCsrf();
  return visitor.request({
    method: 'POST',
    url: '/api/v1/test/echo',
    headers: { 'content-type': contentType },
    body: payload,
  });
}

function expectNoStackLogged(): void {
  const errorLines = harness.logs.lines.filter((line) => line.level >= LOG_LEVEL_ERROR);
  expect(errorLines).toEqual([]);
  expect(harness.logs.raw.join('\n')).not.toMatch(/\n\s+at /);
}

describe('S23 request bodies', () => {
  it('accept a well-formed body', async () => {
    const response = await post('{"name":"AK-47","count":2}');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ name: 'AK-47', count: 2 });
  });

  it('answer malformed JSON with 400 JSON and log no stack trace', async () => {
    const response = await post('{"name": "AK-47",');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/json');
    expect(response.json()).toEqual({ detail: 'Request body is not valid JSON' });
    expectNoStackLogged();
  });

  it('answer an oversize body with 413 JSON and log no stack trace', async () => {
    const response = await post(JSON.stringify({ name: 'x'.repeat(2000), count: 1 }));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ detail: 'Request body is too large' });
    expectNoStackLogged();
  });

  it('refuse a wrong type instead of coercing it', async () => {
    const response = await post('{"name":"AK-47","count":"2"}');
    expect(response.statusCode).toBe(400);
    expect(response.json().detail).toMatch(/count/);
    expectNoStackLogged();
  });

  it('refuse unknown fields', async () => {
    const response = await post('{"name":"AK-47","count":2,"role":"admin"}');
    expect(response.statusCode).toBe(400);
    expect(response.json().detail).toMatch(/additional properties/);
  });

  it('refuse an empty JSON body and an unsupported content type', async () => {
    const empty = await post('');
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toHaveProperty('detail');
    const xml = await post('<name/>', 'application/xml');
    expect(xml.statusCode).toBe(415);
    expect(xml.json()).toEqual({ detail: 'Unsupported content type' });
    expectNoStackLogged();
  });

  it('coerce query strings to the schema type and refuse values that do not fit', async () => {
    const good = await harness.app.inject({ url: '/api/v1/test/items?limit=20' });
    expect(good.json()).toEqual({ limit: 20 });
    const bad = await harness.app.inject({ url: '/api/v1/test/items?limit=many' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/limit/);
  });
});

describe('error handler', () => {
  it('renders ApiError with its status and detail', async () => {
    const response = await harness.app.inject({ url: '/api/v1/test/teapot' });
    expect(response.statusCode).toBe(418);
    expect(response.json()).toEqual({ detail: 'No coffee here' });
  });

  it('answers 503 when the store is down, without the internal message', async () => {
    const response = await harness.app.inject({ url: '/api/v1/test/store-down' });
    expect(response.statusCode).toBe(503);
    expect(response.body).not.toMatch(/Redis|refused/);
    expect(response.json().detail).toMatch(/unavailable/i);
  });

  it('S38: a path the router cannot decode (an encoded unpaired surrogate) is 400 JSON with the usual headers', async () => {
    const response = await harness.app.inject({ url: '/api/v1/items/%ED%A0%80' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ detail: 'Request path is not valid' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expectNoStackLogged();
  });

  it('answers a path parameter past the router’s length limit with 414 JSON', async () => {
    const response = await harness.app.inject({ url: `/api/v1/items/${'1'.repeat(101)}` });
    expect(response.statusCode).toBe(414);
    expect(response.json()).toEqual({ detail: 'A request path segment is too long' });
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('tags each response with a server-made request id, ignoring the client one', async () => {
    const response = await harness.app.inject({
      url: '/api/v1/health',
      headers: { 'x-request-id': 'forged-id' },
    });
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const access = harness.logs.lines.findLast((line) => line.msg === 'request completed');
    expect(access?.reqId).toBe(id);
  });
});
