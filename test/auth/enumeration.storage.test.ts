// S12, after django-allauth: for an address with an account and one without,
// sign-up, login, the sign-in link request and forgot-password answer the
// same status and body, and do the same work before they answer: the same
// database statements, store calls and password hashes, in the same order.
// Work is counted, not timed. What depends on the address is done after the
// answer has gone (src/auth/deferred-work.ts), which the mail shows.
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db/index.js';
import type { Store } from '../../src/platform/store/index.js';
import { type AccountsApp, createVerifiedUser, startAccountsApp } from '../support/accounts.js';

const KNOWN = 'known@example.com';
const UNKNOWN = 'unknown@example.com';

let accounts: AccountsApp;
/** Every unit of work the app did, in order: `db:<statement kind>`, `store:<method>`, `hash`. */
const work: string[] = [];
/** How much of `work` had been done when each request's answer was about to be sent. */
const answeredAt = new Map<string, number>();

const countStatements: KyselyPlugin = {
  transformQuery({ node }): RootOperationNode {
    work.push(`db:${node.kind}`);
    return node;
  },
  transformResult: async ({ result }) => result,
};

function countingStore(store: Store): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        work.push(`store:${String(property)}`);
        return value.apply(target, args);
      };
    },
  });
}

beforeEach(async () => {
  work.length = 0;
  answeredAt.clear();
  accounts = await startAccountsApp({
    wrap: {
      database: (database: Database) => ({
        ...database,
        db: database.db.withPlugin(countStatements),
      }),
      store: countingStore,
    },
    routes: (app) =>
      app.addHook('onSend', async (request, _reply, payload) => {
        answeredAt.set(request.id, work.length);
        return payload;
      }),
  });
  await createVerifiedUser(accounts, accounts.browser(), KNOWN);
});

afterEach(async () => {
  await accounts.close();
});

interface Observed {
  readonly status: number;
  readonly body: string;
  /** The work done between the request's arrival and its answer. */
  readonly requestPath: readonly string[];
}

async function observe(url: string, body: Record<string, string>): Promise<Observed> {
  const browser = accounts.browser();
  await browser.fetchCsrf();
  // The previous request's deferred work is done before this one is measured.
  await accounts.app.accountWork.drain();
  const hashesBefore = accounts.hasher.calls;
  const start = work.length;
  const response = await browser.request({ method: 'POST', url, body });
  const answered = answeredAt.get(response.headers['x-request-id'] as string);
  if (answered === undefined) throw new Error('no answer was recorded for the request');
  const hashes = accounts.hasher.calls - hashesBefore;
  return {
    status: response.statusCode,
    body: response.body,
    requestPath: [...work.slice(start, answered), ...Array(hashes).fill('hash')],
  };
}

// Login must check the account before answering; the others defer every
// lookup, token and mail (deferred-work.ts), leaving only the rate limit.
describe.each([
  ['signup', '/api/v1/auth/signup', { password: 'a fresh passphrase 11' }, 202, 1, true],
  ['login', '/api/v1/auth/login', { password: 'a wrong passphrase 11' }, 401, 1, false],
  ['magic-link request', '/api/v1/auth/magic/request', {}, 202, 0, true],
  ['forgot password', '/api/v1/auth/password/forgot', {}, 200, 0, true],
])('S12 %s', (_name, url, extra, status, hashes, defers) => {
  it('answers the same for a known and an unknown email, after the same work', async () => {
    const known = await observe(url, { email: KNOWN, ...extra });
    const unknown = await observe(url, { email: UNKNOWN, ...extra });
    expect(known).toEqual(unknown);
    expect(known.status).toBe(status);
    expect(known.requestPath.filter((unit) => unit === 'hash')).toHaveLength(hashes);
    if (defers) {
      expect(known.requestPath.filter((unit) => unit !== 'hash')).toEqual(['store:admit']);
    }
  });
});

it('S12: forgot-password looks the address up only after answering, and mails only an account', async () => {
  const known = await observe('/api/v1/auth/password/forgot', { email: KNOWN });
  expect(known.requestPath.some((unit) => unit.startsWith('db:'))).toBe(false);
  const reset = await accounts.smtp.nextMailTo(KNOWN);
  expect(reset.subject).toBe('Reset your Tracera password');
  await observe('/api/v1/auth/password/forgot', { email: UNKNOWN });
  await accounts.app.close();
  expect(accounts.smtp.received.filter((mail) => mail.to.includes(UNKNOWN))).toEqual([]);
});

it('S12: signing up an existing email mails its owner a notice instead of a confirmation link', async () => {
  await observe('/api/v1/auth/signup', { email: KNOWN, password: 'a fresh passphrase 11' });
  const notice = await accounts.smtp.nextMailTo(KNOWN);
  expect(notice.subject).toBe('Sign-up attempt for your Tracera account');
  expect(notice.links).toEqual(['http://tracera.test/sign-in']);
});
