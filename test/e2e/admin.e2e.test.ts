// The admin pages in a real browser (Debian's Chromium, driven by
// playwright-core) against the whole app on 127.0.0.1 with admin on. Without
// the credentials the page is a 401 with the basic-auth challenge and no app;
// with them: the services and ingestion, a user found, disabled (their
// session ends, and they cannot sign in), enabled, made admin and their
// sessions ended, and the audit log filtered and downloaded as CSV. Every
// page is checked for CSP violations, console errors, failed or foreign
// requests and serious axe-core findings, and photographed at 390 and 1280 px.
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STATIC_ROOT } from '../../src/app.js';
import { createSourceStatusRecorder } from '../../src/market/ingest/source-status.js';
import {
  type AccountsApp,
  createVerifiedUser,
  PASSWORD,
  signIn,
  startAccountsApp,
} from '../support/accounts.js';
import { ADMIN_PASSWORD, ADMIN_USER, adminBasicAuth } from '../support/admin.js';
import type { Browser as ApiBrowser } from '../support/browser.js';
import {
  DESKTOP,
  expectClean,
  launchChromium,
  PHONE,
  screenshot,
  watchedContext,
} from '../support/chromium.js';
import { seedMarket } from '../support/market-seed.js';
import { freePort } from '../support/ports.js';

const TRADER = 'trader@example.com';
const OTHER = 'other@example.com';
const ADMIN_CREDENTIALS = { username: ADMIN_USER, password: ADMIN_PASSWORD } as const;

let accounts: AccountsApp;
let origin: string;
let browser: Browser;
/** The trader's own session, signed in over the API before the admin acts. */
let trader: ApiBrowser;

/** One finished ingestion cycle, recorded as the leader records it: demo fine, Skinport failing. */
async function recordIngestion(app: AccountsApp): Promise<void> {
  const recorder = createSourceStatusRecorder({
    database: app.database,
    store: app.store,
    logger: pino({ level: 'silent' }),
    now: Date.now,
    sources: ['demo', 'skinport'],
  });
  const outcome = {
    batches: 1,
    quotes: 3,
    rejected: 0,
    pace: null,
    cutOff: false,
  };
  await recorder.record({
    catalogItems: 6,
    term: { signal: new AbortController().signal, isLeading: () => true },
    outcomes: [
      {
        ...outcome,
        source: 'demo',
        inserted: 3,
        pricedItemIds: new Set([1, 2, 3]),
        durationMs: 850,
        failure: null,
      },
      {
        ...outcome,
        source: 'skinport',
        quotes: 0,
        inserted: 0,
        pricedItemIds: new Set(),
        durationMs: 5_000,
        failure: { stage: 'fetch', error: new Error('connection reset') },
      },
    ],
  });
}

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  accounts = await startAccountsApp({
    env: {
      BASE_URL: origin,
      PORT: String(port),
      ADMIN_BASIC_AUTH: await adminBasicAuth(),
      MARKET_PROVIDERS: 'demo,skinport',
    },
    staticRoot: DEFAULT_STATIC_ROOT,
  });
  await seedMarket(accounts.database, accounts.store, Date.now());
  await recordIngestion(accounts);
  await createVerifiedUser(accounts, accounts.browser(), TRADER);
  await createVerifiedUser(accounts, accounts.browser(), OTHER);
  trader = accounts.browser('198.51.100.7');
  await signIn(trader, TRADER);
  await accounts.app.listen({ host: '127.0.0.1', port });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await accounts?.close();
});

function userRow(page: Page, email: string) {
  return page
    .getByRole('table', { name: /^Users/ })
    .getByRole('row')
    .filter({ hasText: email });
}

