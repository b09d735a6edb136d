// Accounts in a real browser: Debian's Chromium, driven by playwright-core,
// against the whole app listening on 127.0.0.1 with mail going over SMTP to
// a real peer. One user's path through every account page: sign up, confirm
// the emailed link, sign in, see the account and its session, sign in a
// second browser with an emailed link (which must not sign in on opening),
// end that session from the first, change the password, sign out, and sign
// in again from a link that brings the user back to the page it came from.
// The strict CSP is live, so a page that relied on an inline script or style
// would fail here, and the console is checked for errors (CSP violations
// among them) and failed requests. Run with `npm run test:e2e`; `npm test` leaves it out.
import type { BrowserContext, Browser as ChromiumBrowser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STATIC_ROOT } from '../../src/app.js';
import { type AccountsApp, PASSWORD, startAccountsApp } from '../support/accounts.js';
import { launchChromium, REPORT_CSP_VIOLATIONS } from '../support/chromium.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  type OAuthStandIn,
  startOAuthStandIn,
} from '../support/oauth-provider.js';
import { freePort } from '../support/ports.js';
import { type SteamStandIn, startSteamStandIn } from '../support/steam-openid.js';

const STEP_TIMEOUT_MS = 15_000;
const SESSION_COOKIE = 'tracera_session';
const NEW_PASSWORD = 'a different passphrase for the e2e test 7';

/**
 * Responses the flow causes on purpose, which Chromium logs as console
 * errors: the account page asking /auth/me while signed out, one sign-in and
 * one confirmation with a wrong password. Any other console error fails the test.
 */
const EXPECTED_REFUSALS = [
  { status: 401, path: '/api/v1/auth/me' },
  { status: 401, path: '/api/v1/auth/login' },
  { status: 400, path: '/api/v1/auth/verify-email' },
];

function isExpectedRefusal(text: string, url: string): boolean {
  return EXPECTED_REFUSALS.some(
    ({ status, path }) =>
      text.startsWith(`Failed to load resource: the server responded with a status of ${status}`) &&
      new URL(url).pathname === path,
  );
}

