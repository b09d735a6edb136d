// Delivering fired alerts on test storage, with a real SMTP peer and a real
// TLS webhook receiver on 127.0.0.1: several alerts of one user go as one
// email digest; ALERT_EMAILS_PER_HOUR caps the emails, not the other
// channels; the webhook gets each alert signed, with the firing as its
// idempotency key, and its health is kept; and a crash between recording a
// firing and delivering it loses nothing: the next delivery sends it once.
import { afterEach, describe, expect, it } from 'vitest';
import { startAlertsBackground } from '../../src/alerts/background.js';
import { createFiringDelivery } from '../../src/alerts/deliver-firings.js';
import { createAlertEvaluator } from '../../src/alerts/evaluator.js';
import { alertsDb } from '../../src/alerts/tables.js';
import { verifyWebhookSignature } from '../../src/alerts/webhook/signature.js';
import { setUserDisabled } from '../../src/auth/users.js';
import { updateLatestPrices } from '../../src/market/ingest/latest-prices.js';
import { systemClock } from '../../src/platform/clock.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailer } from '../../src/platform/mail/index.js';
import type { Notification } from '../../src/shared/live-feed.js';
import { type AccountsApp, startAccountsApp } from '../support/accounts.js';
import {
  type PortfolioUser,
  PRICED,
  portfolioUser,
  seedPortfolioMarket,
  type TestMarket,
} from '../support/portfolio.js';
import {
  localWebhookOptions,
  RECEIVER_HOST,
  startTlsReceiver,
  type TlsReceiver,
} from './webhook/tls-receiver.js';

const EMAIL = 'alerts@tracera.test';
const logger = createLogger('silent');

let app: AccountsApp;
let market: TestMarket;
let receiver: TlsReceiver;
let status = 200;
/** While true, the receiver keeps each answer in `held` until a test releases it. */
let holding = false;
const held: (() => void)[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await app?.close();
  await receiver?.close();
});

async function start(env: Record<string, string> = {}): Promise<PortfolioUser> {
  status = 200;
  holding = false;
  held.length = 0;
  receiver = await startTlsReceiver((_request, response) => {
    const answer = () => {
      response.statusCode = status;
      response.end();
    };
    if (holding) held.push(answer);
    else answer();
  });
  app = await startAccountsApp({ env });
  const now = Date.now();
  market = await seedPortfolioMarket(app.database, app.store, now);
  await updateLatestPrices(
    app.store,
    Object.entries(PRICED).map(([key, item]) => ({
      item_id: market.ids[key as keyof typeof PRICED],
      source: 'demo' as const,
      price_cents: item.cents,
      observed_at: new Date(now),
    })),
  );
  const user = await portfolioUser(app, EMAIL, null);
  const hook = await user.browser.send('PUT', '/api/v1/alerts/webhook', {
    url: `https://${RECEIVER_HOST}:${receiver.port}/hook`,
    format: 'json',
  });
  expect(hook.statusCode).toBe(200);
  secret = hook.json().secret;
  return user;
}
let secret = '';

/** Rules on the redline at levels below its price: each fires at the first evaluation. */
async function rules(user: PortfolioUser, levels: readonly number[], channels: string[]) {
  for (const level of levels) {
    const created = await user.browser.send('POST', '/api/v1/alerts/rules', {
      item_id: market.ids.redline,
      condition: { kind: 'price_above', level_cents: level },
      channels,
    });
    expect(created.statusCode, created.body).toBe(201);
  }
}

async function fire(): Promise<number> {
  const evaluator = createAlertEvaluator({
    database: app.database,
    store: app.store,
    logger,
    clock: systemClock,
    sources: ['demo'],
    currency: 'USD',
  });
  await evaluator.start();
  cleanups.push(() => evaluator.stop());
  const report = await evaluator.evaluate(
    evaluator.index.affectedBy([{ itemId: market.ids.redline, source: 'demo' }]),
  );
  return report.fired;
}

