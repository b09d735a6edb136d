// The portfolio page in a real browser: Debian's Chromium, driven by
// playwright-core, against the whole app on 127.0.0.1 over a market seeded
// through the ingestion path, with Steam played by two stand-ins on
// 127.0.0.1: its OpenID endpoint (linking) and its inventory endpoint
// (importing, three pages, each answered late enough that the progress
// shows). One user's path: the page signed out, sign in and come back,
// link Steam, import, see the holdings and totals, the cooldown, add a buy
// to the ledger and see the cost basis and P&L follow. Every page is
// checked for CSP violations, console errors, failed or foreign requests
// and serious axe-core findings, and photographed at 390 and 1280 px.
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
  type ExpectedRefusal,
  expectClean,
  launchChromium,
  PHONE,
  screenshot,
  watchedContext,
} from '../support/chromium.js';
import { seedMarket } from '../support/market-seed.js';
import { freePort } from '../support/ports.js';
import {
  inventoryFixture,
  type SteamInventoryStandIn,
  startSteamInventory,
} from '../support/steam-inventory.js';
import { STEAM_ID, type SteamStandIn, startSteamStandIn } from '../support/steam-openid.js';

const EMAIL = 'trader@example.com';
/** Ten assets in pages of four: three pages. */
const PAGE_SIZE = 4;
/** Each page answered this late, so the page shows the import's progress. */
const PAGE_DELAY_MS = 700;
/** How long a poll waits for the page to catch up (expect.poll's own default is 1 s). */
const POLL = { timeout: 15_000 } as const;
const UNKNOWN_ITEM = 'Sticker | Tracera Test (Holo) | Nowhere 2026';

const CSV_HEADER = 'date,type,item,quantity,unit_price,fee,currency,note';
const GOOD_CSV_LINE = '2026-11-20,buy,Kilowatt Case,5,1.10,,,opened none';
/** Lines 3 and 4 of a file whose line 2 is GOOD_CSV_LINE. */
const BAD_CSV_LINES = [
  '2026-11-31,buy,Kilowatt Case,1,1.00,,,',
  '2026-11-21,gift,Kilowatt Case,1,1.00,,,',
];

function csvFile(lines: readonly string[]) {
  const text = `${[CSV_HEADER, ...lines].join('\n')}\n`;
  return { name: 'ledger.csv', mimeType: 'text/csv', buffer: Buffer.from(text) };
}

/** The portfolio asked for while signed out: an answer the page shows, not an error. */
const SIGNED_OUT: readonly ExpectedRefusal[] = [{ status: 401, path: '/api/v1/portfolio' }];

/** The CSV with bad lines, refused on purpose. */
const CSV_REFUSED: readonly ExpectedRefusal[] = [
  { status: 400, path: '/api/v1/portfolio/transactions/import' },
];

let accounts: AccountsApp;
let origin: string;
let browser: Browser;
let openId: SteamStandIn;
let inventory: SteamInventoryStandIn;

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  openId = await startSteamStandIn();
  inventory = await startSteamInventory();
  inventory.inventories.set(
    STEAM_ID,
    inventoryFixture({
      items: [
        { marketHashName: 'AK-47 | Redline (Field-Tested)', count: 3, float: 0.2531, pattern: 661 },
        { marketHashName: 'Kilowatt Case', count: 5 },
        { marketHashName: UNKNOWN_ITEM, count: 1 },
        { marketHashName: 'M4A4 | Howl (Field-Tested)', count: 1 },
      ],
    }),
  );
  accounts = await startAccountsApp({
    env: {
      BASE_URL: origin,
      PORT: String(port),
      STEAM_COMMUNITY_URL: inventory.origin,
      STEAM_INVENTORY_PAGE_SIZE: String(PAGE_SIZE),
    },
    staticRoot: DEFAULT_STATIC_ROOT,
    steamOpenIdEndpoint: openId.endpoint,
  });
  await seedMarket(accounts.database, accounts.store, Date.now());
  await accounts.app.listen({ host: '127.0.0.1', port });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await accounts?.close();
  await inventory?.close();
  await openId?.close();
});

/** Linking Steam leaves the site on purpose, for the OpenID stand-in. */
const toSteamSignIn = (url: string) => url.startsWith(`${openId.server.origin}/openid/login?`);

function holdingRow(page: Page, name: string) {
  return page
    .getByRole('table', { name: /^Holdings/ })
    .getByRole('row')
    .filter({ hasText: name });
}

function stat(page: Page, name: string) {
  return page.locator('.portfolio-stats .stat').filter({ hasText: name }).locator('dd');
}

