// The built web app as the server sends it (src/web/web-app.ts): the shell
// at each of the app's routes and, with a 404, to a browser asking for an
// unknown page; the API and non-browser requests keep their `{"detail"}`
// 404s; hashed assets cached for a year, the rest revalidated, the 404
// shell not stored; and S24's headers, CSP included, as on every other
// response, but for the 404 shell's referrer policy.
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STATIC_ROOT } from '../../src/app.js';
import { securityHeaders } from '../../src/security/headers.js';
import { IMMUTABLE_CACHE, REVALIDATE_CACHE } from '../../src/web/web-app.js';
import { buildTestApp, type TestApp } from '../support/app.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const APP_ROUTES = ['/', '/items/42', '/movers', '/index'];

// Every request here only reads, so one app serves the whole file.
let shipped: TestApp;

beforeAll(async () => {
  shipped = await buildTestApp({ staticRoot: DEFAULT_STATIC_ROOT });
});

afterAll(async () => {
  await shipped?.app.close();
});

/** The S24 headers, but for those a test checks itself (`except`). */
function expectS24Headers(headers: Record<string, unknown>, except: readonly string[] = []): void {
  for (const [name, value] of Object.entries(securityHeaders(shipped.config.baseUrl))) {
    if (!except.includes(name)) expect(headers[name], name).toBe(value);
  }
}

async function builtAssets(): Promise<string[]> {
  return (await readdir(join(DEFAULT_STATIC_ROOT, 'assets'))).map((file) => `/assets/${file}`);
}

describe('the web app', () => {
  it.each(APP_ROUTES)('%s answers the shell, revalidated, with the S24 headers', async (url) => {
    const response = await shipped.app.inject({ url, headers: { accept: BROWSER_ACCEPT } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe(REVALIDATE_CACHE);
    expect(response.body).toContain('<div id="root"></div>');
    expectS24Headers(response.headers);
    const head = await shipped.app.inject({ method: 'HEAD', url });
    expect(head.statusCode).toBe(200);
  });

  it('S24: the shell loads its code from files, with no inline script, style or handler', async () => {
    const html = (await shipped.app.inject({ url: '/' })).body;
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)];
    expect(scripts).toHaveLength(1);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\stype="module"/);
      expect(attributes).toMatch(/\ssrc="\/assets\/index-[\w-]+\.js"/);
      expect(body?.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).toMatch(/<link rel="stylesheet"[^>]* href="\/assets\/index-[\w-]+\.css">/);
  });

  it('caches the hashed assets for a year as immutable, with the S24 headers', async () => {
    const assets = await builtAssets();
    expect(assets.some((asset) => asset.endsWith('.js'))).toBe(true);
    expect(assets.some((asset) => asset.endsWith('.css'))).toBe(true);
    for (const url of assets) {
      const response = await shipped.app.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['cache-control'], url).toBe(IMMUTABLE_CACHE);
      expectS24Headers(response.headers);
    }
    const script = assets.find((asset) => asset.endsWith('.js')) as string;
    const response = await shipped.app.inject({ url: script });
    expect(response.headers['content-type']).toMatch(/^(text|application)\/javascript/);
  });

  it('revalidates the files that keep their name', async () => {
    for (const url of ['/favicon.svg']) {
      const response = await shipped.app.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['cache-control'], url).toBe(REVALIDATE_CACHE);
    }
  });

  it('serves neither the build manifest nor the shell by its file name', async () => {
    for (const url of ['/.vite/manifest.json', '/index.html']) {
      const response = await shipped.app.inject({ url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toEqual({ detail: 'Not found' });
    }
  });

  // Admin is off here (ADMIN_BASIC_AUTH unset): its pages are unknown pages too.
  it('gives a browser asking for an unknown page the app, with a 404', async () => {
    for (const url of ['/no-such-page', '/items', '/movers/up?x=1', '/index.html', '/admin']) {
      const response = await shipped.app.inject({ url, headers: { accept: BROWSER_ACCEPT } });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(response.body, url).toContain('<div id="root"></div>');
      expectS24Headers(response.headers, ['referrer-policy']);
    }
  });

  // The app draws a token page at a path the server does not list
  // (`/magic-link/`), so the 404 shell keeps a token as the token pages do.
  it.each([
    '/magic-link/?token=abc',
    '/reset-password/?token=abc',
    '/verify-email/?token=abc',
    '/no-such-page',
  ])('S24: the not-found shell at %s is neither cached nor a referrer', async (url) => {
    const response = await shipped.app.inject({ url, headers: { accept: BROWSER_ACCEPT } });
    expect(response.statusCode).toBe(404);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('keeps {"detail"} 404s for the API, for other methods and for clients not asking for HTML', async () => {
    const cases = [
      { method: 'GET', url: '/api/v1/no-such-route', headers: { accept: BROWSER_ACCEPT } },
      { method: 'GET', url: '/api', headers: { accept: BROWSER_ACCEPT } },
      { method: 'GET', url: '/no-such-page', headers: { accept: 'application/json' } },
      { method: 'GET', url: '/no-such-page', headers: {} },
      { method: 'DELETE', url: '/no-such-page', headers: { accept: BROWSER_ACCEPT } },
    ] as const;
    for (const { method, url, headers } of cases) {
      const response = await shipped.app.inject({ method, url, headers });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json(), `${method} ${url}`).toEqual({ detail: 'Not found' });
      expectS24Headers(response.headers);
    }
  });

  it('serves plain files, with JSON 404s, from a folder that holds no web app', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tracera-plain-'));
    await writeFile(join(root, 'note.txt'), 'plain\n');
    const plain = await buildTestApp({ staticRoot: root });
    try {
      expect((await plain.app.inject({ url: '/note.txt' })).statusCode).toBe(200);
      const home = await plain.app.inject({ url: '/', headers: { accept: BROWSER_ACCEPT } });
      expect(home.statusCode).toBe(404);
      expect(home.json()).toEqual({ detail: 'Not found' });
    } finally {
      await plain.app.close();
    }
  });
});
