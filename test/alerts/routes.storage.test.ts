// The alerts API over HTTP on test storage: rules are validated beyond
// their schema (the item, the source, the channels), capped per user,
// previewed against today's prices, re-armed by a changed condition,
// announced to the evaluator, and one user never reaches another's; the
// history pages what fired; the webhook's secret is shown once and its
// test button reaches a signed receiver.
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertEvaluator } from '../../src/alerts/evaluator.js';
import { ALERT_RULES_CHANNEL } from '../../src/alerts/rules.js';
import { verifyWebhookSignature } from '../../src/alerts/webhook/signature.js';
import { updateLatestPrices } from '../../src/market/ingest/latest-prices.js';
import { systemClock } from '../../src/platform/clock.js';
import { createLogger } from '../../src/platform/logger.js';
import { type AccountsApp, startAccountsApp } from '../support/accounts.js';
import {
  PRICED,
  portfolioUser,
  seedPortfolioMarket,
  type TestMarket,
} from '../support/portfolio.js';
import { localWebhookOptions, RECEIVER_HOST, startTlsReceiver } from './webhook/tls-receiver.js';

const RULES = '/api/v1/alerts/rules';

let app: AccountsApp;
let market: TestMarket;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await app?.close();
});

async function start(env: Record<string, string> = {}, local = false) {
  app = await startAccountsApp({
    env,
    ...(local ? { webhookOptions: await localWebhookOptions() } : {}),
  });
  const now = Date.now();
  market = await seedPortfolioMarket(app.database, app.store, now);
  // The latest prices in the store, as ingestion leaves them.
  await updateLatestPrices(
    app.store,
    Object.entries(PRICED).map(([key, item]) => ({
      item_id: market.ids[key as keyof typeof PRICED],
      source: 'demo' as const,
      price_cents: item.cents,
      volume: 100,
      observed_at: new Date(now),
    })),
  );
}

const above = (levelCents: number) => ({ kind: 'price_above', level_cents: levelCents });

