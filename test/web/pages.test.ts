// The account pages as the server sends them: each at its extensionless
// path, the web app's shell (the app draws the page), token pages with
// `Referrer-Policy: no-referrer` and `Cache-Control: no-store` (S24), the
// others revalidated and with the default referrer policy.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STATIC_ROOT } from '../../src/app.js';
import { buildTestApp, type TestApp } from '../support/app.js';

const TOKEN_PAGES = ['/verify-email', '/reset-password', '/magic-link'];
const OTHER_PAGES = ['/sign-in', '/login', '/sign-up', '/forgot-password', '/account'];
const PAGES = [...OTHER_PAGES, ...TOKEN_PAGES];

// Every request here only reads, so one app serves the whole file.
let shipped: TestApp;
let shell: string;

beforeAll(async () => {
  shipped = await buildTestApp({ staticRoot: DEFAULT_STATIC_ROOT });
  shell = (await shipped.app.inject({ url: '/' })).body;
});

afterAll(async () => {
  await shipped?.app.close();
});

describe('account pages', () => {
  it.each(PAGES)('%s answers the app with the S24 headers', async (path) => {
    const { app } = shipped;
    const response = await app.inject({ url: path });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(String(response.headers['content-security-policy'])).toContain("default-src 'self'");
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.body).toBe(shell);
    const head = await app.inject({ method: 'HEAD', url: path });
    expect(head.statusCode).toBe(200);
  });

  it.each(TOKEN_PAGES)('S24: %s, opened from an emailed link, sends no referrer', async (path) => {
    const { app } = shipped;
    const response = await app.inject({ url: `${path}?token=${'a'.repeat(43)}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it.each(OTHER_PAGES)('%s keeps the default referrer policy and is revalidated', async (path) => {
    const { app } = shipped;
    const response = await app.inject({ url: path });
    expect(response.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('answers each page at its path only', async () => {
    const { app } = shipped;
    for (const url of ['/sign-in/', '/account/sign-in.html', '/account/account.js']) {
      expect((await app.inject({ url })).statusCode, url).toBe(404);
    }
  });

  it('are not served when the static root holds no web app', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tracera-no-app-'));
    await writeFile(join(root, 'account.js'), '// not an app\n');
    const bare = await buildTestApp({ staticRoot: root });
    try {
      expect((await bare.app.inject({ url: '/sign-in' })).statusCode).toBe(404);
      expect((await bare.app.inject({ url: '/account.js' })).statusCode).toBe(200);
    } finally {
      await bare.app.close();
    }
  });
});
