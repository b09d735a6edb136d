// S23 with generated input: whatever JSON (or non-JSON) arrives at an
// account route, the answer is a 4xx with a `detail`, never a 500.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccountsApp,
  createVerifiedUser,
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

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
