// S8-S10: every unsafe /api request needs a CSRF token signed for its own
// session or pre-session, and a cross-site origin is refused even with one.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AccountsApp,
  createVerifiedUser,
  PASSWORD,
  signIn,
  startAccountsApp,
} from '../support/accounts.js';

const EMAIL = 'barbara@example.com';
const CSRF_REFUSED = { detail: 'Missing or invalid CSRF token' };

let accounts: AccountsApp;

beforeEach(async () => {
  accounts = await startAccountsApp();
  await createVerifiedUser(accounts, accounts.browser(), EMAIL);
});

afterEach(async () => {
  await accounts.close();
});

const requests = {
  login: { url: '/api/v1/auth/login', body: { email: EMAIL, password: PASSWORD } },
  signup: { url: '/api/v1/auth/signup', body: { email: 'new@example.com', password: PASSWORD } },
  logout: { url: '/api/v1/auth/logout', body: undefined },
} as const;

describe.each(Object.entries(requests))('S8-S10 on %s', (_name, { url, body }) => {
  it('refuses a request without a token', async () => {
    const browser = accounts.browser();
    await browser.fetchCsrf();
    const response = await browser.request({ method: 'POST', url, body, csrf: false });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual(CSRF_REFUSED);
  });

  it('refuses a token from another visitor', async () => {
    const attacker = accounts.browser();
    const token = await attacker.fetchCsrf();
    const victim = accounts.browser();
    await victim.fetchCsrf();
    victim.csrfToken = token;
    const response = await victim.request({ method: 'POST', url, body });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual(CSRF_REFUSED);
  });

  it('refuses a token from another session', async () => {
    const attacker = accounts.browser();
    await signIn(attacker, EMAIL);
    const victim = accounts.browser();
    await signIn(victim, EMAIL);
    victim.csrfToken = attacker.csrfToken;
    const response = await victim.request({ method: 'POST', url, body });
    expect(response.statusCode).toBe(403);
  });

  it.each([
    [{ origin: 'https://evil.example' }],
    [{ origin: 'null' }],
    [{ 'sec-fetch-site': 'cross-site' }],
    [{ 'sec-fetch-site': 'same-site' }],
  ])('refuses a cross-site request even with a valid token: %j', async (headers) => {
    const browser = accounts.browser();
    await browser.fetchCsrf();
    const response = await browser.request({ method: 'POST', url, body, headers });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ detail: 'Cross-site request refused' });
  });

  it('accepts the right token from our own origin', async () => {
    const browser = accounts.browser();
    await browser.fetchCsrf();
    const response = await browser.request({
      method: 'POST',
      url,
      body,
      headers: { origin: 'http://tracera.test', 'sec-fetch-site': 'same-origin' },
    });
    expect(response.statusCode).toBeLessThan(300);
  });
});

describe('S9 token binding', () => {
  it('a pre-session token stops working once the visitor signs in', async () => {
    const browser = accounts.browser();
    const anonymous = await browser.fetchCsrf();
    await signIn(browser, EMAIL);
    browser.csrfToken = anonymous;
    const response = await browser.send('PATCH', '/api/v1/me', { name: 'Barbara' });
    expect(response.statusCode).toBe(403);
  });

  it('a tampered signature is refused', async () => {
    const browser = accounts.browser();
    const token = await browser.fetchCsrf();
    browser.csrfToken = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    const response = await browser.send('POST', '/api/v1/auth/login', requests.login.body);
    expect(response.statusCode).toBe(403);
  });

  it('a malformed pre-session cookie is replaced, so the visitor is not stuck', async () => {
    const browser = accounts.browser();
    browser.cookies.set('tracera_presession', 'tampered');
    await browser.fetchCsrf();
    expect(browser.cookies.get('tracera_presession')).toMatch(/^[\w-]{43}$/);
    const response = await browser.send('POST', '/api/v1/auth/login', requests.login.body);
    expect(response.statusCode).toBe(200);
  });

  it('a plain double-submit (cookie value as token) is refused', async () => {
    const browser = accounts.browser();
    await browser.fetchCsrf();
    browser.csrfToken = browser.cookies.get('tracera_presession') as string;
    const response = await browser.send('POST', '/api/v1/auth/login', requests.login.body);
    expect(response.statusCode).toBe(403);
  });
});
