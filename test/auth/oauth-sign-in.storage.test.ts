// Signing in with Google and GitHub through the app's routes, with each
// provider played by a real HTTP stand-in on 127.0.0.1 (S17, S18, S19):
// browser-bound state, PKCE, one-time codes, bounded provider calls, the
// S18 linking rules, and every failure landing on /login with a code.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryAuditEvents } from '../../src/audit/events.js';
import { listLinks } from '../../src/auth/federated/links.js';
import { findUserByEmail, insertUser } from '../../src/auth/users.js';
import {
  type AccountsApp,
  createVerifiedUser,
  signIn,
  startAccountsApp,
} from '../support/accounts.js';
import type { Browser } from '../support/browser.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  type OAuthStandIn,
  startOAuthStandIn,
} from '../support/oauth-provider.js';

const GOOGLE_SUB = '110169484474386276334';

let google: OAuthStandIn;
let github: OAuthStandIn;
let accounts: AccountsApp;

beforeEach(async () => {
  google = await startOAuthStandIn('google');
  github = await startOAuthStandIn('github');
  google.profile = { sub: GOOGLE_SUB, email: 'ada@example.com', email_verified: true, name: 'Ada' };
  github.profile = { id: 583231, login: 'octocat' };
  github.emails = [{ email: 'octo@example.com', primary: true, verified: true }];
  accounts = await startAccountsApp({
    env: {
      GOOGLE_CLIENT_ID: CLIENT_ID,
      GOOGLE_CLIENT_SECRET: CLIENT_SECRET,
      GITHUB_CLIENT_ID: CLIENT_ID,
      GITHUB_CLIENT_SECRET: CLIENT_SECRET,
    },
    oauthEndpoints: { google: google.endpoints, github: github.endpoints },
  });
});

afterEach(async () => {
  await accounts.close();
  await google.close();
  await github.close();
});

const standIn = (provider: 'google' | 'github') => (provider === 'google' ? google : github);

/** Starts a flow; the provider's authorization URL the browser was sent to. */
async function goToProvider(
  browser: Browser,
  provider: 'google' | 'github',
  returnTo?: string,
  purpose: 'sign-in' | 'link' = 'sign-in',
) {
  const query = returnTo === undefined ? '' : `?return_to=${encodeURIComponent(returnTo)}`;
  const path = purpose === 'link' ? `${provider}/link` : provider;
  const response = await browser.request({ url: `/api/v1/auth/${path}${query}` });
  expect(response.statusCode).toBe(302);
  const location = new URL(String(response.headers.location));
  expect(`${location.origin}${location.pathname}`).toBe(standIn(provider).endpoints.authorize);
  return location;
}

/** The provider's consent, as its authorize endpoint gives it: a code for this flow. */
function consent(provider: 'google' | 'github', authorization: URL) {
  const redirectUri = authorization.searchParams.get('redirect_uri') as string;
  const code = standIn(provider).issueCode(
    redirectUri,
    authorization.searchParams.get('code_challenge'),
  );
  return { code, state: authorization.searchParams.get('state') as string };
}

async function callback(browser: Browser, provider: 'google' | 'github', query: string) {
  const response = await browser.request({ url: `/api/v1/auth/${provider}/callback?${query}` });
  expect(response.statusCode).toBe(302);
  return String(response.headers.location);
}

async function signInWith(browser: Browser, provider: 'google' | 'github', returnTo?: string) {
  const { code, state } = consent(provider, await goToProvider(browser, provider, returnTo));
  return callback(browser, provider, new URLSearchParams({ code, state }).toString());
}

async function me(browser: Browser) {
  return (await browser.request({ url: '/api/v1/auth/me' })).json();
}

