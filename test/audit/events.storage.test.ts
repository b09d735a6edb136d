// S35: audit events carry the request's metadata and can be read back by
// user, event and time.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { queryAuditEvents, recordAuditEvent } from '../../src/audit/events.js';
import {
  type AccountsApp,
  createVerifiedUser,
  signIn,
  startAccountsApp,
} from '../support/accounts.js';

let accounts: AccountsApp;

beforeEach(async () => {
  accounts = await startAccountsApp();
});

afterEach(async () => {
  await accounts.close();
});

it('records request metadata and filters by user, event and time', async () => {
  const browser = accounts.browser('198.51.100.42');
  await createVerifiedUser(accounts, browser, 'audit@example.com');
  const login = await signIn(browser, 'audit@example.com');
  const userId = login.json().user.id as number;
  await browser.send('POST', '/api/v1/auth/login', {
    email: 'audit@example.com',
    password: 'not it at all',
  });

  const logins = await queryAuditEvents(accounts.database, { userId, event: 'login' });
  expect(logins.map((event) => event.outcome)).toEqual(['failure', 'success']);
  const [failure, success] = logins;
  expect(success).toMatchObject({
    userId,
    ip: '198.51.100.42',
    userAgent: browser.userAgent,
    requestId: login.headers['x-request-id'],
    detail: { method: 'password' },
  });
  expect(failure?.detail).toEqual({ reason: 'wrong_password' });

  const everything = await queryAuditEvents(accounts.database, { userId });
  expect(everything.map((event) => event.event)).toEqual([
    'login',
    'login',
    'email_verification',
    'signup',
  ]);
  const cutoff = everything[1]?.occurredAt as Date;
  const later = await queryAuditEvents(accounts.database, { userId, since: cutoff });
  expect(later.length).toBeGreaterThanOrEqual(2);
  expect(later.every((event) => event.occurredAt >= cutoff)).toBe(true);
  const earlier = await queryAuditEvents(accounts.database, { userId, until: cutoff });
  expect(earlier.every((event) => event.occurredAt < cutoff)).toBe(true);
  expect(earlier.length + later.length).toBe(everything.length);
  expect(await queryAuditEvents(accounts.database, { userId, limit: 1 })).toHaveLength(1);
});

it('keeps an event with no user, and caps the user agent', async () => {
  const request = {
    ip: '192.0.2.9',
    id: 'req-1',
    headers: { 'user-agent': 'x'.repeat(2000) },
  } as unknown as Parameters<typeof recordAuditEvent>[1];
  await recordAuditEvent(accounts.database, request, {
    event: 'password_reset_request',
    outcome: 'failure',
    detail: { reason: 'unknown_email' },
  });
  const [event] = await queryAuditEvents(accounts.database, { event: 'password_reset_request' });
  expect(event).toMatchObject({ userId: null, ip: '192.0.2.9', requestId: 'req-1' });
  expect(event?.userAgent).toHaveLength(512);
});
