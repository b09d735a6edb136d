// S24: the full header set on every kind of response.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_STATIC_ROOT } from '../../src/app.js';
import { contentSecurityPolicy } from '../../src/security/headers.js';
import { buildTestApp, type TestApp } from '../support/app.js';

const EXPECTED = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-xss-protection': '1; mode=block',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

function expectSecurityHeaders(response: LightMyRequestResponse): void {
  expect(response.headers).toMatchObject(EXPECTED);
  const csp = String(response.headers['content-security-policy']);
  for (const directive of [
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ]) {
    expect(csp).toContain(directive);
  }
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  const permissions = String(response.headers['permissions-policy']);
  for (const feature of ['camera', 'microphone', 'geolocation', 'payment', 'usb']) {
    expect(permissions).toContain(`${feature}=()`);
  }
}

let harness: TestApp | undefined;

afterEach(async () => {
  await harness?.app.close();
  harness = undefined;
});

async function appWithStaticFile(env = {}): Promise<TestApp> {
  const root = await mkdtemp(join(tmpdir(), 'tracera-static-'));
  await writeFile(join(root, 'app.js'), 'console.log("tracera");\n');
  return buildTestApp({
    env,
    staticRoot: root,
    routes: (app) => {
      app.get('/api/v1/test/explode', async () => {
        throw new Error('database exploded');
      });
    },
  });
}

describe('S24 security headers', () => {
  it('are on a 200 from the API', async () => {
    harness = await appWithStaticFile();
    const response = await harness.app.inject({ url: '/api/v1/health' });
    expect(response.statusCode).toBe(200);
    expectSecurityHeaders(response);
  });

  it('are on a 404', async () => {
    harness = await appWithStaticFile();
    const response = await harness.app.inject({ url: '/api/v1/no-such-route' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ detail: 'Not found' });
    expectSecurityHeaders(response);
  });

  it('are on a 500', async () => {
    harness = await appWithStaticFile();
    const response = await harness.app.inject({ url: '/api/v1/test/explode' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ detail: 'Internal server error' });
    expectSecurityHeaders(response);
  });

  it('are on a static file', async () => {
    harness = await appWithStaticFile();
    const response = await harness.app.inject({ url: '/app.js' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('tracera');
    expectSecurityHeaders(response);
  });

  it('include HSTS only when BASE_URL is https', async () => {
    harness = await appWithStaticFile({ BASE_URL: 'https://tracera.example' });
    const secure = await harness.app.inject({ url: '/api/v1/health' });
    expect(secure.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
    await harness.app.close();
    harness = await appWithStaticFile({ BASE_URL: 'http://localhost:3000' });
    const plain = await harness.app.inject({ url: '/api/v1/health' });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
  });

  it('are on the API reference and its assets, whose policy adds only data: images', async () => {
    harness = await appWithStaticFile();
    for (const url of ['/api/docs', '/api/docs/static/swagger-ui-bundle.js']) {
      const response = await harness.app.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expectSecurityHeaders(response);
      expect(response.headers['content-security-policy']).toBe(
        `${contentSecurityPolicy()}; img-src 'self' data:`,
      );
    }
  });

  it('refuse a page a directive that allows inline code or replaces one of S24’s', () => {
    expect(() => contentSecurityPolicy({ 'script-src': "'self' 'unsafe-inline'" })).toThrow();
    expect(() => contentSecurityPolicy({ 'style-src': "'unsafe-eval'" })).toThrow();
    expect(() => contentSecurityPolicy({ 'default-src': '*' })).toThrow();
  });

  it('are on the shipped landing page', async () => {
    harness = await buildTestApp({ staticRoot: DEFAULT_STATIC_ROOT });
    const response = await harness.app.inject({ url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expectSecurityHeaders(response);
  });
});
