// `GET /metrics`, the Prometheus scrape (docs/metrics.md). S28 puts it behind
// the admin gate (IP allowlist and basic auth); the gate is a parameter, an
// onRequest hook run before anything else on the route, so the route never
// answers a request the gate refused. `loopbackOnly` is the stand-in gate
// until the admin gate is in: anyone but this machine is refused 403.
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { Address4, Address6 } from 'ip-address';
import { ApiError } from '../platform/errors.js';
import type { Metrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

export interface MetricsRouteOptions {
  readonly metrics: Metrics;
  /** Refuses whoever may not read the metrics (S28). */
  readonly gate: onRequestHookHandler;
}

/** Whether `ip` is this machine: 127.0.0.0/8, ::1, or 127.x mapped into IPv6. */
export function isLoopback(ip: string): boolean {
  if (Address4.isValid(ip)) return new Address4(ip).isLoopback();
  if (!Address6.isValid(ip)) return false;
  const address = new Address6(ip);
  if (address.isMapped4()) return isLoopback(address.to4().correctForm());
  return address.isLoopback();
}

/** Until the admin gate (S28) is in: the metrics answer this machine only. */
export const loopbackOnly: onRequestHookHandler = (request, _reply, done) => {
  done(isLoopback(request.ip) ? undefined : new ApiError(403, 'Forbidden'));
};

export function registerMetricsRoute(app: FastifyInstance, options: MetricsRouteOptions): void {
  const { metrics, gate } = options;
  app.get(METRICS_PATH, { onRequest: gate, schema: { hide: true } }, async (_request, reply) => {
    const text = await metrics.scrape();
    return reply.type(metrics.contentType).header('cache-control', 'no-store').send(text);
  });
}
