// The account pages as the server sends them: each at its extensionless
// path, token pages with `Referrer-Policy: no-referrer` (S24), and markup
// that a strict CSP (no 'unsafe-inline') leaves fully working: no inline
// script, no inline event handler, no inline style.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STATIC_ROOT } from '../../src/app.js';
import { buildTestApp, type TestApp } from '../support/app.js';

const TOKEN_PAGES = ['/verify-email', '/reset-password', '/magic-link'];
const OTHER_PAGES = ['/sign-in', '/login', '/sign-up', '/forgot-password', '/account'];
const PAGES = [...OTHER_PAGES, ...TOKEN_PAGES];
const PAGE_SCRIPT = '/account/account.js';

// Every request here only reads, so one app serves the whole file.
let shipped: TestApp;

beforeAll(async () => {
  shipped = await buildTestApp({ staticRoot: DEFAULT_STATIC_ROOT });
});

afterAll(async () => {
  await shipped?.app.close();
});

async function pageHtml(path: string): Promise<string> {
  const response = await shipped.app.inject({ url: path });
  expect(response.statusCode, path).toBe(200);
  return response.body;
}

/** Every start tag, with its attributes. */
function startTags(html: string): string[] {
  return html.match(/<[a-z][^>]*>/gi) ?? [];
}

describe('account pages', () => {
  it.each(PAGES)('%s answers 200 text/html with the S24 headers', async (path) => {
    const { app } = shipped;
    const response = await app.inject({ url: path });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(String(response.headers['content-security-policy'])).toContain("default-src 'self'");
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.body).toMatch(/^<!doctype html>/i);
    const head = await app.inject({ method: 'HEAD', url: path });
    expect(head.statusCode).toBe(200);
  });

  it.each(TOKEN_PAGES)('S24: %s, opened from an emailed link, sends no referrer', async (path) => {
    const { app } = shipped;
    const response = await app.inject({ url: `${path}?token=${'a'.repeat(43)}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toContain('<meta name="referrer" content="no-referrer">');
  });

  it.each(OTHER_PAGES)('%s keeps the default referrer policy', async (path) => {
    const { app } = shipped;
    const response = await app.inject({ url: path });
    expect(response.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  });

  it.each(PAGES)('%s has no inline script, event handler or style', async (path) => {
    const html = await pageHtml(path);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\ssrc="\/[^"]+"/);
      expect(body?.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/i);
    for (const tag of startTags(html)) {
      expect(tag).not.toMatch(/\son[a-z]+\s*=/i);
      expect(tag).not.toMatch(/\sstyle\s*=/i);
      expect(tag).not.toMatch(/javascript:/i);
    }
  });

  it.each(PAGES)('%s loads the shared page module and cannot submit without it', async (path) => {
    const html = await pageHtml(path);
    expect(html).toContain(`<script type="module" src="${PAGE_SCRIPT}"></script>`);
    expect(html).toMatch(/<body data-page="[a-z-]+">/);
    // A form that the script does not handle would be sent by the browser
    // itself: as a GET, that puts passwords and tokens into a URL.
    for (const tag of startTags(html).filter((t) => /^<form\b/i.test(t))) {
      expect(tag).toContain('method="post"');
    }
    for (const tag of startTags(html).filter((t) => /^<button\b/i.test(t))) {
      expect(tag).toMatch(/\sdisabled\b/);
    }
  });

  it('serves the page module as JavaScript, and each page file only at its path', async () => {
    const { app } = shipped;
    const script = await app.inject({ url: PAGE_SCRIPT });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript|^application\/javascript/);
    expect(script.body).toBe(await readFile(join(DEFAULT_STATIC_ROOT, PAGE_SCRIPT), 'utf8'));
    for (const file of ['sign-in.html', 'verify-email.html', 'magic-link.html']) {
      expect((await app.inject({ url: `/account/${file}` })).statusCode, file).toBe(404);
    }
    expect((await app.inject({ url: '/sign-in/' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/favicon.svg' })).statusCode).toBe(200);
  });

  it('are not served when the static root has no page files', async () => {
    const bare = await buildTestApp({ staticRoot: join(DEFAULT_STATIC_ROOT, 'account') });
    try {
      expect((await bare.app.inject({ url: '/sign-in' })).statusCode).toBe(404);
      expect((await bare.app.inject({ url: '/account.js' })).statusCode).toBe(200);
    } finally {
      await bare.app.close();
    }
  });
});
