// S21, S22, S32, S7: the per-IP auth limit, who counts as the client, the
// budget shared by instances, and failing closed when the store is down.
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.js';
import { StoreUnavailableError } from '../../src/platform/store/index.js';
import {
  type AccountsApp,
  createVerifiedUser,
  signIn,
  startAccountsApp,
} from '../support/accounts.js';
import { testConfig } from '../support/app.js';
import {
  openTestDatabase,
  openTestStore,
  testKeyPrefix,
  testRedisUrl,
} from '../support/backends.js';
import type { Browser } from '../support/browser.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const FORGOT = '/api/v1/auth/password/forgot';
const LIMIT = 20;

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function accountsApp(env: Record<string, string> = {}): Promise<AccountsApp> {
  const accounts = await startAccountsApp({ env });
  cleanups.push(() => accounts.close());
  return accounts;
}

/** Forgot-password requests from `browser`, each with a valid CSRF token; their status codes. */
async function forgotStatuses(
  browser: Browser,
  count: number,
  headers: Record<string, string> = {},
) {
  const statuses: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const response = await browser.request({
      method: 'POST',
      url: FORGOT,
      body: { email: 'nobody@example.com' },
      headers,
    });
    statuses.push(response.statusCode);
  }
  return statuses;
}

describe('S44 sliding windows and the two budgets', () => {
  it('in any 60 s at most AUTH_RATE_LIMIT_PER_MIN pass, 20 at 0:59 and 20 at 1:01 included', async () => {
    const accounts = await accountsApp();
    const browser = accounts.browser('198.51.100.40');
    await browser.fetchCsrf();
    accounts.advance(59_000);
    expect(await forgotStatuses(browser, LIMIT)).toEqual(Array(LIMIT).fill(200));
    accounts.advance(2_000);
    expect(await forgotStatuses(browser, LIMIT)).toEqual(Array(LIMIT).fill(429));
    accounts.advance(57_999);
    const edge = await browser.request({ method: 'POST', url: FORGOT, body: { email: 'a@b.co' } });
    expect(edge.statusCode).toBe(429);
    expect(edge.headers['retry-after']).toBe('1');
    accounts.advance(1);
    expect(await forgotStatuses(browser, 1)).toEqual([200]);
  });

  it('S37: counts every spelling of a path against its route, since the route decides', async () => {
    const accounts = await accountsApp();
    const browser = accounts.browser('198.51.100.43');
    await browser.fetchCsrf();
    const spellings = ['/api/v1/auth/password/forgot', '/api/v1/auth/password/%66orgot', FORGOT];
    const statuses: number[] = [];
    for (let index = 0; index <= LIMIT; index += 1) {
      const url = spellings[index % spellings.length] as string;
      statuses.push(
        (await browser.request({ method: 'POST', url, body: { email: 'a@b.co' } })).statusCode,
      );
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);
  });

  it('page-load reads have their own larger budget, exact at its boundary', async () => {
    const reads = 30;
    const accounts = await accountsApp({ AUTH_READ_RATE_LIMIT_PER_MIN: String(reads) });
    const ip = '198.51.100.41';
    const get = async (url: string, count: number) => {
      const codes: number[] = [];
      for (let index = 0; index < count; index += 1) {
        codes.push((await accounts.app.inject({ url, remoteAddress: ip })).statusCode);
      }
      return codes;
    };
    for (const url of ['/api/v1/auth/csrf', '/api/v1/auth/providers']) {
      expect(await get(url, reads)).toEqual(Array(reads).fill(200));
      expect(await get(url, 1)).toEqual([429]);
    }
    expect(await get('/api/v1/auth/me', reads)).toEqual(Array(reads).fill(401));
    expect(await get('/api/v1/auth/me', 1)).toEqual([429]);
    expect(await get('/api/v1/auth/sessions', reads)).toEqual(Array(reads).fill(401));
    expect(await get('/api/v1/auth/sessions', 1)).toEqual([429]);
    // What checks a credential keeps the strict budget meanwhile.
    const browser = accounts.browser('198.51.100.42');
    await browser.fetchCsrf();
    expect(await forgotStatuses(browser, LIMIT + 1)).toEqual([...Array(LIMIT).fill(200), 429]);
  });

  it('the read budget defaults to 600 a minute and the strict one to 20', async () => {
    const accounts = await accountsApp();
    expect(accounts.config.auth.readRateLimitPerMinute).toBe(600);
    expect(accounts.config.auth.rateLimitPerMinute).toBe(LIMIT);
  });
});

