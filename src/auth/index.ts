// Accounts as one unit the app registers: the services, the cookies, CSRF
// protection for every unsafe /api request (bound to the session, or to the
// pre-session cookie of a visitor without one), the /auth routes and the
// profile route.
import type { FastifyInstance } from 'fastify';
import { registerCsrfProtection } from '../security/csrf.js';
import { deriveKey } from '../security/keys.js';
import { allowedOrigins } from '../security/origin.js';
import { createAuthCookies } from './cookies.js';
import { createSteamOpenId, STEAM_OPENID_ENDPOINT } from './federated/steam-openid.js';
import { createRequestAuth } from './request-auth.js';
import { authRoutes, profileRoutes } from './routes.js';
import { type AuthServiceDeps, createAuthServices } from './services.js';

export interface AccountsOptions extends Omit<AuthServiceDeps, 'log'> {
  /** Where the API lives, e.g. `/api/v1`. */
  readonly apiPrefix: string;
  /** Steam's OpenID endpoint; only tests point it at a stand-in (S20). */
  readonly steamOpenIdEndpoint?: string;
}

export interface Accounts {
  /** Resolves when the mail already handed off has been delivered or has failed. */
  drainMail(): Promise<void>;
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
