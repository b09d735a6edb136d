import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { openTestStore, testRedisUrl } from '../support/backends.js';
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
    harness = await buildTestApp();
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
      const down = await health();
      expect(down?.statusCode).toBe(503);
      expect(down?.json()).toEqual({ status: 'unavailable', database: 'up', redis: 'down' });

      await proxy.restore();
      await expect
        .poll(async () => (await health())?.json(), { timeout: 10_000, interval: 100 })
        .toEqual({ status: 'ok', database: 'up', redis: 'up' });
    },
  );
});
