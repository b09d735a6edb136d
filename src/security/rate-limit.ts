// Per-IP rate limits (S21, S22), counted in the app's store so every instance
// sharing one Redis shares one budget. Each route has its own budget per
// client. The client is Fastify's `request.ip`, which believes
// X-Forwarded-For only from TRUSTED_PROXIES, and an IPv6 client is counted
// per /64, the block one subscriber usually holds. When the store cannot be
// reached, the request fails with 503 instead of passing (S32).
//
// A hook of our own rather than @fastify/rate-limit: the plugin's per-request
// bookkeeping was about a tenth of a signed-in /auth/me request's CPU, and it
// cannot let the count share a store round trip with other work (`count`).
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { Address6 } from 'ip-address';
import { ApiError } from '../platform/errors.js';
import type { Counter } from '../platform/store/index.js';

const IPV6_SUBNET_BITS = 64;
const SECOND_MS = 1000;

export interface RateLimitOptions {
  /** Names the budget in store keys, e.g. `auth`. */
  readonly name: string;
  readonly max: number;
  readonly windowMs: number;
  /**
   * Counts one request against the store counter `key`, whose window is
   * `windowMs`, with the store's `increment` or with something that does
   * other work for the request in the same round trip.
   */
  readonly count: (request: FastifyRequest, key: string, windowMs: number) => Promise<Counter>;
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
 * on every response cost about a tenth of a signed-in /auth/me request's
 * CPU (bench/auth), for a budget no client of ours reads until it is spent.
 */
function refusal(counter: Counter, max: number, reply: FastifyReply): ApiError | undefined {
  if (counter.count <= max) return undefined;
  const resetSeconds = Math.max(1, Math.ceil(counter.ttlMs / SECOND_MS));
  reply.header('retry-after', resetSeconds);
  reply.header('x-ratelimit-limit', max);
  reply.header('x-ratelimit-remaining', 0);
  reply.header('x-ratelimit-reset', resetSeconds);
  return new ApiError(429, `Too many requests; try again in ${resetSeconds} seconds`);
}

/**
 * Limits every route registered after this in the same plugin and its
 * children. The count is the first of each route's own onRequest hooks, so
 * everything later (CSRF included) sees only requests within budget, and
 * refused ones still count.
 */
export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): void {
  const { name, max, windowMs, count } = options;
  app.addHook('onRoute', (route) => {
    const { url } = route;
    const limit: onRequestHookHandler = (request, reply, done) => {
      const key = `rate-limit:${name}:${request.method}:${url}:${clientKey(request.ip)}`;
      count(request, key, windowMs).then((counter) => done(refusal(counter, max, reply)), done);
    };
    const own = route.onRequest;
    route.onRequest = own === undefined ? [limit] : [limit, ...(Array.isArray(own) ? own : [own])];
  });
}