describe('S21 per-IP limit on auth routes', () => {
  it('the 21st request in a minute from one IP is 429 with Retry-After', async () => {
    const accounts = await accountsApp();
    const browser = accounts.browser('198.51.100.7');
    await browser.fetchCsrf();
    expect(await forgotStatuses(browser, LIMIT)).toEqual(Array(LIMIT).fill(200));
    const refused = await browser.request({
      method: 'POST',
      url: FORGOT,
      body: { email: 'a@b.co' },
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().detail).toMatch(/^Too many requests; try again in \d+ seconds$/);
    expect(refused.headers['x-ratelimit-limit']).toBe(String(LIMIT));
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect(refused.headers['x-ratelimit-reset']).toBe(refused.headers['retry-after']);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another IP has its own budget.
    const other = accounts.browser('198.51.100.8');
    await other.fetchCsrf();
    expect(await forgotStatuses(other, 1)).toEqual([200]);
  });

  it('gives each route and method its own budget, and counts a HEAD once', async () => {
    const accounts = await accountsApp({ AUTH_READ_RATE_LIMIT_PER_MIN: String(LIMIT) });
    const ip = '198.51.100.9';
    const statuses = async (method: 'GET' | 'HEAD', url: string, count: number) => {
      const codes: number[] = [];
      for (let index = 0; index < count; index += 1) {
        codes.push((await accounts.app.inject({ method, url, remoteAddress: ip })).statusCode);
      }
      return codes;
    };
    const csrf = '/api/v1/auth/csrf';
    expect(await statuses('GET', csrf, LIMIT)).toEqual(Array(LIMIT).fill(200));
    expect(await statuses('GET', '/api/v1/auth/me', 1)).toEqual([401]);
    expect(await statuses('HEAD', csrf, LIMIT)).toEqual(Array(LIMIT).fill(200));
    expect(await statuses('HEAD', csrf, 1)).toEqual([429]);
    expect(await statuses('GET', csrf, 1)).toEqual([429]);
  });

  it('a spoofed X-Forwarded-For from an untrusted peer does not reset the budget', async () => {
    const accounts = await accountsApp();
    const browser = accounts.browser('198.51.100.7');
    await browser.fetchCsrf();
    await forgotStatuses(browser, LIMIT);
    const spoofed = await forgotStatuses(browser, 3, { 'x-forwarded-for': '192.0.2.1' });
    expect(spoofed).toEqual([429, 429, 429]);
  });

  it('behind a trusted proxy, two clients get separate budgets', async () => {
    const accounts = await accountsApp({ TRUSTED_PROXIES: '10.0.0.1' });
    const proxy = accounts.browser('10.0.0.1');
    await proxy.fetchCsrf();
    const first = await forgotStatuses(proxy, LIMIT + 1, { 'x-forwarded-for': '192.0.2.1' });
    expect(first.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(first.at(-1)).toBe(429);
    const second = await forgotStatuses(proxy, 1, { 'x-forwarded-for': '192.0.2.2' });
    expect(second).toEqual([200]);
  });

  it('S22: IPv6 clients in one /64 share a budget', async () => {
    const accounts = await accountsApp();
    const one = accounts.browser('2001:db8:1:2::1');
    await one.fetchCsrf();
    await forgotStatuses(one, LIMIT);
    const neighbour = accounts.browser('2001:db8:1:2:ffff::9');
    neighbour.csrfToken = one.csrfToken;
    for (const [name, value] of one.cookies) neighbour.cookies.set(name, value);
    expect(await forgotStatuses(neighbour, 1)).toEqual([429]);
    const elsewhere = accounts.browser('2001:db8:1:3::1');
    await elsewhere.fetchCsrf();
    expect(await forgotStatuses(elsewhere, 1)).toEqual([200]);
  });
});

describe('S21 counting and the session lookup share one store round trip', () => {
  /** Store calls made while `action` runs, by method name. */
  async function storeCallsDuring(accounts: AccountsApp, action: () => Promise<unknown>) {
    const store = accounts.store as unknown as Record<string, (...args: unknown[]) => unknown>;
    const calls: string[] = [];
    const originals = new Map<string, (...args: unknown[]) => unknown>();
    for (const method of ['get', 'admit', 'admitAndGet']) {
      const original = store[method] as (...args: unknown[]) => unknown;
      originals.set(method, original);
      store[method] = (...args: unknown[]) => {
        calls.push(method);
        return original.apply(accounts.store, args);
      };
    }
    try {
      await action();
    } finally {
      for (const [method, original] of originals) store[method] = original;
    }
    return calls;
  }

  it('a signed-in request is counted and finds its session in one call; an anonymous one only counts', async () => {
    const accounts = await accountsApp();
    const browser = accounts.browser();
    await createVerifiedUser(accounts, browser, 'one@example.com');
    await signIn(browser, 'one@example.com');
    let me = { statusCode: 0 };
    const signedIn = await storeCallsDuring(accounts, async () => {
      me = await browser.request({ url: '/api/v1/auth/me' });
    });
    expect(me.statusCode).toBe(200);
    expect(signedIn).toEqual(['admitAndGet']);

    const stranger = accounts.browser('198.51.100.30');
    const anonymous = await storeCallsDuring(accounts, async () => {
      me = await stranger.request({ url: '/api/v1/auth/me' });
    });
    expect(me.statusCode).toBe(401);
    expect(anonymous).toEqual(['admit']);
  });
});

describe('S21, S32 a store that cannot count', () => {
  /** Makes the store's counting calls fail as an unreachable Redis does. */
  function breakCounting(accounts: AccountsApp): void {
    const unreachable = () => Promise.reject(new StoreUnavailableError('Redis unavailable: test'));
    vi.spyOn(accounts.store, 'admit').mockImplementation(unreachable);
    vi.spyOn(accounts.store, 'admitAndGet').mockImplementation(unreachable);
  }

  it('refuses an anonymous request with 503 instead of letting it through', async () => {
    const accounts = await accountsApp();
    breakCounting(accounts);
    const response = await accounts.browser().request({ url: '/api/v1/auth/csrf' });
    expect(response.statusCode).toBe(503);
    expect(response.json().detail).toMatch(/temporarily unavailable/);
  });

  it('refuses a signed-in request with 503 and keeps its cookie', async () => {
    const accounts = await accountsApp();
    const browser = accounts.browser();
    await createVerifiedUser(accounts, browser, 'two@example.com');
    await signIn(browser, 'two@example.com');
    breakCounting(accounts);
    const response = await browser.request({ url: '/api/v1/auth/me' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['set-cookie']).toBeUndefined();
  });
});

describe('S21 shared budget', () => {
  it('two app instances on one store let exactly 20 of 40 concurrent requests through', async () => {
    // On Redis each instance has its own connection; embedded, they share the one in-process store.
    const keyPrefix = testKeyPrefix();
    const shared = testRedisUrl ? null : (await openTestStore()).store;
    const apps: FastifyInstance[] = [];
    for (let index = 0; index < 2; index += 1) {
      const app = await buildApp(
        testConfig({ LOG_LEVEL: 'silent', AUTH_READ_RATE_LIMIT_PER_MIN: '20' }),
        {
          database: await openTestDatabase(),
          store: shared ?? (await openTestStore({ keyPrefix })).store,
          staticRoot: null,
        },
      );
      cleanups.push(() => app.close());
      apps.push(app);
    }
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_unused, index) =>
        apps[index % 2]?.inject({ url: '/api/v1/auth/csrf', remoteAddress: '198.51.100.20' }),
      ),
    );
    const statuses = responses.map((response) => response?.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(20);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
  });
});

describe.runIf(testRedisUrl)('S7, S21, S32 with Redis down', () => {
  it('auth routes fail closed with 503, and a signed-in user is not signed out', async () => {
    const redis = new URL(testRedisUrl as string);
    const proxy = await startTcpProxy(redis.hostname, Number(redis.port || 6379));
    cleanups.push(() => proxy.close());
    const proxied = new URL(redis);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const accounts = await startAccountsApp({ storeOptions: { redisUrl: proxied.toString() } });
    cleanups.push(() => accounts.close());
    const browser = accounts.browser();
    await createVerifiedUser(accounts, browser, 'ken@example.com');
    await signIn(browser, 'ken@example.com');

    await proxy.cut();
    const me = await browser.request({ url: '/api/v1/auth/me' });
    expect(me.statusCode).toBe(503);
    expect(me.json().detail).toMatch(/temporarily unavailable/);
    expect(me.headers['set-cookie']).toBeUndefined();
    const login = await browser.send('POST', '/api/v1/auth/login', {
      email: 'ken@example.com',
      password: 'whatever it is',
    });
    expect(login.statusCode).toBe(503);

    await proxy.restore();
    await expect
      .poll(async () => (await browser.request({ url: '/api/v1/auth/me' })).statusCode, {
        interval: 200,
      })
      .toBe(200);
  });
});
