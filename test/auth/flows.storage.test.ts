// The account flows end to end, as a user goes through them: mail arrives
// over real SMTP and the test follows the link it contains.

import { hash } from '@node-rs/argon2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryAuditEvents } from '../../src/audit/events.js';
import { findUserByEmail, setPasswordHash } from '../../src/auth/users.js';
import {
  type AccountsApp,
  createVerifiedUser,
  PASSWORD,
  signIn,
  startAccountsApp,
  tokenIn,
} from '../support/accounts.js';

let accounts: AccountsApp;

beforeEach(async () => {
  accounts = await startAccountsApp();
});

afterEach(async () => {
  await accounts.close();
});

describe('sign-up', () => {
  it('mails a link from BASE_URL that verifies the address, then the user can sign in', async () => {
    const browser = accounts.browser();
    const signup = await browser.send('POST', '/api/v1/auth/signup', {
      email: '  Ada@Example.COM ',
      password: PASSWORD,
      name: 'Ada',
    });
    expect(signup.statusCode).toBe(202);
    const mail = await accounts.smtp.nextMailTo('ada@example.com');
    expect(mail.subject).toBe('Confirm your email for Tracera');
    expect(mail.links[0]).toMatch(/^http:\/\/tracera\.test\/verify-email\?token=[\w-]{43}$/);
    expect(mail.html).toContain(mail.links[0]);

    const unverified = await browser.send('POST', '/api/v1/auth/login', {
      email: 'ada@example.com',
      password: PASSWORD,
    });
    expect(unverified.statusCode).toBe(401);

    const verify = await browser.send('POST', '/api/v1/auth/verify-email', {
      token: tokenIn(mail),
      password: PASSWORD,
    });
    expect(verify.statusCode).toBe(200);
    const again = await browser.send('POST', '/api/v1/auth/verify-email', {
      token: tokenIn(mail),
      password: PASSWORD,
    });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ detail: 'Invalid or expired token' });

    const login = await signIn(browser, 'ADA@example.com');
    expect(login.json().user).toMatchObject({
      email: 'ada@example.com',
      email_verified: true,
      name: 'Ada',
      role: 'user',
    });
    const me = await browser.request({ url: '/api/v1/auth/me' });
    expect(me.statusCode).toBe(200);
    expect(me.json().email).toBe('ada@example.com');
  });

  it.each([
    ['too short', 'k7#pQ2', /at least 8 characters/],
    ['too long', 'x'.repeat(129), /at most 128 characters/],
    ['common', 'Password123', /too common/],
  ])('refuses a %s password with a clear message', async (_kind, password, message) => {
    const browser = accounts.browser();
    const response = await browser.send('POST', '/api/v1/auth/signup', {
      email: 'weak@example.com',
      password,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().detail).toMatch(message);
  });
});

describe('S11 rehash on login', () => {
  it('redoes a hash made with weaker parameters when the password is next used', async () => {
    const browser = accounts.browser();
    await createVerifiedUser(accounts, browser, 'old@example.com');
    const user = await findUserByEmail(accounts.database, 'old@example.com');
    const weak = await hash(PASSWORD, {
      algorithm: 2,
      memoryCost: 4096,
      timeCost: 3,
      parallelism: 1,
    });
    await setPasswordHash(accounts.database, user?.id as number, weak, false);
    await signIn(browser, 'old@example.com');
    const rehashed = await findUserByEmail(accounts.database, 'old@example.com');
    expect(rehashed?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(rehashed?.password_changed_at).toEqual(user?.password_changed_at);
    await signIn(accounts.browser(), 'old@example.com');
  });
});

describe('sessions', () => {
  it('GET /auth/csrf says whether the browser is signed in, before and after', async () => {
    const browser = accounts.browser('198.51.100.9');
    await createVerifiedUser(accounts, browser, 'ada@example.com');
    const before = await browser.request({ url: '/api/v1/auth/csrf' });
    expect(before.json()).toMatchObject({ signed_in: false });
    await signIn(browser, 'ada@example.com');
    const after = await browser.request({ url: '/api/v1/auth/csrf' });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ signed_in: true });
  });

  it('lists sessions with device and IP, ends one, and ends all others', async () => {
    const laptop = accounts.browser('198.51.100.1');
    await createVerifiedUser(accounts, laptop, 'grace@example.com');
    await signIn(laptop, 'grace@example.com');
    const phone = accounts.browser('198.51.100.2');
    await signIn(phone, 'grace@example.com');
    const tablet = accounts.browser('198.51.100.3');
    await signIn(tablet, 'grace@example.com');

    const listed = await laptop.request({ url: '/api/v1/auth/sessions' });
    expect(listed.statusCode).toBe(200);
    const sessions = listed.json().sessions as { id: string; ip: string; current: boolean }[];
    expect(sessions.map((session) => session.ip).sort()).toEqual([
      '198.51.100.1',
      '198.51.100.2',
      '198.51.100.3',
    ]);
    expect(sessions.filter((session) => session.current).map((session) => session.ip)).toEqual([
      '198.51.100.1',
    ]);

    const phoneSession = sessions.find((session) => session.ip === '198.51.100.2');
    const endOne = await laptop.send('DELETE', `/api/v1/auth/sessions/${phoneSession?.id}`);
    expect(endOne.statusCode).toBe(204);
    expect((await phone.request({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
    expect((await tablet.request({ url: '/api/v1/auth/me' })).statusCode).toBe(200);

    const endOthers = await laptop.send('DELETE', '/api/v1/auth/sessions');
    expect(endOthers.json()).toEqual({ ended: 1 });
    expect((await tablet.request({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
    expect((await laptop.request({ url: '/api/v1/auth/me' })).statusCode).toBe(200);

    const unknown = await laptop.send('DELETE', '/api/v1/auth/sessions/not-a-session');
    expect(unknown.statusCode).toBe(404);
  });
});

describe('profile', () => {
  it('updates name and avatar and audits the change', async () => {
    const browser = accounts.browser();
    await createVerifiedUser(accounts, browser, 'linus@example.com');
    const login = await signIn(browser, 'linus@example.com');
    const response = await browser.send('PATCH', '/api/v1/me', {
      name: 'Linus',
      avatar_url: 'https://cdn.example/avatar.png',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      name: 'Linus',
      avatar_url: 'https://cdn.example/avatar.png',
    });
    // Every session of the user shows the change, not only the one that made it.
    const phone = accounts.browser('198.51.100.5');
    await signIn(phone, 'linus@example.com');
    const renamed = await browser.send('PATCH', '/api/v1/me', { name: 'Linus T.' });
    expect(renamed.json().name).toBe('Linus T.');
    for (const device of [browser, phone]) {
      expect((await device.request({ url: '/api/v1/auth/me' })).json()).toMatchObject({
        name: 'Linus T.',
        avatar_url: 'https://cdn.example/avatar.png',
      });
    }
    const refused = await browser.send('PATCH', '/api/v1/me', {
      avatar_url: 'javascript:alert(1)',
    });
    expect(refused.statusCode).toBe(400);
    const events = await queryAuditEvents(accounts.database, {
      userId: login.json().user.id,
      event: 'profile_update',
    });
    expect(events.map((event) => event.detail)).toEqual([
      { fields: 'name' },
      { fields: 'avatar_url,name' },
    ]);
  });
});
