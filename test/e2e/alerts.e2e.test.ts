// The alerts page in a real browser: Debian's Chromium, driven by
// playwright-core, against the whole app on 127.0.0.1 over a market seeded
// through the ingestion path. One trader's path: the page signed out; sign
// in and come back; "Alert me" from an item page opens the form on that
// item; a price-above rule created through the form, with its preview; a
// new price stored the way ingestion stores it, then the evaluator and the
// delivery the leader runs (the real path: record, then notify over the
// store's channel to the user's sockets), and the toast arriving in the open
// page without a reload, the history showing the alert sent to the app;
// edit, pause, resume, delete; the webhook refusing an http:// URL in the
// server's words, and showing a saved one's secret once. Every page is
// checked for CSP violations, console errors, failed or foreign requests
// and serious axe-core findings, and photographed at 390 and 1280 px.
import { sql } from 'kysely';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFiringDelivery } from '../../src/alerts/deliver-firings.js';
import { createAlertEvaluator } from '../../src/alerts/evaluator.js';
import { DEFAULT_STATIC_ROOT } from '../../src/app.js';
import { findUserByEmail } from '../../src/auth/users.js';
import { systemClock } from '../../src/platform/clock.js';
import { createMailer } from '../../src/platform/mail/index.js';
import { notifyUser } from '../../src/realtime/notifications.js';
import {
  RECEIVER_HOST,
  receiverCertificate,
  startTlsReceiver,
  type TlsReceiver,
} from '../alerts/webhook/tls-receiver.js';
import {
  type AccountsApp,
  createVerifiedUser,
  PASSWORD,
  startAccountsApp,
} from '../support/accounts.js';
import {
  DESKTOP,
  type ExpectedRefusal,
  expectClean,
  launchChromium,
  PHONE,
  screenshot,
  watchedContext,
} from '../support/chromium.js';
import { ingestPrice, type SeededMarket, seedMarket } from '../support/market-seed.js';
import { freePort } from '../support/ports.js';

const EMAIL = 'alerts-trader@example.com';
const ITEM = 'AK-47 | Redline (Field-Tested)';
/** Far above the seeded price (about $20), so the new rule is not met at first. */
const LEVEL = '250.00';
const LEVEL_TITLE = `${ITEM} is above $250.00`;
/** The price the test then stores, past the level. */
const PRICE_PAST_LEVEL_CENTS = 26_480;
const POLL = { timeout: 15_000 } as const;
const HOUR_MS = 3_600_000;

/** The history's page (web/src/api/alerts.ts), and older alerts than fit on it with the one that fires. */
const HISTORY_PAGE = 20;
const OLDER_FIRINGS = 20;

/** The rules asked for while signed out: an answer the page shows, not an error. */
const SIGNED_OUT: readonly ExpectedRefusal[] = [{ status: 401, path: '/api/v1/alerts/rules' }];
/** The http:// webhook, refused on purpose. */
const WEBHOOK_REFUSED: readonly ExpectedRefusal[] = [
  { status: 400, path: '/api/v1/alerts/webhook' },
];

let accounts: AccountsApp;
let market: SeededMarket;
let origin: string;
let browser: Browser;
/** The webhook's receiver: HTTPS on loopback, which only this test's options allow (S45). */
let receiver: TlsReceiver;

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  receiver = await startTlsReceiver((_request, response) => response.end());
  accounts = await startAccountsApp({
    env: { BASE_URL: origin, PORT: String(port) },
    staticRoot: DEFAULT_STATIC_ROOT,
    webhookOptions: {
      ca: (await receiverCertificate()).cert,
      resolver: async (host: string) => (host === RECEIVER_HOST ? ['127.0.0.1'] : []),
      addressPolicy: (ip: string) => ip === '127.0.0.1',
    },
  });
  market = await seedMarket(accounts.database, accounts.store, Date.now());
  await accounts.app.listen({ host: '127.0.0.1', port });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await accounts?.close();
  await receiver?.close();
});

function ruleItem(page: Page, title: string) {
  return page
    .getByRole('list', { name: 'Your rules' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: title }) });
}

