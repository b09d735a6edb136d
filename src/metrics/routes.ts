// `GET /metrics`, the Prometheus scrape (docs/metrics.md). S28 puts it behind
// the admin gate (IP allowlist and basic auth, src/admin/gate.ts); the gate
// is a parameter, an onRequest hook run before anything else on the route,
// so the route never answers a request the gate refused.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

export interface MetricsRouteOptions {
  readonly metrics: Metrics;
  /** Refuses whoever may not read the metrics (S28): the app's admin gate. */
  readonly gate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

export function registerMetricsRoute(app: FastifyInstance, options: MetricsRouteOptions): void {
  const { metrics, gate } = options;
  app.get(METRICS_PATH, { onRequest: gate, schema: { hide: true } }, async (_request, reply) => {
    const text = await metrics.scrape();
    return reply.type(metrics.contentType).header('cache-control', 'no-store').send(text);
  });
}