describe('alert rules', () => {
  it('creates a rule, previews it against today’s price, and announces it', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'rules@tracera.test', null);
    const announced: string[] = [];
    const unsubscribe = await app.store.subscribe(ALERT_RULES_CHANNEL, (message) => {
      announced.push(message);
    });
    cleanups.push(unsubscribe);
    const created = await browser.send('POST', RULES, {
      item_id: market.ids.redline,
      condition: above(1900),
      channels: ['app'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const rule = created.json();
    expect(rule).toMatchObject({
      item: { id: market.ids.redline, market_hash_name: PRICED.redline.name },
      source: 'preferred',
      margin_percent: 2,
      armed: true,
      paused: false,
      title: `${PRICED.redline.name} is above $19.00`,
      current: { value: PRICED.redline.cents, met: true, source: 'demo' },
    });
    await expect.poll(() => announced).toContain(String(rule.id));
    const listed = (await browser.request({ url: RULES })).json();
    expect(listed.rules.map((one: { id: number }) => one.id)).toEqual([rule.id]);
    expect(listed.limit).toBe(100);
  });

  it.each([
    [{ condition: above(100), channels: ['app'] }, 'needs an item_id'],
    [
      {
        item_id: 1,
        condition: {
          kind: 'portfolio_change',
          window: '24h',
          threshold_percent: 5,
          direction: 'either',
        },
        channels: ['app'],
      },
      'leave item_id out',
    ],
    [{ item_id: 999_999, condition: above(100), channels: ['app'] }, 'No item with that id'],
    [
      { item_id: 1, source: 'skinport', condition: above(100), channels: ['app'] },
      'does not read prices from skinport',
    ],
    [{ item_id: 1, condition: above(100), channels: ['webhook'] }, 'No webhook is set up'],
  ])('refuses %j with a 400 that says why', async (body, why) => {
    await start();
    const { browser } = await portfolioUser(app, 'invalid@tracera.test', null);
    const fixed = {
      ...body,
      ...('item_id' in body && body.item_id === 1 ? { item_id: market.ids.case } : {}),
    };
    const refused = await browser.send('POST', RULES, fixed);
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().detail).toContain(why);
  });

  it('refuses what the schema does not allow, as 400 {"detail"}', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'schema@tracera.test', null);
    for (const body of [
      { item_id: market.ids.case, condition: { kind: 'price_above' }, channels: ['app'] },
      { item_id: market.ids.case, condition: above(0), channels: ['app'] },
      { item_id: market.ids.case, condition: above(100), channels: [] },
      { item_id: market.ids.case, condition: above(100), channels: ['app', 'app'] },
      { item_id: market.ids.case, condition: above(100), channels: ['sms'] },
      { item_id: market.ids.case, condition: { ...above(100), window: '1h' }, channels: ['app'] },
      {
        item_id: market.ids.case,
        condition: { kind: 'change', window: '2h', threshold_percent: 5, direction: 'up' },
        channels: ['app'],
      },
      {
        item_id: market.ids.case,
        condition: { kind: 'stale', max_age_seconds: 10 },
        channels: ['app'],
      },
      { item_id: market.ids.case, condition: above(100), channels: ['app'], margin_percent: 51 },
    ]) {
      const refused = await browser.send('POST', RULES, body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.json()).toEqual({ detail: expect.any(String) });
    }
  });

  it('caps rules per user at ALERT_RULES_PER_USER with a 409', async () => {
    await start({ ALERT_RULES_PER_USER: '2' });
    const { browser } = await portfolioUser(app, 'cap@tracera.test', null);
    const body = { item_id: market.ids.case, condition: above(100), channels: ['app'] };
    expect((await browser.send('POST', RULES, body)).statusCode).toBe(201);
    expect((await browser.send('POST', RULES, body)).statusCode).toBe(201);
    const refused = await browser.send('POST', RULES, body);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain('2 alert rules');
  });

  it('a new condition arms the rule again; pausing alone does not', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'rearm@tracera.test', null);
    const rule = (
      await browser.send('POST', RULES, {
        item_id: market.ids.redline,
        condition: above(1900),
        channels: ['app'],
      })
    ).json();
    await app.database.db
      .withTables<{ alert_rules: { id: number; armed: boolean } }>()
      .updateTable('alert_rules')
      .set({ armed: false })
      .where('id', '=', rule.id)
      .execute();
    const paused = await browser.send('PATCH', `${RULES}/${rule.id}`, { paused: true });
    expect(paused.json()).toMatchObject({ paused: true, armed: false });
    const changed = await browser.send('PATCH', `${RULES}/${rule.id}`, { condition: above(2500) });
    expect(changed.json()).toMatchObject({
      armed: true,
      condition: above(2500),
      current: { met: false },
    });
    expect((await browser.send('PATCH', `${RULES}/${rule.id}`, {})).statusCode).toBe(400);
    const portfolio = await browser.send('PATCH', `${RULES}/${rule.id}`, {
      condition: { kind: 'portfolio_change', window: '24h', threshold_percent: 5, direction: 'up' },
    });
    expect(portfolio.statusCode).toBe(400);
  });

  it('one user never reads, changes or deletes another’s rule', async () => {
    await start();
    const owner = await portfolioUser(app, 'owner@tracera.test', null, '198.51.100.1');
    const other = await portfolioUser(app, 'other@tracera.test', null, '198.51.100.2');
    const rule = (
      await owner.browser.send('POST', RULES, {
        item_id: market.ids.case,
        condition: above(100),
        channels: ['app'],
      })
    ).json();
    expect((await other.browser.request({ url: `${RULES}/${rule.id}` })).statusCode).toBe(404);
    expect(
      (await other.browser.send('PATCH', `${RULES}/${rule.id}`, { paused: true })).statusCode,
    ).toBe(404);
    expect((await other.browser.send('DELETE', `${RULES}/${rule.id}`)).statusCode).toBe(404);
    expect((await other.browser.request({ url: RULES })).json().rules).toEqual([]);
    expect((await owner.browser.send('DELETE', `${RULES}/${rule.id}`)).statusCode).toBe(204);
    expect((await owner.browser.request({ url: `${RULES}/${rule.id}` })).statusCode).toBe(404);
  });

  it('needs a session', async () => {
    await start();
    const anonymous = app.browser();
    expect((await anonymous.request({ url: RULES })).statusCode).toBe(401);
    expect((await anonymous.request({ url: '/api/v1/alerts/history' })).statusCode).toBe(401);
  });
});