/**
 * Alerts the user's rule fired before, an hour apart, written as the
 * evaluator records them, so the history has more than a page.
 */
async function recordOlderFirings(userId: number, count: number): Promise<void> {
  const { rows } = await sql<{ id: number; item_id: number }>`
    select id, item_id from alert_rules where user_id = ${userId}`.execute(accounts.database.db);
  const [rule] = rows;
  if (!rule) throw new Error('no rule to have fired');
  for (let index = 1; index <= count; index += 1) {
    const firedAt = new Date(Date.now() - index * HOUR_MS);
    await sql`
      insert into alert_firings (rule_id, user_id, arm_seq, fired_at, kind, item_id, source,
        value, title, message, deliveries, delivered_at)
      values (${rule.id}, ${userId}, ${1000 + index}, ${firedAt}, 'price_above', ${rule.item_id},
        'demo', 25100, ${`Older alert ${index}`}, 'An older alert.',
        ${JSON.stringify({ app: { state: 'sent' } })}, ${firedAt})`.execute(accounts.database.db);
  }
}

/**
 * What the ingestion leader does after a batch: evaluate the rules about
 * the changed items, record what fired, then deliver it, the app's part as
 * a notification published for the user's open sockets.
 */
async function evaluateAndDeliver(itemId: number): Promise<number> {
  const logger = pino({ level: 'silent' });
  const { database, store, config } = accounts;
  const evaluator = createAlertEvaluator({
    database,
    store,
    logger,
    clock: systemClock,
    sources: config.market.providers,
    currency: config.market.currency,
  });
  const delivery = createFiringDelivery({
    database,
    store,
    logger,
    clock: systemClock,
    mailer: createMailer({
      smtpUrl: accounts.smtp.url,
      from: 'Tracera <no-reply@tracera.test>',
      outboxDir: '',
    }),
    baseUrl: origin,
    emailsPerHour: config.alerts.emailsPerHour,
    notify: (userId, notification) => notifyUser(store, userId, notification),
  });
  await evaluator.start();
  try {
    evaluator.changed([{ itemId, source: 'demo' }]);
    await evaluator.idle();
    return await delivery.drain();
  } finally {
    await evaluator.stop();
  }
}

