// S23 with generated input: whatever JSON (or non-JSON) arrives at an
// account route, the answer is a 4xx with a `detail`, never a 500.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccountsApp,
  createVerifiedUser,
  PASSWORD,
  signIn,
  startAccountsApp,
} from '../support/accounts.js';
import type { Browser } from '../support/browser.js';

const ROUTES: [method: 'POST' | 'PATCH', url: string][] = [
  ['POST', '/api/v1/auth/signup'],
  ['POST', '/api/v1/auth/login'],
  ['POST', '/api/v1/auth/verify-email'],
  ['POST', '/api/v1/auth/password/forgot'],
  ['POST', '/api/v1/auth/password/reset'],
  ['POST', '/api/v1/auth/password/change'],
  ['POST', '/api/v1/auth/magic/request'],
  ['POST', '/api/v1/auth/magic/verify'],
  ['PATCH', '/api/v1/me'],
];

let accounts: AccountsApp;
let browser: Browser;

beforeAll(async () => {
  accounts = await startAccountsApp({ env: { AUTH_RATE_LIMIT_PER_MIN: '1000000' } });
  browser = accounts.browser();
  await createVerifiedUser(accounts, browser, 'fuzz@example.com');
  await signIn(browser, 'fuzz@example.com');
});

afterAll(async () => {
  await accounts.close();
});

function expectClientError(statusCode: number, body: string): void {
  expect(statusCode).toBeGreaterThanOrEqual(400);
  expect(statusCode).toBeLessThan(500);
  expect(typeof (JSON.parse(body) as { detail?: unknown }).detail).toBe('string');
}

describe.each(ROUTES)('S23 %s %s', (method, url) => {
  it('answers any JSON value that is not a valid body with a 4xx and a detail', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const response = await browser.request({
          method,
          url,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(value),
        });
        // A generated value can happen to be valid (`{}` is a valid profile patch only with a field).
        if (response.statusCode < 300) return;
        expectClientError(response.statusCode, response.body);
      }),
      { numRuns: 40 },
    );
  });

  it('answers bytes that are not JSON with 400 and a detail', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 200 }), async (text) => {
        fc.pre(!isJson(text));
        const response = await browser.request({
          method,
          url,
          headers: { 'content-type': 'application/json' },
          body: text,
        });
        expect(response.statusCode).toBe(400);
        expectClientError(response.statusCode, response.body);
      }),
      { numRuns: 25 },
    );
  });
});

const MAILING_ROUTES = ['signup', 'magic/request', 'password/forgot'];

describe('S38 email addresses', () => {
  it.each([
    ['a,victim@example.com', 'a comma: mail goes to victim@example.com'],
    ['a<victim@example.com', 'an angle bracket: mail goes to victim@example.com'],
    ['a(note)@example.com', 'a comment: mail goes to a@example.com'],
    ['a\u0001@example.com', 'a control character: mail goes to a@example.com'],
    ['a..b@example.com', 'two dots in a row: the mail server refuses it'],
    ['a@exa_mple.com', 'an underscore in the domain: the mail server refuses it'],
  ])('S38: %j (%s) is 400 on every route that mails', async (email) => {
    for (const route of MAILING_ROUTES) {
      const body = route === 'signup' ? { email, password: PASSWORD } : { email };
      const response = await browser.send('POST', `/api/v1/auth/${route}`, body);
      expect(response.statusCode).toBe(400);
      // Refused by the schema, before any handler could send mail.
      expect(response.json()).toEqual({ detail: 'Enter a valid email address' });
    }
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
