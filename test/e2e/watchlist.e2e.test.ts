// The watchlist in a real browser: Debian's Chromium, driven by
// playwright-core, against the whole app on 127.0.0.1 over a seeded market.
// Signed out, every star offers sign-in and the watchlist page says what it
// is, and neither asks the API for anything it would refuse. Signed in: star
// an item on the market table and another on its page, see both on the
// watchlist page with their prices, write a note, remove one, then narrow
// the market table to the watchlist. Every page is checked for CSP
// violations, console errors, failed or foreign requests and serious
// axe-core findings, and photographed.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STATIC_ROOT } from '../../src/app.js';
import {
  type AccountsApp,
  createVerifiedUser,
  PASSWORD,
  startAccountsApp,
} from '../support/accounts.js';
import {
  DESKTOP,
  expectClean,
  launchChromium,
  PHONE,
  screenshot,
  watchedContext,
} from '../support/chromium.js';
import { seedMarket } from '../support/market-seed.js';
import { freePort } from '../support/ports.js';

const EMAIL = 'watcher@example.com';
const REDLINE = 'AK-47 | Redline (Field-Tested)';
const CASE = 'Kilowatt Case';
/** How long a poll waits for the page to catch up (expect.poll's own default is 1 s). */
const POLL = { timeout: 15_000 } as const;

let accounts: AccountsApp;
let origin: string;
let browser: Browser;
let caseId: number;

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  accounts = await startAccountsApp({
    env: { BASE_URL: origin, PORT: String(port) },
    staticRoot: DEFAULT_STATIC_ROOT,
  });
  const market = await seedMarket(accounts.database, accounts.store, Date.now());
  caseId = market.ids.get(CASE) as number;
  await accounts.app.listen({ host: '127.0.0.1', port });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await accounts?.close();
});

function marketRow(page: Page, name: string) {
  return page.getByRole('table').locator('tbody tr').filter({ hasText: name });
}

function marketNames(page: Page): Promise<string[]> {
  return page.getByRole('table').locator('tbody tr .item-name').allTextContents();
}

function watchedItems(page: Page) {
  return page.getByRole('list', { name: 'Watched items' }).getByRole('listitem');
}

