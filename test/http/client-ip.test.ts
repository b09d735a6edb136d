// S22 groundwork: the client address the app logs (and later rate-limits by)
// believes X-Forwarded-For only from a configured trusted proxy.
import { afterEach, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';

let harness: TestApp | undefined;

afterEach(async () => {
  await harness?.app.close();
  harness = undefined;
});

async function loggedIp(remoteAddress: string, forwardedFor: string): Promise<unknown> {
  const app = harness?.app;
  if (!app) throw new Error('no app');
  await app.inject({
    url: '/api/v1/health',
    remoteAddress,
    headers: { 'x-forwarded-for': forwardedFor },
  });
  const line = harness?.logs.lines.findLast((entry) => entry.msg === 'request completed');
  return (line?.req as { ip?: string } | undefined)?.ip;
}

it('ignores X-Forwarded-For when no proxy is trusted', async () => {
  harness = await buildTestApp();
  expect(await loggedIp('203.0.113.9', '198.51.100.1')).toBe('203.0.113.9');
});

it('takes the rightmost untrusted hop behind a trusted proxy, and ignores it from anyone else', async () => {
  harness = await buildTestApp({ env: { TRUSTED_PROXIES: '10.0.0.0/8' } });
  expect(await loggedIp('10.1.2.3', '198.51.100.7, 10.0.0.5')).toBe('198.51.100.7');
  expect(await loggedIp('10.1.2.3', '6.6.6.6, 198.51.100.7')).toBe('198.51.100.7');
  expect(await loggedIp('203.0.113.9', '198.51.100.7')).toBe('203.0.113.9');
});
