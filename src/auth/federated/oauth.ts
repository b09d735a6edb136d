// Google and GitHub sign-in over OAuth 2.0 (S17). arctic builds the
// authorization URL (state, and PKCE for Google); the code exchange and the
// profile requests go through `fetchBounded`, because every outbound call
// needs a deadline, a size cap and an explicit status check, which arctic's
// own requests do not take. What a provider says is read defensively: a
// missing id is a failure, and an email counts as verified only when the
// provider says so (S18 links by verified email only).
import { CodeChallengeMethod, generateCodeVerifier, OAuth2Client, OAuth2Tokens } from 'arctic';
import { fetchJson, HttpRequestError } from '../../platform/http/bounded-fetch.js';
import { parseEmail } from '../users.js';

export type OAuthProvider = 'google' | 'github';

export interface OAuthEndpoints {
  readonly authorize: string;
  readonly token: string;
  /** Google's userinfo, or GitHub's /user. */
  readonly profile: string;
  /** GitHub's /user/emails: where its verified primary address is. */
  readonly emails?: string;
}

export const OAUTH_ENDPOINTS: Readonly<Record<OAuthProvider, OAuthEndpoints>> = {
  google: {
    authorize: 'https://accounts.google.com/o/oauth2/v2/auth',
    token: 'https://oauth2.googleapis.com/token',
    profile: 'https://openidconnect.googleapis.com/v1/userinfo',
  },
  github: {
    authorize: 'https://github.com/login/oauth/authorize',
    token: 'https://github.com/login/oauth/access_token',
    profile: 'https://api.github.com/user',
    emails: 'https://api.github.com/user/emails',
  },
};

const SCOPES: Readonly<Record<OAuthProvider, string[]>> = {
  google: ['openid', 'email', 'profile'],
  github: ['read:user', 'user:email'],
};

/** S17: 10 s for a callback's calls to a provider, all of them together. */
const REQUEST_TIMEOUT_MS = 10_000;
const TOKEN_MAX_BYTES = 16 * 1024;
const PROFILE_MAX_BYTES = 64 * 1024;
const MAX_TEXT_LENGTH = 255;

export interface OAuthProfile {
  /** The account's id at the provider: Google's `sub`, GitHub's numeric id. */
  readonly providerId: string;
  readonly email: string | null;
  readonly emailVerified: boolean;
  readonly name: string | null;
  readonly avatarUrl: string | null;
}

/** Why a sign-in at a provider failed: audited, and shown only as a generic code. */
export type OAuthFailure = 'unavailable' | 'provider';

export class OAuthError extends Error {
  override name = 'OAuthError';
  constructor(
    readonly failure: OAuthFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface OAuthClientOptions {
  readonly provider: OAuthProvider;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  /** The provider's endpoints; only tests point them at a stand-in. */
  readonly endpoints?: OAuthEndpoints;
  readonly timeoutMs?: number;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_TEXT_LENGTH
    ? value
    : null;
}

/**
 * An address as we store addresses, or null: anything outside printable
 * ASCII is refused rather than normalized, since folding (the Kelvin sign
 * to `k`) could make one address match another's account.
 */
function address(value: unknown): string | null {
  if (typeof value !== 'string' || !/^[\x21-\x7e]+$/.test(value)) return null;
  return parseEmail(value);
}

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OAuthError('provider', 'expected a JSON object');
  }
  return value as Record<string, unknown>;
}

export function createOAuthClient(options: OAuthClientOptions) {
  const { provider, clientId, clientSecret, redirectUri } = options;
  const endpoints = options.endpoints ?? OAUTH_ENDPOINTS[provider];
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const client = new OAuth2Client(clientId, clientSecret, redirectUri);
  const usesPkce = provider === 'google';

  /** A provider's answer, or OAuthError: 'unavailable' when it could not answer, 'provider' when it answered wrong. */
  async function call(
    url: string,
    request: { form?: URLSearchParams; token?: string; signal: AbortSignal },
  ) {
    try {
      return await fetchJson(url, {
        timeoutMs,
        signal: request.signal,
        maxBytes: request.form ? TOKEN_MAX_BYTES : PROFILE_MAX_BYTES,
        ...(request.form ? { form: request.form } : {}),
        headers: {
          'user-agent': 'Tracera',
          ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
        },
      });
    } catch (error) {
      if (!(error instanceof HttpRequestError)) throw error;
      const { failure } = error;
      const unavailable =
        failure.kind === 'timeout' ||
        failure.kind === 'aborted' ||
        failure.kind === 'network' ||
        (failure.kind === 'status' && failure.status >= 500);
      throw new OAuthError(unavailable ? 'unavailable' : 'provider', error.message);
    }
  }

  async function githubEmail(
    token: string,
    signal: AbortSignal,
  ): Promise<{ email: string | null; verified: boolean }> {
    if (!endpoints.emails) return { email: null, verified: false };
    const emails = await call(endpoints.emails, { token, signal });
    if (!Array.isArray(emails)) throw new OAuthError('provider', 'emails: expected an array');
    const primary = emails.map(record).find((entry) => entry.primary === true);
    const email = address(primary?.email);
    return { email, verified: email !== null && primary?.verified === true };
  }

  return {
    provider,
    usesPkce,

    /** A PKCE verifier to keep with the flow, or null for a provider used without PKCE. */
    newCodeVerifier(): string | null {
      return usesPkce ? generateCodeVerifier() : null;
    },

    /** Where to send the browser. */
    authorizationUrl(state: string, codeVerifier: string | null): string {
      if (codeVerifier === null) {
        return client.createAuthorizationURL(endpoints.authorize, state, SCOPES[provider]).href;
      }
      return client.createAuthorizationURLWithPKCE(
        endpoints.authorize,
        state,
        CodeChallengeMethod.S256,
        codeVerifier,
        SCOPES[provider],
      ).href;
    },

    /**
     * Trades the callback's code for an access token, then reads who the
     * user is there; the calls share one deadline, so a callback waits at
     * most `timeoutMs` for the provider however many calls it takes.
     */
    async profile(code: string, codeVerifier: string | null): Promise<OAuthProfile> {
      const signal = AbortSignal.timeout(timeoutMs);
      const form = new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: clientId,
        client_secret: clientSecret,
      });
      if (codeVerifier) form.set('code_verifier', codeVerifier);
      const answer = record(await call(endpoints.token, { form, signal }));
      // GitHub answers a bad code with 200 and an `error` field.
      if (typeof answer.error === 'string')
        throw new OAuthError('provider', `token: ${answer.error}`);
      let token: string;
      try {
        token = new OAuth2Tokens(answer).accessToken();
      } catch {
        throw new OAuthError('provider', 'token: no access token');
      }
      const profile = record(await call(endpoints.profile, { token, signal }));
      if (provider === 'google') {
        const providerId = text(profile.sub);
        if (!providerId) throw new OAuthError('provider', 'profile: no subject');
        const email = address(profile.email);
        return {
          providerId,
          email,
          emailVerified: email !== null && profile.email_verified === true,
          name: text(profile.name),
          avatarUrl: text(profile.picture),
        };
      }
      const id = profile.id;
      if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
        throw new OAuthError('provider', 'profile: no id');
      }
      const { email, verified } = await githubEmail(token, signal);
      return {
        providerId: String(id),
        email,
        emailVerified: verified,
        name: text(profile.name) ?? text(profile.login),
        avatarUrl: text(profile.avatar_url),
      };
    },
  };
}

export type OAuthClient = ReturnType<typeof createOAuthClient>;
