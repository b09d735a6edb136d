// What every capability whose routes each answer one signed-in user's data
// (the portfolio, the watchlist, the alerts) sets up the same way: a rate
// limit per client address and route, in the store (S44), answers no shared
// cache may keep, and the signed-in user of a request.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RequestAuth } from '../auth/request-auth.js';
import { MINUTE_MS } from '../platform/time.js';
import { type RateLimitOptions, registerRateLimit } from '../security/rate-limit.js';

/** A capability's budgets per client address and route, per minute. */
export interface UserRouteLimits {
  /** Routes that declare no budget: the strict one. */
  readonly perMinute: number;
  /** Routes declared `rateLimit: 'read'`. */
  readonly readsPerMinute: number;
  readonly onRefused?: RateLimitOptions['onRefused'];
}

/**
 * Sets up every later route of `app`'s scope as one user's, and returns how
 * a route reads its user's id: 401 without a live session.
 */
export function signedInRoutes(
  app: FastifyInstance,
  options: {
    readonly name: string;
    readonly requestAuth: RequestAuth;
    readonly limits: UserRouteLimits;
  },
): (request: FastifyRequest) => Promise<number> {
  const { name, requestAuth, limits } = options;
  registerRateLimit(app, {
    name,
    max: limits.perMinute,
    readMax: limits.readsPerMinute,
    windowMs: MINUTE_MS,
    admit: requestAuth.admitAndLookUp,
    ...(limits.onRefused ? { onRefused: limits.onRefused } : {}),
  });
  // Every answer here is one user's: no shared cache may keep it.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  return async (request) => (await requestAuth.requireSession(request)).session.user.id;
}
