// The admin API's view of users' alert webhooks: one row per webhook with
// its owner and delivery record, the URL's host only (a Discord webhook's
// path is its secret), and a filter for the failing ones.
import { afterEach, describe, expect, it } from 'vitest';
import { type AccountsApp, startAccountsApp } from '../support/accounts.js';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  adminAuthorization,
  adminBasicAuth,
} from '../support/admin.js';
import { portfolioUser } from '../support/portfolio.js';

let app: AccountsApp;
afterEach(async () => {
  await app?.close();
});

describe('admin: alert webhooks', () => {
  it('lists each webhook’s host and health, and filters the failing ones', async () => {
    app = await startAccountsApp({ env: { ADMIN_BASIC_AUTH: await adminBasicAuth() } });
    const fine = await portfolioUser(app, 'fine@tracera.test', null, '198.51.100.1');
    const broken = await portfolioUser(app, 'broken@tracera.test', null, '198.51.100.2');
    const token = 'AbCdEf-the-receivers-own-secret';
    for (const [user, url] of [
      [fine, 'https://hooks.example.com/tracera'],
      [broken, `https://discord.com/api/webhooks/1234/${token}`],
    ] as const) {
      const saved = await user.browser.send('PUT', '/api/v1/alerts/webhook', {
        url,
        format: 'json',
      });
      expect(saved.statusCode).toBe(200);
    }
    // As delivery records them: one success, then one failure after an older success.
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
    const webhooks = app.database.db.withTables<{
      alert_webhooks: {
        user_id: number;
        last_success_at: Date | null;
        last_failure_at: Date | null;
        last_failure: string | null;
        deliveries_ok: number;
        deliveries_failed: number;
      };
    }>();
    await webhooks
      .updateTable('alert_webhooks')
      .set({ last_success_at: at(5), deliveries_ok: 4 })
      .where('user_id', '=', fine.userId)
      .execute();
    await webhooks
      .updateTable('alert_webhooks')
      .set({
        last_success_at: at(60),
        last_failure_at: at(1),
        last_failure: 'The receiver answered 404',
        deliveries_ok: 1,
        deliveries_failed: 2,
      })
      .where('user_id', '=', broken.userId)
      .execute();

    const admin = (url: string) =>
      app.app.inject({
        url,
        remoteAddress: '127.0.0.1',
        headers: { authorization: adminAuthorization(ADMIN_USER, ADMIN_PASSWORD) },
      });
    const all = await admin('/admin/api/webhooks');
    expect(all.statusCode).toBe(200);
    expect(all.json().webhooks).toEqual([
      expect.objectContaining({
        user_id: fine.userId,
        email: 'fine@tracera.test',
        host: 'hooks.example.com',
        failing: false,
        deliveries_ok: 4,
      }),
      expect.objectContaining({
        user_id: broken.userId,
        host: 'discord.com',
        failing: true,
        last_failure: 'The receiver answered 404',
        deliveries_failed: 2,
      }),
    ]);
    expect(all.body).not.toContain(token);
    const failing = (await admin('/admin/api/webhooks?failing=true')).json();
    expect(failing.webhooks.map((row: { user_id: number }) => row.user_id)).toEqual([
      broken.userId,
    ]);
    const first = (await admin('/admin/api/webhooks?limit=1')).json();
    expect(first.webhooks).toHaveLength(1);
    const second = (await admin(`/admin/api/webhooks?limit=1&cursor=${first.next_cursor}`)).json();
    expect(second.webhooks.map((row: { user_id: number }) => row.user_id)).toEqual([broken.userId]);
    expect(second.next_cursor).toBeNull();
    expect(
      (await app.app.inject({ url: '/admin/api/webhooks', remoteAddress: '127.0.0.1' })).statusCode,
    ).toBe(401);
  });
});