describe('alert history', () => {
  it('pages what fired, newest first, with where each went', async () => {
    await start();
    const { browser, userId } = await portfolioUser(app, 'history@tracera.test', null);
    for (const level of [1500, 1600, 1700]) {
      await browser.send('POST', RULES, {
        item_id: market.ids.redline,
        condition: above(level),
        channels: ['app'],
      });
    }
    const evaluator = createAlertEvaluator({
      database: app.database,
      store: app.store,
      logger: createLogger('silent'),
      clock: systemClock,
      sources: ['demo'],
      currency: 'USD',
    });
    await evaluator.start();
    cleanups.push(() => evaluator.stop());
    const report = await evaluator.evaluate(
      evaluator.index.affectedBy([{ itemId: market.ids.redline, source: 'demo' }]),
    );
    expect(report.fired).toBe(3);
    const first = (await browser.request({ url: '/api/v1/alerts/history?limit=2' })).json();
    expect(first.firings).toHaveLength(2);
    expect(first.firings[0]).toMatchObject({
      kind: 'price_above',
      item: { id: market.ids.redline, market_hash_name: PRICED.redline.name },
      value: PRICED.redline.cents,
      deliveries: { app: { state: 'pending' } },
    });
    expect(first.firings[0].message).toContain('$20.00');
    const second = (
      await browser.request({ url: `/api/v1/alerts/history?limit=2&cursor=${first.next_cursor}` })
    ).json();
    expect(second.firings).toHaveLength(1);
    expect(second.next_cursor).toBeNull();
    const ids = [...first.firings, ...second.firings].map((firing: { id: number }) => firing.id);
    expect(new Set(ids).size).toBe(3);
    expect(userId).toBeGreaterThan(0);
    expect(
      (await browser.request({ url: '/api/v1/alerts/history?cursor=bm9wZQ' })).statusCode,
    ).toBe(400);
    // A deleted rule's alerts stay in the history, with no rule to go back to.
    const ruleId = first.firings[0].rule_id;
    expect((await browser.send('DELETE', `${RULES}/${ruleId}`)).statusCode).toBe(204);
    const after = (await browser.request({ url: '/api/v1/alerts/history' })).json();
    expect(after.firings).toHaveLength(3);
    const orphaned = after.firings.filter(
      (firing: { rule_id: number | null }) => firing.rule_id === null,
    );
    expect(orphaned).toHaveLength(1);
  });
  it('refuses a tampered cursor with 400, never a 500', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'cursor@tracera.test', null);
    const cursor = (text: string) => Buffer.from(text).toString('base64url');
    for (const tampered of [
      // Valid JavaScript dates the database cannot store.
      cursor('+275760-09-13T00:00:00.000Z|1'),
      cursor('-271821-04-20T00:00:00.000Z|1'),
      // An id past Number.MAX_SAFE_INTEGER would be rounded to another.
      cursor('2026-01-01T00:00:00.000Z|9007199254740993'),
    ]) {
      const response = await browser.request({
        url: `/api/v1/alerts/history?cursor=${tampered}`,
      });
      expect(response.statusCode, response.body).toBe(400);
    }
  });
});

describe('the webhook', () => {
  it('shows its secret once, refuses http, and its test reaches a signed receiver', async () => {
    const receiver = await startTlsReceiver((_request, response) => response.end());
    cleanups.push(() => receiver.close());
    await start({}, true);
    const { browser } = await portfolioUser(app, 'hook@tracera.test', null);
    const http = await browser.send('PUT', '/api/v1/alerts/webhook', {
      url: 'http://example.com/hook',
      format: 'json',
    });
    expect(http.statusCode).toBe(400);
    const created = await browser.send('PUT', '/api/v1/alerts/webhook', {
      url: `https://${RECEIVER_HOST}:${receiver.port}/hook`,
      format: 'discord',
    });
    expect(created.statusCode, created.body).toBe(200);
    const { secret } = created.json();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const shown = (await browser.request({ url: '/api/v1/alerts/webhook' })).json();
    expect(JSON.stringify(shown)).not.toContain(secret);
    const tested = await browser.send('POST', '/api/v1/alerts/webhook/test');
    expect(tested.json(), tested.body).toMatchObject({ delivered: true, status: 200 });
    const [request] = receiver.requests;
    expect(request).toBeDefined();
    expect(
      verifyWebhookSignature(
        secret,
        request?.headers['x-tracera-signature'] as string,
        request?.body ?? '',
        Date.now(),
      ),
    ).toBe(true);
    expect((await browser.send('DELETE', '/api/v1/alerts/webhook')).statusCode).toBe(204);
    expect((await browser.send('POST', '/api/v1/alerts/webhook/test')).statusCode).toBe(404);
  });
});