describe('the admin pages', () => {
  it('without the credentials: a 401 with the challenge, and no app', async () => {
    // A browser would prompt for the credentials here; headless Chromium
    // cannot, so the context's own HTTP client asks as the browser does.
    const watched = await watchedContext(browser, { origin, label: 'no-credentials' });
    const response = await watched.context.request.get(`${origin}/admin/users`, {
      headers: { accept: 'text/html' },
    });
    expect(response.status()).toBe(401);
    expect(response.headers()['www-authenticate']).toMatch(/^Basic realm="Tracera admin"/);
    expect(response.headers()['cache-control']).toBe('no-store');
    expect(await response.text()).not.toContain('<div id="root">');
    await watched.context.close();
  });

  it('status: the database, the store, and each provider’s last cycle', async () => {
    for (const [width, viewport] of [
      ['390', PHONE],
      ['1280', DESKTOP],
    ] as const) {
      const watched = await watchedContext(browser, {
        origin,
        viewport,
        label: `status-${width}`,
        basicAuth: ADMIN_CREDENTIALS,
      });
      const page = await watched.context.newPage();
      const response = await page.goto(`${origin}/admin`);
      expect(response?.headers()['cache-control']).toBe('no-store');
      await page.getByRole('heading', { name: 'Admin', level: 1 }).waitFor();
      const services = page.locator('.admin-services');
      await services.getByText('Up').first().waitFor();
      expect(await services.getByText('Up').count()).toBe(2);
      const table = page.getByRole('table', { name: 'Ingestion per provider' });
      const demo = table.getByRole('row').filter({ hasText: 'Demo' });
      await demo.waitFor();
      expect(await demo.getByRole('cell').nth(0).textContent()).toBe('OK');
      const skinport = table.getByRole('row').filter({ hasText: 'Skinport' });
      expect(await skinport.textContent()).toContain('Failing');
      // An error that is not an HTTP failure is named only in the server log.
      expect(await skinport.textContent()).toContain('failed; the server log has the details');
      await screenshot(page, `admin-status-${width}`);
      await expectClean(watched, page);
      await watched.context.close();
    }
  });

  it('users: find, disable (sessions end), enable, make admin, end sessions', async () => {
    const watched = await watchedContext(browser, {
      origin,
      label: 'users',
      basicAuth: ADMIN_CREDENTIALS,
    });
    const page = await watched.context.newPage();
    page.on('dialog', (dialog) => dialog.accept());
    await page.goto(`${origin}/admin`);
    await page
      .getByRole('navigation', { name: 'Admin' })
      .getByRole('link', { name: 'Users' })
      .click();
    await page.waitForURL(`${origin}/admin/users`);
    await userRow(page, OTHER).waitFor();

    await page.getByLabel('Email or name contains').fill('trader@');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => userRow(page, OTHER).count()).toBe(0);
    const row = userRow(page, TRADER);
    expect(await row.textContent()).toContain('Active');

    // Disabled: the trader's session ends at once, and signing in is refused.
    expect((await trader.request({ url: '/api/v1/auth/me' })).statusCode).toBe(200);
    await row.getByRole('button', { name: `Disable ${TRADER}` }).click();
    await page.getByText(`Disabled ${TRADER}; their sessions have ended.`).waitFor();
    await expect.poll(async () => row.textContent()).toContain('Disabled');
    expect((await trader.request({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
    await trader.fetchCsrf();
    const refused = await trader.send('POST', '/api/v1/auth/login', {
      email: TRADER,
      password: PASSWORD,
    });
    expect(refused.statusCode).toBe(401);
    await screenshot(page, 'admin-users-1280');

    // Enabled again: signing in works, then the role, then ending sessions.
    await row.getByRole('button', { name: `Enable ${TRADER}` }).click();
    await page.getByText(`Enabled ${TRADER}; they can sign in again.`).waitFor();
    await signIn(trader, TRADER);
    await row.getByLabel(`Role of ${TRADER}`).selectOption('admin');
    await page.getByText(`${TRADER} is now an admin.`).waitFor();
    expect((await trader.request({ url: '/api/v1/auth/me' })).json().role).toBe('admin');
    await row.getByRole('button', { name: `End sessions of ${TRADER}` }).click();
    await page.getByText(`Ended 1 session of ${TRADER}.`).waitFor();
    expect((await trader.request({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
    await expectClean(watched, page);
    await watched.context.close();
  });

  it('audit log: filtered by event and outcome, older pages, and the CSV', async () => {
    // Two failed sign-ins to find.
    const stranger = accounts.browser('203.0.113.99');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await stranger.send('POST', '/api/v1/auth/login', {
        email: OTHER,
        password: 'not it at all',
      });
    }
    const watched = await watchedContext(browser, {
      origin,
      viewport: DESKTOP,
      label: 'audit',
      basicAuth: ADMIN_CREDENTIALS,
    });
    const page = await watched.context.newPage();
    await page.goto(`${origin}/admin/audit`);
    const table = page.getByRole('table', { name: /^Audit events/ });
    await table.waitFor();
    // Every admin request so far was audited as admin_access.
    expect(
      await table.getByRole('row').filter({ hasText: 'admin_access' }).count(),
    ).toBeGreaterThan(0);

    const filters = page.getByRole('form', { name: 'Filter the audit log' });
    await filters.getByLabel('Event').selectOption('login');
    await filters.getByLabel('Outcome').selectOption('failure');
    await filters.getByRole('button', { name: 'Apply' }).click();
    // The stranger's two, and the disabled trader's refused sign-in.
    const rows = async () => (await table.getByRole('row').allTextContents()).slice(1);
    await expect.poll(async () => (await rows()).length).toBe(3);
    for (const text of await rows()) expect(text).toMatch(/login.*failure/);
    expect((await rows()).filter((text) => text.includes('203.0.113.99'))).toHaveLength(2);
    await screenshot(page, 'admin-audit-1280');

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download CSV' }).click();
    const file = await (await download).path();
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\r\n');
    expect(lines[0]).toBe('occurred_at,event,outcome,user_id,ip,user_agent,request_id,detail');
    expect(lines).toHaveLength(4);
    for (const line of lines.slice(1)) expect(line).toMatch(/,login,failure,/);
    expect(lines.filter((line) => line.includes('203.0.113.99'))).toHaveLength(2);
    await expectClean(watched, page);
    await watched.context.close();
  });

  it('webhooks: each user’s webhook by host, and its health', async () => {
    const owner = accounts.browser('198.51.100.8');
    await signIn(owner, OTHER);
    const saved = await owner.send('PUT', '/api/v1/alerts/webhook', {
      url: 'https://hooks.example.com/tracera/secret-path',
      format: 'discord',
    });
    expect(saved.statusCode).toBe(200);
    const watched = await watchedContext(browser, {
      origin,
      label: 'webhooks',
      basicAuth: ADMIN_CREDENTIALS,
    });
    const page = await watched.context.newPage();
    await page.goto(`${origin}/admin/webhooks`);
    const row = page
      .getByRole('table', { name: 'Alert webhooks by user' })
      .getByRole('row')
      .filter({ hasText: OTHER });
    await row.waitFor();
    expect(await row.textContent()).toContain('hooks.example.com');
    expect(await row.textContent()).toContain('Not used yet');
    expect(await page.content()).not.toContain('secret-path');
    await screenshot(page, 'admin-webhooks-1280');
    await expectClean(watched, page);
    await watched.context.close();
  });
});
