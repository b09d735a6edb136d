// Per-IP rate limits (S21, S22, S44), kept in the app's store so every
// instance sharing one Redis shares one budget. Each route has its own budget
// per client, a sliding window: at most `max` requests in any `windowMs`, so
// no burst of twice the limit passes across a window's edge. The client is
// Fastify's `request.ip`, which believes X-Forwarded-For only from
// TRUSTED_PROXIES, and an IPv6 client is counted per /64, the block one
// subscriber usually holds. When the store cannot be reached, the request
// fails with 503 instead of passing (S32).
//
// A hook of our own rather than @fastify/rate-limit: the plugin's per-request
// bookkeeping was a measurable share of a signed-in /auth/me request's CPU
// (docs/benchmarks.md), and it cannot let the count share a store round trip
// with other work (`admit`).
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { Address6 } from 'ip-address';
import { documentResponses, ERRORS } from '../http/openapi.js';
import { ApiError } from '../platform/errors.js';
import type { Admission, WindowLimit } from '../platform/store/index.js';
import { SECOND_MS } from '../platform/time.js';

const IPV6_SUBNET_BITS = 64;

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `read`: the route is counted against the larger budget of what a page
     * load reads (S44). Unset: the strict budget, for routes that check a
     * credential, spend a token or send mail (S21).
     */
    rateLimit?: 'read';
  }
}

export interface RateLimitOptions {
  /** Names the budget in store keys, e.g. `auth`. */
  readonly name: string;
  /** Requests per window of a route that declares no budget. */
  readonly max: number;
  /** Requests per window of a route declared `rateLimit: 'read'`. */
  readonly readMax: number;
  readonly windowMs: number;
  /**
   * Offers one request to the store's sliding window `key` (`Store.admit`),
   * or to something that does other work for the request in the same round
   * trip.
   */
  readonly admit: (request: FastifyRequest, key: string, window: WindowLimit) => Promise<Admission>;
  /** Told of each request refused 429, with its budget's name and tier (docs/metrics.md). */
  readonly onRefused?: (budget: string, tier: 'strict' | 'read') => void;
}

/**
 * Who is counted: an IPv4 address as it is, an IPv6 one as its /64 (an
 * IPv4-mapped one as IPv4). Anything else, such as a malformed hop a
 * trusted proxy passed on, is counted as written rather than failing the
 * request.
 */
export function clientKey(ip: string): string {
  if (!ip.includes(':') || !Address6.isValid(ip)) return ip;
  const address = new Address6(ip);
  if (address.isMapped4()) return address.to4().correctForm();
  return new Address6(`${address.correctForm()}/${IPV6_SUBNET_BITS}`).startAddress().correctForm();
}

/**
 * The error to answer with once the budget is spent, with when to come back.
 * Requests within budget get no X-RateLimit-* headers: three more headers
 * on every response cost a measurable share of a signed-in /auth/me
 * request's CPU (bench/auth), for a budget no client of ours reads until it
 * is spent.
 */
function refusal(admission: Admission, max: number, reply: FastifyReply): ApiError | undefined {
  if (admission.admitted) return undefined;
  const resetSeconds = Math.max(1, Math.ceil(admission.retryAfterMs / SECOND_MS));
  reply.header('retry-after', resetSeconds);
  reply.header('x-ratelimit-limit', max);
  reply.header('x-ratelimit-remaining', 0);
  reply.header('x-ratelimit-reset', resetSeconds);
  return new ApiError(429, `Too many requests; try again in ${resetSeconds} seconds`);
}

/**
 * Limits every route registered after this in the same plugin and its
 * children, each by the budget it declares. The count is the first of each
 * route's own onRequest hooks, so everything later (CSRF included) sees only
 * requests within budget.
 */
export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): void {
  const { name, windowMs, admit } = options;
  const onRefused = options.onRefused ?? (() => {});
  app.addHook('onRoute', (route) => {
    const { url } = route;
    const tier = route.config?.rateLimit === 'read' ? 'read' : 'strict';
    const max = tier === 'read' ? options.readMax : options.max;
    const window: WindowLimit = { limit: max, windowMs };
    const limit: onRequestHookHandler = (request, reply, done) => {
      const key = `rate-window:${name}:${request.method}:${url}:${clientKey(request.ip)}`;
      admit(request, key, window).then((admission) => {
        if (!admission.admitted) onRefused(name, tier);
        done(refusal(admission, max, reply));
      }, done);
    };
    const own = route.onRequest;
    route.onRequest = own === undefined ? [limit] : [limit, ...(Array.isArray(own) ? own : [own])];
    // Refused past the budget, and fails closed when the counter store is away.
    documentResponses(route, { 429: ERRORS.tooManyRequests, 503: ERRORS.unavailable });
  });
}
