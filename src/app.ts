// buildApp(config, deps) assembles the whole HTTP application in a fixed
// order: cross-cutting hooks and handlers first (security headers, request
// ids, access log, validation, errors), then the API's OpenAPI document and
// its reference at /api/docs, then each capability as its own plugin under
// /api/v1, then the admin API under /admin/api and /metrics (docs/metrics.md),
// both behind the admin gate, then the web app and its files. The app owns
// the database, store and mailer it is given and closes them when it
// closes, after the requests in flight have finished and mail in flight
// has gone.
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type onRouteHookHandler,
} from 'fastify';
import type { Logger } from 'pino';
import { createAdminGate } from './admin/gate.js';
import { ADMIN_API_PREFIX, adminRoutes } from './admin/routes.js';
import { alertRoutes } from './alerts/routes.js';
import type { WebhookOptions } from './alerts/webhook/delivery.js';
import type { DeferredWork } from './auth/deferred-work.js';
import {
  type AccountsOptions,
  argon2Hasher,
  createAccounts,
  type PasswordHasher,
} from './auth/index.js';
import type { Config } from './config.js';
import { healthRoutes } from './health/routes.js';
import { API_PREFIX } from './http/api-prefix.js';
import { earlyErrorHandling, registerErrorHandling } from './http/errors.js';
import { registerLoadShedding } from './http/load-shedding.js';
import { registerOpenApi } from './http/openapi.js';
import { AccessLog, generateRequestId, registerRequestIdHeader } from './http/request-tracing.js';
import { createHttpServer } from './http/server.js';
import { registerValidation } from './http/validation.js';
import { marketRoutes } from './market/routes.js';
import { summaryRoutes } from './market/summary/routes.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { registerMetricsRoute } from './metrics/routes.js';
import { type Clock, systemClock } from './platform/clock.js';
import type { Database } from './platform/db/index.js';
import { createLogger } from './platform/logger.js';
import { createMailer, type Mailer } from './platform/mail/index.js';
import type { Store } from './platform/store/index.js';
import { portfolioRoutes } from './portfolio/routes.js';
import { registerRealtime } from './realtime/routes.js';
import { registerCsrfProtection } from './security/csrf.js';
import { registerSecurityHeaders } from './security/headers.js';
import { allowedOrigins } from './security/origin.js';
import { watchlistRoutes } from './watchlist/routes.js';
import { watchedItemIds } from './watchlist/watchlist.js';
import { registerApiReference } from './web/api-reference.js';
import { appNotFoundPage, readAppShell, registerWebApp } from './web/web-app.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Account work done after requests are answered: tests and shutdown wait on it. */
    accountWork: DeferredWork;
    /** This app's Prometheus series; `serve` hands ingestion's outcomes to it. */
    metrics: Metrics;
  }
}
/** The web app as `npm install` or `npm start` builds it (docs/web-app.md). */
export const DEFAULT_STATIC_ROOT = fileURLToPath(new URL('../web/dist', import.meta.url));

export interface AppDeps {
  readonly database: Database;
  readonly store: Store;
  readonly logger?: Logger;
  /** Folder served at `/` (a built web app, or plain files); null serves no files. */
  readonly staticRoot?: string | null;
  /** Defaults to SMTP_URL, or the outbox in DATA_DIR. */
  readonly mailer?: Mailer;
  /** Defaults to argon2id; tests wrap it to count calls. */
  readonly hasher?: PasswordHasher;
  /** Milliseconds since the epoch; tests inject a clock they can move. */
  readonly now?: () => number;
  /** The live feed's clock (heartbeats, message budgets); tests move it by hand. */
  readonly clock?: Clock;
  /** Steam's OpenID endpoint; only tests point it at a stand-in, never configuration (S20). */
  readonly steamOpenIdEndpoint?: string;
  /** OAuth providers' endpoints; only tests point them at a stand-in. */
  readonly oauthEndpoints?: AccountsOptions['oauthEndpoints'];
  /** The webhook test button's delivery options; only tests trust a local receiver with them (S45). */
  readonly webhookOptions?: WebhookOptions;
  /** Sees every route as it is added, after the app's own controls; tests list routes with it. */
  readonly onRoute?: onRouteHookHandler;
}

