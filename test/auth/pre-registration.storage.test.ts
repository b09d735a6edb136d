// S39: signing up with someone else's address leaves nothing standing in the
// account its owner ends up with. The account is made only when the emailed
// link comes back with the password chosen at sign-up, which only the person
// who signed up knows. S41: that password check is throttled per address.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryAuditEvents } from '../../src/audit/events.js';
import { findUserByEmail } from '../../src/auth/users.js';
import {
  type AccountsApp,
  PASSWORD,
  signIn,
  startAccountsApp,
  tokenIn,
} from '../support/accounts.js';
import type { Browser } from '../support/browser.js';

const OWNER = 'owner@example.com';
const ATTACKER_PASSWORD = 'the attacker chose this one 7';
const NOT_THE_PASSWORD = {
  detail:
    'That is not the password this sign-up was made with; enter the one you chose when you signed up',
};

let accounts: AccountsApp;

beforeEach(async () => {
  accounts = await startAccountsApp();
});

afterEach(async () => {
  await accounts.close();
});

async function signUp(browser: Browser, password: string): Promise<string> {
  const response = await browser.send('POST', '/api/v1/auth/signup', { email: OWNER, password });
  expect(response.statusCode).toBe(202);
  return tokenIn(await accounts.smtp.nextMailTo(OWNER));
}

const confirm = (browser: Browser, token: string, password: string) =>
  browser.send('POST', '/api/v1/auth/verify-email', { token, password });

const login = (browser: Browser, password: string) =>
  browser.send('POST', '/api/v1/auth/login', { email: OWNER, password });

describe('S39 pre-registration', () => {
  it("the attacker's password never signs in, and the owner ends up with a working account", async () => {
    const attacker = accounts.browser('198.51.100.66');
    const owner = accounts.browser('203.0.113.5');
    const strangersLink = await signUp(attacker, ATTACKER_PASSWORD);
    expect(await findUserByEmail(accounts.database, OWNER)).toBeNull();

    // The owner follows the mail they never asked for: it cannot make an account.
    const followed = await confirm(owner, strangersLink, PASSWORD);
    expect(followed.statusCode).toBe(400);
    expect(followed.json()).toEqual(NOT_THE_PASSWORD);
    expect(await findUserByEmail(accounts.database, OWNER)).toBeNull();
    expect((await login(attacker, ATTACKER_PASSWORD)).statusCode).toBe(401);

    // Nor does the stranger's sign-up stand in the way of the owner's own.
    const ownLink = await signUp(owner, PASSWORD);
    expect((await confirm(owner, ownLink, PASSWORD)).statusCode).toBe(200);
    await signIn(owner, OWNER, PASSWORD);

    // The stranger's link, even with its password, no longer makes or changes anything.
    const late = await confirm(attacker, strangersLink, ATTACKER_PASSWORD);
    expect(late.statusCode).toBe(409);
    expect((await login(attacker, ATTACKER_PASSWORD)).statusCode).toBe(401);
    await signIn(accounts.browser(), OWNER, PASSWORD);
    const user = await findUserByEmail(accounts.database, OWNER);
    expect(user?.email_verified).toBe(true);
  });

  it('leaves an account made by a sign-in link as its owner made it', async () => {
    const attacker = accounts.browser('198.51.100.66');
    const strangersLink = await signUp(attacker, ATTACKER_PASSWORD);
    const owner = accounts.browser();
    await owner.send('POST', '/api/v1/auth/magic/request', { email: OWNER });
    const magic = tokenIn(await accounts.smtp.nextMailTo(OWNER));
    expect(
      (await owner.send('POST', '/api/v1/auth/magic/verify', { token: magic })).statusCode,
    ).toBe(200);
    expect((await confirm(attacker, strangersLink, ATTACKER_PASSWORD)).statusCode).toBe(409);
    expect((await findUserByEmail(accounts.database, OWNER))?.password_hash).toBeNull();
    expect((await login(attacker, ATTACKER_PASSWORD)).statusCode).toBe(401);
  });

  it('keeps the link usable after a mistyped password, and uses it once', async () => {
    const browser = accounts.browser();
    const link = await signUp(browser, PASSWORD);
    expect((await confirm(browser, link, 'a mistyped passphrase 9')).statusCode).toBe(400);
    expect((await confirm(browser, link, PASSWORD)).statusCode).toBe(200);
    const again = await confirm(browser, link, PASSWORD);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ detail: 'Invalid or expired token' });
    const events = await queryAuditEvents(accounts.database, { event: 'email_verification' });
    expect(events.map((event) => [event.outcome, event.detail.reason ?? null])).toEqual([
      ['failure', null],
      ['success', null],
      ['failure', 'wrong_password'],
    ]);
  });
});

describe('S14 confirmation links', () => {
  it('work for 24 hours and not a moment longer', async () => {
    const browser = accounts.browser();
    const expired = await signUp(browser, PASSWORD);
    accounts.advance(24 * 60 * 60_000);
    const late = await confirm(browser, expired, PASSWORD);
    expect(late.statusCode).toBe(400);
    expect(late.json()).toEqual({ detail: 'Invalid or expired token' });
    const fresh = await signUp(browser, PASSWORD);
    accounts.advance(24 * 60 * 60_000 - 1);
    expect((await confirm(browser, fresh, PASSWORD)).statusCode).toBe(200);
  });
});

describe('S41 the sign-up password check is throttled per address', () => {
  it('locks confirmation after five wrong passwords, even with the right one', async () => {
    const browser = accounts.browser();
    const link = await signUp(browser, PASSWORD);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expect((await confirm(browser, link, `wrong guess number ${attempt}`)).statusCode).toBe(400);
    }
    const locked = await confirm(browser, link, PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().detail).toMatch(/^Too many wrong passwords; try again in \d+ seconds$/);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    accounts.advance(61_000);
    expect((await confirm(browser, link, PASSWORD)).statusCode).toBe(200);
  });
});
