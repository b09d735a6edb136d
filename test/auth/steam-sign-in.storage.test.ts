// Signing in with Steam and linking Steam through the app's routes, with
// Steam played by a real HTTP stand-in on 127.0.0.1 (S18, S19, S20): the
// redirect out, the browser-bound state, the assertion checked and
// confirmed, the account made or found, and every failure landing on the
// sign-in page with a short code.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryAuditEvents } from '../../src/audit/events.js';
import { listLinks } from '../../src/auth/federated/links.js';
import {
  type AccountsApp,
  createVerifiedUser,
  signIn,
  startAccountsApp,
} from '../support/accounts.js';
import type { Browser } from '../support/browser.js';
import { STEAM_ID, type SteamStandIn, startSteamStandIn } from '../support/steam-openid.js';

let steam: SteamStandIn;
let accounts: AccountsApp;

beforeEach(async () => {
  steam = await startSteamStandIn();
  accounts = await startAccountsApp({ steamOpenIdEndpoint: steam.endpoint });
});

afterEach(async () => {
  await accounts.close();
  await steam.close();
});

/** Starts a flow at `start`; the return_to Steam was asked to send the browser back to. */
async function goToSteam(browser: Browser, start: string): Promise<string> {
  const response = await browser.request({ url: start });
  expect(response.statusCode).toBe(302);
  const location = new URL(String(response.headers.location));
  expect(`${location.origin}${location.pathname}`).toBe(steam.endpoint);
  expect(response.headers['cache-control']).toBe('no-store');
  return location.searchParams.get('openid.return_to') as string;
}

/** Comes back from Steam as the browser would: return_to with Steam's fields appended. */
async function comeBack(browser: Browser, returnTo: string, query: URLSearchParams) {
  const url = new URL(returnTo);
  const response = await browser.request({ url: `${url.pathname}${url.search}&${query}` });
  expect(response.statusCode).toBe(302);
  return String(response.headers.location);
}

async function signInWithSteam(browser: Browser, start = '/api/v1/auth/steam/login') {
  const returnTo = await goToSteam(browser, start);
  return comeBack(browser, returnTo, steam.assertion({ returnTo, now: Date.now() }));
}

