// Steam sign-in over OpenID 2.0 (S20), verified by our own module: Steam
// offers no OAuth, and a general OpenID library accepts far more than Steam
// ever sends (discovery, associations, any provider). An assertion is
// believed only when every local check passes and Steam then confirms its
// signature with check_authentication. The local checks come first, so a
// forged or stale assertion costs no request to Steam, and the nonce is
// recorded before Steam is asked, so two replays racing each other cannot
// both pass. Every openid.* field must appear once: what we check is then
// exactly what Steam verifies.
import { createHash } from 'node:crypto';
import { fetchBounded, HttpRequestError } from '../../platform/http/bounded-fetch.js';
import type { Store } from '../../platform/store/index.js';
import { MINUTE_MS } from '../../platform/time.js';

/** Steam's OpenID endpoint: the only one a production assertion may name. */
export const STEAM_OPENID_ENDPOINT = 'https://steamcommunity.com/openid/login';

const OPENID_NS = 'http://specs.openid.net/auth/2.0';
const IDENTIFIER_SELECT = 'http://specs.openid.net/auth/2.0/identifier_select';
const CLAIMED_ID = /^https:\/\/steamcommunity\.com\/openid\/id\/(7656119\d{10})\/?$/;
/** The fields Steam signs; an assertion that leaves one unsigned proves nothing about it. */
const MUST_BE_SIGNED = [
  'op_endpoint',
  'claimed_id',
  'identity',
  'return_to',
  'response_nonce',
  'assoc_handle',
];
const NONCE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)/;
/** OpenID 2.0 caps a nonce at 255 characters. */
const MAX_NONCE_LENGTH = 255;
const NONCE_SKEW_MS = 5 * MINUTE_MS;
/** Longer than the skew window, so a nonce is remembered for as long as it could be accepted. */
const NONCE_MEMORY_MS = 10 * MINUTE_MS;
const CHECK_TIMEOUT_MS = 6000;
const CHECK_MAX_BYTES = 4096;
const STATE_PARAM = 'state';

/** Why an assertion was refused: logged and audited, never shown beyond a generic code. */
export type SteamFailure =
  | 'malformed'
  | 'mode'
  | 'ns'
  | 'op_endpoint'
  | 'claimed_id'
  | 'signed'
  | 'return_to'
  | 'nonce_stale'
  | 'nonce_replayed'
  | 'not_valid'
  | 'unavailable';

export type SteamVerdict =
  | { readonly ok: true; readonly steamId: string }
  | { readonly ok: false; readonly failure: SteamFailure };

export interface SteamOpenIdOptions {
  /** Steam's endpoint; only tests point it at a stand-in. */
  readonly endpoint: string;
  readonly store: Store;
  readonly now: () => number;
  /** The bound on check_authentication; 6 s unless a test needs it shorter. */
  readonly checkTimeoutMs?: number;
}

/** Where Steam sends the browser back: our callback carrying the state bound to that browser. */
export function steamReturnTo(callbackUrl: string, state: string): string {
  const url = new URL(callbackUrl);
  url.search = new URLSearchParams({ [STATE_PARAM]: state }).toString();
  url.hash = '';
  return url.href;
}

const refuse = (failure: SteamFailure): SteamVerdict => ({ ok: false, failure });

/** The openid.* fields, or null when one appears more than once. */
function openIdFields(query: URLSearchParams): Map<string, string> | null {
  const fields = new Map<string, string>();
  for (const [name, value] of query) {
    if (!name.startsWith('openid.')) continue;
    if (fields.has(name)) return null;
    fields.set(name, value);
  }
  return fields;
}

function sameUrl(given: string | undefined, expected: string): boolean {
  if (given === undefined || !URL.canParse(given)) return false;
  return new URL(given).href === new URL(expected).href;
}

/** Milliseconds since the epoch at which the nonce was issued, or null when it carries no time. */
function nonceTime(nonce: string): number | null {
  const time = NONCE_TIME.exec(nonce)?.[1];
  if (!time || nonce.length > MAX_NONCE_LENGTH) return null;
  const at = Date.parse(time);
  return Number.isNaN(at) ? null : at;
}

/** The key-value form of a check_authentication answer (OpenID 2.0, 5.1.2). */
function parseKeyValue(body: Uint8Array): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of Buffer.from(body).toString('utf8').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

export function createSteamOpenId(options: SteamOpenIdOptions) {
  const { endpoint, store, now } = options;
  const checkTimeoutMs = options.checkTimeoutMs ?? CHECK_TIMEOUT_MS;

  /** Asks Steam whether it made this signature; anything but a clear yes is a no. */
  async function confirmedBySteam(fields: Map<string, string>): Promise<SteamVerdict | null> {
    const form = new URLSearchParams([...fields]);
    form.set('openid.mode', 'check_authentication');
    try {
      const answer = await fetchBounded(endpoint, {
        form,
        timeoutMs: checkTimeoutMs,
        maxBytes: CHECK_MAX_BYTES,
      });
      return parseKeyValue(answer.body).get('is_valid') === 'true' ? null : refuse('not_valid');
    } catch (error) {
      if (error instanceof HttpRequestError) return refuse('unavailable');
      throw error;
    }
  }

  return {
    /** The Steam page to send the browser to. */
    signInUrl(returnTo: string): string {
      const url = new URL(endpoint);
      url.search = new URLSearchParams({
        'openid.ns': OPENID_NS,
        'openid.mode': 'checkid_setup',
        'openid.return_to': returnTo,
        'openid.realm': new URL(returnTo).origin,
        'openid.identity': IDENTIFIER_SELECT,
        'openid.claimed_id': IDENTIFIER_SELECT,
      }).toString();
      return url.href;
    },

    /**
     * Checks the query Steam sent the browser back with, against the
     * return_to this browser was sent with (`steamReturnTo`); the SteamID64
     * when every check passes.
     */
    async verify(query: URLSearchParams, expectedReturnTo: string): Promise<SteamVerdict> {
      const fields = openIdFields(query);
      if (!fields) return refuse('malformed');
      const field = (name: string) => fields.get(`openid.${name}`);
      if (field('mode') !== 'id_res') return refuse('mode');
      if (field('ns') !== OPENID_NS) return refuse('ns');
      if (field('op_endpoint') !== endpoint) return refuse('op_endpoint');
      const claimedId = field('claimed_id');
      const steamId = claimedId === undefined ? undefined : CLAIMED_ID.exec(claimedId)?.[1];
      if (!steamId || field('identity') !== claimedId) return refuse('claimed_id');
      const signed = new Set((field('signed') ?? '').split(','));
      const unsigned = MUST_BE_SIGNED.some((name) => !signed.has(name));
      const absent = [...signed].some((name) => field(name) === undefined);
      if (unsigned || absent || !field('sig')) return refuse('signed');
      if (!sameUrl(field('return_to'), expectedReturnTo)) return refuse('return_to');
      const nonce = field('response_nonce') ?? '';
      const issuedAt = nonceTime(nonce);
      if (issuedAt === null || Math.abs(now() - issuedAt) > NONCE_SKEW_MS) {
        return refuse('nonce_stale');
      }
      const nonceKey = `steam-openid-nonce:${createHash('sha256').update(nonce).digest('hex')}`;
      if (!(await store.setIfAbsent(nonceKey, '1', NONCE_MEMORY_MS))) {
        return refuse('nonce_replayed');
      }
      return (await confirmedBySteam(fields)) ?? { ok: true, steamId };
    },
  };
}

export type SteamOpenId = ReturnType<typeof createSteamOpenId>;