describe('the portfolio page', () => {
  it('signed out: says what it is and links to sign in, coming back here', async () => {
    for (const [width, viewport] of [
      ['390', PHONE],
      ['1280', DESKTOP],
    ] as const) {
      const watched = await watchedContext(browser, {
        origin,
        viewport,
        label: width,
        expected: SIGNED_OUT,
      });
      const page = await watched.context.newPage();
      await page.goto(`${origin}/portfolio`);
      const signIn = page.getByRole('link', { name: 'Sign in to see your portfolio' });
      await signIn.waitFor();
      expect(await signIn.getAttribute('href')).toBe('/sign-in?next=%2Fportfolio');
      await screenshot(page, `portfolio-signed-out-${width}`);
      await expectClean(watched, page, toSteamSignIn);
      await watched.context.close();
    }
  });

  it('sign in, link Steam, import, holdings and totals; a ledger buy gives the P&L', async () => {
    await createVerifiedUser(accounts, accounts.browser(), EMAIL);
    const watched = await watchedContext(browser, {
      origin,
      label: 'trader',
      expected: CSV_REFUSED,
    });
    const page = await watched.context.newPage();

    // Sign in from the portfolio's own link, and come back to it.
    await page.goto(`${origin}/sign-in?next=/portfolio`);
    const withPassword = page.getByRole('region', { name: 'With your password' });
    await withPassword.getByLabel('Email').fill(EMAIL);
    await withPassword.getByLabel('Password').fill(PASSWORD);
    await withPassword.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/portfolio`);

    // No Steam yet: the call to link it, and adding by hand still offered.
    const link = page.getByRole('link', { name: 'Link your Steam account' });
    await link.waitFor();
    await page.getByRole('form', { name: 'Add a holding' }).waitFor();
    // Signed in, the header offers the account and no longer sign-in or sign-up.
    const accountLinks = page.getByRole('navigation', { name: 'Account' });
    await expect
      .poll(() => accountLinks.getByRole('link', { name: 'Sign in', exact: true }).count())
      .toBe(0);
    expect(await accountLinks.getByRole('link', { name: 'Sign up' }).count()).toBe(0);
    expect(await accountLinks.getByRole('link', { name: 'Account' }).count()).toBe(1);
    await screenshot(page, 'portfolio-not-linked-1280');
    await expectClean(watched, page, toSteamSignIn);

    // Link Steam through the OpenID stand-in, which comes straight back here.
    await link.click();
    await page.waitForURL(`${origin}/portfolio`);
    const importButton = page.getByRole('button', { name: 'Import from Steam' });
    await importButton.waitFor();
    await page.getByText('Not imported yet.').waitFor();

    // Import: three pages, each late, so the live region shows the progress.
    inventory.failNext(
      STEAM_ID,
      { kind: 'delay', ms: PAGE_DELAY_MS },
      { kind: 'delay', ms: PAGE_DELAY_MS },
      { kind: 'delay', ms: PAGE_DELAY_MS },
    );
    await importButton.click();
    const progress = page.locator('.import-progress');
    await expect
      .poll(() => progress.textContent(), POLL)
      .toMatch(/^Importing your Steam inventory: \d+ pages?, \d+ of 10 items read so far…$/);
    await screenshot(page, 'portfolio-importing-1280');
    await expect
      .poll(() => progress.textContent(), POLL)
      .toMatch(/^Imported 10 items from 3 pages/);
    expect(
      inventory.requests.filter((request) => request.url.pathname.includes(STEAM_ID)),
    ).toHaveLength(3);

    // The holdings, grouped by item and valued; the cooldown shown, the button off.
    await holdingRow(page, 'AK-47 | Redline (Field-Tested)').waitFor();
    const redline = holdingRow(page, 'AK-47 | Redline (Field-Tested)');
    expect(await redline.locator('td').first().textContent()).toBe('3');
    expect(await redline.getByText('No buy recorded').count()).toBe(1);
    expect(await holdingRow(page, 'Kilowatt Case').locator('td').first().textContent()).toBe('5');
    expect(await holdingRow(page, 'M4A4 | Howl').getByText('stale').count()).toBe(1);
    expect(await stat(page, 'Value').first().textContent()).toMatch(/^\$[\d,]+\.\d\d$/);
    expect(await stat(page, 'Net value').textContent()).toMatch(/^\$[\d,]+\.\d\d$/);
    const notValued = page.getByRole('region', { name: 'Not valued' });
    await notValued.getByText(UNKNOWN_ITEM).waitFor();
    await page.getByText(/Next import in \d+ (min|s)/).waitFor();
    expect(await importButton.isDisabled()).toBe(true);

    // A buy in the ledger: the Redline gets a cost basis (FIFO) and an unrealized P&L.
    const form = page.getByRole('form', { name: 'Add a transaction' });
    await form.getByLabel('Find an item').fill('redline');
    await expect
      .poll(() => form.getByLabel('Item', { exact: true }).inputValue(), POLL)
      .not.toBe('');
    await form.getByLabel('Quantity').fill('3');
    await form.getByLabel(/^Unit price/).fill('10.05');
    await form.getByLabel(/^Fee/).fill('0.30');
    await form.getByRole('button', { name: 'Add transaction' }).click();
    await page.getByText('Added a buy of 3 × AK-47 | Redline (Field-Tested).').waitFor();
    const ledger = page.getByRole('table', { name: 'Transactions, newest first' });
    await ledger
      .getByRole('row')
      .filter({ hasText: 'AK-47 | Redline' })
      .getByText('$10.05')
      .waitFor();
    // 3 × $10.05 + $0.30 fee.
    await redline.getByText('$30.45').waitFor();
    expect(await redline.locator('td').last().textContent()).toMatch(/^[▲▼] [+−]\$[\d,]+\.\d\d$/);
    expect(await stat(page, 'Cost basis').textContent()).toBe('$30.45');

    // A CSV with bad lines stores nothing and lists each; a good one is stored.
    const csv = page.getByRole('form', { name: 'Import transactions from CSV' });
    await csv.getByLabel('CSV file').setInputFiles(csvFile([GOOD_CSV_LINE, ...BAD_CSV_LINES]));
    await csv.getByRole('button', { name: 'Import CSV' }).click();
    const csvErrors = page.locator('.csv-errors li');
    await expect
      .poll(() => csvErrors.allTextContents(), POLL)
      .toEqual([
        expect.stringMatching(/^Line 3, date: /),
        expect.stringMatching(/^Line 4, type: /),
      ]);
    await screenshot(page, 'portfolio-csv-refused-1280');
    expect(await holdingRow(page, 'Kilowatt Case').getByText('No buy recorded').count()).toBe(1);
    await csv.getByLabel('CSV file').setInputFiles(csvFile([GOOD_CSV_LINE]));
    await csv.getByRole('button', { name: 'Import CSV' }).click();
    await page.getByText('Imported 1 transaction.').waitFor();
    // 5 × $1.10.
    await holdingRow(page, 'Kilowatt Case').getByText('$5.50').waitFor();

    // A holding added by hand, then its quantity changed.
    const addHolding = page.getByRole('form', { name: 'Add a holding' });
    await addHolding.getByLabel('Find an item').fill('glock fade');
    await expect
      .poll(() => addHolding.getByLabel('Item', { exact: true }).inputValue(), POLL)
      .not.toBe('');
    await addHolding.getByLabel('Quantity').fill('2');
    await addHolding.getByLabel(/^Note/).fill('In a storage unit');
    await addHolding.getByRole('button', { name: 'Add holding' }).click();
    await page.getByText('Added 2 × Glock-18 | Fade (Minimal Wear).').waitFor();
    const manual = page.getByRole('list', { name: 'Added by hand' }).getByRole('listitem');
    await manual.getByRole('button', { name: 'Edit Glock-18 | Fade (Minimal Wear)' }).click();
    const edit = page.getByRole('form', { name: 'Edit Glock-18 | Fade (Minimal Wear)' });
    // The edit form takes the focus, on its first field.
    const focused = `[document.activeElement?.closest('form')?.getAttribute('aria-label'),
      document.activeElement?.getAttribute('type')].join(' / ')`;
    expect(await page.evaluate(focused)).toBe('Edit Glock-18 | Fade (Minimal Wear) / number');
    await edit.getByLabel('Quantity').fill('3');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved Glock-18 | Fade (Minimal Wear).').waitFor();
    await expect
      .poll(() => holdingRow(page, 'Glock-18 | Fade').locator('td').first().textContent(), POLL)
      .toBe('3by hand');

    await screenshot(page, 'portfolio-1280');
    await expectClean(watched, page, toSteamSignIn);

    // The same portfolio on a phone: nothing wider than the screen.
    const phone = await watchedContext(browser, { origin, viewport: PHONE, label: 'phone' });
    await phone.context.addCookies(await watched.context.cookies());
    const small = await phone.context.newPage();
    await small.goto(`${origin}/portfolio`);
    await holdingRow(small, 'AK-47 | Redline (Field-Tested)').waitFor();
    await small.getByRole('img', { name: /^Portfolio value/ }).waitFor();
    expect(await small.evaluate('document.documentElement.scrollWidth')).toBe(PHONE.width);
    await screenshot(small, 'portfolio-390');
    await expectClean(phone, small);
    await phone.context.close();
    await watched.context.close();
  });
});
