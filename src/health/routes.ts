// GET /api/v1/health: whether this instance can serve, for load balancers and
// orchestrators. Each dependency is asked with a short timeout, in parallel,
// so a hung database cannot hang the health check.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
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
}

async function answers(check: Promise<void>): Promise<boolean> {
  try {
    await check;
    return true;
  } catch {
    return false;
  }
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthOptions> = async (app, options) => {
  const { database, store, timeoutMs } = options;
  app.get(
    '/health',
    {
      schema: {
        summary: 'Whether the database and the store answer',
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      const [databaseUp, storeUp] = await Promise.all([
        answers(database.ping(timeoutMs)),
        answers(store.ping(timeoutMs)),
      ]);
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
