// /metrics on the whole app: a scrape after real traffic through the real
// routes, limits and sign-in has the counts that traffic made, and the
// admin gate keeps out every address off the allowlist, and anyone
// without the admin's credentials (S28).
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AccountsApp,
  createVerifiedUser,
  PASSWORD,
  startAccountsApp,
} from '../support/accounts.js';
import { adminAuthorization, adminBasicAuth } from '../support/admin.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function accountsApp(): Promise<AccountsApp> {
  const accounts = await startAccountsApp({ env: { ADMIN_BASIC_AUTH: await adminBasicAuth() } });
  cleanups.push(() => accounts.close());
  return accounts;
}

async function scrape(
  accounts: AccountsApp,
  remoteAddress = '127.0.0.1',
  authorization: string | null = adminAuthorization(),
) {
  return accounts.app.inject({
    method: 'GET',
    url: '/metrics',
    remoteAddress,
    headers: authorization ? { authorization } : {},
  });
}

/** The value of the one sample of `name` whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text
    .split('\n')
    .find(
      (candidate) => candidate.startsWith(`${name}{`) && pairs.every((p) => candidate.includes(p)),
    );
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('/metrics on the app', () => {
  it('S28: behind the admin gate: 403 off the allowlist, 401 without credentials, then text', async () => {
    const accounts = await accountsApp();
    const refused = await scrape(accounts, '203.0.113.20');
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['www-authenticate']).toBeUndefined();
    expect(refused.body).not.toContain('tracera_');
    const challenged = await scrape(accounts, '127.0.0.1', null);
    expect(challenged.statusCode).toBe(401);
    expect(challenged.headers['www-authenticate']).toMatch(/^Basic realm="Tracera admin"/);
    expect(challenged.body).not.toContain('tracera_');
    const served = await scrape(accounts);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('a wrong password counts as a password login failure; a right one as a success', async () => {
    const accounts = await accountsApp();
    const browser = accounts.browser('198.51.100.30');
    await createVerifiedUser(accounts, browser, 'metrics@example.com');
    const wrong = await browser.send('POST', '/api/v1/auth/login', {
      email: 'metrics@example.com',
      password: 'not the password at all',
    });
    expect(wrong.statusCode).toBe(401);
    const right = await browser.send('POST', '/api/v1/auth/login', {
      email: 'metrics@example.com',
      password: PASSWORD,
    });
    expect(right.statusCode).toBe(200);
    const text = (await scrape(accounts)).body;
    const logins = (outcome: string) =>
      sample(text, 'tracera_logins_total', { method: 'password', outcome });
    expect(logins('failure')).toBe(1);
    expect(logins('success')).toBe(1);
    expect(
      sample(text, 'tracera_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/v1/auth/login',
        status_class: '4xx',
      }),
    ).toBe(1);
  });

  it('a request past the auth budget counts one 429 against it', async () => {
    const accounts = await accountsApp();
    const browser = accounts.browser('198.51.100.31');
    const limit = accounts.config.auth.rateLimitPerMinute;
    const statuses: number[] = [];
    for (let index = 0; index <= limit; index += 1) {
      const response = await browser.send('POST', '/api/v1/auth/password/forgot', {
        email: 'nobody@example.com',
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((status) => status === 429)).toHaveLength(1);
    const text = (await scrape(accounts)).body;
    expect(sample(text, 'tracera_rate_limited_total', { budget: 'auth', tier: 'strict' })).toBe(1);
    expect(
      sample(text, 'tracera_http_request_duration_seconds_count', {
        route: '/api/v1/auth/password/forgot',
        status_class: '4xx',
      }),
    ).toBe(1);
  });
});
