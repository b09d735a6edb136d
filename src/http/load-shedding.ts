// S42: the process sheds load before it degrades for everyone. While the
// event loop's mean delay or the heap in use is past its bound
// (LOAD_SHED_*), requests are answered 503 with Retry-After at once, until a
// later sample (once a second) finds the process recovered. Health checks
// are exempt: a load balancer must still see an instance that is alive
// and only busy. The measuring is @fastify/under-pressure's. Every route
// but those exempt lists the 503 in its OpenAPI entry.
import underPressure from '@fastify/under-pressure';
import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { ApiError } from '../platform/errors.js';
import { documentResponses, ERRORS } from './openapi.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Read by @fastify/under-pressure: this route's answer to pressure instead of the app's. */
    pressureHandler?: () => undefined;
  }
}

export const OVERLOADED = 'The server is overloaded; try again shortly';
const RETRY_AFTER_SECONDS = 10;

/** Route config of a route that is answered however loaded the process is: no answer of its own, so the request goes on. */
export const NEVER_SHED: FastifyContextConfig = { pressureHandler: () => undefined };

export async function registerLoadShedding(
  app: FastifyInstance,
  limits: Config['loadShedding'],
): Promise<void> {
  await app.register(underPressure, {
    maxEventLoopDelay: limits.maxEventLoopDelayMs ?? 0,
    maxHeapUsedBytes: limits.maxHeapUsedBytes ?? 0,
    // A rejection is handed to the error handler, which answers `{"detail"}` like any error.
    pressureHandler: async () => {
      throw new ApiError(503, OVERLOADED, { 'retry-after': String(RETRY_AFTER_SECONDS) });
    },
  });
  app.addHook('onRoute', (route) => {
    if (route.config?.pressureHandler === NEVER_SHED.pressureHandler) return;
    documentResponses(route, { 503: ERRORS.unavailable });
  });
}
