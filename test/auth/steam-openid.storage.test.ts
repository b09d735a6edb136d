// S20: Steam's OpenID assertions, checked by our own module against a real
// HTTP stand-in for Steam that signs assertions and verifies them in
// check_authentication. Each refusal below breaks exactly one check of an
// otherwise valid, correctly signed assertion, and expects that check's
// reason, so removing any one check fails its test.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createSteamOpenId,
  type SteamOpenId,
  steamReturnTo,
} from '../../src/auth/federated/steam-openid.js';
import { openTestStore, type TestStore, testRedisUrl } from '../support/backends.js';
import {
  responseNonce,
  STEAM_ID,
  type SteamStandIn,
  startSteamStandIn,
} from '../support/steam-openid.js';

const CALLBACK = 'https://tracera.test/api/v1/auth/steam/login/callback';
const STATE = 'browser-state-0123456789abcdef';
const RETURN_TO = steamReturnTo(CALLBACK, STATE);
const MINUTE_MS = 60_000;
const SHORT_TIMEOUT_MS = 300;

let steam: SteamStandIn;
let testStore: TestStore;
let openId: SteamOpenId;
let now: number;

beforeEach(async () => {
  steam = await startSteamStandIn();
  testStore = await openTestStore();
  now = Date.now();
  openId = createSteamOpenId({
    endpoint: steam.endpoint,
    store: testStore.store,
    now: () => now,
    checkTimeoutMs: SHORT_TIMEOUT_MS,
  });
});

afterEach(async () => {
  await steam.close();
  await testStore.store.close();
});

const assertion = (fields?: Record<string, string | null>) =>
  steam.assertion({ returnTo: RETURN_TO, now, ...(fields ? { fields } : {}) });

