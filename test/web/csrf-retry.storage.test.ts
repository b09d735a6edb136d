// When the web app's client fetches a new CSRF token and sends a refused
// request again (web/src/api/client.ts): after the server's refusal of the
// token, which a new token cures, and after no other 403.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCsrfTokenRefusal } from '../../src/shared/csrf.js';
import { type AccountsApp, startAccountsApp } from '../support/accounts.js';

const LOGIN = {
  method: 'POST',
  url: '/api/v1/auth/login',
  body: { email: 'nobody@example.com', password: 'not the password' },
} as const;

let accounts: AccountsApp;

beforeEach(async () => {
  accounts = await startAccountsApp();
});

afterEach(async () => {
  await accounts.close();
});

describe('the client sends a request again with a new token', () => {
  it('when the server refused the token it was sent with', async () => {
    const browser = accounts.browser();
    await browser.fetchCsrf();
    browser.csrfToken = 'stale';
    const response = await browser.request(LOGIN);
    expect(response.statusCode).toBe(403);
    expect(isCsrfTokenRefusal(response.json().detail)).toBe(true);
  });

  it('not when the request came from another site: a new token changes nothing', async () => {
    const browser = accounts.browser();
    await browser.fetchCsrf();
    const response = await browser.request({
      ...LOGIN,
      headers: { origin: 'https://evil.example' },
    });
    expect(response.statusCode).toBe(403);
    expect(isCsrfTokenRefusal(response.json().detail)).toBe(false);
  });

  it('not for a 403 that only uses the same words in part', () => {
    expect(isCsrfTokenRefusal('Forbidden')).toBe(false);
    expect(isCsrfTokenRefusal('Missing or invalid CSRF token: and more')).toBe(false);
  });
});