describe('accounts in the browser', () => {
  let accounts: AccountsApp;
  let origin: string;
  let chromiumBrowser: ChromiumBrowser;
  let steam: SteamStandIn;
  let github: OAuthStandIn;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    steam = await startSteamStandIn();
    github = await startOAuthStandIn('github');
    github.profile = { id: 583231, login: 'octocat' };
    github.emails = [{ email: 'octo@example.com', primary: true, verified: true }];
    accounts = await startAccountsApp({
      env: {
        BASE_URL: origin,
        PORT: String(port),
        GITHUB_CLIENT_ID: CLIENT_ID,
        GITHUB_CLIENT_SECRET: CLIENT_SECRET,
      },
      staticRoot: DEFAULT_STATIC_ROOT,
      steamOpenIdEndpoint: steam.endpoint,
      oauthEndpoints: { github: github.endpoints },
    });
    await accounts.app.listen({ host: '127.0.0.1', port });
    chromiumBrowser = await launchChromium();
  });

  afterAll(async () => {
    await chromiumBrowser?.close();
    await accounts?.close();
    await steam?.close();
    await github?.close();
  });

  async function newBrowserContext(label: string): Promise<BrowserContext> {
    const context = await chromiumBrowser.newContext();
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    await context.exposeFunction('reportCspViolation', (violation: string) => {
      consoleErrors.push(`${label} CSP: ${violation}`);
    });
    await context.addInitScript(REPORT_CSP_VIOLATIONS);
    context.on('requestfailed', (request) => {
      const failure = request.failure()?.errorText ?? 'failed';
      // A navigation away cancels what the old page still had in flight.
      if (failure !== 'net::ERR_ABORTED') {
        consoleErrors.push(`${label} request failed: ${request.url()} ${failure}`);
      }
    });
    context.on('console', (message) => {
      if (message.type() !== 'error') return;
      const { url } = message.location();
      if (url && isExpectedRefusal(message.text(), url)) return;
      consoleErrors.push(`${label} ${message.page()?.url()}: ${message.text()} (${url})`);
    });
    context.on('weberror', (error) => consoleErrors.push(`${label}: ${error.error().message}`));
    return context;
  }

  async function hasSessionCookie(context: BrowserContext): Promise<boolean> {
    return (await context.cookies(origin)).some((cookie) => cookie.name === SESSION_COOKIE);
  }

  /** Waits until the page's script has taken the token out of the address bar. */
  async function waitForTokenRemoved(page: Page, path: string): Promise<void> {
    await page.waitForURL((url) => url.pathname === path && url.search === '');
  }

  /** Waits until `within` shows `text` (in its status message, typically). */
  async function waitForText(within: Locator | Page, text: string): Promise<void> {
    await within.getByText(text).first().waitFor();
  }

  function sessionItems(page: Page): Locator {
    return page.getByRole('list', { name: 'Sessions' }).getByRole('listitem');
  }

  it('sign up, confirm, sign in, magic link in a second browser, end it, sign out', async () => {
    const email = 'ada@example.com';
    const first = await newBrowserContext('first browser');
    const page = await first.newPage();

    // Sign up.
    await page.goto(`${origin}/`);
    await page.getByRole('link', { name: 'Sign up' }).first().click();
    await page.waitForURL(`${origin}/sign-up`);
    await page.getByLabel('Name').fill('Ada');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await waitForText(page.getByRole('main'), 'Check your inbox');

    // Confirm the address from the emailed link with the sign-up password (S39).
    const verification = await accounts.smtp.nextMailTo(email);
    const verifyLink = verification.links.find((link) => link.includes('/verify-email?token='));
    expect(verifyLink).toMatch(new RegExp(`^${origin}/verify-email\\?token=`));
    await page.goto(verifyLink as string);
    await waitForTokenRemoved(page, '/verify-email');
    expect(await page.getByRole('link', { name: 'Sign in', exact: true }).count()).toBe(1);
    await page.getByLabel('Password').fill('not what I signed up with');
    await page.getByRole('button', { name: 'Confirm my email' }).click();
    await waitForText(page.getByRole('main'), 'not the password this sign-up was made with');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Confirm my email' }).click();
    await waitForText(page.getByRole('main'), 'Email confirmed');
    expect(await page.getByRole('button', { name: 'Confirm my email' }).isDisabled()).toBe(true);

    // Sign in with the password.
    await page.getByRole('main').getByRole('link', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${origin}/sign-in`);
    const withPassword = page.getByRole('region', { name: 'With your password' });
    await withPassword.getByLabel('Email').fill(email);
    await withPassword.getByLabel('Password').fill('not the password');
    await withPassword.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(withPassword, 'Invalid email or password');
    await withPassword.getByLabel('Password').fill(PASSWORD);
    await withPassword.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/account`);

    // The account page: the user, and one session, this one.
    await waitForText(page, `Signed in as ${email}.`);
    const profile = page.getByRole('region', { name: 'Profile' });
    expect(await profile.getByText(email, { exact: true }).count()).toBe(1);
    expect(await profile.getByLabel('Name').inputValue()).toBe('Ada');
    await expect.poll(() => sessionItems(page).count()).toBe(1);
    expect(await sessionItems(page).filter({ hasText: 'This browser' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'End all other sessions' }).isDisabled()).toBe(
      true,
    );
    await profile.getByLabel('Name').fill('Ada Lovelace');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await waitForText(profile, 'Profile saved.');

    // A second browser asks for an emailed sign-in link.
    const second = await newBrowserContext('second browser');
    const other = await second.newPage();
    await other.goto(`${origin}/sign-in`);
    const withLink = other.getByRole('region', { name: 'With an emailed link' });
    await withLink.getByLabel('Email').fill(email);
    await withLink.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await waitForText(withLink, 'Check your inbox');

    // Opening the link leads to the confirm page and signs nobody in.
    const magic = await accounts.smtp.nextMailTo(email);
    const magicLink = magic.links.find((link) => link.includes('/auth/magic/verify?token='));
    expect(magicLink).toMatch(new RegExp(`^${origin}/api/v1/auth/magic/verify\\?token=`));
    await other.goto(magicLink as string);
    await waitForTokenRemoved(other, '/magic-link');
    expect(await hasSessionCookie(second)).toBe(false);
    await other.getByRole('button', { name: 'Sign me in' }).click();
    await other.waitForURL(`${origin}/account`);
    await waitForText(other, `Signed in as ${email}.`);
    expect(await hasSessionCookie(second)).toBe(true);

    // Back in the first browser: two sessions; end the other one.
    await page.reload();
    await waitForText(page, `Signed in as ${email}.`);
    await expect.poll(() => sessionItems(page).count()).toBe(2);
    expect(await sessionItems(page).filter({ hasText: 'This browser' }).count()).toBe(1);
    const sessions = page.getByRole('region', { name: 'Sessions' });
    await sessions.getByRole('button', { name: 'End all other sessions' }).click();
    await waitForText(sessions, 'Ended 1 other session.');
    await expect.poll(() => sessionItems(page).count()).toBe(1);

    // The second browser is signed out, and its account page says so.
    await other.reload();
    await other.getByText('You are not signed in.').waitFor();
    await other.getByRole('main').getByRole('link', { name: 'Sign in', exact: true }).waitFor();

    // Change the password, then sign out.
    const changePassword = page.getByRole('region', { name: 'Change password' });
    await changePassword.getByLabel('Current password').fill(PASSWORD);
    await changePassword.getByLabel('New password').fill(NEW_PASSWORD);
    await changePassword.getByRole('button', { name: 'Change password' }).click();
    await waitForText(changePassword, 'Password changed');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await waitForText(page, 'You have signed out.');
    expect(await hasSessionCookie(first)).toBe(false);
    await page.reload();
    await page.getByText('You are not signed in.').waitFor();

    // Sent to sign in from a page of the app, the user comes back to it.
    await page.goto(`${origin}/sign-in?next=/movers`);
    const again = page.getByRole('region', { name: 'With your password' });
    await again.getByLabel('Email').fill(email);
    await again.getByLabel('Password').fill(NEW_PASSWORD);
    await again.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/movers`);

    await second.close();
    await first.close();
    expect(consoleErrors).toEqual([]);
  });

  it('signs in with Steam, and explains a failed sign-in', async () => {
    const context = await newBrowserContext('steam browser');
    const page = await context.newPage();
    await page.goto(`${origin}/sign-in`);
    await page.getByRole('link', { name: 'Sign in with Steam' }).click();
    await page.waitForURL(`${origin}/account`);
    await waitForText(page, 'Signed in as your Steam account.');
    expect(await hasSessionCookie(context)).toBe(true);

    await page.goto(`${origin}/login?error=state`);
    await page
      .getByRole('alert')
      .getByText('That sign-in took too long or was started in another browser.', { exact: false })
      .waitFor();
    await context.close();
    expect(consoleErrors).toEqual([]);
  });

  it('signs in with GitHub, offered because it is configured', async () => {
    const context = await newBrowserContext('github browser');
    const page = await context.newPage();
    await page.goto(`${origin}/sign-in`);
    expect(await page.getByRole('link', { name: 'Sign in with Google' }).isVisible()).toBe(false);
    await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
    await page.waitForURL(`${origin}/account`);
    await waitForText(page, 'Signed in as octo@example.com.');
    await context.close();
    expect(consoleErrors).toEqual([]);
  });
});