describe('sign in with Google or GitHub', () => {
  it('Google: makes an account with the verified email, then signs in to it again', async () => {
    const browser = accounts.browser();
    expect(await signInWith(browser, 'google', '/portfolio')).toBe('/portfolio');
    const user = await me(browser);
    expect(user).toMatchObject({ email: 'ada@example.com', email_verified: true, name: 'Ada' });
    expect(await listLinks(accounts.database, user.id)).toMatchObject([
      { provider: 'google', providerId: GOOGLE_SUB },
    ]);
    const again = accounts.browser('203.0.113.11');
    expect(await signInWith(again, 'google')).toBe('/account');
    expect((await me(again)).id).toBe(user.id);
  });

  it('GitHub: takes the verified primary email, and makes an account without one otherwise', async () => {
    const browser = accounts.browser();
    await signInWith(browser, 'github');
    expect(await me(browser)).toMatchObject({ email: 'octo@example.com', email_verified: true });
    github.profile = { id: 9, login: 'hubot' };
    github.emails = [{ email: 'hubot@example.com', primary: true, verified: false }];
    const other = accounts.browser('203.0.113.12');
    await signInWith(other, 'github');
    expect(await me(other)).toMatchObject({ email: null, name: 'hubot' });
  });

  it('links to an existing account when both sides verified the email (S18)', async () => {
    const ada = accounts.browser('203.0.113.20');
    await createVerifiedUser(accounts, ada, 'ada@example.com');
    const existing = await findUserByEmail(accounts.database, 'ada@example.com');
    const browser = accounts.browser();
    expect(await signInWith(browser, 'google')).toBe('/account');
    expect((await me(browser)).id).toBe(existing?.id);
    const [linked] = await queryAuditEvents(accounts.database, { event: 'provider_link' });
    expect(linked).toMatchObject({
      userId: existing?.id,
      detail: { provider: 'google', via: 'verified_email' },
    });
  });

  it('ignores an email the provider has not verified: no link, and no sign of the account', async () => {
    const ada = accounts.browser('203.0.113.20');
    await createVerifiedUser(accounts, ada, 'ada@example.com');
    google.profile = { ...google.profile, email_verified: false };
    const browser = accounts.browser();
    expect(await signInWith(browser, 'google')).toBe('/account');
    const existing = await findUserByEmail(accounts.database, 'ada@example.com');
    const signedIn = await me(browser);
    expect(signedIn).toMatchObject({ email: null });
    expect(signedIn.id).not.toBe(existing?.id);
    expect(await listLinks(accounts.database, existing?.id as number)).toEqual([]);
  });

  it('makes one account when one identity signs in for the first time in two browsers at once', async () => {
    const browsers = [accounts.browser('203.0.113.50'), accounts.browser('203.0.113.51')];
    const consents = await Promise.all(
      browsers.map(async (browser) => consent('github', await goToProvider(browser, 'github'))),
    );
    const landed = await Promise.all(
      browsers.map((browser, index) =>
        callback(browser, 'github', new URLSearchParams(consents[index]).toString()),
      ),
    );
    expect(landed).toEqual(['/account', '/account']);
    const [first, second] = await Promise.all(browsers.map((browser) => me(browser)));
    expect(first.id).toBe(second.id);
    const signups = await queryAuditEvents(accounts.database, { event: 'signup' });
    expect(signups).toHaveLength(1);
  });

  it('links a provider to the signed-in account, which it then signs in to', async () => {
    const ada = accounts.browser('203.0.113.20');
    await createVerifiedUser(accounts, ada, 'ada@example.com');
    await signIn(ada, 'ada@example.com');
    github.emails = [{ email: 'someone-else@example.com', primary: true, verified: true }];
    const location = await goToProvider(ada, 'github', '/account', 'link');
    const { code, state } = consent('github', location);
    expect(await callback(ada, 'github', new URLSearchParams({ code, state }).toString())).toBe(
      '/account',
    );
    const adaId = (await me(ada)).id;
    expect(await listLinks(accounts.database, adaId)).toMatchObject([
      { provider: 'github', providerId: '583231' },
    ]);
    const elsewhere = accounts.browser('203.0.113.21');
    await signInWith(elsewhere, 'github');
    expect((await me(elsewhere)).id).toBe(adaId);

    const bob = accounts.browser('203.0.113.22');
    await createVerifiedUser(accounts, bob, 'bob@example.com');
    await signIn(bob, 'bob@example.com');
    const taken = consent('github', await goToProvider(bob, 'github', undefined, 'link'));
    expect(await callback(bob, 'github', new URLSearchParams(taken).toString())).toBe(
      '/login?error=identity_taken',
    );
    const anonymous = await accounts.browser().request({ url: '/api/v1/auth/github/link' });
    expect(anonymous.headers.location).toBe('/login?error=session');
  });

  it('does not link to a local account whose email was never confirmed', async () => {
    // Sign-up makes no such account any more (S39); one made before that still exists.
    await insertUser(accounts.database, {
      email: 'ada@example.com',
      passwordHash: 'a hash of the squatter’s choosing',
      emailVerified: false,
    });
    expect(await signInWith(accounts.browser(), 'google')).toBe('/login?error=link_required');
  });

  it('is not held up by a sign-up nobody confirmed, whose password never signs in', async () => {
    const squatter = accounts.browser('203.0.113.21');
    const password = 'a long enough passphrase for this 1';
    await squatter.send('POST', '/api/v1/auth/signup', { email: 'ada@example.com', password });
    expect(await signInWith(accounts.browser(), 'google')).toBe('/account');
    const login = await squatter.send('POST', '/api/v1/auth/login', {
      email: 'ada@example.com',
      password,
    });
    expect(login.statusCode).toBe(401);
  });

  it.each(['//evil.example/x', 'https://evil.example/', '/.//evil.example'])(
    'returns to the account page instead of %s',
    async (returnTo) => {
      expect(await signInWith(accounts.browser(), 'google', returnTo)).toBe('/account');
    },
  );

  it('refuses a callback with no state, a wrong state, or another browser’s state', async () => {
    const browser = accounts.browser();
    const { code, state } = consent('google', await goToProvider(browser, 'google'));
    expect(await callback(browser, 'google', `code=${code}`)).toBe('/login?error=state');
    const fresh = consent('google', await goToProvider(browser, 'google'));
    const wrong = `code=${fresh.code}&state=${'x'.repeat(43)}`;
    expect(await callback(browser, 'google', wrong)).toBe('/login?error=state');
    const victim = accounts.browser('203.0.113.30');
    await goToProvider(victim, 'google');
    expect(await callback(victim, 'google', `code=${code}&state=${state}`)).toBe(
      '/login?error=state',
    );
    expect((await victim.request({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
  });

  it('S38: refuses a callback whose query decodes to U+0000 before its state is spent', async () => {
    const browser = accounts.browser();
    const { code, state } = consent('google', await goToProvider(browser, 'google'));
    // `%E9` alone is not UTF-8, so the router leaves this value undecoded; the callback decodes it.
    expect(await callback(browser, 'google', `code=%00%E9&state=${state}`)).toBe(
      '/login?error=provider',
    );
    expect(await queryAuditEvents(accounts.database, { event: 'login' })).toEqual([]);
    const query = new URLSearchParams({ code, state }).toString();
    expect(await callback(browser, 'google', query)).toBe('/account');
  });

  it('refuses a code that was already used', async () => {
    const browser = accounts.browser();
    const first = consent('github', await goToProvider(browser, 'github'));
    await callback(browser, 'github', new URLSearchParams(first).toString());
    const second = consent('github', await goToProvider(browser, 'github'));
    const replayed = new URLSearchParams({ code: first.code, state: second.state });
    expect(await callback(browser, 'github', replayed.toString())).toBe('/login?error=provider');
  });

  it('says so when the provider fails, answers too much, or the user declined', async () => {
    google.behaviour = 'fail';
    expect(await signInWith(accounts.browser(), 'google')).toBe('/login?error=unavailable');
    google.behaviour = 'oversize';
    expect(await signInWith(accounts.browser(), 'google')).toBe('/login?error=provider');
    const browser = accounts.browser();
    const { state } = consent('google', await goToProvider(browser, 'google'));
    expect(await callback(browser, 'google', `error=access_denied&state=${state}`)).toBe(
      '/login?error=provider',
    );
    const failures = await queryAuditEvents(accounts.database, { event: 'login' });
    expect(failures.map((event) => event.detail)).toEqual([
      { method: 'google', reason: 'denied' },
      { method: 'google', reason: 'provider' },
      { method: 'google', reason: 'unavailable' },
    ]);
  });

  it('lists the configured providers, and offers none that is not configured', async () => {
    const listed = await accounts.browser().request({ url: '/api/v1/auth/providers' });
    expect(listed.json().configured).toEqual(['google', 'github', 'steam']);
    const bare = await startAccountsApp();
    try {
      expect((await bare.browser().request({ url: '/api/v1/auth/google' })).statusCode).toBe(404);
      const only = await bare.browser().request({ url: '/api/v1/auth/providers' });
      expect(only.json().configured).toEqual(['steam']);
    } finally {
      await bare.close();
    }
  });

  it('S36: logs neither the state nor the code, and audits neither', async () => {
    const browser = accounts.browser();
    const { code, state } = consent('google', await goToProvider(browser, 'google'));
    const query = new URLSearchParams({ code, state }).toString();
    expect(await callback(browser, 'google', query)).toBe('/account');
    google.behaviour = 'fail';
    expect(await signInWith(accounts.browser(), 'google')).toBe('/login?error=unavailable');
    const logged = accounts.logs.raw.join('\n');
    expect(logged).toContain('/api/v1/auth/google/callback');
    const audited = JSON.stringify(await queryAuditEvents(accounts.database, { limit: 1000 }));
    expect(google.accessTokens.size).toBe(1);
    for (const secret of [code, state, CLIENT_SECRET, ...google.accessTokens]) {
      expect(logged).not.toContain(secret);
      expect(audited).not.toContain(secret);
    }
  });

  it('signs a signed-in browser in afresh (S4)', async () => {
    const browser = accounts.browser();
    await createVerifiedUser(accounts, browser, 'bob@example.com');
    await signIn(browser, 'bob@example.com');
    const before = browser.cookies.get('tracera_session');
    await signInWith(browser, 'github');
    expect(browser.cookies.get('tracera_session')).not.toBe(before);
    expect((await me(browser)).email).toBe('octo@example.com');
  });
});