describe('S20 Steam OpenID verification', () => {
  it('accepts a valid assertion, confirmed by Steam, and gives the SteamID64', async () => {
    expect(await openId.verify(assertion(), RETURN_TO)).toEqual({ ok: true, steamId: STEAM_ID });
    expect(steam.checks()).toBe(1);
  });

  it('sends the browser to Steam asking it to pick the identity, back to our callback', () => {
    const url = new URL(openId.signInUrl(RETURN_TO));
    expect(`${url.origin}${url.pathname}`).toBe(steam.endpoint);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      'openid.ns': 'http://specs.openid.net/auth/2.0',
      'openid.mode': 'checkid_setup',
      'openid.return_to': RETURN_TO,
      'openid.realm': 'https://tracera.test',
      'openid.identity': 'http://specs.openid.net/auth/2.0/identifier_select',
      'openid.claimed_id': 'http://specs.openid.net/auth/2.0/identifier_select',
    });
  });

  it.each([
    ['mode is not id_res', { 'openid.mode': 'cancel' }, 'mode'],
    ['ns is not OpenID 2.0', { 'openid.ns': 'http://openid.net/signon/1.1' }, 'ns'],
    [
      'op_endpoint is not Steam',
      { 'openid.op_endpoint': 'https://evil.example/openid/login' },
      'op_endpoint',
    ],
    [
      'claimed_id differs from identity',
      { 'openid.identity': 'https://steamcommunity.com/openid/id/76561197960287931' },
      'claimed_id',
    ],
    [
      'claimed_id is on another host',
      {
        'openid.claimed_id': `https://steamcommunity.com.evil.example/openid/id/${STEAM_ID}`,
        'openid.identity': `https://steamcommunity.com.evil.example/openid/id/${STEAM_ID}`,
      },
      'claimed_id',
    ],
    [
      'claimed_id has a 16-digit id',
      {
        'openid.claimed_id': 'https://steamcommunity.com/openid/id/7656119796028793',
        'openid.identity': 'https://steamcommunity.com/openid/id/7656119796028793',
      },
      'claimed_id',
    ],
    [
      'claimed_id is plain http',
      {
        'openid.claimed_id': `http://steamcommunity.com/openid/id/${STEAM_ID}`,
        'openid.identity': `http://steamcommunity.com/openid/id/${STEAM_ID}`,
      },
      'claimed_id',
    ],
    [
      'return_to is on another host',
      {
        'openid.return_to': steamReturnTo(
          'https://evil.example/api/v1/auth/steam/login/callback',
          STATE,
        ),
      },
      'return_to',
    ],
    [
      'return_to is another path',
      {
        'openid.return_to': steamReturnTo('https://tracera.test/api/v1/auth/steam/callback', STATE),
      },
      'return_to',
    ],
    [
      'return_to carries another browser state',
      { 'openid.return_to': steamReturnTo(CALLBACK, 'another-browser-state') },
      'return_to',
    ],
    [
      'a required field is not signed',
      { 'openid.signed': 'signed,op_endpoint,claimed_id,identity,response_nonce,assoc_handle' },
      'signed',
    ],
    ['a signed field is missing', { 'openid.assoc_handle': null }, 'signed'],
    [
      'the nonce is older than five minutes',
      { 'openid.response_nonce': responseNonce(Date.now() - 6 * MINUTE_MS) },
      'nonce_stale',
    ],
    [
      'the nonce is from the future',
      { 'openid.response_nonce': responseNonce(Date.now() + 6 * MINUTE_MS) },
      'nonce_stale',
    ],
    ['the nonce carries no time', { 'openid.response_nonce': 'not-a-time' }, 'nonce_stale'],
  ])('refuses an assertion whose %s, without asking Steam', async (_case, fields, failure) => {
    expect(await openId.verify(assertion(fields), RETURN_TO)).toEqual({ ok: false, failure });
    expect(steam.checks()).toBe(0);
  });

  it.each(['op_endpoint', 'claimed_id', 'identity', 'return_to', 'response_nonce', 'assoc_handle'])(
    'refuses an assertion that leaves %s unsigned, without asking Steam',
    async (unsigned) => {
      const signed = ['signed', 'op_endpoint', 'claimed_id', 'identity', 'return_to']
        .concat(['response_nonce', 'assoc_handle'])
        .filter((name) => name !== unsigned)
        .join(',');
      expect(await openId.verify(assertion({ 'openid.signed': signed }), RETURN_TO)).toEqual({
        ok: false,
        failure: 'signed',
      });
      expect(steam.checks()).toBe(0);
    },
  );

  it('refuses an assertion without a signature, without asking Steam', async () => {
    const unsigned = assertion();
    unsigned.delete('openid.sig');
    expect(await openId.verify(unsigned, RETURN_TO)).toEqual({ ok: false, failure: 'signed' });
    expect(steam.checks()).toBe(0);
  });

  // The in-process store's clock can be moved; Redis would have to be waited for.
  it.runIf(!testRedisUrl)(
    'remembers a nonce for as long as it could still be accepted',
    async () => {
      const first = assertion();
      expect(await openId.verify(first, RETURN_TO)).toMatchObject({ ok: true });
      const almostStale = 4.9 * MINUTE_MS;
      now += almostStale;
      await testStore.advance(almostStale);
      const replay = assertion({
        'openid.response_nonce': first.get('openid.response_nonce') as string,
      });
      expect(await openId.verify(replay, RETURN_TO)).toEqual({
        ok: false,
        failure: 'nonce_replayed',
      });
    },
  );

  it('refuses a replayed nonce, even with a fresh signature', async () => {
    const first = assertion();
    expect(await openId.verify(first, RETURN_TO)).toMatchObject({ ok: true });
    const nonce = first.get('openid.response_nonce') as string;
    const replay = assertion({ 'openid.response_nonce': nonce });
    expect(await openId.verify(replay, RETURN_TO)).toEqual({
      ok: false,
      failure: 'nonce_replayed',
    });
    expect(steam.checks()).toBe(1);
  });

  it('refuses an assertion Steam does not confirm (is_valid:false)', async () => {
    const tampered = assertion();
    tampered.set('openid.assoc_handle', '999');
    expect(await openId.verify(tampered, RETURN_TO)).toEqual({ ok: false, failure: 'not_valid' });
    expect(steam.checks()).toBe(1);
  });

  it('refuses a field given twice, so what is checked is what Steam verifies', async () => {
    const doubled = assertion();
    doubled.append('openid.claimed_id', 'https://steamcommunity.com/openid/id/76561197960287931');
    expect(await openId.verify(doubled, RETURN_TO)).toEqual({ ok: false, failure: 'malformed' });
    expect(steam.checks()).toBe(0);
  });

  it('gives up on a Steam that does not answer within the bound', async () => {
    steam.behaviour = 'hang';
    const started = performance.now();
    expect(await openId.verify(assertion(), RETURN_TO)).toEqual({
      ok: false,
      failure: 'unavailable',
    });
    expect(performance.now() - started).toBeLessThan(SHORT_TIMEOUT_MS + 2000);
  });

  it('refuses when Steam answers with an error status', async () => {
    steam.behaviour = 'fail';
    expect(await openId.verify(assertion(), RETURN_TO)).toEqual({
      ok: false,
      failure: 'unavailable',
    });
  });
});