describe('the watchlist', () => {
  it('signed out: the stars offer sign-in and the page links to it, with no refusal', async () => {
    for (const [width, viewport] of [
      ['390', PHONE],
      ['1280', DESKTOP],
    ] as const) {
      const watched = await watchedContext(browser, { origin, viewport, label: width });
      const page = await watched.context.newPage();
      await page.goto(`${origin}/`);
      const star = page.getByRole('link', { name: `Sign in to watch ${REDLINE}` });
      await star.waitFor();
      expect(await star.getAttribute('href')).toBe('/sign-in?next=%2F');
      // No "Watchlist only" filter without a watchlist.
      expect(await page.getByLabel('Watchlist only').count()).toBe(0);
      await screenshot(page, `watchlist-market-signed-out-${width}`);
      await expectClean(watched, page);

      await page.getByRole('navigation', { name: 'Sections' }).getByText('Watchlist').click();
      const signIn = page.getByRole('link', { name: 'Sign in to see your watchlist' });
      await signIn.waitFor();
      expect(await signIn.getAttribute('href')).toBe('/sign-in?next=%2Fwatchlist');
      await screenshot(page, `watchlist-signed-out-${width}`);
      await expectClean(watched, page);
      await watched.context.close();
    }
  });

  it('star, list with prices, note, remove, and the market narrowed to the watchlist', async () => {
    await createVerifiedUser(accounts, accounts.browser(), EMAIL);
    const watched = await watchedContext(browser, { origin, label: 'watcher' });
    const page = await watched.context.newPage();

    // Sign in from the watchlist's own link, and come back to it: nothing watched yet.
    await page.goto(`${origin}/sign-in?next=/watchlist`);
    const withPassword = page.getByRole('region', { name: 'With your password' });
    await withPassword.getByLabel('Email').fill(EMAIL);
    await withPassword.getByLabel('Password').fill(PASSWORD);
    await withPassword.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/watchlist`);
    await page.getByText('You watch no items yet.').waitFor();
    await expectClean(watched, page);

    // A star on the market table: a toggle, its name constant, its state in aria-pressed.
    await page.getByRole('navigation', { name: 'Sections' }).getByText('Market').click();
    const star = marketRow(page, REDLINE).getByRole('button', { name: `Watch ${REDLINE}` });
    await star.waitFor();
    await expect.poll(() => star.getAttribute('aria-pressed'), POLL).toBe('false');
    await star.click();
    await expect.poll(() => star.getAttribute('aria-pressed'), POLL).toBe('true');
    expect(await star.getAttribute('title')).toBe(`Unwatch ${REDLINE}`);
    await screenshot(page, 'watchlist-market-starred-1280');
    await expectClean(watched, page);

    // The star on an item's page, with its word.
    await page.goto(`${origin}/items/${caseId}`);
    const pageStar = page.getByRole('button', { name: `Watch ${CASE}` });
    await pageStar.waitFor();
    await expect.poll(() => pageStar.getAttribute('aria-pressed'), POLL).toBe('false');
    await pageStar.click();
    await expect.poll(() => pageStar.getAttribute('aria-pressed'), POLL).toBe('true');
    await screenshot(page, 'watchlist-item-starred-1280');
    await expectClean(watched, page);

    // The watchlist page: newest first, each with its price and 24 h change.
    await page.getByRole('navigation', { name: 'Sections' }).getByText('Watchlist').click();
    await expect
      .poll(() => watchedItems(page).locator('.item-name').allTextContents(), POLL)
      .toEqual([CASE, REDLINE]);
    const redline = watchedItems(page).filter({ hasText: REDLINE });
    expect(await redline.locator('.price').textContent()).toMatch(/^\$[\d,]+\.\d\d$/);
    expect(await redline.getByText('No note').count()).toBe(1);

    // A note, written in place; the field takes the focus.
    await redline.getByRole('button', { name: `Edit note for ${REDLINE}` }).click();
    const noteForm = page.getByRole('form', { name: `Note for ${REDLINE}` });
    expect(await page.evaluate('document.activeElement?.closest("form")?.ariaLabel')).toBe(
      `Note for ${REDLINE}`,
    );
    await noteForm.getByLabel('Note').fill('Buy under $15, sticker craft');
    await noteForm.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`Saved the note for ${REDLINE}.`).waitFor();
    await redline.getByText('Buy under $15, sticker craft').waitFor();
    await screenshot(page, 'watchlist-1280');
    await expectClean(watched, page);

    // Remove one.
    await watchedItems(page)
      .filter({ hasText: CASE })
      .getByRole('button', { name: `Remove ${CASE}` })
      .click();
    await page.getByText(`Removed ${CASE} from your watchlist.`).waitFor();
    await expect
      .poll(() => watchedItems(page).locator('.item-name').allTextContents(), POLL)
      .toEqual([REDLINE]);
    await expectClean(watched, page);

    // The same list on a phone: nothing wider than the screen.
    const phone = await watchedContext(browser, { origin, viewport: PHONE, label: 'phone' });
    await phone.context.addCookies(await watched.context.cookies());
    const small = await phone.context.newPage();
    await small.goto(`${origin}/watchlist`);
    await watchedItems(small).filter({ hasText: REDLINE }).waitFor();
    expect(await small.evaluate('document.documentElement.scrollWidth')).toBe(PHONE.width);
    await screenshot(small, 'watchlist-390');
    await expectClean(phone, small);
    await small.goto(`${origin}/`);
    await marketRow(small, REDLINE).waitFor();
    await screenshot(small, 'watchlist-market-signed-in-390');
    await expectClean(phone, small);
    await phone.context.close();

    // The market narrowed to the watchlist, by the server, and kept in the address.
    await page.getByRole('navigation', { name: 'Sections' }).getByText('Market').click();
    await marketRow(page, REDLINE).waitFor();
    // The address changes in a transition: the box follows it, a moment after the click.
    const watchlistOnly = page.getByLabel('Watchlist only');
    await watchlistOnly.click();
    await expect.poll(() => watchlistOnly.isChecked(), POLL).toBe(true);
    await expect.poll(() => marketNames(page), POLL).toEqual([REDLINE]);
    expect(new URL(page.url()).searchParams.get('watchlist')).toBe('true');
    await screenshot(page, 'watchlist-market-filtered-1280');
    await expectClean(watched, page);
    // Unwatched from the narrowed table, it leaves it.
    await marketRow(page, REDLINE)
      .getByRole('button', { name: `Watch ${REDLINE}` })
      .click();
    await page.getByText('You watch no item that matches.').waitFor();
    await watchlistOnly.click();
    await expect.poll(() => watchlistOnly.isChecked(), POLL).toBe(false);
    await expect.poll(() => marketNames(page).then((names) => names.length), POLL).toBe(12);
    await expectClean(watched, page);
    await watched.context.close();
  });
});
