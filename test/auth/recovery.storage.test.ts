// S13: password reset links are single-use, expire after an hour, die when
// the password changes, never sign anyone in, and fail with one message.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryAuditEvents } from '../../src/audit/events.js';
import {
  type AccountsApp,
  createVerifiedUser,
  PASSWORD,
  signIn,
  startAccountsApp,
  tokenIn,
} from '../support/accounts.js';
import type { Browser } from '../support/browser.js';

const EMAIL = 'frances@example.com';
const INVALID = { detail: 'Invalid or expired token' };
const NEW_PASSWORD = 'a completely new passphrase 5';

let accounts: AccountsApp;
let browser: Browser;

beforeEach(async () => {
  accounts = await startAccountsApp();
  browser = accounts.browser();
  await createVerifiedUser(accounts, browser, EMAIL);
});

afterEach(async () => {
  await accounts.close();
});

async function resetLink(): Promise<string> {
  const response = await browser.send('POST', '/api/v1/auth/password/forgot', { email: EMAIL });
  expect(response.json()).toEqual({
    detail: 'If an account uses this address, we have sent it a reset link',
  });
  const mail = await accounts.smtp.nextMailTo(EMAIL);
  expect(mail.links[0]).toMatch(/^http:\/\/tracera\.test\/reset-password\?token=[\w-]{43}$/);
  return tokenIn(mail);
}

const reset = (token: string, password = NEW_PASSWORD) =>
  browser.send('POST', '/api/v1/auth/password/reset', { token, password });

describe('S13 password reset', () => {
  it('sets the new password once, without signing in', async () => {
    const token = await resetLink();
    const response = await reset(token);
    expect(response.statusCode).toBe(200);
    expect(response.headers['set-cookie']).toBeUndefined();
    expect((await browser.request({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
    await signIn(browser, EMAIL, NEW_PASSWORD);
    const again = await reset(token, 'and another passphrase 6');
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual(INVALID);
    const events = await queryAuditEvents(accounts.database, { event: 'password_reset' });
    expect(events.map((event) => event.outcome)).toEqual(['failure', 'success']);
  });

  it('builds the link from BASE_URL, whatever Host the request names', async () => {
    await browser.fetchCsrf();
    const response = await browser.request({
      method: 'POST',
      url: '/api/v1/auth/password/forgot',
      body: { email: EMAIL },
      headers: { host: 'attacker.example', 'x-forwarded-host': 'attacker.example' },
    });
    expect(response.statusCode).toBe(200);
    const mail = await accounts.smtp.nextMailTo(EMAIL);
    expect(mail.links[0]).toMatch(/^http:\/\/tracera\.test\/reset-password\?token=/);
    expect(`${mail.text}${mail.html}`).not.toContain('attacker.example');
  });

  it('expires after one hour', async () => {
    const token = await resetLink();
    accounts.advance(60 * 60_000 + 1);
    const response = await reset(token);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(INVALID);
  });

  it('dies when the password changes by another route', async () => {
    const token = await resetLink();
    await signIn(browser, EMAIL);
    const change = await browser.send('POST', '/api/v1/auth/password/change', {
      current_password: PASSWORD,
      new_password: 'changed it myself 77',
    });
    expect(change.statusCode).toBe(200);
    const response = await reset(token);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(INVALID);
  });

  it('keeps the link when the new password is refused, so the user can try again', async () => {
    const token = await resetLink();
    const weak = await reset(token, 'short');
    expect(weak.statusCode).toBe(400);
    expect(weak.json().detail).toMatch(/at least 8 characters/);
    expect((await reset(token)).statusCode).toBe(200);
  });

  it.each(['', 'x', 'a'.repeat(43)])('refuses the token %j with the one message', async (token) => {
    await browser.fetchCsrf();
    const response = await reset(token);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(INVALID);
  });
});
