// GET /api/v1/health: whether this instance can serve, for load balancers and
// orchestrators. Each dependency is asked with a short timeout, in parallel,
// so a hung database cannot hang the health check.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NEVER_SHED } from '../http/load-shedding.js';
import { tagRoutes } from '../http/openapi.js';
import type { Database } from '../platform/db/index.js';
import type { Store } from '../platform/store/index.js';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  database: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  redis: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('embedded')]),
});

export interface HealthOptions {
  readonly database: Database;
  readonly store: Store;
  readonly timeoutMs: number;
  /** How long one answer is reused; 0 asks the dependencies on every request. */
  readonly cacheMs: number;
}

async function answers(check: Promise<void>): Promise<boolean> {
  try {
    await check;
    return true;
  } catch {
    return false;
  }
}

interface Checked {
  readonly databaseUp: boolean;
  readonly storeUp: boolean;
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthOptions> = async (app, options) => {
  const { database, store, timeoutMs, cacheMs } = options;
  tagRoutes(app, 'health');
  // The route is public and unauthenticated, so it must not let anyone turn
  // requests into database load: an answer is reused for `cacheMs`, and
  // requests that arrive while a check runs share it.
  let latest: { readonly at: number; readonly checked: Checked } | null = null;
  let inFlight: Promise<Checked> | null = null;
  const check = async (): Promise<Checked> => {
    const [databaseUp, storeUp] = await Promise.all([
      answers(database.ping(timeoutMs)),
      answers(store.ping(timeoutMs)),
    ]);
    const checked = { databaseUp, storeUp };
    latest = { at: performance.now(), checked };
    return checked;
  };
  const current = (): Promise<Checked> | Checked => {
    if (latest && performance.now() - latest.at < cacheMs) return latest.checked;
    inFlight ??= check().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
  app.get(
    '/health',
    {
      config: NEVER_SHED,
      schema: {
        summary: 'Whether the database and the store answer',
        description:
          'For load balancers: 200 when both answer, 503 when either does not; never shed under load, and never a 4xx.',
        response: {
          200: Type.Object(Health.properties, { description: 'Both answer' }),
          503: Type.Object(Health.properties, { description: 'The database or the store is down' }),
        },
      },
    },
    async (_request, reply) => {
      const { databaseUp, storeUp } = await current();
      const redis = !storeUp ? 'down' : store.kind === 'memory' ? 'embedded' : 'up';
      const healthy = databaseUp && storeUp;
      reply.code(healthy ? 200 : 503).header('cache-control', 'no-store');
      return {
        status: healthy ? 'ok' : 'unavailable',
        database: databaseUp ? 'up' : 'down',
        redis,
      } as const;
    },
  );
};