describe('the alerts page', () => {
  it('signed out: says what it is and links to sign in, coming back here', async () => {
    for (const [width, viewport] of [
      ['390', PHONE],
      ['1280', DESKTOP],
    ] as const) {
      const watched = await watchedContext(browser, {
        origin,
        viewport,
        label: width,
        expected: SIGNED_OUT,
      });
      const page = await watched.context.newPage();
      await page.goto(`${origin}/alerts`);
      const signIn = page.getByRole('link', { name: 'Sign in to set up alerts' });
      await signIn.waitFor();
      expect(await signIn.getAttribute('href')).toBe('/sign-in?next=%2Falerts');
      await screenshot(page, `alerts-signed-out-${width}`);
      await expectClean(watched, page);
      await watched.context.close();
    }
  });

  it('a rule from the item page fires through evaluation and delivery, live', async () => {
    await createVerifiedUser(accounts, accounts.browser(), EMAIL);
    const user = await findUserByEmail(accounts.database, EMAIL);
    expect(user).not.toBeNull();
    const itemId = market.ids.get(ITEM) as number;
    const watched = await watchedContext(browser, {
      origin,
      label: 'trader',
      expected: WEBHOOK_REFUSED,
    });
    const page = await watched.context.newPage();

    // Sign in, coming back to the alerts page.
    await page.goto(`${origin}/sign-in?next=/alerts`);
    const withPassword = page.getByRole('region', { name: 'With your password' });
    await withPassword.getByLabel('Email').fill(EMAIL);
    await withPassword.getByLabel('Password').fill(PASSWORD);
    await withPassword.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/alerts`);
    await page.getByText('No rules yet: create one below.').waitFor();
    await page.getByText('Nothing has fired yet.').waitFor();

    // "Alert me" on the item page opens the form with the item chosen.
    await page.goto(`${origin}/items/${itemId}`);
    await page.getByRole('link', { name: 'Alert me' }).click();
    await page.waitForURL(`${origin}/alerts?item=${itemId}`);
    const form = page.getByRole('form', { name: 'New alert rule' });
    const picked = form.getByLabel('Item', { exact: true });
    await expect.poll(() => picked.inputValue(), POLL).toBe(String(itemId));

    // Only the chosen kind's fields show.
    const kind = form.getByLabel('Kind');
    await kind.selectOption('change');
    await form.getByLabel('Threshold (%)').waitFor();
    expect(await form.getByLabel('Level').count()).toBe(0);
    await kind.selectOption('portfolio_change');
    expect(await form.getByLabel('Item', { exact: true }).count()).toBe(0);
    await kind.selectOption('price_above');
    expect(await form.getByLabel('Threshold (%)').count()).toBe(0);

    // A price-above rule, with its preview: the price now, not met.
    await form.getByLabel('Level').fill(LEVEL);
    await form.getByRole('button', { name: 'Create rule' }).click();
    await page.getByText(`Created: ${LEVEL_TITLE}.`).waitFor();
    const rule = ruleItem(page, LEVEL_TITLE);
    await rule.getByText('Armed').waitFor();
    expect(await rule.locator('.rule-now').textContent()).toMatch(/^\$\d{2}\.\d\d$/);
    expect(await rule.getByText('Met now').count()).toBe(0);
    expect(await rule.getByText('In the app').count()).toBe(1);
    await screenshot(page, 'alerts-rule-1280');

    // The live feed is open before anything fires.
    await page.locator('.live-dot.is-on').waitFor();

    // A new price past the level, stored as ingestion stores it; then the
    // leader's evaluation and delivery. The toast arrives without a reload.
    await ingestPrice(accounts.database, accounts.store, {
      item_id: itemId,
      source: 'demo',
      price_cents: PRICE_PAST_LEVEL_CENTS,
      volume: 12,
      observed_at: new Date(),
    });
    expect(await evaluateAndDeliver(itemId)).toBe(1);
    const toasts = page.getByRole('status').filter({ has: page.locator('.toast') });
    const toast = toasts.locator('.toast').filter({ hasText: LEVEL_TITLE });
    await toast.waitFor(POLL);
    expect(await toast.textContent()).toContain('$264.80');
    expect(await toast.getByRole('link', { name: 'See the item' }).getAttribute('href')).toBe(
      `/items/${itemId}`,
    );
    // The history follows, with where it went; the rule waits to re-arm.
    const history = page.getByRole('list', { name: 'History' }).getByRole('listitem');
    await history.filter({ hasText: LEVEL_TITLE }).getByText('app: sent').waitFor(POLL);
    await rule.getByText('Fired, re-arms after the margin').waitFor(POLL);
    await rule.getByText('Met now').waitFor();
    await screenshot(page, 'alerts-fired-1280');
    await expectClean(watched, page);
    await toast.getByRole('button', { name: `Dismiss: ${LEVEL_TITLE}` }).click();
    expect(await page.locator('.toast').count()).toBe(0);

    // The webhook: http:// refused in the server's words; https saved, its secret shown once.
    const webhook = page.getByRole('form', { name: 'Webhook' });
    await webhook.getByLabel('URL').fill('http://hooks.example.com/tracera');
    await webhook.getByRole('button', { name: 'Save webhook' }).click();
    await webhook.getByText('A webhook URL must start with https://').waitFor();
    const hookUrl = `https://${RECEIVER_HOST}:${receiver.port}/tracera`;
    await webhook.getByLabel('URL').fill(hookUrl);
    await webhook.getByLabel('Format').selectOption('json');
    await webhook.getByRole('button', { name: 'Save webhook' }).click();
    const secret = page.getByRole('region', { name: 'Signing secret' });
    await secret.getByText('Copy this secret now: it is shown only once.').waitFor();
    expect(await secret.getByLabel('Signing secret').inputValue()).toMatch(/^\S{20,}$/);
    await page.getByText(hookUrl).waitFor();
    await page.getByText('0 ok, 0 failed').waitFor();
    // The test button sends one signed alert to the receiver and says how it went.
    await page.getByRole('button', { name: 'Send a test' }).click();
    await page.getByText(/^Test delivered: HTTP 200, 1 attempt, \d+ ms\.$/).waitFor(POLL);
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.headers['x-tracera-signature']).toBeTruthy();
    // The secret took the focus, which scrolled; a full-page photo reads best from the top.
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'alerts-1280');
    await expectClean(watched, page);
    await secret.getByRole('button', { name: 'I have saved it' }).click();
    expect(await secret.count()).toBe(0);

    // The same page on a phone: nothing wider than the screen.
    const phone = await watchedContext(browser, { origin, viewport: PHONE, label: 'phone' });
    await phone.context.addCookies(await watched.context.cookies());
    const small = await phone.context.newPage();
    await small.goto(`${origin}/alerts?item=${itemId}`);
    await small.getByRole('form', { name: 'New alert rule' }).waitFor();
    await small
      .getByRole('list', { name: 'History' })
      .getByRole('listitem')
      .filter({ hasText: LEVEL_TITLE })
      .waitFor();
    await small.getByText(hookUrl).waitFor();
    await screenshot(small, 'alerts-390');
    expect(await small.evaluate('document.documentElement.scrollWidth')).toBe(PHONE.width);
    await expectClean(phone, small);
    await phone.context.close();

    // Older alerts than a page holds: the newest page first, then "Show older".
    await recordOlderFirings(user?.id as number, OLDER_FIRINGS);
    await page.reload();
    const firings = page.locator('.alert-firing');
    await expect.poll(() => firings.count(), POLL).toBe(HISTORY_PAGE);
    expect(await firings.first().textContent()).toContain(LEVEL_TITLE);
    await page.getByRole('button', { name: 'Show older' }).click();
    await expect.poll(() => firings.count(), POLL).toBe(OLDER_FIRINGS + 1);
    expect(await firings.last().textContent()).toContain(`Older alert ${OLDER_FIRINGS}`);
    expect(await page.getByRole('button', { name: 'Show older' }).count()).toBe(0);

    // Edit the note only: the rule stays fired, waiting to re-arm.
    await rule.getByRole('button', { name: `Edit ${LEVEL_TITLE}` }).click();
    const edit = page.getByRole('form', { name: `Edit ${LEVEL_TITLE}` });
    await edit.getByLabel(/^Note/).fill('Sell half');
    await edit.getByRole('button', { name: 'Save rule' }).click();
    await page.getByText(`Saved: ${LEVEL_TITLE}.`).waitFor();
    await rule.getByText('Sell half').waitFor();
    expect(await rule.getByText('Fired, re-arms after the margin').count()).toBe(1);

    // Edit the level: a new condition arms it again.
    await rule.getByRole('button', { name: `Edit ${LEVEL_TITLE}` }).click();
    await edit.getByLabel('Level').fill('300');
    await edit.getByRole('button', { name: 'Save rule' }).click();
    const editedTitle = `${ITEM} is above $300.00`;
    await page.getByText(`Saved: ${editedTitle}.`).waitFor();
    const edited = ruleItem(page, editedTitle);
    await edited.getByText('Armed').waitFor();

    // Pause, resume, delete (asked first).
    await edited.getByRole('button', { name: `Pause ${editedTitle}` }).click();
    await page.getByText(`Paused: ${editedTitle}.`).waitFor();
    await edited.getByText('Paused', { exact: true }).waitFor();
    await edited.getByRole('button', { name: `Resume ${editedTitle}` }).click();
    await page.getByText(`Resumed: ${editedTitle}.`).waitFor();
    await edited.getByRole('button', { name: `Delete ${editedTitle}` }).click();
    await edited.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText(`Deleted: ${editedTitle}.`).waitFor();
    await page.getByText('No rules yet: create one below.').waitFor();
    await expectClean(watched, page);

    await watched.context.close();
  });
});
