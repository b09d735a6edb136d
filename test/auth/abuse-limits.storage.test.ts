// S40-S42: abuse that costs someone else. Mail to one address is capped per
// kind and hour without the answer changing; a wrong current password on a
// password change counts like a failed login; and the password-hashing queue
// is bounded, so a flood of sign-ins is refused at once instead of making a
// real user wait behind it.
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { HASHING_THREADS } from '../../src/auth/hashing-pool.js';
import { argon2Hasher, type PasswordHasher } from '../../src/auth/index.js';
import {
  type AccountsApp,
  createVerifiedUser,
  PASSWORD,
  signIn,
  startAccountsApp,
} from '../support/accounts.js';
import { WAIT_BOUND_MS } from '../support/backends.js';

const EMAIL = 'mabel@example.com';
const HOUR_MS = 60 * 60_000;

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function accountsApp(options: Parameters<typeof startAccountsApp>[0] = {}) {
  const accounts = await startAccountsApp(options);
  cleanups.push(() => accounts.close());
  return accounts;
}

const mailsTo = (accounts: AccountsApp, to: string, subject: string) =>
  accounts.smtp.received.filter((mail) => mail.to === to && mail.subject === subject).length;

describe('S40 mail per recipient', () => {
  it('sends at most MAIL_PER_ADDRESS_PER_HOUR of each kind to one address, answering the same', async () => {
    const accounts = await accountsApp();
    await createVerifiedUser(accounts, accounts.browser(), EMAIL);
    const browser = accounts.browser();
    const bodies = new Set<string>();
    for (let request = 0; request < 8; request += 1) {
      const response = await browser.send('POST', '/api/v1/auth/password/forgot', { email: EMAIL });
      expect(response.statusCode).toBe(200);
      bodies.add(response.body);
      await browser.send('POST', '/api/v1/auth/magic/request', { email: EMAIL });
    }
    await accounts.app.accountWork.drain();
    expect(bodies.size).toBe(1);
    expect(mailsTo(accounts, EMAIL, 'Reset your Tracera password')).toBe(5);
    expect(mailsTo(accounts, EMAIL, 'Your Tracera sign-in link')).toBe(5);

    accounts.advance(HOUR_MS);
    await browser.send('POST', '/api/v1/auth/password/forgot', { email: EMAIL });
    await accounts.app.accountWork.drain();
    expect(mailsTo(accounts, EMAIL, 'Reset your Tracera password')).toBe(6);
  });

  it('caps sign-up mail too, whether it is a confirmation link or a notice', async () => {
    const accounts = await accountsApp({ env: { MAIL_PER_ADDRESS_PER_HOUR: '2' } });
    const browser = accounts.browser();
    for (let request = 0; request < 4; request += 1) {
      await browser.send('POST', '/api/v1/auth/signup', { email: EMAIL, password: PASSWORD });
    }
    await accounts.app.accountWork.drain();
    expect(mailsTo(accounts, EMAIL, 'Confirm your email for Tracera')).toBe(2);
  });
});

describe('S41 a wrong current password on password change', () => {
  it('is throttled per account like a failed login', async () => {
    const accounts = await accountsApp();
    const browser = accounts.browser();
    await createVerifiedUser(accounts, browser, EMAIL);
    await signIn(browser, EMAIL);
    const change = (current: string) =>
      browser.send('POST', '/api/v1/auth/password/change', {
        current_password: current,
        new_password: 'a brand new passphrase 3',
      });
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expect((await change(`not my password ${attempt}`)).statusCode).toBe(400);
    }
    const locked = await change(PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('60');
    // The lock is the account's: password sign-in waits with it.
    const login = await accounts
      .browser('198.51.100.3')
      .send('POST', '/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
    expect(login.statusCode).toBe(429);
    accounts.advance(60_000);
    expect((await change(PASSWORD)).statusCode).toBe(200);
  });
});

describe('S42 the password-hashing queue is bounded', () => {
  // Room for a slow start on a busy machine plus the bound on the refusals.
  const timeout = 3 * WAIT_BOUND_MS;
  it('answers 503 with Retry-After at once past HASH_QUEUE_MAX waiting hashes', {
    timeout,
  }, async () => {
    const maxWaiting = 3;
    const refusedCount = 2;
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Checks wait until released, as they would behind a flood of other sign-ins.
    const held: PasswordHasher = {
      hash: (password) => argon2Hasher.hash(password),
      verify: async (passwordHash, password) => {
        await released;
        return argon2Hasher.verify(passwordHash, password);
      },
      needsRehash: (passwordHash) => argon2Hasher.needsRehash(passwordHash),
    };
    const accounts = await accountsApp({
      hasher: held,
      env: { HASH_QUEUE_MAX: String(maxWaiting) },
    });
    const admitted = HASHING_THREADS + maxWaiting;
    const browsers = Array.from({ length: admitted + refusedCount }, (_unused, index) =>
      accounts.browser(`198.51.100.${index + 1}`),
    );
    await Promise.all(browsers.map((browser) => browser.fetchCsrf()));
    const settled: number[] = [];
    let markRefused: () => void = () => {};
    const refusedSettled = new Promise<void>((resolve) => {
      markRefused = resolve;
    });
    const logins = browsers.map(async (browser, index) => {
      const response = await browser.send('POST', '/api/v1/auth/login', {
        email: `flood${index}@example.com`,
        password: 'a guess that will not do 1',
      });
      settled.push(response.statusCode);
      if (settled.length === refusedCount) markRefused();
      return response;
    });
    // The refusals come while every admitted check is still held. A bound of
    // its own makes missing refusals fail here, with the statuses so far.
    await Promise.race([refusedSettled, delay(WAIT_BOUND_MS, undefined, { ref: false })]);
    const beforeRelease = [...settled];
    release();
    expect(beforeRelease).toEqual(Array(refusedCount).fill(503));
    const responses = await Promise.all(logins);
    const refused = responses.filter((response) => response.statusCode === 503);
    expect(refused).toHaveLength(refusedCount);
    for (const response of refused) {
      expect(response.headers['retry-after']).toBe('2');
      expect(response.json().detail).toMatch(/try again shortly/);
    }
    expect(responses.filter((response) => response.statusCode === 401)).toHaveLength(admitted);
  });

  it('waits for nothing when the queue has room', async () => {
    const accounts = await accountsApp();
    expect(accounts.config.auth.hashQueueMax).toBe(32);
    const browser = accounts.browser();
    await createVerifiedUser(accounts, browser, EMAIL);
    expect((await signIn(browser, EMAIL)).statusCode).toBe(200);
  });
});
