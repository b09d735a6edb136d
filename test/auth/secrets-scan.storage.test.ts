// S36: one run through every account flow with known secrets, then a search
// of every log line and every audit row for each of them.
import { expect, it } from 'vitest';
import { queryAuditEvents } from '../../src/audit/events.js';
import { PASSWORD, startAccountsApp, tokenIn } from '../support/accounts.js';

it('S36: no password, token, cookie or CSRF token reaches a log line or an audit row', async () => {
  const accounts = await startAccountsApp({ env: { LOG_LEVEL: 'trace' } });
  const secrets = new Set<string>([PASSWORD]);
  const email = 'scan@example.com';
  const browser = accounts.browser();
  let audit = '';
  const remember = () => {
    for (const value of browser.cookies.values()) secrets.add(value);
    if (browser.csrfToken) secrets.add(browser.csrfToken);
  };
  try {
    await browser.fetchCsrf();
    remember();
    expect(
      (await browser.send('POST', '/api/v1/auth/signup', { email, password: PASSWORD })).statusCode,
    ).toBe(202);
    const verification = tokenIn(await accounts.smtp.nextMailTo(email));
    secrets.add(verification);
    expect(
      (
        await browser.send('POST', '/api/v1/auth/verify-email', {
          token: verification,
          password: PASSWORD,
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await browser.send('POST', '/api/v1/auth/login', { email, password: PASSWORD })).statusCode,
    ).toBe(200);
    remember();
    const changed = 'changed passphrase for the scan 1';
    secrets.add(changed);
    const change = await browser.send('POST', '/api/v1/auth/password/change', {
      current_password: PASSWORD,
      new_password: changed,
    });
    expect(change.statusCode).toBe(200);
    const wrong = 'wrong passphrase in the scan 2';
    secrets.add(wrong);
    await browser.send('POST', '/api/v1/auth/login', { email, password: wrong });

    expect((await browser.send('POST', '/api/v1/auth/magic/request', { email })).statusCode).toBe(
      202,
    );
    const magic = tokenIn(await accounts.smtp.nextMailTo(email));
    secrets.add(magic);
    expect(
      (await browser.request({ url: `/api/v1/auth/magic/verify?token=${magic}` })).statusCode,
    ).toBe(303);
    expect(
      (await browser.send('POST', '/api/v1/auth/magic/verify', { token: magic })).statusCode,
    ).toBe(200);
    remember();

    expect((await browser.send('POST', '/api/v1/auth/password/forgot', { email })).statusCode).toBe(
      200,
    );
    const reset = tokenIn(await accounts.smtp.nextMailTo(email));
    secrets.add(reset);
    const resetPassword = 'reset passphrase for the scan 3';
    secrets.add(resetPassword);
    const resetResponse = await browser.send('POST', '/api/v1/auth/password/reset', {
      token: reset,
      password: resetPassword,
    });
    expect(resetResponse.statusCode).toBe(200);
    // The reset ended this browser's session too, and with it the token bound to it.
    await browser.fetchCsrf();
    expect(
      (await browser.send('POST', '/api/v1/auth/login', { email, password: resetPassword }))
        .statusCode,
    ).toBe(200);
    remember();
    expect((await browser.send('POST', '/api/v1/auth/logout')).statusCode).toBe(204);
    audit = JSON.stringify(await queryAuditEvents(accounts.database, { limit: 1000 }));
  } finally {
    await accounts.close();
  }

  const logs = accounts.logs.raw.join('\n');
  expect(audit).toContain('"event":"password_reset"');
  expect(accounts.logs.raw.length).toBeGreaterThan(10);
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    expect(logs).not.toContain(secret);
    expect(audit).not.toContain(secret);
  }
});
