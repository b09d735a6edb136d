// The browser the e2e tests drive: Debian's Chromium through playwright-core
// (never a downloaded browser), and contexts that record whatever a person
// would not see go wrong: a CSP violation (as a `securitypolicyviolation`
// event or a console message), a console error, an uncaught exception, a
// request that failed or was answered 4xx/5xx, a request to another origin.
// A test expects each list empty, naming the few refusals its flow causes on
// purpose. Also: axe-core's accessibility check, and screenshots into
// .ci/out/screenshots, which .ci/run keeps.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
export const STEP_TIMEOUT_MS = 30_000;

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../.ci/out/screenshots', import.meta.url));

export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1280, height: 900 } as const;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Reports each CSP violation event to the test as it happens. Source text
 * rather than a function: it runs in the page, and this project compiles
 * without the DOM's types.
 */
export const REPORT_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (event) => {
  window.reportCspViolation(
    event.effectiveDirective + ' blocked ' + (event.blockedURI || '(inline)') +
      ' in ' + event.sourceFile + ':' + event.lineNumber,
  );
});`;

/** A response the flow causes on purpose: this status from this path. */
export interface ExpectedRefusal {
  readonly status: number;
  readonly path: string;
}

export interface Watched {
  readonly context: BrowserContext;
  readonly cspViolations: string[];
  /** Console errors, uncaught exceptions, failed requests and refusals nobody expected. */
  readonly errors: string[];
  readonly foreignRequests: string[];
}

function isExpected(url: string, status: number, expected: readonly ExpectedRefusal[]): boolean {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return false;
  }
  return expected.some((refusal) => refusal.status === status && refusal.path === path);
}

/** Chromium's console line for a 4xx/5xx answer, which the response listener reports already. */
const REFUSED_RESOURCE = /^Failed to load resource: the server responded with a status of (\d+)/;

/** A context whose problems are recorded as they happen. */
export async function watchedContext(
  browser: Browser,
  options: {
    readonly origin: string;
    readonly viewport?: { readonly width: number; readonly height: number };
    readonly label?: string;
    readonly expected?: readonly ExpectedRefusal[];
    /** Basic-auth credentials the context sends to `origin` on every request (the admin's). */
    readonly basicAuth?: { readonly username: string; readonly password: string };
  },
): Promise<Watched> {
  const { origin, label = 'browser', expected = [], basicAuth } = options;
  const context = await browser.newContext({
    viewport: options.viewport ?? DESKTOP,
    ...(basicAuth ? { httpCredentials: { ...basicAuth, origin, send: 'always' as const } } : {}),
  });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const watched: Watched = { context, cspViolations: [], errors: [], foreignRequests: [] };
  await context.exposeFunction('reportCspViolation', (violation: string) => {
    watched.cspViolations.push(`${label}: ${violation}`);
  });
  // Runs before the page's own scripts, outside its CSP.
  await context.addInitScript(REPORT_CSP_VIOLATIONS);
  context.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (/Content Security Policy/i.test(text)) {
      watched.cspViolations.push(`${label}: ${text}`);
      return;
    }
    // A 4xx/5xx is judged (expected or not) by the response listener below.
    if (REFUSED_RESOURCE.test(text)) return;
    watched.errors.push(`${label} ${message.page()?.url()}: ${text}`);
  });
  context.on('weberror', (error) =>
    watched.errors.push(`${label} uncaught: ${error.error().message}`),
  );
  context.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? 'failed';
    // A navigation away cancels what the old page still had in flight.
    if (failure === 'net::ERR_ABORTED') return;
    watched.errors.push(`${label} request failed: ${request.method()} ${request.url()} ${failure}`);
  });
  context.on('response', (response) => {
    const status = response.status();
    if (status < 400 || isExpected(response.url(), status, expected)) return;
    watched.errors.push(`${label} ${status}: ${response.request().method()} ${response.url()}`);
  });
  context.on('request', (request) => {
    const url = request.url();
    const socketOrigin = origin.replace(/^http/, 'ws');
    if (![`${origin}/`, `${socketOrigin}/`, 'data:'].some((allowed) => url.startsWith(allowed))) {
      watched.foreignRequests.push(url);
    }
  });
  return watched;
}

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** axe-core's serious and critical violations on the page as it is now, one line each. */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP does not apply to axe itself.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((result) =>
    result.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => violation.id + ' (' + violation.impact + '): ' + violation.help + ' at ' +
        violation.nodes.slice(0, 3).map((node) => node.target.join(' ')).join(', ')))`);
}

/** A full-page screenshot at .ci/out/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Nothing went wrong that a person would not see, and axe finds nothing
 * serious; `leavesOnPurpose` names the requests to another origin the flow
 * makes on purpose (a sign-in at a provider's stand-in).
 */
export async function expectClean(
  watched: Watched,
  page: Page,
  leavesOnPurpose: (url: string) => boolean = () => false,
): Promise<void> {
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  expect(watched.cspViolations).toEqual([]);
  expect(watched.errors).toEqual([]);
  expect(watched.foreignRequests.filter((url) => !leavesOnPurpose(url))).toEqual([]);
}
