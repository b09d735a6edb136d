// S1-S4, S7: sessions as an attacker would probe them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AccountsApp,
  createVerifiedUser,
  signIn,
  startAccountsApp,
  tokenIn,
} from '../support/accounts.js';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const EMAIL = 'margaret@example.com';

let accounts: AccountsApp;

beforeEach(async () => {
  accounts = await startAccountsApp({
    env: { SESSION_LIFETIME_HOURS: '72', SESSION_IDLE_HOURS: '24' },
  });
});

afterEach(async () => {
  await accounts.close();
});

async function signedInBrowser(ip?: string) {
  const browser = accounts.browser(ip);
  await signIn(browser, EMAIL);
  return browser;
}

const me = (browser: ReturnType<AccountsApp['browser']>) =>
  browser.request({ url: '/api/v1/auth/me' });

describe('S1-S4 sessions', () => {
  beforeEach(async () => {
    await createVerifiedUser(accounts, accounts.browser(), EMAIL);
  });

  it('S4: the session cookie changes at login, and a planted cookie is not kept', async () => {
    const browser = accounts.browser();
    await signIn(browser, EMAIL);
    const first = browser.cookies.get('tracera_session');
    expect(first).toMatch(/^[\w-]{43}$/);
    await signIn(browser, EMAIL);
    const second = browser.cookies.get('tracera_session');
    expect(second).not.toBe(first);
    // The session the browser came with was ended, not left alive beside the new one.
    const old = accounts.browser();
    old.cookies.set('tracera_session', first as string);
    expect((await me(old)).statusCode).toBe(401);
  });

  it('S3: the cookie is HttpOnly, SameSite=Lax, Path=/ with Max-Age = the lifetime', async () => {
    const browser = accounts.browser();
    const response = await signIn(browser, EMAIL);
    const header = String(response.headers['set-cookie']);
    expect(header).toMatch(
      /^tracera_session=[\w-]{43}; Max-Age=259200; Path=\/; HttpOnly; SameSite=Lax$/,
    );
  });

  it('S4: after logout the old cookie gets 401 and the cookie is cleared', async () => {
    const browser = await signedInBrowser();
    const cookie = browser.cookies.get('tracera_session') as string;
    const logout = await browser.send('POST', '/api/v1/auth/logout');
    expect(logout.statusCode).toBe(204);
    expect(String(logout.headers['set-cookie'])).toMatch(/tracera_session=; Max-Age=0/);
    const replay = accounts.browser();
    replay.cookies.set('tracera_session', cookie);
    expect((await me(replay)).statusCode).toBe(401);
  });

  it('S4: a password reset ends every session of the user', async () => {
    const laptop = await signedInBrowser('198.51.100.1');
    const phone = await signedInBrowser('198.51.100.2');
    const stranger = accounts.browser('198.51.100.3');
    await stranger.send('POST', '/api/v1/auth/password/forgot', { email: EMAIL });
    const token = tokenIn(await accounts.smtp.nextMailTo(EMAIL));
    const reset = await stranger.send('POST', '/api/v1/auth/password/reset', {
      token,
      password: 'a brand new passphrase 7',
    });
    expect(reset.statusCode).toBe(200);
    expect(stranger.cookies.has('tracera_session')).toBe(false);
    expect((await me(laptop)).statusCode).toBe(401);
    expect((await me(phone)).statusCode).toBe(401);
  });

  it('S4: a password change ends the other sessions and keeps this one', async () => {
    const laptop = await signedInBrowser('198.51.100.1');
    const phone = await signedInBrowser('198.51.100.2');
    const change = await laptop.send('POST', '/api/v1/auth/password/change', {
      current_password: 'correct horse battery staple 42',
      new_password: 'another long passphrase 9',
    });
    expect(change.statusCode).toBe(200);
    expect((await me(laptop)).statusCode).toBe(200);
    expect((await me(phone)).statusCode).toBe(401);
    const wrong = await laptop.send('POST', '/api/v1/auth/password/change', {
      current_password: 'not my password at all',
      new_password: 'yet another passphrase 3',
    });
    expect(wrong.statusCode).toBe(400);
  });

  it('S2: the idle timeout ends a session nobody used for SESSION_IDLE_HOURS', async () => {
    const browser = await signedInBrowser();
    accounts.advance(24 * HOUR_MS - MINUTE_MS);
    expect((await me(browser)).statusCode).toBe(200);
    accounts.advance(24 * HOUR_MS - MINUTE_MS);
    expect((await me(browser)).statusCode).toBe(200);
    accounts.advance(24 * HOUR_MS);
    expect((await me(browser)).statusCode).toBe(401);
  });

  it('S2: the absolute lifetime ends a session however active it is', async () => {
    const browser = await signedInBrowser();
    for (let hours = 6; hours < 72; hours += 6) {
      accounts.advance(6 * HOUR_MS);
      expect((await me(browser)).statusCode).toBe(200);
    }
    accounts.advance(6 * HOUR_MS);
    expect((await me(browser)).statusCode).toBe(401);
  });

  it('S1: the store holds only the hash of the session token', async () => {
    const browser = await signedInBrowser();
    const token = browser.cookies.get('tracera_session') as string;
    const contents = await accounts.testStore.contents();
    expect(contents).toContain('session:');
    expect(contents).not.toContain(token);
    const { createHash } = await import('node:crypto');
    expect(contents).toContain(createHash('sha256').update(token).digest('hex'));
  });
});

describe('S3 on https', () => {
  it('uses the __Host- prefix and Secure', async () => {
    const secure = await startAccountsApp({ env: { BASE_URL: 'https://tracera.test' } });
    try {
      const browser = secure.browser();
      await createVerifiedUser(secure, browser, EMAIL);
      const response = await signIn(browser, EMAIL);
      expect(String(response.headers['set-cookie'])).toMatch(
        /^__Host-tracera_session=[\w-]{43}; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
      );
    } finally {
      await secure.close();
    }
  });
});
