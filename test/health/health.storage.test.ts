import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db/index.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { openTestDatabase, openTestStore, testRedisUrl } from '../support/backends.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

let harness: TestApp | undefined;
let proxy: TcpProxy | undefined;

afterEach(async () => {
  await harness?.app.close();
  await proxy?.close();
  harness = undefined;
  proxy = undefined;
});

describe('GET /api/v1/health', () => {
  it('is 200 when the database and the store answer', async () => {
    harness = await buildTestApp();
    const response = await harness.app.inject({ url: '/api/v1/health' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toEqual({
      status: 'ok',
      database: 'up',
      redis: testRedisUrl ? 'up' : 'embedded',
    });
  });

  it('is 503 with "database":"down" when the database does not answer', async () => {
    harness = await buildTestApp({ database: await openTestDatabase() });
    await harness.database.close();
    const response = await harness.app.inject({ url: '/api/v1/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'unavailable', database: 'down' });
  });

  it.runIf(testRedisUrl)(
    'is 503 with "redis":"down" while Redis is unreachable, and 200 again when it returns',
    async () => {
      const target = new URL(testRedisUrl as string);
      proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
      const viaProxy = new URL(target);
      viaProxy.host = `127.0.0.1:${proxy.port}`;
      const { store } = await openTestStore({ redisUrl: viaProxy.toString() });
      harness = await buildTestApp({ store });
      const health = () => harness?.app.inject({ url: '/api/v1/health' });

      expect((await health())?.statusCode).toBe(200);

      await proxy.cut();
      await expect.poll(async () => (await health())?.statusCode, { interval: 100 }).toBe(503);
      expect((await health())?.json()).toEqual({
        status: 'unavailable',
        database: 'up',
        redis: 'down',
      });

      await proxy.restore();
      await expect
        .poll(async () => (await health())?.json(), { interval: 100 })
        .toEqual({ status: 'ok', database: 'up', redis: 'up' });
    },
  );

  it('asks the database once for a burst of requests, and again once the answer is old', async () => {
    let pings = 0;
    const countingPings = async (): Promise<Database> => {
      const database = await openTestDatabase();
      return {
        ...database,
        ping: (timeoutMs: number) => {
          pings += 1;
          return database.ping(timeoutMs);
        },
      };
    };
    harness = await buildTestApp({
      database: await countingPings(),
      env: { HEALTH_CACHE_MS: '60000' },
    });
    const burst = await Promise.all(
      Array.from({ length: 20 }, () => harness?.app.inject({ url: '/api/v1/health' })),
    );
    expect(burst.map((response) => response?.statusCode)).toEqual(Array(20).fill(200));
    expect(pings).toBe(1);
    await harness.app.close();

    pings = 0;
    harness = await buildTestApp({
      database: await countingPings(),
      env: { HEALTH_CACHE_MS: '0' },
    });
    for (let i = 0; i < 3; i += 1) {
      expect((await harness.app.inject({ url: '/api/v1/health' })).statusCode).toBe(200);
    }
    expect(pings).toBe(3);
  });
});
