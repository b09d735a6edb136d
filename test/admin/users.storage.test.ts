// The admin API's users and audit routes: search, disable (S12: a disabled
// account is refused exactly as a wrong password is, and its sessions end),
// enable, end sessions, role, and the audit trail as JSON and as CSV.
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INVALID_CREDENTIALS } from '../../src/auth/sign-in.js';
import {
  type AccountsApp,
  createVerifiedUser,
  PASSWORD,
  signIn,
  startAccountsApp,
} from '../support/accounts.js';
import { adminBasicAuth } from '../support/admin.js';
import { Browser } from '../support/browser.js';

const ADMIN_PASSWORD = 'a long admin passphrase 7';
const INSIDE = '127.0.0.1';

let adminBasicAuthValue = '';
beforeAll(async () => {
  adminBasicAuthValue = await adminBasicAuth(ADMIN_PASSWORD);
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function adminApp(): Promise<AccountsApp> {
  const accounts = await startAccountsApp({ env: { ADMIN_BASIC_AUTH: adminBasicAuthValue } });
  cleanups.push(() => accounts.close());
  return accounts;
}

/** An admin's browser on loopback: the credentials on every request, and a CSRF token. */
async function adminBrowser(accounts: AccountsApp) {
  const browser = accounts.browser(INSIDE);
  await browser.fetchCsrf();
  const authorization = `Basic ${Buffer.from(`ops:${ADMIN_PASSWORD}`).toString('base64')}`;
  return (
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse> =>
    browser.request({
      method,
      url,
      headers: { authorization },
      ...(body === undefined ? {} : { body }),
    });
}

async function userId(admin: Awaited<ReturnType<typeof adminBrowser>>, email: string) {
  const response = await admin('GET', `/admin/api/users?q=${encodeURIComponent(email)}`);
  expect(response.statusCode).toBe(200);
  const [user] = response.json().users as { id: number; email: string }[];
  if (!user) throw new Error(`no user ${email}`);
  return user.id;
}

async function loginBody(browser: Browser, email: string, password: string) {
  const response = await browser.send('POST', '/api/v1/auth/login', { email, password });
  return { status: response.statusCode, body: response.json() };
}

describe('admin users', () => {
  it('finds users by part of their email or name, a page at a time', async () => {
    const accounts = await adminApp();
    const browser = accounts.browser();
    for (const email of ['ann@example.com', 'bob@example.com', 'annette@example.org']) {
      await createVerifiedUser(accounts, browser, email);
    }
    const admin = await adminBrowser(accounts);
    const first = await admin('GET', '/admin/api/users?q=ANN&limit=1');
    expect(first.json().users.map((user: { email: string }) => user.email)).toEqual([
      'annette@example.org',
    ]);
    const cursor = first.json().next_cursor as string;
    const second = await admin('GET', `/admin/api/users?q=ann&limit=1&cursor=${cursor}`);
    expect(second.json()).toMatchObject({
      users: [{ email: 'ann@example.com', disabled_at: null, role: 'user' }],
      next_cursor: null,
    });
    const wildcard = await admin('GET', '/admin/api/users?q=%25');
    expect(wildcard.json().users).toEqual([]);
  });

  it('S12: a disabled user is refused sign-in exactly as a wrong password is, and their sessions end', async () => {
    const accounts = await adminApp();
    const user = accounts.browser('198.51.100.21');
    await createVerifiedUser(accounts, user, 'carol@example.com');
    await signIn(user, 'carol@example.com');
    expect((await user.request({ url: '/api/v1/auth/me' })).statusCode).toBe(200);

    const admin = await adminBrowser(accounts);
    const id = await userId(admin, 'carol@example.com');
    const disabled = await admin('POST', `/admin/api/users/${id}/disable`);
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json().disabled_at).toEqual(expect.any(String));
    expect((await user.request({ url: '/api/v1/auth/me' })).statusCode).toBe(401);

    const other = accounts.browser('198.51.100.22');
    let calls = accounts.hasher.calls;
    const refused = await loginBody(other, 'carol@example.com', PASSWORD);
    const refusedCalls = accounts.hasher.calls - calls;
    calls = accounts.hasher.calls;
    const wrong = await loginBody(other, 'carol@example.com', 'not her password 99');
    expect(refused).toEqual({ status: 401, body: { detail: INVALID_CREDENTIALS } });
    expect(refused).toEqual(wrong);
    expect(refusedCalls).toBe(accounts.hasher.calls - calls);

    const enabled = await admin('POST', `/admin/api/users/${id}/enable`);
    expect(enabled.json().disabled_at).toBeNull();
    expect(
      (await loginBody(accounts.browser('198.51.100.23'), 'carol@example.com', PASSWORD)).status,
    ).toBe(200);
  });

  it('ends all of a user’s sessions, and changes their role in the live ones', async () => {
    const accounts = await adminApp();
    const phone = accounts.browser('198.51.100.31');
    const laptop = accounts.browser('198.51.100.32');
    await createVerifiedUser(accounts, phone, 'dan@example.com');
    await signIn(phone, 'dan@example.com');
    await signIn(laptop, 'dan@example.com');
    const admin = await adminBrowser(accounts);
    const id = await userId(admin, 'dan@example.com');

    const promoted = await admin('PATCH', `/admin/api/users/${id}`, { role: 'admin' });
    expect(promoted.json().role).toBe('admin');
    expect((await phone.request({ url: '/api/v1/auth/me' })).json().role).toBe('admin');
    expect((await admin('PATCH', `/admin/api/users/${id}`, { role: 'root' })).statusCode).toBe(400);

    const ended = await admin('POST', `/admin/api/users/${id}/sessions/end`);
    expect(ended.json()).toEqual({ ended: 2 });
    expect((await phone.request({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
    expect((await laptop.request({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
    expect((await admin('POST', '/admin/api/users/999999/sessions/end')).statusCode).toBe(404);
  });
});

describe('admin audit', () => {
  it('filters the trail by event and outcome, pages it, and exports formula-safe CSV', async () => {
    const accounts = await adminApp();
    const browser = accounts.browser();
    await createVerifiedUser(accounts, browser, 'erin@example.com');
    await loginBody(browser, 'erin@example.com', 'wrong password 123');
    await loginBody(browser, 'erin@example.com', 'wrong password 456');
    // A user agent that a spreadsheet would run as a formula.
    const formula = new Browser(accounts.app, '198.51.100.40', '=HYPERLINK("http://evil.example")');
    await loginBody(formula, 'erin@example.com', 'wrong password 789');
    const admin = await adminBrowser(accounts);

    const first = await admin('GET', '/admin/api/audit?event=login&outcome=failure&limit=1');
    expect(first.statusCode).toBe(200);
    expect(first.json().events).toHaveLength(1);
    const second = await admin(
      'GET',
      `/admin/api/audit?event=login&outcome=failure&limit=5&cursor=${first.json().next_cursor}`,
    );
    const ids = [first, second].flatMap((page) =>
      page.json().events.map((event: { id: number; event: string }) => event.id),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect((await admin('GET', '/admin/api/audit?event=nonsense')).statusCode).toBe(400);
    expect((await admin('GET', '/admin/api/audit?cursor=bm9wZQ')).statusCode).toBe(400);
    // Valid JavaScript dates the database cannot take: 400, not 500 (S38).
    const farCursor = Buffer.from('+275760-09-13T00:00:00.000Z|1').toString('base64url');
    expect((await admin('GET', `/admin/api/audit?cursor=${farCursor}`)).statusCode).toBe(400);
    expect((await admin('GET', '/admin/api/audit?since=-271821-04-20')).statusCode).toBe(400);
    expect((await admin('GET', '/admin/api/audit?until=%2B275760-09-13')).statusCode).toBe(400);

    const csv = await admin('GET', '/admin/api/audit.csv?event=login');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['cache-control']).toBe('no-store');
    expect(csv.body.split('\r\n')[0]).toBe(
      'occurred_at,event,outcome,user_id,ip,user_agent,request_id,detail',
    );
    expect(csv.body).not.toMatch(/(^|,)=HYPERLINK/m);
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
  });

  it('shows ingestion per provider and the status of the database and store', async () => {
    const accounts = await adminApp();
    const admin = await adminBrowser(accounts);
    const ingestion = await admin('GET', '/admin/api/ingestion');
    expect(ingestion.statusCode).toBe(200);
    const providers = ingestion.json().providers as {
      source: string;
      state: string;
      stale: boolean;
    }[];
    expect(providers.length).toBeGreaterThan(0);
    expect(providers[0]).toMatchObject({ state: 'not_run_yet', stale: true, stale_items: null });
    const status = await admin('GET', '/admin/api/status');
    expect(status.json()).toMatchObject({ database: { state: 'up' }, store: { state: 'up' } });
  });
});
