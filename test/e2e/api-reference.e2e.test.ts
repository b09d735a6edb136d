// The API reference in a real browser: Debian's Chromium, driven by
// playwright-core, against the app listening on 127.0.0.1 with S24's
// headers live. The page must render the document (route names visible, an
// operation opened to its responses) with no console error, no uncaught
// exception and no CSP violation, whether reported as a
// `securitypolicyviolation` event or as a console message, and load nothing
// from another origin. A screenshot of the opened reference is left at
// $TMPDIR/tracera-api-reference.png for a person to look at. Run with
// `npm run test:e2e`; `npm test` leaves it out.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { freePort } from '../support/ports.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
const STEP_TIMEOUT_MS = 30_000;
const SCREENSHOT = join(tmpdir(), 'tracera-api-reference.png');

/**
 * Reports each CSP violation event to the test as it happens. Source text
 * rather than a function: it runs in the page, and this project compiles
 * without the DOM's types.
 */
const REPORT_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (event) => {
  window.reportCspViolation(
    event.effectiveDirective + ' blocked ' + (event.blockedURI || '(inline)') +
      ' in ' + event.sourceFile + ':' + event.lineNumber,
  );
});`;

describe('the API reference at /api/docs in the browser', () => {
  let test: TestApp;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    }
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    test = await buildTestApp({ env: { BASE_URL: origin, PORT: String(port) } });
    await test.app.listen({ host: '127.0.0.1', port });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await test?.app.close();
  });

  /** A page that records what a person would not see go wrong. */
  async function watchedPage() {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1600 } });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const consoleErrors: string[] = [];
    const cspViolations: string[] = [];
    const foreignRequests: string[] = [];
    await context.exposeFunction('reportCspViolation', (violation: string) => {
      cspViolations.push(violation);
    });
    // Runs before the page's own scripts, outside its CSP.
    await context.addInitScript(REPORT_CSP_VIOLATIONS);
    context.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      (/Content Security Policy/i.test(text) ? cspViolations : consoleErrors).push(text);
    });
    context.on('weberror', (error) => consoleErrors.push(`uncaught: ${error.error().message}`));
    context.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(`${origin}/`) && !url.startsWith('data:')) foreignRequests.push(url);
    });
    const page: Page = await context.newPage();
    return { page, consoleErrors, cspViolations, foreignRequests };
  }

  it('S24: renders every capability’s routes with no console error and no CSP violation', async () => {
    const { page, consoleErrors, cspViolations, foreignRequests } = await watchedPage();
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
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