describe('sign in with Steam', () => {
  it('makes an account with no email the first time, and signs in to it again later', async () => {
    const browser = accounts.browser();
    expect(
      await signInWithSteam(browser, '/api/v1/auth/steam/login?return_to=/portfolio?tab=2'),
    ).toBe('/portfolio?tab=2');
    const me = await browser.request({ url: '/api/v1/auth/me' });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email: null, email_verified: false });
    const userId = me.json().id as number;
    expect(await listLinks(accounts.database, userId)).toMatchObject([
      { provider: 'steam', providerId: STEAM_ID },
    ]);

    const again = accounts.browser('203.0.113.11');
    expect(await signInWithSteam(again)).toBe('/account');
    expect((await again.request({ url: '/api/v1/auth/me' })).json().id).toBe(userId);
    const [signup] = await queryAuditEvents(accounts.database, { userId, event: 'signup' });
    expect(signup).toMatchObject({ outcome: 'success', detail: { method: 'steam' } });
    const logins = await queryAuditEvents(accounts.database, { userId, event: 'login' });
    expect(logins.map((event) => [event.outcome, event.detail])).toEqual([
      ['success', { method: 'steam' }],
      ['success', { method: 'steam' }],
    ]);
  });

  it('S36: logs neither the flow state nor Steam signature, handle and nonce', async () => {
    const browser = accounts.browser();
    const returnTo = await goToSteam(browser, '/api/v1/auth/steam/login');
    const query = steam.assertion({ returnTo, now: Date.now() });
    expect(await comeBack(browser, returnTo, query)).toBe('/account');
    const secrets = [
      new URL(returnTo).searchParams.get('state'),
      query.get('openid.sig'),
      query.get('openid.response_nonce'),
      query.get('openid.assoc_handle'),
    ];
    const logged = accounts.logs.raw.join('\n');
    expect(logged).toContain('/api/v1/auth/steam/login/callback');
    const audited = JSON.stringify(await queryAuditEvents(accounts.database, { limit: 1000 }));
    expect(audited).toContain('steam');
    for (const secret of secrets) {
      expect(secret).toBeTruthy();
      for (const text of [logged, audited]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(encodeURIComponent(secret as string));
      }
    }
  });

  it.each([
    '//evil.example/x',
    'https://evil.example/',
    '/\\evil.example',
    'javascript:alert(1)',
    '/.//evil.example/x',
    '/a/..//evil.example',
    '/%2e%2e//evil.example',
  ])('returns to the account page instead of %s', async (returnTo) => {
    const start = `/api/v1/auth/steam/login?return_to=${encodeURIComponent(returnTo)}`;
    expect(await signInWithSteam(accounts.browser(), start)).toBe('/account');
  });

  it('refuses a callback in a browser that did not start the flow', async () => {
    const returnTo = await goToSteam(accounts.browser(), '/api/v1/auth/steam/login');
    const victim = accounts.browser('203.0.113.12');
    const landed = await comeBack(victim, returnTo, steam.assertion({ returnTo, now: Date.now() }));
    expect(landed).toBe('/login?error=state');
    expect((await victim.request({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
    expect(steam.checks()).toBe(0);
    const [failure] = await queryAuditEvents(accounts.database, { event: 'login' });
    expect(failure).toMatchObject({
      outcome: 'failure',
      detail: { method: 'steam', reason: 'state' },
    });
  });

  it('refuses a callback carrying another browser’s state, even to a browser with a flow of its own', async () => {
    const returnTo = await goToSteam(accounts.browser(), '/api/v1/auth/steam/login');
    const victim = accounts.browser('203.0.113.12');
    await goToSteam(victim, '/api/v1/auth/steam/login');
    const landed = await comeBack(victim, returnTo, steam.assertion({ returnTo, now: Date.now() }));
    expect(landed).toBe('/login?error=state');
    expect((await victim.request({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
    expect(steam.checks()).toBe(0);
  });

  it('makes one account when the same SteamID signs in for the first time in many browsers at once', async () => {
    const browsers = Array.from({ length: 6 }, (_unused, index) =>
      accounts.browser(`203.0.113.${40 + index}`),
    );
    const returns = await Promise.all(
      browsers.map((browser) => goToSteam(browser, '/api/v1/auth/steam/login')),
    );
    const landed = await Promise.all(
      browsers.map((browser, index) => {
        const returnTo = returns[index] as string;
        return comeBack(browser, returnTo, steam.assertion({ returnTo, now: Date.now() }));
      }),
    );
    expect(landed).toEqual(Array(6).fill('/account'));
    const ids = await Promise.all(
      browsers.map(
        async (browser) => (await browser.request({ url: '/api/v1/auth/me' })).json().id,
      ),
    );
    expect(new Set(ids).size).toBe(1);
    const signups = await queryAuditEvents(accounts.database, { event: 'signup' });
    expect(signups.filter((event) => event.outcome === 'success')).toHaveLength(1);
  });

  it('lands on the sign-in page with a code when the request is refused before it starts', async () => {
    const limited = await startAccountsApp({
      steamOpenIdEndpoint: steam.endpoint,
      env: { AUTH_RATE_LIMIT_PER_MIN: '1' },
    });
    try {
      const browser = limited.browser();
      await goToSteam(browser, '/api/v1/auth/steam/login');
      const refused = await browser.request({ url: '/api/v1/auth/steam/login' });
      expect(refused.statusCode).toBe(302);
      expect(refused.headers.location).toBe('/login?error=rate_limited');
    } finally {
      await limited.close();
    }
  });

  it('uses a flow once: replaying its callback fails', async () => {
    const browser = accounts.browser();
    const returnTo = await goToSteam(browser, '/api/v1/auth/steam/login');
    const query = steam.assertion({ returnTo, now: Date.now() });
    const flowCookies = new Map(browser.cookies);
    expect(await comeBack(browser, returnTo, query)).toBe('/account');
    for (const [name, value] of flowCookies) browser.cookies.set(name, value);
    expect(await comeBack(browser, returnTo, query)).toBe('/login?error=state');
  });

  it('refuses an assertion Steam does not confirm', async () => {
    const browser = accounts.browser();
    const returnTo = await goToSteam(browser, '/api/v1/auth/steam/login');
    const query = steam.assertion({ returnTo, now: Date.now() });
    query.set('openid.assoc_handle', 'tampered');
    expect(await comeBack(browser, returnTo, query)).toBe('/login?error=provider');
    expect((await browser.request({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
    const [failure] = await queryAuditEvents(accounts.database, { event: 'login' });
    expect(failure?.detail).toEqual({ method: 'steam', reason: 'not_valid' });
  });

  it('says so when Steam cannot be reached', async () => {
    steam.behaviour = 'fail';
    expect(await signInWithSteam(accounts.browser())).toBe('/login?error=unavailable');
  });
});

describe('link Steam to an account', () => {
  async function signedInUser(email: string, ip: string): Promise<Browser> {
    const browser = accounts.browser(ip);
    await createVerifiedUser(accounts, browser, email);
    await signIn(browser, email);
    return browser;
  }

  it('links the SteamID to the signed-in account, which Steam then signs in to', async () => {
    const browser = await signedInUser('ada@example.com', '203.0.113.20');
    const userId = (await browser.request({ url: '/api/v1/auth/me' })).json().id as number;
    expect(await signInWithSteam(browser, '/api/v1/auth/steam?return_to=/account')).toBe(
      '/account',
    );
    expect(await listLinks(accounts.database, userId)).toMatchObject([
      { provider: 'steam', providerId: STEAM_ID },
    ]);
    const [linked] = await queryAuditEvents(accounts.database, { userId, event: 'provider_link' });
    expect(linked).toMatchObject({ outcome: 'success', detail: { provider: 'steam' } });

    const elsewhere = accounts.browser('203.0.113.21');
    await signInWithSteam(elsewhere);
    expect((await elsewhere.request({ url: '/api/v1/auth/me' })).json()).toMatchObject({
      id: userId,
      email: 'ada@example.com',
    });
  });

  it('refuses a SteamID already linked to another account', async () => {
    await signedInUser('ada@example.com', '203.0.113.20').then((ada) =>
      signInWithSteam(ada, '/api/v1/auth/steam'),
    );
    const bob = await signedInUser('bob@example.com', '203.0.113.22');
    expect(await signInWithSteam(bob, '/api/v1/auth/steam')).toBe('/login?error=identity_taken');
    const bobId = (await bob.request({ url: '/api/v1/auth/me' })).json().id as number;
    expect(await listLinks(accounts.database, bobId)).toEqual([]);
  });

  it('needs a session to start, and the same session to finish', async () => {
    const anonymous = await accounts.browser().request({ url: '/api/v1/auth/steam' });
    expect(anonymous.headers.location).toBe('/login?error=session');
    const [refusal] = await queryAuditEvents(accounts.database, { event: 'provider_link' });
    expect(refusal).toMatchObject({ outcome: 'failure', detail: { reason: 'session' } });

    const browser = await signedInUser('ada@example.com', '203.0.113.20');
    const returnTo = await goToSteam(browser, '/api/v1/auth/steam');
    await browser.send('POST', '/api/v1/auth/logout');
    expect(await comeBack(browser, returnTo, steam.assertion({ returnTo, now: Date.now() }))).toBe(
      '/login?error=session',
    );
  });
});

describe('providers and unlinking', () => {
  it('lists what is offered, and for a signed-in user what is linked', async () => {
    const anonymous = await accounts.browser().request({ url: '/api/v1/auth/providers' });
    expect(anonymous.json()).toEqual({ configured: ['steam'], linked: null });
    const browser = accounts.browser();
    await signInWithSteam(browser);
    const signedIn = await browser.request({ url: '/api/v1/auth/providers' });
    expect(signedIn.json()).toEqual({
      configured: ['steam'],
      linked: [{ provider: 'steam', provider_account_id: STEAM_ID, linked_at: expect.any(String) }],
    });
  });

  it('gives an account without email no password, which could never be used', async () => {
    const browser = accounts.browser();
    await signInWithSteam(browser);
    const refused = await browser.send('POST', '/api/v1/auth/password/change', {
      current_password: '',
      new_password: 'a long enough passphrase for this 1',
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/no email address/);
  });

  it('refuses to unlink the only way an account without email signs in', async () => {
    const browser = accounts.browser();
    await signInWithSteam(browser);
    await browser.fetchCsrf();
    const refused = await browser.send('DELETE', '/api/v1/auth/providers/steam');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/only way to sign in/);
    const userId = (await browser.request({ url: '/api/v1/auth/me' })).json().id as number;
    expect(await listLinks(accounts.database, userId)).toHaveLength(1);
    const [audited] = await queryAuditEvents(accounts.database, {
      userId,
      event: 'provider_unlink',
    });
    expect(audited).toMatchObject({
      outcome: 'failure',
      detail: { provider: 'steam', reason: 'last_sign_in_method' },
    });
  });

  it('unlinks from an account that has an email, with a CSRF token only', async () => {
    const browser = accounts.browser('203.0.113.20');
    await createVerifiedUser(accounts, browser, 'ada@example.com');
    await signIn(browser, 'ada@example.com');
    await signInWithSteam(browser, '/api/v1/auth/steam');
    const forged = await browser.request({
      method: 'DELETE',
      url: '/api/v1/auth/providers/steam',
      csrf: false,
    });
    expect(forged.statusCode).toBe(403);
    const unlinked = await browser.send('DELETE', '/api/v1/auth/providers/steam');
    expect(unlinked.statusCode).toBe(200);
    expect(unlinked.json().linked).toEqual([]);
    expect((await browser.send('DELETE', '/api/v1/auth/providers/steam')).statusCode).toBe(404);
    expect((await browser.send('DELETE', '/api/v1/auth/providers/myspace')).statusCode).toBe(400);
  });
});
