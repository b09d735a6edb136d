// A stand-in OAuth 2.0 provider on 127.0.0.1, in Google's or GitHub's dialect:
// an authorize endpoint that sends the browser straight back with a code, a
// token endpoint that checks the client, the redirect URI, the code (once)
// and the PKCE verifier, and the profile (and GitHub emails) endpoints that
// check the access token. Tests set what the profile says and how the
// provider misbehaves.
import { createHash, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { OAuthEndpoints, OAuthProvider } from '../../src/auth/federated/oauth.js';
import { type LocalHttpServer, sendJson, startLocalHttpServer } from './local-http.js';

export const CLIENT_ID = 'tracera-test-client';
export const CLIENT_SECRET = 'tracera-test-secret-0123456789';

/**
 * How the stand-in answers: as a provider should, failing (500) or hanging
 * from the token step on, hanging only once the token is issued, or
 * answering profiles too large to read.
 */
export type ProviderBehaviour = 'answer' | 'fail' | 'hang' | 'hang-profile' | 'oversize';

interface IssuedCode {
  readonly redirectUri: string;
  readonly codeChallenge: string | null;
}

export interface OAuthStandIn {
  readonly endpoints: OAuthEndpoints;
  readonly server: LocalHttpServer;
  behaviour: ProviderBehaviour;
  /** What the profile endpoint answers (Google's userinfo or GitHub's /user). */
  profile: Record<string, unknown>;
  /** What GitHub's /user/emails answers. */
  emails: unknown[];
  /** Access tokens issued so far, to look for where they must not be. */
  readonly accessTokens: ReadonlySet<string>;
  /** A code as the authorize endpoint gives after consent, for the challenge sent there. */
  issueCode(redirectUri: string, codeChallenge: string | null): string;
  close(): Promise<void>;
}

export const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

export async function startOAuthStandIn(dialect: OAuthProvider): Promise<OAuthStandIn> {
  const codes = new Map<string, IssuedCode>();
  const accessTokens = new Set<string>();
  const refuse = (response: ServerResponse, error: string) =>
    // GitHub reports a bad code with 200 and an error field; Google with 400.
    sendJson(response, { error }, dialect === 'github' ? 200 : 400);
  const issueCode = (redirectUri: string, codeChallenge: string | null) => {
    const code = randomBytes(16).toString('hex');
    codes.set(code, { redirectUri, codeChallenge });
    return code;
  };

  const server = await startLocalHttpServer((request, response, url, body) => {
    if (url.pathname === '/authorize') {
      const code = issueCode(
        url.searchParams.get('redirect_uri') ?? '',
        url.searchParams.get('code_challenge'),
      );
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      response.writeHead(302, { location: back.href });
      response.end();
      return;
    }
    if (standIn.behaviour === 'hang') return;
    if (standIn.behaviour === 'fail') {
      response.writeHead(500);
      response.end();
      return;
    }
    if (url.pathname === '/token' && request.method === 'POST') {
      const form = new URLSearchParams(body);
      const issued = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET) {
        refuse(response, 'invalid_client');
      } else if (!issued || issued.redirectUri !== form.get('redirect_uri')) {
        refuse(response, dialect === 'github' ? 'bad_verification_code' : 'invalid_grant');
      } else if (
        issued.codeChallenge &&
        issued.codeChallenge !== s256(form.get('code_verifier') ?? '')
      ) {
        refuse(response, 'invalid_grant');
      } else {
        const accessToken = randomBytes(16).toString('hex');
        accessTokens.add(accessToken);
        sendJson(response, { access_token: accessToken, token_type: 'Bearer', expires_in: 3599 });
      }
      return;
    }
    const bearer = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
    if (standIn.behaviour === 'hang-profile') return;
    if (!accessTokens.has(bearer)) {
      sendJson(response, { message: 'Bad credentials' }, 401);
      return;
    }
    if (standIn.behaviour === 'oversize') {
      sendJson(response, { ...standIn.profile, padding: 'x'.repeat(200_000) });
      return;
    }
    if (url.pathname === '/profile') sendJson(response, standIn.profile);
    else if (url.pathname === '/emails') sendJson(response, standIn.emails);
    else sendJson(response, { message: 'Not Found' }, 404);
  });

  const standIn: OAuthStandIn = {
    endpoints: {
      authorize: `${server.origin}/authorize`,
      token: `${server.origin}/token`,
      profile: `${server.origin}/profile`,
      ...(dialect === 'github' ? { emails: `${server.origin}/emails` } : {}),
    },
    server,
    behaviour: 'answer',
    profile: {},
    emails: [],
    accessTokens,
    issueCode,
    close: () => server.close(),
  };
  return standIn;
}
