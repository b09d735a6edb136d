// S38 at the edge: text a database cannot store (U+0000) or that is not
// well-formed Unicode (an unpaired surrogate) is refused with 400 by the one
// validator compiler, in bodies, query strings and path parameters alike,
// field names included, before the route's schema or handler sees it.
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, LOG_LEVEL_ERROR, type TestApp } from '../support/app.js';
import { Browser } from '../support/browser.js';

const REFUSED = 'must not contain U+0000 or unpaired surrogates';
const REFUSED_NAME = 'must not have a field name with U+0000 or unpaired surrogates';
/** Deeper than a recursive walk over the body could go before the stack ran out. */
const DEPTH = 20_000;

let harness: TestApp;
let browser: Browser;
const handled: unknown[] = [];

beforeAll(async () => {
  harness = await buildTestApp({
    routes: (app) => {
      app.post(
        '/api/v1/test/profile',
        {
          schema: {
            body: Type.Object(
              {
                name: Type.String({ maxLength: 50 }),
                tags: Type.Optional(Type.Array(Type.String())),
                links: Type.Optional(Type.Record(Type.String(), Type.String())),
              },
              { additionalProperties: false },
            ),
          },
        },
        async (request) => {
          handled.push(request.body);
          return { ok: true };
        },
      );
      app.post('/api/v1/test/anything', { schema: { body: Type.Unknown() } }, async () => ({
        ok: true,
      }));
      app.get(
        '/api/v1/test/limited',
        {
          schema: {
            querystring: Type.Object({ n: Type.Optional(Type.Integer({ maximum: 100 })) }),
          },
        },
        async (request) => {
          handled.push(request.query);
          return { ok: true };
        },
      );
      app.get(
        '/api/v1/test/things/:id',
        {
          schema: {
            params: Type.Object({ id: Type.String() }),
            querystring: Type.Object({ q: Type.Optional(Type.String()) }),
          },
        },
        async (request) => {
          handled.push(request.query);
          return { ok: true };
        },
      );
    },
  });
  browser = new Browser(harness.app);
  await browser.fetchCsrf();
});

afterAll(async () => {
  await harness.app.close();
});

function post(url: string, body: string) {
  return browser.request({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    body,
  });
}

function expectRefusal(response: { statusCode: number; json: () => unknown }, detail: string) {
  expect(response.statusCode).toBe(400);
  expect(response.json()).toEqual({ detail });
}

describe('S38 request bodies', () => {
  it('S38: U+0000 in a JSON string is 400, naming the part and the field', async () => {
    const before = handled.length;
    expectRefusal(
      await post('/api/v1/test/profile', '{"name":"a\\u0000b"}'),
      `body/name ${REFUSED}`,
    );
    expect(handled.length).toBe(before);
  });

  it.each([
    ['a high surrogate alone', '\\ud800'],
    ['a low surrogate alone', 'x\\udfff'],
    ['a pair in the wrong order', '\\udc00\\ud800'],
  ])('S38: %s is 400', async (_case, text) => {
    expectRefusal(await post('/api/v1/test/profile', `{"name":"${text}"}`), `body/name ${REFUSED}`);
  });

  it('S38: a surrogate pair is well-formed text and passes', async () => {
    const response = await post('/api/v1/test/profile', '{"name":"\\ud83d\\ude00 AK-47"}');
    expect(response.statusCode).toBe(200);
    expect(handled.at(-1)).toEqual({ name: '😀 AK-47' });
  });

  it('S38: looks into arrays and objects, and at field names', async () => {
    expectRefusal(
      await post('/api/v1/test/profile', '{"name":"ok","tags":["fine","\\u0000"]}'),
      `body/tags/1 ${REFUSED}`,
    );
    expectRefusal(
      await post('/api/v1/test/profile', '{"name":"ok","links":{"steam":"\\udbff"}}'),
      `body/links/steam ${REFUSED}`,
    );
    expectRefusal(
      await post('/api/v1/test/profile', '{"name":"ok","links":{"st\\u0000eam":"x"}}'),
      `body/links ${REFUSED_NAME}`,
    );
    // Before the schema's own refusal of an unknown field, which would say less.
    expectRefusal(await post('/api/v1/test/profile', '{"\\ud800":1}'), `body ${REFUSED_NAME}`);
  });

  it('S38: a body nested deeper than the stack is walked, not a 500', async () => {
    const nested = (inner: string) => `${'['.repeat(DEPTH)}${inner}${']'.repeat(DEPTH)}`;
    expect((await post('/api/v1/test/anything', nested('"fine"'))).statusCode).toBe(200);
    const refused = await post('/api/v1/test/anything', nested('"\\u0000"'));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().detail).toMatch(/^body(\/0)+ must not contain U\+0000/);
    expect(harness.logs.lines.filter((line) => line.level >= LOG_LEVEL_ERROR)).toEqual([]);
  });
});

describe('S38 query strings and path parameters', () => {
  it('S38: U+0000 in a path parameter is 400', async () => {
    const response = await harness.app.inject({ url: '/api/v1/test/things/a%00b' });
    expectRefusal(response, `params/id ${REFUSED}`);
  });

  it('S38: U+0000 in a query field, declared or not, or in its name, is 400', async () => {
    const url = '/api/v1/test/things/1';
    expectRefusal(await harness.app.inject({ url: `${url}?q=%00` }), `querystring/q ${REFUSED}`);
    expectRefusal(
      await harness.app.inject({ url: `${url}?q=ok&extra=a%00` }),
      `querystring/extra ${REFUSED}`,
    );
    expectRefusal(
      await harness.app.inject({ url: `${url}?q=ok&q=%00` }),
      `querystring/q/1 ${REFUSED}`,
    );
    expectRefusal(
      await harness.app.inject({ url: `${url}?na%00me=1` }),
      `querystring ${REFUSED_NAME}`,
    );
  });

  it('S38: passes well-formed text on, coerced as before', async () => {
    const response = await harness.app.inject({ url: '/api/v1/test/things/1?q=%E2%98%85%20fade' });
    expect(response.statusCode).toBe(200);
    expect(handled.at(-1)).toEqual({ q: '★ fade' });
  });
});

describe('numbers that are not finite', () => {
  it.each(['Infinity', '-Infinity', '1e400'])(
    'a query value of %s is 400, though the schema lets it past its maximum',
    async (value) => {
      expectRefusal(
        await harness.app.inject({ url: `/api/v1/test/limited?n=${value}` }),
        'querystring/n must be a finite number',
      );
    },
  );

  it('a body number JSON reads as Infinity is 400', async () => {
    expectRefusal(
      await post('/api/v1/test/anything', '{"n":1e400}'),
      'body/n must be a finite number',
    );
  });

  it('a finite number passes, coerced', async () => {
    const response = await harness.app.inject({ url: '/api/v1/test/limited?n=42' });
    expect(response.statusCode).toBe(200);
    expect(handled.at(-1)).toEqual({ n: 42 });
  });
});
