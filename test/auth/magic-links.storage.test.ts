// S15, S16: sign-in links. Opening one never spends it; only the confirm
// page's POST does, once. Every failure reads the same, and a malformed
// token never reaches the store.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryAuditEvents } from '../../src/audit/events.js';
import type { Store } from '../../src/platform/store/index.js';
import {
  type AccountsApp,
  createVerifiedUser,
  startAccountsApp,
  tokenIn,
} from '../support/accounts.js';
import type { Browser } from '../support/browser.js';

const INVALID = { detail: 'Invalid or expired token' };
const MINUTE_MS = 60_000;

let accounts: AccountsApp;

beforeEach(async () => {
  accounts = await startAccountsApp({ env: { MAGIC_LINK_EXPIRY_MINUTES: '10' } });
});

afterEach(async () => {
  await accounts.close();
});

async function requestLink(browser: Browser, email: string): Promise<string> {
  const response = await browser.send('POST', '/api/v1/auth/magic/request', { email });
  expect(response.statusCode).toBe(202);
  const mail = await accounts.smtp.nextMailTo(email.trim().toLowerCase());
  expect(mail.links[0]).toMatch(
    /^http:\/\/tracera\.test\/api\/v1\/auth\/magic\/verify\?token=[\w-]{43}$/,
  );
  return tokenIn(mail);
}

describe('S15 magic links', () => {
  it('GET only redirects to the confirm page; POST signs in once, creating a verified user', async () => {
    const browser = accounts.browser();
    const token = await requestLink(browser, '  New.Trader@Example.com ');
    for (let opened = 0; opened < 2; opened += 1) {
      const open = await browser.request({ url: `/api/v1/auth/magic/verify?token=${token}` });
      expect(open.statusCode).toBe(303);
      expect(open.headers.location).toBe(`http://tracera.test/magic-link?token=${token}`);
      expect(open.headers['referrer-policy']).toBe('no-referrer');
      expect(open.headers['set-cookie']).toBeUndefined();
    }
    const confirm = await browser.send('POST', '/api/v1/auth/magic/verify', { token });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.json().user).toMatchObject({
      email: 'new.trader@example.com',
      email_verified: true,
    });
    expect(browser.cookies.get('tracera_session')).toMatch(/^[\w-]{43}$/);

    const second = await accounts.browser().send('POST', '/api/v1/auth/magic/verify', { token });
    expect(second.statusCode).toBe(400);
    expect(second.json()).toEqual(INVALID);
    const events = await queryAuditEvents(accounts.database, { event: 'magic_link_login' });
    expect(events.map((event) => event.outcome)).toEqual(['failure', 'success']);
  });

  it('an expired link fails with the same message', async () => {
    const browser = accounts.browser();
    const token = await requestLink(browser, 'late@example.com');
    accounts.advance(10 * MINUTE_MS + 1000);
    const response = await browser.send('POST', '/api/v1/auth/magic/verify', { token });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(INVALID);
  });

  it.each([
    ['too short', 'abc'],
    ['bad characters', `${'a'.repeat(42)}!`],
    ['too long', 'a'.repeat(44)],
    ['empty', ''],
  ])('a malformed token (%s) fails the same way without a store lookup', async (_kind, token) => {
    const store = accounts.store as Store & { getAndDelete: Store['getAndDelete'] };
    const original = store.getAndDelete.bind(store);
    let lookups = 0;
    store.getAndDelete = (key) => {
      lookups += 1;
      return original(key);
    };
    const browser = accounts.browser();
    await browser.fetchCsrf();
    const response = await browser.send('POST', '/api/v1/auth/magic/verify', { token });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(INVALID);
    expect(lookups).toBe(0);
  });

  it('caps the request body at 1 KiB', async () => {
    const browser = accounts.browser();
    const response = await browser.send('POST', '/api/v1/auth/magic/request', {
      email: `${'a'.repeat(1100)}@example.com`,
    });
    expect(response.statusCode).toBe(413);
  });

  it('signs in an unverified account and drops the password someone else chose for it', async () => {
    const squatter = accounts.browser('198.51.100.66');
    await squatter.send('POST', '/api/v1/auth/signup', {
      email: 'victim@example.com',
      password: 'squatter passphrase 1',
    });
    await accounts.smtp.nextMailTo('victim@example.com');
    const owner = accounts.browser();
    const token = await requestLink(owner, 'victim@example.com');
    expect((await owner.send('POST', '/api/v1/auth/magic/verify', { token })).statusCode).toBe(200);
    const attempt = await squatter.send('POST', '/api/v1/auth/login', {
      email: 'victim@example.com',
      password: 'squatter passphrase 1',
    });
    expect(attempt.statusCode).toBe(401);
  });
});

describe('S16 failed-login throttle', () => {
  it('locks password login after 5 failures, doubling, but never blocks a magic link', async () => {
    const owner = accounts.browser('198.51.100.1');
    await createVerifiedUser(accounts, owner, 'target@example.com');
    const attacker = accounts.browser('198.51.100.99');
    await attacker.fetchCsrf();
    const attempt = () =>
      attacker.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        body: { email: 'target@example.com', password: 'guess guess guess' },
      });
    for (let failure = 0; failure < 5; failure += 1) expect((await attempt()).statusCode).toBe(401);
    const locked = await attempt();
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('60');
    // Even the right password waits: the lock is per account, not per attacker.
    const rightPassword = await owner.send('POST', '/api/v1/auth/login', {
      email: 'target@example.com',
      password: 'correct horse battery staple 42',
    });
    expect(rightPassword.statusCode).toBe(429);

    accounts.advance(61_000);
    expect((await attempt()).statusCode).toBe(401);
    const doubled = await attempt();
    expect(doubled.headers['retry-after']).toBe('120');

    const token = await requestLink(owner, 'target@example.com');
    const magic = await owner.send('POST', '/api/v1/auth/magic/verify', { token });
    expect(magic.statusCode).toBe(200);
  });
});
