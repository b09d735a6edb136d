// Accounts as one unit the app registers: the services, the cookies, what
// CSRF protection binds a token to (the session, or the pre-session cookie of
// a visitor without one), the /auth routes and the profile route.

import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from '../http/api-prefix.js';
import type { CsrfProtection } from '../security/csrf.js';
import { deriveKey } from '../security/keys.js';
import type { RateLimitOptions } from '../security/rate-limit.js';
import { type AuthCookies, createAuthCookies } from './cookies.js';
import type { DeferredWork } from './deferred-work.js';
import {
  createOAuthClient,
  type OAuthClient,
  type OAuthEndpoints,
  type OAuthProvider,
} from './federated/oauth.js';
import { createSteamOpenId, STEAM_OPENID_ENDPOINT } from './federated/steam-openid.js';
import type { PasswordHasher } from './passwords.js';
import { createRequestAuth, type RequestAuth } from './request-auth.js';
import { authRoutes, profileRoutes } from './routes.js';
import { type AuthServiceDeps, createAuthServices } from './services.js';
import type { Sessions } from './sessions.js';

export interface AccountsOptions extends Omit<AuthServiceDeps, 'log'> {
  /** Steam's OpenID endpoint; only tests point it at a stand-in (S20). */
  readonly steamOpenIdEndpoint?: string;
  /** OAuth providers' endpoints; only tests point them at a stand-in. */
  readonly oauthEndpoints?: Partial<Record<OAuthProvider, OAuthEndpoints>>;
  /** Told of each request the /auth rate limits refuse (docs/metrics.md). */
  readonly onRateLimited?: RateLimitOptions['onRefused'];
}

export interface Accounts {
  /** What the app's CSRF protection needs: the key and each request's binding (S9). */
  readonly csrf: Pick<CsrfProtection, 'key' | 'bindingOf'>;
  /** Adds the /auth routes and the profile route. */
  registerRoutes(): Promise<void>;
  /** Account work done after requests are answered, mail included (deferred-work.ts). */
  readonly work: DeferredWork;
  /** The session and pre-session cookies' names, for the API's security schemes. */
  readonly cookieNames: AuthCookies['names'];
  /** Each request's session, for the routes of other capabilities that need one. */
  readonly requestAuth: RequestAuth;
  /** Password hashes waiting for a hashing thread now (S42). */
  readonly hashingQueueDepth: () => number;
  /** Every user's sessions, for admin's "end sessions" and disabling an account. */
  readonly sessions: Sessions;
  /** The app's bounded hasher (S42), for checks of other credentials (the admin gate). */
  readonly hasher: PasswordHasher;
}

/** A client for each OAuth provider whose id and secret are configured. */
function oauthClients(
  config: AccountsOptions['config'],
  endpoints: Partial<Record<OAuthProvider, OAuthEndpoints>>,
): OAuthClient[] {
  return (['google', 'github'] as const).flatMap((provider) => {
    const credentials = config.auth.oauth[provider];
    if (!credentials) return [];
    const overrides = endpoints[provider];
    return [
      createOAuthClient({
        provider,
        ...credentials,
        redirectUri: new URL(`${API_PREFIX}/auth/${provider}/callback`, config.baseUrl).href,
        ...(overrides ? { endpoints: overrides } : {}),
      }),
    ];
  });
}

/**
 * The account services and the request's view of its session, made before
 * any route exists, so the app can attach CSRF protection to every route of
 * every plugin; the routes come later, with `registerRoutes`.
 */
export function createAccounts(app: FastifyInstance, options: AccountsOptions): Accounts {
  const { config } = options;
  const services = createAuthServices({ ...options, log: app.log });
  const cookies = createAuthCookies(config.baseUrl);
  const requestAuth = createRequestAuth(
    app,
    services.sessions,
    cookies,
    services.store,
    services.now,
  );
  const csrfKey = deriveKey(config.sessionSecret, 'csrf');
  const routeOptions = {
    services,
    steam: createSteamOpenId({
      endpoint: options.steamOpenIdEndpoint ?? STEAM_OPENID_ENDPOINT,
      store: services.store,
      now: services.now,
    }),
    oauthClients: oauthClients(config, options.oauthEndpoints ?? {}),
    requestAuth,
    cookies,
    csrfKey,
    baseUrl: config.baseUrl,
    rateLimits: {
      perMinute: config.auth.rateLimitPerMinute,
      readsPerMinute: config.auth.readRateLimitPerMinute,
      ...(options.onRateLimited ? { onRefused: options.onRateLimited } : {}),
    },
  };
  return {
    csrf: { key: csrfKey, bindingOf: requestAuth.csrfBinding },
    async registerRoutes() {
      await app.register(authRoutes, { prefix: `${API_PREFIX}/auth`, ...routeOptions });
      await app.register(profileRoutes, { prefix: API_PREFIX, ...routeOptions });
    },
    work: services.work,
    cookieNames: cookies.names,
    requestAuth,
    hashingQueueDepth: services.hashingQueueDepth,
    sessions: services.sessions,
    hasher: services.hasher,
  };
}

export { argon2Hasher, type PasswordHasher } from './passwords.js';
