// S36: runs the account flows with known secrets, on their success paths and
// on error paths where a statement fails, then searches every log line and
// every audit row for each of them. A password hash is a secret as much as
// the password: every hash the app made counts, stored or not.
//
// The flow steps are small helpers so that a change in how a flow goes
// (which request writes the account's row, mail sent after the response)
// changes a helper, not the scan.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { queryAuditEvents } from '../../src/audit/events.js';
import type { Database } from '../../src/platform/db/index.js';
import { type AccountsApp, PASSWORD, startAccountsApp, tokenIn } from '../support/accounts.js';
import { LOG_LEVEL_ERROR } from '../support/app.js';
import type { Browser } from '../support/browser.js';

type Secrets = Set<string>;

function rememberBrowser(secrets: Secrets, browser: Browser): void {
  for (const value of browser.cookies.values()) secrets.add(value);
  if (browser.csrfToken) secrets.add(browser.csrfToken);
}

/** Every hash the app's hasher returned, and every hash the users table holds now. */
async function rememberPasswordHashes(secrets: Secrets, accounts: AccountsApp): Promise<void> {
  const stored = await sql<{ password_hash: string }>`
    select password_hash from users where password_hash is not null`.execute(accounts.database.db);
  const hashes = [...accounts.hasher.hashes, ...stored.rows.map((row) => row.password_hash)];
  expect(hashes.length).toBeGreaterThan(0);
  for (const passwordHash of hashes) secrets.add(passwordHash);
}

/** Every audit row, as text; read before the app closes its database. */
async function auditText(accounts: AccountsApp): Promise<string> {
  return JSON.stringify(await queryAuditEvents(accounts.database, { limit: 1000 }));
}

function expectNoSecretIn(text: string, secrets: Secrets): void {
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    expect(text).not.toContain(secret);
  }
}

/**
 * Signs up and, if sign-up was accepted, confirms the emailed link: the
 * account's row may be written by either step. Returns the last answer.
 */
async function signUpAndConfirm(
  accounts: AccountsApp,
  browser: Browser,
  secrets: Secrets,
  email: string,
  password: string,
) {
  secrets.add(password);
  const signup = await browser.send('POST', '/api/v1/auth/signup', { email, password });
  if (signup.statusCode !== 202) return signup;
  const token = tokenIn(await accounts.smtp.nextMailTo(email));
  secrets.add(token);
  return browser.send('POST', '/api/v1/auth/verify-email', { token, password });
}

async function signIn(browser: Browser, secrets: Secrets, email: string, password: string) {
  secrets.add(password);
  const response = await browser.send('POST', '/api/v1/auth/login', { email, password });
  rememberBrowser(secrets, browser);
  return response;
}

async function changePassword(browser: Browser, secrets: Secrets, current: string, next: string) {
  secrets.add(next);
  return browser.send('POST', '/api/v1/auth/password/change', {
    current_password: current,
    new_password: next,
  });
}

/** Asks for a reset link and returns the token it carries. */
async function requestReset(
  accounts: AccountsApp,
  browser: Browser,
  secrets: Secrets,
  email: string,
): Promise<string> {
  const response = await browser.send('POST', '/api/v1/auth/password/forgot', { email });
  expect(response.statusCode).toBe(200);
  const token = tokenIn(await accounts.smtp.nextMailTo(email));
  secrets.add(token);
  return token;
}

async function resetPassword(browser: Browser, secrets: Secrets, token: string, password: string) {
  secrets.add(password);
  return browser.send('POST', '/api/v1/auth/password/reset', { token, password });
}

it('S36: no password, password hash, token, cookie or CSRF token reaches a log line or an audit row', async () => {
  const accounts = await startAccountsApp({ env: { LOG_LEVEL: 'trace' } });
  const secrets: Secrets = new Set([PASSWORD]);
  const email = 'scan@example.com';
  const browser = accounts.browser();
  let audit = '';
  try {
    await browser.fetchCsrf();
    rememberBrowser(secrets, browser);
    expect((await signUpAndConfirm(accounts, browser, secrets, email, PASSWORD)).statusCode).toBe(
      200,
    );
    expect((await signIn(browser, secrets, email, PASSWORD)).statusCode).toBe(200);
    const changed = 'changed passphrase for the scan 1';
    expect((await changePassword(browser, secrets, PASSWORD, changed)).statusCode).toBe(200);
    await signIn(browser, secrets, email, 'wrong passphrase in the scan 2');

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
    rememberBrowser(secrets, browser);

    const reset = await requestReset(accounts, browser, secrets, email);
    const resetPassphrase = 'reset passphrase for the scan 3';
    expect((await resetPassword(browser, secrets, reset, resetPassphrase)).statusCode).toBe(200);
    // The reset ended this browser's session too, and with it the token bound to it.
    await browser.fetchCsrf();
    expect((await signIn(browser, secrets, email, resetPassphrase)).statusCode).toBe(200);
    expect((await browser.send('POST', '/api/v1/auth/logout')).statusCode).toBe(204);
    await rememberPasswordHashes(secrets, accounts);
    audit = await auditText(accounts);
  } finally {
    await accounts.close();
  }

  expect(audit).toContain('"event":"password_reset"');
  expect(accounts.logs.raw.length).toBeGreaterThan(10);
  expectNoSecretIn(`${accounts.logs.raw.join('\n')}\n${audit}`, secrets);
});