export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const { database, store } = deps;
  const logger = (deps.logger ?? createLogger(config.logLevel)) as FastifyBaseLogger;
  const earlyErrors = earlyErrorHandling(config.baseUrl, logger);
  /** Set once closing starts: requests still arriving on kept-alive connections are refused. */
  let closing = false;
  const metrics = createMetrics();
  const app = Fastify({
    loggerInstance: logger,
    serverFactory: (handler) =>
      createHttpServer(config.http, handler, earlyErrors.refuseRequest, () => closing),
    // Fastify attaches this to the server the factory above returns.
    clientErrorHandler: earlyErrors.clientErrorHandler,
    frameworkErrors: earlyErrors.frameworkErrors,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy:
      config.trustedProxies.length > 0
        ? config.trustedProxies.map(({ address, prefix }) => `${address}/${prefix}`)
        : false,
    requestIdHeader: false,
    genReqId: generateRequestId,
    logController: new AccessLog(metrics.httpRequest),
    // Answered by createHttpServer instead, with the headers and body of every other answer.
    return503OnClosing: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('metrics', metrics);
  app.decorate('auditListener', metrics.audited);

  const staticRoot = deps.staticRoot === undefined ? DEFAULT_STATIC_ROOT : deps.staticRoot;
  const appShell = staticRoot ? await readAppShell(staticRoot) : null;

  registerSecurityHeaders(app, config.baseUrl);
  registerRequestIdHeader(app);
  registerValidation(app);
  registerErrorHandling(app, appNotFoundPage(appShell));
  await registerLoadShedding(app, config.loadShedding);

  await app.register(fastifyCookie);
  const mailer = deps.mailer ?? createMailer(config.mail);
  const accounts = createAccounts(app, {
    config,
    database,
    store,
    mailer,
    hasher: deps.hasher ?? argon2Hasher,
    now: deps.now ?? Date.now,
    ...(deps.steamOpenIdEndpoint ? { steamOpenIdEndpoint: deps.steamOpenIdEndpoint } : {}),
    ...(deps.oauthEndpoints ? { oauthEndpoints: deps.oauthEndpoints } : {}),
    onRateLimited: metrics.rateLimited,
  });
  metrics.readHashingQueue(accounts.hashingQueueDepth);
  app.decorate('accountWork', accounts.work);
  // Before the first route: every route added after this is checked (S37).
  registerCsrfProtection(app, { ...accounts.csrf, origins: allowedOrigins(config) });
  // One gate for /admin/api and /metrics (S28), so they share one failure window.
  app.decorate(
    'adminGate',
    createAdminGate({
      admin: config.admin,
      database,
      store,
      hasher: accounts.hasher,
      now: deps.now ?? Date.now,
      onRateLimited: metrics.rateLimited,
    }),
  );
  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);

  await registerOpenApi(app, { baseUrl: config.baseUrl, cookies: accounts.cookieNames });
  await registerApiReference(app);

  await registerRealtime(app, {
    config,
    store,
    path: `${API_PREFIX}/ws`,
    clock: deps.clock ?? systemClock,
    // The same session checks as any request's; a socket keeps only the user and the session's hash.
    identify: async (request) => {
      const active = await accounts.requestAuth.session(request);
      return active && { userId: active.session.user.id, tokenHash: active.tokenHash };
    },
    liveSessions: accounts.sessions.liveOf,
  });
  metrics.readLiveFeed(() => app.liveFeed.stats());
  await accounts.registerRoutes();

  await app.register(marketRoutes, {
    prefix: API_PREFIX,
    database,
    store,
    market: config.market,
    now: deps.now ?? Date.now,
  });
  await app.register(summaryRoutes, {
    prefix: API_PREFIX,
    database,
    market: config.market,
    now: deps.now ?? Date.now,
    // GET /market?watchlist=true: the signed-in user's watched items (401 signed out).
    watchedItems: async (request) =>
      watchedItemIds(
        database,
        (await accounts.requestAuth.requireSession(request)).session.user.id,
      ),
  });

  await app.register(portfolioRoutes, {
    prefix: API_PREFIX,
    database,
    store,
    requestAuth: accounts.requestAuth,
    portfolio: config.portfolio,
    market: config.market,
    rateLimits: {
      perMinute: config.auth.rateLimitPerMinute,
      readsPerMinute: config.auth.readRateLimitPerMinute,
      onRefused: metrics.rateLimited,
    },
    now: deps.now ?? Date.now,
    onImport: metrics.portfolioImport,
  });

  await app.register(alertRoutes, {
    prefix: API_PREFIX,
    database,
    store,
    requestAuth: accounts.requestAuth,
    alerts: config.alerts,
    market: config.market,
    rateLimits: {
      perMinute: config.auth.rateLimitPerMinute,
      readsPerMinute: config.auth.readRateLimitPerMinute,
      onRefused: metrics.rateLimited,
    },
    ...(deps.webhookOptions ? { webhookOptions: deps.webhookOptions } : {}),
    now: deps.now ?? Date.now,
  });

  await app.register(watchlistRoutes, {
    prefix: API_PREFIX,
    database,
    requestAuth: accounts.requestAuth,
    watchlist: config.watchlist,
    priceSources: config.portfolio.priceSources,
    market: config.market,
    rateLimits: {
      perMinute: config.auth.rateLimitPerMinute,
      readsPerMinute: config.auth.readRateLimitPerMinute,
      onRefused: metrics.rateLimited,
    },
    now: deps.now ?? Date.now,
  });

  await app.register(healthRoutes, {
    prefix: API_PREFIX,
    database,
    store,
    ...config.health,
  });

  // Outside /api/v1: not the public API, and never served to its clients.
  await app.register(adminRoutes, {
    prefix: ADMIN_API_PREFIX,
    database,
    store,
    sessions: accounts.sessions,
    market: config.market,
    pingTimeoutMs: config.health.timeoutMs,
    now: deps.now ?? Date.now,
  });

  // Behind the admin gate, like the admin API (S28).
  registerMetricsRoute(app, { metrics, gate: app.adminGate });

  // Routes for the files present at start, not a wildcard: an unknown path
  // is a 404 straight away instead of a filesystem lookup.
  // The admin pages exist only where admin is on; elsewhere they are the app's not-found page.
  if (staticRoot) {
    await registerWebApp(app, staticRoot, appShell, {
      adminPages: config.admin.basicAuth !== null,
    });
  }

  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onClose', async () => {
    await accounts.work.drain();
    metrics.close();
    await Promise.allSettled([database.close(), store.close(), mailer.close()]);
  });
  return app;
}
