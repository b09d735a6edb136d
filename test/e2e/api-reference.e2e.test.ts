// The API reference in a real browser: Debian's Chromium, driven by
// playwright-core, against the app listening on 127.0.0.1 with S24's
// headers live. The page must render the document (route names visible, an
// operation opened to its responses) with no console error, no uncaught
// exception and no CSP violation, whether reported as a
// `securitypolicyviolation` event or as a console message, and load nothing
// from another origin. A screenshot of the opened reference is left at
// $TMPDIR/tracera-api-reference.png for a person to look at. Run with
// `npm run test:e2e`; `npm test` leaves it out.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { launchChromium, watchedContext } from '../support/chromium.js';
import { freePort } from '../support/ports.js';

const SCREENSHOT = join(tmpdir(), 'tracera-api-reference.png');

describe('the API reference at /api/docs in the browser', () => {
  let test: TestApp;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    test = await buildTestApp({ env: { BASE_URL: origin, PORT: String(port) } });
    await test.app.listen({ host: '127.0.0.1', port });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await test?.app.close();
  });

  /** A page that records what a person would not see go wrong. */
  async function watchedPage() {
    const watched = await watchedContext(browser, {
      origin,
      viewport: { width: 1280, height: 1600 },
    });
    const page = await watched.context.newPage();
    return { page, ...watched };
  }

  it('S24: renders every capability’s routes with no console error and no CSP violation', async () => {
    const { page, errors, cspViolations, foreignRequests } = await watchedPage();
    const response = await page.goto(`${origin}/api/docs`);
    expect(response?.status()).toBe(200);
    const policy = response?.headers()['content-security-policy'] ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).not.toContain("'unsafe-");

    // Rendered: a section per tag, routes by name.
    await page.getByText('/api/v1/items/{id}/history').first().waitFor();
    for (const route of ['/api/v1/auth/login', '/api/v1/ws', '/api/v1/health']) {
      await page.getByText(route, { exact: true }).first().waitFor();
    }
    for (const tag of ['auth', 'market', 'live feed', 'health']) {
      await page.locator(`h3#operations-tag-${tag.replace(' ', '_')}`).waitFor();
    }
    // Opened: its responses, the shared {"detail"} among them, and the select boxes styled.
    await page.getByText('/api/v1/auth/login', { exact: true }).first().click();
    await page.getByText('Signed in: the user, and the CSRF token of the new session').waitFor();
    await page.getByText('Invalid email or password').first().waitFor();
    await page.screenshot({ path: SCREENSHOT });

    expect(cspViolations).toEqual([]);
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
