// S28, S32, S35, S37, S44: the admin gate in front of /admin/api. The order
// of its checks (allowlist, then basic auth), its constant work, its failure
// window, failing closed, its audit rows, and CSRF on the unsafe routes.
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_REALM_CHALLENGE } from '../../src/admin/gate.js';
import { DEFAULT_STATIC_ROOT } from '../../src/app.js';
import { queryAuditEvents } from '../../src/audit/events.js';
import { StoreUnavailableError } from '../../src/platform/store/index.js';
import { CSRF_REFUSED } from '../../src/shared/csrf.js';
import { ADMIN_PAGE_ROUTES } from '../../src/web/web-app.js';
import { type AccountsApp, startAccountsApp } from '../support/accounts.js';
import { adminBasicAuth } from '../support/admin.js';

const ADMIN_USER = 'ops';
const ADMIN_PASSWORD = 'a long admin passphrase 7';
const STATUS = '/admin/api/status';
const INSIDE = '127.0.0.1';
const OUTSIDE = '203.0.113.50';
const MAX_FAILURES = 3;

let adminBasicAuthValue = '';
beforeAll(async () => {
  adminBasicAuthValue = await adminBasicAuth(ADMIN_PASSWORD);
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function adminApp(
  env: Record<string, string> = {},
  staticRoot?: string,
): Promise<AccountsApp> {
  const accounts = await startAccountsApp({
    ...(staticRoot ? { staticRoot } : {}),
    env: {
      ADMIN_BASIC_AUTH: adminBasicAuthValue,
      ADMIN_AUTH_MAX_FAILURES: String(MAX_FAILURES),
      ...env,
    },
  });
  cleanups.push(() => accounts.close());
  return accounts;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

const RIGHT = basic(ADMIN_USER, ADMIN_PASSWORD);

function get(
  accounts: AccountsApp,
  ip: string,
  authorization?: string,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return accounts.app.inject({
    url: STATUS,
    remoteAddress: ip,
    headers: { ...headers, ...(authorization ? { authorization } : {}) },
  });
}

describe('S28 the allowlist comes before basic auth', () => {
  it('S28: a request from outside the allowlist is 403 with no basic-auth challenge', async () => {
    const accounts = await adminApp();
    const calls = accounts.hasher.calls;
    const response = await get(accounts, OUTSIDE, RIGHT);
    expect(response.statusCode).toBe(403);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toEqual({ detail: expect.any(String) });
    expect(accounts.hasher.calls).toBe(calls);
  });

  it('S28: inside the allowlist, a request without credentials is 401 with the challenge', async () => {
    const accounts = await adminApp();
    const response = await get(accounts, INSIDE);
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe(ADMIN_REALM_CHALLENGE);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('S28: malformed credentials are 401 with the challenge', async () => {
    const accounts = await adminApp();
    for (const header of [
      'Bearer abc',
      'Basic !!!',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
    ]) {
      const response = await get(accounts, INSIDE, header);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe(ADMIN_REALM_CHALLENGE);
    }
  });

  it('S28: the right credentials from an allowed address are 200, no-store', async () => {
    const accounts = await adminApp();
    const response = await get(accounts, INSIDE, RIGHT);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toMatchObject({
      database: { state: 'up' },
      store: { state: 'up' },
    });
  });

  it('S28: IPv6 loopback is inside the default allowlist', async () => {
    const accounts = await adminApp();
    expect((await get(accounts, '::1', RIGHT)).statusCode).toBe(200);
    expect((await get(accounts, '::ffff:127.0.0.1', RIGHT)).statusCode).toBe(200);
  });

  it('S28: ADMIN_IP_ALLOWLIST admits the blocks it lists, and only those', async () => {
    const accounts = await adminApp({ ADMIN_IP_ALLOWLIST: '198.51.100.0/24' });
    expect((await get(accounts, '198.51.100.7', RIGHT)).statusCode).toBe(200);
    expect((await get(accounts, INSIDE, RIGHT)).statusCode).toBe(403);
  });

  it('S28: with ADMIN_BASIC_AUTH unset, admin routes answer 404 as if absent, unaudited', async () => {
    const accounts = await startAccountsApp();
    cleanups.push(() => accounts.close());
    const response = await get(accounts, INSIDE, RIGHT);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ detail: 'Not found' });
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(await queryAuditEvents(accounts.database, { event: 'admin_access' })).toEqual([]);
  });
});

describe('S28, S22 the client address behind a proxy', () => {
  it('S22: X-Forwarded-For is believed from TRUSTED_PROXIES only', async () => {
    const accounts = await adminApp({ TRUSTED_PROXIES: '10.0.0.1' });
    const viaProxy = await get(accounts, '10.0.0.1', RIGHT, { 'x-forwarded-for': INSIDE });
    expect(viaProxy.statusCode).toBe(200);
    const spoofed = await get(accounts, OUTSIDE, RIGHT, { 'x-forwarded-for': INSIDE });
    expect(spoofed.statusCode).toBe(403);
    const outsideViaProxy = await get(accounts, '10.0.0.1', RIGHT, { 'x-forwarded-for': OUTSIDE });
    expect(outsideViaProxy.statusCode).toBe(403);
  });
});

describe('S28, S44 wrong credentials', () => {
  it('S28: a wrong user and a wrong password cost the same one hash and get the same 401', async () => {
    const accounts = await adminApp();
    let calls = accounts.hasher.calls;
    const wrongUser = await get(accounts, INSIDE, basic('root', ADMIN_PASSWORD));
    expect(accounts.hasher.calls - calls).toBe(1);
    calls = accounts.hasher.calls;
    const wrongPassword = await get(accounts, INSIDE, basic(ADMIN_USER, 'not the password 1'));
    expect(accounts.hasher.calls - calls).toBe(1);
    for (const response of [wrongUser, wrongPassword]) {
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe(ADMIN_REALM_CHALLENGE);
    }
    expect(wrongUser.body).toBe(wrongPassword.body);
  });

  it('S44: the 4th wrong pair in the window is 429 with Retry-After, and locks the right one out too', async () => {
    const accounts = await adminApp();
    const wrong = basic(ADMIN_USER, 'not the password 1');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < MAX_FAILURES; attempt += 1) {
      statuses.push((await get(accounts, INSIDE, wrong)).statusCode);
    }
    expect(statuses).toEqual(Array(MAX_FAILURES).fill(401));
    const refused = await get(accounts, INSIDE, wrong);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const calls = accounts.hasher.calls;
    const locked = await get(accounts, INSIDE, RIGHT);
    expect(locked.statusCode).toBe(429);
    expect(accounts.hasher.calls).toBe(calls);
    // Another client has its own window.
    expect((await get(accounts, '127.0.0.2', RIGHT)).statusCode).toBe(200);
    accounts.advance(15 * 60_000);
    expect((await get(accounts, INSIDE, RIGHT)).statusCode).toBe(200);
  });

  it('S32: when the store cannot count, the gate answers 503 instead of passing, and audits it', async () => {
    const accounts = await adminApp();
    const unreachable = () => Promise.reject(new StoreUnavailableError('Redis unavailable: test'));
    vi.spyOn(accounts.store, 'get').mockImplementation(unreachable);
    vi.spyOn(accounts.store, 'admit').mockImplementation(unreachable);
    expect((await get(accounts, INSIDE, RIGHT)).statusCode).toBe(503);
    const [row] = await queryAuditEvents(accounts.database, { event: 'admin_access' });
    expect(row).toMatchObject({ outcome: 'failure', detail: { reason: 'unavailable' } });
    expect((await get(accounts, INSIDE, basic(ADMIN_USER, 'wrong password 12'))).statusCode).toBe(
      503,
    );
  });
});

describe('S28 the admin pages', () => {
  it.each(ADMIN_PAGE_ROUTES)(
    'S28: %s is the app only through the gate, never stored',
    async (url) => {
      const accounts = await adminApp({}, DEFAULT_STATIC_ROOT);
      const page = (ip: string, authorization?: string) =>
        accounts.app.inject({
          url,
          remoteAddress: ip,
          headers: { accept: 'text/html', ...(authorization ? { authorization } : {}) },
        });
      const outside = await page(OUTSIDE, RIGHT);
      expect(outside.statusCode).toBe(403);
      expect(outside.headers['www-authenticate']).toBeUndefined();
      const anonymous = await page(INSIDE);
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe(ADMIN_REALM_CHALLENGE);
      expect(anonymous.body).not.toContain('<div id="root">');
      const admin = await page(INSIDE, RIGHT);
      expect(admin.statusCode).toBe(200);
      expect(admin.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(admin.headers['cache-control']).toBe('no-store');
      expect(admin.headers['content-security-policy']).toBeDefined();
      expect(admin.body).toContain('<div id="root"></div>');
    },
  );
});

describe('S44 the request budget comes first', () => {
  it('S44: past ADMIN_RATE_LIMIT_PER_MIN a client is 429, and the flood writes no audit rows', async () => {
    const accounts = await adminApp({ ADMIN_RATE_LIMIT_PER_MIN: '3' });
    for (let request = 0; request < 3; request += 1) {
      expect((await get(accounts, OUTSIDE, RIGHT)).statusCode).toBe(403);
    }
    const calls = accounts.hasher.calls;
    for (let request = 0; request < 5; request += 1) {
      const refused = await get(accounts, OUTSIDE, RIGHT);
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
    const rows = await queryAuditEvents(accounts.database, { event: 'admin_access' });
    expect(rows).toHaveLength(3);
    // Each client has its own budget, and nothing was hashed for the flood.
    expect((await get(accounts, INSIDE, RIGHT)).statusCode).toBe(200);
    expect(accounts.hasher.calls).toBe(calls + 1);
  });
});

describe('S35 every admin access is audited', () => {
  it('S35: one admin_access row per request, success and failure, with the route and no query', async () => {
    const accounts = await adminApp();
    await get(accounts, OUTSIDE, RIGHT);
    await get(accounts, INSIDE);
    await get(accounts, INSIDE, basic(ADMIN_USER, 'not the password 1'));
    await accounts.app.inject({
      url: '/admin/api/users?q=secret%40example.com',
      remoteAddress: INSIDE,
      headers: { authorization: RIGHT },
    });
    const rows = await queryAuditEvents(accounts.database, { event: 'admin_access' });
    expect(rows.map((row) => [row.outcome, row.detail.reason ?? null, row.detail.path])).toEqual([
      ['success', null, '/admin/api/users'],
      ['failure', 'wrong_credentials', STATUS],
      ['failure', 'no_credentials', STATUS],
      ['failure', 'not_allowlisted', STATUS],
    ]);
    expect(rows.map((row) => row.ip)).toEqual([INSIDE, INSIDE, INSIDE, OUTSIDE]);
    expect(JSON.stringify(rows)).not.toContain('secret');
    expect(JSON.stringify(rows)).not.toContain(ADMIN_PASSWORD);
  });
});

describe('S37 CSRF on unsafe admin routes', () => {
  async function disable(
    accounts: AccountsApp,
    headers: Record<string, string>,
  ): Promise<LightMyRequestResponse> {
    return accounts.app.inject({
      method: 'POST',
      url: '/admin/api/users/1/disable',
      remoteAddress: INSIDE,
      headers: { authorization: RIGHT, ...headers },
    });
  }

  it('S37: a POST with the right credentials but no CSRF token is refused 403', async () => {
    const accounts = await adminApp();
    const response = await disable(accounts, {});
    expect(response.statusCode).toBe(403);
    expect(response.json().detail).toBe(CSRF_REFUSED);
  });

  it('S37: a cross-site POST carrying the credentials is refused 403', async () => {
    const accounts = await adminApp();
    const response = await disable(accounts, {
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    expect(response.statusCode).toBe(403);
  });

  it('S37: every spelling of an unsafe admin path gets the same check', async () => {
    const accounts = await adminApp();
    for (const url of ['/admin/api/users/1/%64isable', '/admin/api/users/1/disable']) {
      const response = await accounts.app.inject({
        method: 'POST',
        url,
        remoteAddress: INSIDE,
        headers: { authorization: RIGHT },
      });
      expect(response.statusCode).toBe(403);
    }
  });
});