/** The trigger's message: the step that was made to fail, and the statement refused. */
const REFUSAL = /^secrets scan: statement refused during (.+) \((?:INSERT|UPDATE) of users\)$/;

/**
 * Makes any insert into or update of `users` for an email named in
 * `scan_failing_emails` raise, whichever request runs it, with the row in the
 * error's detail as PostgreSQL's own constraint errors have it: a statement
 * that fails while holding a password hash. Its message names the step, so
 * the error-level line each failure leaves can be found.
 */
async function installFailingUsersStatements(database: Database) {
  await sql`create table scan_failing_emails (email text primary key, step text not null)`.execute(
    database.db,
  );
  await sql`
    create function scan_refuse_users_row() returns trigger language plpgsql as $$
    declare
      failing_step text;
    begin
      select step into failing_step from scan_failing_emails where email = new.email;
      if found then
        raise exception 'secrets scan: statement refused during % (% of users)', failing_step, tg_op
          using detail = format('Failing row contains %s.', new);
      end if;
      return new;
    end $$`.execute(database.db);
  await sql`
    create trigger scan_refuse_users_row before insert or update on users
    for each row execute function scan_refuse_users_row()`.execute(database.db);
  return {
    async failFor(email: string, step: string): Promise<void> {
      await sql`insert into scan_failing_emails (email, step) values (${email}, ${step})`.execute(
        database.db,
      );
    },
    async stopFailing(email: string): Promise<void> {
      await sql`delete from scan_failing_emails where email = ${email}`.execute(database.db);
    },
  };
}

it('S36: statements failing during sign-up, password change and password reset leave no password, hash or token in a log line or an audit row', async () => {
  const accounts = await startAccountsApp({ env: { LOG_LEVEL: 'trace' } });
  const failing = await installFailingUsersStatements(accounts.database);
  const secrets: Secrets = new Set();
  const email = 'scan-failures@example.com';
  const browser = accounts.browser();
  let audit = '';
  try {
    await browser.fetchCsrf();
    rememberBrowser(secrets, browser);

    await failing.failFor(email, 'sign-up');
    await signUpAndConfirm(accounts, browser, secrets, email, 'sign-up passphrase that fails 1');
    await failing.stopFailing(email);

    expect((await signUpAndConfirm(accounts, browser, secrets, email, PASSWORD)).statusCode).toBe(
      200,
    );
    expect((await signIn(browser, secrets, email, PASSWORD)).statusCode).toBe(200);
    await failing.failFor(email, 'password change');
    await changePassword(browser, secrets, PASSWORD, 'changed passphrase that fails 2');
    await failing.stopFailing(email);

    const reset = await requestReset(accounts, browser, secrets, email);
    await failing.failFor(email, 'password reset');
    await resetPassword(browser, secrets, reset, 'reset passphrase that fails 3');
    await failing.stopFailing(email);

    await rememberPasswordHashes(secrets, accounts);
    audit = await auditText(accounts);
  } finally {
    await accounts.close();
  }

  const refusedSteps = accounts.logs.lines
    .filter((line) => line.level >= LOG_LEVEL_ERROR)
    .map((line) => REFUSAL.exec(line.err?.message ?? '')?.[1])
    .filter((step) => step !== undefined);
  expect(new Set(refusedSteps)).toEqual(new Set(['sign-up', 'password change', 'password reset']));
  // Three passwords hashed and refused by the database, one stored.
  expect(accounts.hasher.hashes.length).toBeGreaterThanOrEqual(4);
  expectNoSecretIn(`${accounts.logs.raw.join('\n')}\n${audit}`, secrets);
});
