// S37: CSRF and origin checks belong to the route the router matched, not to
// the text of the URL. Every unsafe route of the app is listed from the
// router itself (an onRoute hook), so a route added later is covered without
// touching this test, and each is sent under the spellings a router accepts
// for one path, straight over a socket as an attacker would write them.
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuthorization, adminBasicAuth } from '../support/admin.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { Browser } from '../support/browser.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Routes reviewed and allowed to skip the checks (`config.csrfExempt`): none today. */
const REVIEWED_EXEMPT: readonly string[] = [];
const HOST = 'tracera.test';
const CROSS_SITE = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
/**
 * Sent on every request, from 127.0.0.1 (inside the default admin
 * allowlist): the admin routes' gate lets them through to the CSRF check, as
 * a browser holding the admin's basic-auth credentials would be (S28).
 */
const ADMIN_AUTHORIZATION = adminAuthorization();

interface UnsafeRoute {
  readonly method: string;
  readonly url: string;
}

let test: TestApp;
let port: number;
const unsafeRoutes: UnsafeRoute[] = [];
const exempt: string[] = [];
/** Handler calls by `METHOD url`, from a wrapper around every handler. */
const reached: string[] = [];

beforeAll(async () => {
  test = await buildTestApp({
    env: {
      BASE_URL: `http://${HOST}`,
      ADMIN_BASIC_AUTH: await adminBasicAuth(),
      AUTH_RATE_LIMIT_PER_MIN: '100000000',
      GOOGLE_CLIENT_ID: 'google-client',
      GOOGLE_CLIENT_SECRET: 'google-secret',
      GITHUB_CLIENT_ID: 'github-client',
      GITHUB_CLIENT_SECRET: 'github-secret',
    },
    onRoute(route: RouteOptions) {
      for (const method of [route.method].flat()) {
        if (UNSAFE.has(method)) unsafeRoutes.push({ method, url: route.url });
      }
      if (route.config?.csrfExempt) exempt.push(route.url);
      const handler = route.handler;
      route.handler = function (request, reply) {
        reached.push(`${request.method} ${route.url}`);
        return handler.call(this, request, reply);
      };
    },
  });
  await test.app.listen({ host: '127.0.0.1', port: 0 });
  port = (test.app.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await test.app.close();
});

/** A path the route matches: each parameter filled with a plausible value. */
function concretePath(url: string): string {
  return url.replace(/:[A-Za-z_]+/g, (name) => (name === ':provider' ? 'steam' : '1'));
}

const encodeChar = (char: string, upper: boolean) => {
  const hex = char.charCodeAt(0).toString(16);
  return `%${upper ? hex.toUpperCase() : hex}`;
};

/** The same path written as a router may accept it, and a few it should not. */
function spellings(path: string): Record<string, string> {
  const segments = path.split('/');
  const last = segments.length - 1;
  const lastSegment = segments[last] ?? '';
  const encodedLast = [...segments];
  encodedLast[last] = encodeChar(lastSegment.charAt(0), true) + lastSegment.slice(1);
  return {
    canonical: path,
    'percent-encoded first letter': `/${encodeChar('a', false)}${path.slice(2)}`,
    'percent-encoded letter in the last segment': encodedLast.join('/'),
    'absolute form': `http://${HOST}${path}`,
    'absolute form, another host': `http://evil.example${path}`,
    'with a query': `${path}?x=1`,
    'trailing slash': `${path}/`,
    'doubled slash': path.replace('/v1/', '/v1//'),
    'leading doubled slash': `/${path}`,
    'upper case': path.toUpperCase(),
    'dot segment': path.replace('/v1/', '/v1/./'),
    'dot-dot segment': path.replace('/v1/', '/v1/x/../'),
    'encoded slash': path.replace('/v1/', '/v1%2F'),
    semicolon: `${path};x=1`,
  };
}

/** One raw HTTP/1.1 request; resolves with the status code once the server answered. */
function rawRequest(method: string, target: string, headers: Record<string, string>) {
  return new Promise<number>((resolve, reject) => {
    const body = '{}';
    const socket = connect(port, '127.0.0.1');
    const lines = [
      `${method} ${target} HTTP/1.1`,
      `host: ${HOST}`,
      'connection: close',
      'content-type: application/json',
      `content-length: ${body.length}`,
      `authorization: ${ADMIN_AUTHORIZATION}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(answer);
      if (status) resolve(Number(status[1]));
      else
        reject(
          new Error(
            `${method} ${target}: no status line in ${JSON.stringify(answer.slice(0, 80))}`,
          ),
        );
    });
    // Written without half-closing: `connection: close` has the server close
    // once it answers. A half-closed socket is dropped by Node while a route's
    // hooks still wait (the admin gate verifies a password first), and no
    // browser half-closes.
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  });
}

describe('S37 CSRF and origin checks by route', () => {
  it('lists the unsafe routes from the router, none of them exempt unless reviewed', () => {
    expect(unsafeRoutes.length).toBeGreaterThanOrEqual(10);
    expect(unsafeRoutes).toContainEqual({ method: 'POST', url: '/api/v1/auth/login' });
    expect(unsafeRoutes).toContainEqual({ method: 'PATCH', url: '/api/v1/me' });
    expect(exempt.sort()).toEqual([...REVIEWED_EXEMPT].sort());
  });

  it('refuses every unsafe route under every spelling, with no token and a cross-site origin', async () => {
    const answers: string[] = [];
    for (const { method, url } of unsafeRoutes) {
      for (const [name, target] of Object.entries(spellings(concretePath(url)))) {
        for (const [attack, headers] of Object.entries({
          'cross-site': CROSS_SITE,
          'no origin': {},
        })) {
          const status = await rawRequest(method, target, headers);
          answers.push(`${method} ${url} ${name} ${attack}: ${status}`);
          // 403 where the router matched the route; otherwise the router found nothing.
          const expected = [403, 404];
          if (!expected.includes(status))
            throw new Error(`${method} ${target} (${attack}) got ${status}`);
        }
      }
    }
    expect(reached).toEqual([]);
    // The spellings a router accepts did reach the route, and were refused there.
    for (const { method, url } of unsafeRoutes) {
      for (const name of [
        'canonical',
        'percent-encoded first letter',
        'percent-encoded letter in the last segment',
        'absolute form',
        'absolute form, another host',
        'with a query',
      ]) {
        for (const attack of ['cross-site', 'no origin']) {
          expect(answers).toContain(`${method} ${url} ${name} ${attack}: 403`);
        }
      }
    }
  });

  it('lets a same-origin request with its token through to the handler', async () => {
    const browser = new Browser(test.app);
    await browser.fetchCsrf();
    const response = await browser.request({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { origin: `http://${HOST}`, 'sec-fetch-site': 'same-origin' },
    });
    expect(response.statusCode).toBe(204);
    expect(reached).toContain('POST /api/v1/auth/logout');
  });
});
