// S12, after django-allauth: for an address with an account and one without,
// sign-up, login, magic-link request and forgot-password answer the same
// status and body, and do the same amount of password hashing. Work is
// counted, not timed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AccountsApp, createVerifiedUser, startAccountsApp } from '../support/accounts.js';

const KNOWN = 'known@example.com';
const UNKNOWN = 'unknown@example.com';

let accounts: AccountsApp;

beforeEach(async () => {
  accounts = await startAccountsApp();
  await createVerifiedUser(accounts, accounts.browser(), KNOWN);
});

afterEach(async () => {
  await accounts.close();
});

interface Observed {
  readonly status: number;
  readonly body: string;
  readonly hasherCalls: number;
}

async function observe(url: string, body: Record<string, string>): Promise<Observed> {
  const browser = accounts.browser();
  await browser.fetchCsrf();
  const before = accounts.hasher.calls;
  const response = await browser.request({ method: 'POST', url, body });
  return {
    status: response.statusCode,
    body: response.body,
    hasherCalls: accounts.hasher.calls - before,
  };
}

describe.each([
  ['signup', '/api/v1/auth/signup', { password: 'a fresh passphrase 11' }, 202, 1],
  ['login', '/api/v1/auth/login', { password: 'a wrong passphrase 11' }, 401, 1],
  ['magic-link request', '/api/v1/auth/magic/request', {}, 202, 0],
  ['forgot password', '/api/v1/auth/password/forgot', {}, 200, 0],
])('S12 %s', (_name, url, extra, status, hashes) => {
  it('answers the same for a known and an unknown email, with the same hashing', async () => {
    const known = await observe(url, { email: KNOWN, ...extra });
    const unknown = await observe(url, { email: UNKNOWN, ...extra });
    expect(known).toEqual(unknown);
    expect(known.status).toBe(status);
    expect(known.hasherCalls).toBe(hashes);
  });
});

it('S12: signing up an existing email mails its owner a notice instead of a verification link', async () => {
  await observe('/api/v1/auth/signup', { email: KNOWN, password: 'a fresh passphrase 11' });
  const notice = await accounts.smtp.nextMailTo(KNOWN);
  expect(notice.subject).toBe('Sign-up attempt for your Tracera account');
  expect(notice.links).toEqual(['http://tracera.test/sign-in']);
});