async function delivery(notified: { userId: number; notification: Notification }[] = []) {
  const mailer = createMailer({
    smtpUrl: app.smtp.url,
    from: 'Tracera <a@tracera.test>',
    outboxDir: '',
  });
  cleanups.push(() => mailer.close());
  return createFiringDelivery({
    database: app.database,
    store: app.store,
    mailer,
    logger,
    clock: systemClock,
    baseUrl: 'https://tracera.test',
    emailsPerHour: app.config.alerts.emailsPerHour,
    notify: async (userId, notification) => {
      notified.push({ userId, notification });
    },
    webhookOptions: { ...(await localWebhookOptions()), maxAttempts: 1 },
  });
}

/** Waits for `done`, at most two seconds, well under the receiver's timeout. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function history(user: PortfolioUser) {
  return (await user.browser.request({ url: '/api/v1/alerts/history' })).json().firings as {
    id: number;
    deliveries: Record<string, { state: string; reason?: string }>;
  }[];
}

describe('delivering fired alerts', () => {
  it('sends each channel once: the app, one email digest, each webhook signed', async () => {
    const user = await start();
    await rules(user, [1500, 1600, 1700], ['app', 'email', 'webhook']);
    expect(await fire()).toBe(3);
    const notified: { userId: number; notification: Notification }[] = [];
    expect(await (await delivery(notified)).drain()).toBe(3);

    expect(notified.map((one) => one.userId)).toEqual([user.userId, user.userId, user.userId]);
    expect(notified[0]?.notification.message).toContain(PRICED.redline.name);
    const digest = await app.smtp.nextMailTo(EMAIL);
    expect(digest.subject).toBe('Tracera: 3 alerts fired');
    expect(digest.text.match(/at or above your level/g)).toHaveLength(3);
    expect(digest.links).toContain('https://tracera.test/alerts');
    expect(app.smtp.received.filter((mail) => mail.to === EMAIL)).toHaveLength(2);

    expect(receiver.requests).toHaveLength(3);
    const eventIds = receiver.requests.map((request) => request.headers['x-tracera-event-id']);
    expect(new Set(eventIds).size).toBe(3);
    for (const request of receiver.requests) {
      const signature = request.headers['x-tracera-signature'] as string;
      expect(verifyWebhookSignature(secret, signature, request.body, Date.now())).toBe(true);
      expect(JSON.parse(request.body.toString())).toMatchObject({ kind: 'price_above' });
    }
    for (const firing of await history(user)) {
      expect(firing.deliveries).toEqual({
        app: { state: 'sent' },
        email: { state: 'sent' },
        webhook: { state: 'sent' },
      });
    }
    const webhook = (await user.browser.request({ url: '/api/v1/alerts/webhook' })).json().webhook;
    expect(webhook).toMatchObject({ deliveries_ok: 3, deliveries_failed: 0, last_failure: null });
    // Nothing is left: a second drain sends nothing more.
    expect(await (await delivery()).drain()).toBe(0);
    expect(receiver.requests).toHaveLength(3);
  });

  it('past ALERT_EMAILS_PER_HOUR the email is skipped, the other channels still go', async () => {
    const user = await start({ ALERT_EMAILS_PER_HOUR: '1' });
    await rules(user, [1500], ['app', 'email']);
    expect(await fire()).toBe(1);
    await (await delivery()).drain();
    expect((await app.smtp.nextMailTo(EMAIL)).subject).toContain('Tracera alert:');
    await rules(user, [1600], ['app', 'email']);
    expect(await fire()).toBe(1);
    const notified: { userId: number; notification: Notification }[] = [];
    await (await delivery(notified)).drain();
    expect(notified).toHaveLength(1);
    const [latest] = await history(user);
    expect(latest?.deliveries).toEqual({
      app: { state: 'sent' },
      email: { state: 'skipped', reason: 'over 1 alert emails in an hour' },
    });
  });

  it('a webhook that fails is recorded as failed, with the reason, in its health', async () => {
    const user = await start();
    await rules(user, [1500], ['webhook']);
    status = 500;
    expect(await fire()).toBe(1);
    await (await delivery()).drain();
    const [firing] = await history(user);
    expect(firing?.deliveries.webhook).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('500'),
    });
    const webhook = (await user.browser.request({ url: '/api/v1/alerts/webhook' })).json().webhook;
    expect(webhook).toMatchObject({ deliveries_ok: 0, deliveries_failed: 1 });
    expect(webhook.last_failure).toContain('500');
  });

  it('a crash between recording and delivering loses nothing: the next delivery sends it once', async () => {
    const user = await start();
    await rules(user, [1500], ['webhook']);
    // The evaluator recorded the firing, and the process died before delivery ran.
    expect(await fire()).toBe(1);
    expect((await history(user))[0]?.deliveries).toEqual({ webhook: { state: 'pending' } });
    // Another evaluator (another instance) sees the rule disarmed: no second firing.
    expect(await fire()).toBe(0);
    // After the restart, the new leader's delivery finds it.
    expect(await (await delivery()).drain()).toBe(1);
    expect(receiver.requests).toHaveLength(1);
    expect(await (await delivery()).drain()).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    expect((await history(user))[0]?.deliveries).toEqual({ webhook: { state: 'sent' } });
  });

  it('a disabled account gets nothing on any channel', async () => {
    const user = await start();
    await rules(user, [1500], ['app', 'email', 'webhook']);
    expect(await fire()).toBe(1);
    await setUserDisabled(app.database, user.userId, true);
    const notified: { userId: number; notification: Notification }[] = [];
    await (await delivery(notified)).drain();
    expect(notified).toEqual([]);
    expect(receiver.requests).toEqual([]);
    const skipped = { state: 'skipped', reason: 'the account is disabled' };
    const [firing] = await alertsDb(app.database)
      .selectFrom('alert_firings')
      .select(['deliveries', 'delivered_at'])
      .execute();
    expect(firing?.deliveries).toEqual({ app: skipped, email: skipped, webhook: skipped });
    expect(firing?.delivered_at).not.toBeNull();
  });
  it('a slow webhook of one user does not hold back another user’s alerts', async () => {
    const slow = await start();
    await rules(slow, [1500], ['app', 'webhook']);
    expect(await fire()).toBe(1);
    const notified: { userId: number; notification: Notification }[] = [];
    const firings = await delivery(notified);
    holding = true;
    firings.kick();
    await until(() => held.length === 1);
    // Another user's alert fires while the slow receiver still holds its answer.
    const other = await portfolioUser(app, 'other@tracera.test', null);
    await rules(other, [1500], ['app']);
    expect(await fire()).toBe(1);
    firings.kick();
    await until(() => notified.some((one) => one.userId === other.userId));
    for (const answer of held.splice(0)) answer();
    await firings.idle();
    expect((await history(slow))[0]?.deliveries).toEqual({
      app: { state: 'sent' },
      webhook: { state: 'sent' },
    });
    expect((await history(other))[0]?.deliveries).toEqual({ app: { state: 'sent' } });
  });
  it('the ingestion cycle does not wait for a slow webhook', async () => {
    const user = await start();
    await rules(user, [1500], ['webhook']);
    expect(await fire()).toBe(1);
    const mailer = createMailer({ smtpUrl: app.smtp.url, from: 'a@tracera.test', outboxDir: '' });
    cleanups.push(() => mailer.close());
    const background = await startAlertsBackground({
      config: app.config,
      database: app.database,
      store: app.store,
      logger,
      clock: systemClock,
      mailer,
      notify: async () => {},
      webhookOptions: { ...(await localWebhookOptions()), maxAttempts: 1 },
    });
    cleanups.push(() => background.stop());
    holding = true;
    let cycleDone = false;
    const cycle = background.afterCycle(new AbortController().signal).then(() => {
      cycleDone = true;
    });
    await until(() => held.length === 1);
    // The receiver still holds its answer; the next ingestion cycle must not wait for it.
    await until(() => cycleDone);
    for (const answer of held.splice(0)) answer();
    await cycle;
    await background.delivery.idle();
    expect((await history(user))[0]?.deliveries).toEqual({ webhook: { state: 'sent' } });
  });
});
