// Accounts as one unit the app registers: the services, the cookies, CSRF
// protection for every unsafe /api request (bound to the session, or to the
// pre-session cookie of a visitor without one), the /auth routes and the
// profile route.
import type { FastifyInstance } from 'fastify';
import { registerCsrfProtection } from '../security/csrf.js';
import { deriveKey } from '../security/keys.js';
import { allowedOrigins } from '../security/origin.js';
import { createAuthCookies } from './cookies.js';
import {
  createOAuthClient,
  type OAuthClient,
  type OAuthEndpoints,
  type OAuthProvider,
} from './federated/oauth.js';
import { createSteamOpenId, STEAM_OPENID_ENDPOINT } from './federated/steam-openid.js';
import { createRequestAuth } from './request-auth.js';
import { authRoutes, profileRoutes } from './routes.js';
import { type AuthServiceDeps, createAuthServices } from './services.js';

export interface AccountsOptions extends Omit<AuthServiceDeps, 'log'> {
  /** Where the API lives, e.g. `/api/v1`. */
  readonly apiPrefix: string;
  /** Steam's OpenID endpoint; only tests point it at a stand-in (S20). */
  readonly steamOpenIdEndpoint?: string;
  /** OAuth providers' endpoints; only tests point them at a stand-in. */
  readonly oauthEndpoints?: Partial<Record<OAuthProvider, OAuthEndpoints>>;
}

export interface Accounts {
  /** Resolves when the mail already handed off has been delivered or has failed. */
  drainMail(): Promise<void>;
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
        redirectUri: new URL(`/api/v1/auth/${provider}/callback`, config.baseUrl).href,
        ...(overrides ? { endpoints: overrides } : {}),
      }),
    ];
  });
}

export async function registerAccounts(
  app: FastifyInstance,
  options: AccountsOptions,
): Promise<Accounts> {
  const { config } = options;
  const services = createAuthServices({ ...options, log: app.log });
  const cookies = createAuthCookies(config.baseUrl);
  const requestAuth = createRequestAuth(app, services.sessions, cookies, services.store);
  const csrfKey = deriveKey(config.sessionSecret, 'csrf');

  registerCsrfProtection(app, {
    key: csrfKey,
    origins: allowedOrigins(config),
    pathPrefix: `${options.apiPrefix}/`,
    bindingOf: requestAuth.csrfBinding,
  });

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
    rateLimitPerMinute: config.auth.rateLimitPerMinute,
  };
  await app.register(authRoutes, { prefix: `${options.apiPrefix}/auth`, ...routeOptions });
  await app.register(profileRoutes, { prefix: options.apiPrefix, ...routeOptions });
  return { drainMail: () => services.mail.drain() };
}

export { argon2Hasher, type PasswordHasher } from './passwords.js';
