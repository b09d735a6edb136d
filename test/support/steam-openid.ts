// A stand-in for Steam's OpenID endpoint on 127.0.0.1. A browser sent to it
// comes straight back signed in as STEAM_ID. It signs positive assertions
// the way an OpenID 2.0 provider does (HMAC-SHA256 over the
// key-value form of the signed fields, with a key only it holds) and answers
// check_authentication by recomputing that signature, so a field changed
// after signing is refused as Steam would refuse it.
import { createHmac, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type LocalHttpServer, startLocalHttpServer } from './local-http.js';

export const OPENID_NS = 'http://specs.openid.net/auth/2.0';
export const STEAM_ID = '76561197960287930';
const SIGNED = 'signed,op_endpoint,claimed_id,identity,return_to,response_nonce,assoc_handle';

/** How the stand-in answers check_authentication. */
export type SteamBehaviour = 'verify' | 'hang' | 'fail';

export interface SteamStandIn {
  /** The endpoint URL: what an assertion names as op_endpoint. */
  readonly endpoint: string;
  readonly server: LocalHttpServer;
  behaviour: SteamBehaviour;
  /** check_authentication requests received so far. */
  readonly checks: () => number;
  /**
   * The query Steam would send the browser back with, signed. `fields`
   * replace or add openid.* fields before signing (null removes one).
   */
  assertion(options: AssertionOptions): URLSearchParams;
  close(): Promise<void>;
}

export interface AssertionOptions {
  readonly returnTo: string;
  readonly now: number;
  readonly fields?: Readonly<Record<string, string | null>>;
}

/** An OpenID response nonce: the UTC time to the second, then unique characters. */
export function responseNonce(at: number): string {
  return `${new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z')}${randomBytes(6).toString('hex')}`;
}

function keyValueForm(fields: URLSearchParams, signed: string): string {
  return signed
    .split(',')
    .map((name) => `${name}:${fields.get(`openid.${name}`) ?? ''}\n`)
    .join('');
}

export async function startSteamStandIn(): Promise<SteamStandIn> {
  const key = randomBytes(32);
  const sign = (fields: URLSearchParams) =>
    createHmac('sha256', key)
      .update(keyValueForm(fields, fields.get('openid.signed') ?? ''))
      .digest('base64');
  let checks = 0;
  const answer = (response: ServerResponse, valid: boolean) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(`ns:${OPENID_NS}\nis_valid:${valid}\n`);
  };
  const server = await startLocalHttpServer((request, response, url, body) => {
    // The sign-in page: Steam would ask for a password, then send the browser back signed in.
    if (request.method === 'GET' && url.searchParams.get('openid.mode') === 'checkid_setup') {
      const returnTo = url.searchParams.get('openid.return_to') ?? '';
      const assertion = standIn.assertion({ returnTo, now: Date.now() });
      response.writeHead(302, { location: `${returnTo}&${assertion}` });
      response.end();
      return;
    }
    const form = new URLSearchParams(body);
    if (request.method !== 'POST' || form.get('openid.mode') !== 'check_authentication') {
      response.writeHead(400);
      response.end();
      return;
    }
    checks += 1;
    if (standIn.behaviour === 'hang') return;
    if (standIn.behaviour === 'fail') {
      response.writeHead(500);
      response.end();
      return;
    }
    answer(response, form.get('openid.sig') === sign(form));
  });
  const endpoint = `${server.origin}/openid/login`;
  const standIn: SteamStandIn = {
    endpoint,
    server,
    behaviour: 'verify',
    checks: () => checks,
    assertion({ returnTo, now, fields = {} }) {
      const claimedId = `https://steamcommunity.com/openid/id/${STEAM_ID}`;
      const query = new URLSearchParams({
        'openid.ns': OPENID_NS,
        'openid.mode': 'id_res',
        'openid.op_endpoint': endpoint,
        'openid.claimed_id': claimedId,
        'openid.identity': claimedId,
        'openid.return_to': returnTo,
        'openid.response_nonce': responseNonce(now),
        'openid.assoc_handle': randomBytes(8).toString('hex'),
        'openid.signed': SIGNED,
      });
      for (const [name, value] of Object.entries(fields)) {
        if (value === null) query.delete(name);
        else query.set(name, value);
      }
      query.set('openid.sig', sign(query));
      return query;
    },
    close: () => server.close(),
  };
  return standIn;
}
