// Per-IP rate limits (S21, S22) with @fastify/rate-limit, counting in the
// app's store so every instance sharing one Redis shares one budget. The
// count is per client IP and per route (method and path pattern); the client IP is Fastify's, which
// believes X-Forwarded-For only from TRUSTED_PROXIES, and IPv6 clients are
// counted per /64, the block one subscriber usually holds. When the store
// cannot count, the request fails with 503 instead of passing (S32).
import fastifyRateLimit, {
  type FastifyRateLimitStore,
  type FastifyRateLimitStoreCtor,
  normalizeIP,
} from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../platform/errors.js';
import type { Store } from '../platform/store/index.js';

const IPV6_SUBNET_BITS = 64;
const SECOND_MS = 1000;

export interface RateLimitOptions {
  readonly store: Store;
  /** Names the budget in store keys, e.g. `auth`. */
  readonly name: string;
  readonly max: number;
  readonly windowMs: number;
}

/** An IPv4 address as it is; an IPv6 address as its /64 (normalizeIP's pattern test is the slow part). */
function clientKey(ip: string): string {
  return ip.includes(':') ? normalizeIP(ip, IPV6_SUBNET_BITS) : ip;
}

/** Adapts the store's atomic counter to the plugin's store interface. */
function counterStore(store: Store, keyPrefix: string): FastifyRateLimitStoreCtor {
  return class CounterStore implements FastifyRateLimitStore {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      store.increment(`${keyPrefix}${key}`, timeWindow).then(
        ({ count, ttlMs }) => callback(null, { current: count, ttl: ttlMs }),
        (error: Error) => callback(error),
      );
    }

    /** Keys already name the route (see keyGenerator), so routes share one key space. */
    child(): FastifyRateLimitStore {
      return this;
    }
  };
}

/** Limits every route registered after this in the same plugin. */
export async function registerRateLimit(
  app: FastifyInstance,
  options: RateLimitOptions,
): Promise<void> {
  await app.register(fastifyRateLimit, {
    global: true,
    max: options.max,
    timeWindow: options.windowMs,
    keyGenerator: (request) =>
      `${request.method}:${request.routeOptions.url}:${clientKey(request.ip)}`,
    skipOnError: false,
    store: counterStore(options.store, `rate-limit:${options.name}:`),
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        context.statusCode,
        `Too many requests; try again in ${Math.max(1, Math.ceil(context.ttl / SECOND_MS))} seconds`,
      ),
  });
}
