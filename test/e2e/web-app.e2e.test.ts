// The web app in a real browser: Debian's Chromium, driven by
// playwright-core, against the whole app listening on 127.0.0.1 with S24's
// headers live, over a market seeded through the ingestion path
// (test/support/market-seed.ts). Each page must render its data with no CSP
// violation, console error, uncaught exception, failed request or request to
// another origin, and without a serious or critical axe-core finding; each
// is photographed at 390 and 1280 px into .ci/out/screenshots. An item page
// must show a price that arrives over the WebSocket after it has loaded.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STATIC_ROOT } from '../../src/app.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import {
  DESKTOP,
  type ExpectedRefusal,
  expectClean,
  launchChromium,
  PHONE,
  screenshot,
  watchedContext,
} from '../support/chromium.js';
import { ingestPrice, type SeededMarket, seedMarket } from '../support/market-seed.js';
import { freePort } from '../support/ports.js';

let test: TestApp;
let origin: string;
let browser: Browser;
let market: SeededMarket;

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  test = await buildTestApp({
    env: { BASE_URL: origin, PORT: String(port) },
    staticRoot: DEFAULT_STATIC_ROOT,
  });
  market = await seedMarket(test.database, test.store, Date.now());
  await test.app.listen({ host: '127.0.0.1', port });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await test?.app.close();
});

function idOf(name: string): number {
  const id = market.ids.get(name);
  if (id === undefined) throw new Error(`not seeded: ${name}`);
  return id;
}

/** Opens `path` at each width, waits for `ready`, checks it and photographs it as `name`. */
async function photographAtBothWidths(
  path: string,
  name: string,
  ready: (page: Page) => Promise<void>,
  expected: readonly ExpectedRefusal[] = [],
): Promise<void> {
  for (const [width, viewport] of [
    ['390', PHONE],
    ['1280', DESKTOP],
  ] as const) {
    const watched = await watchedContext(browser, { origin, viewport, label: width, expected });
    const page = await watched.context.newPage();
    await page.goto(`${origin}${path}`);
    await ready(page);
    await screenshot(page, `${name}-${width}`);
    await expectClean(watched, page);
    await watched.context.close();
  }
}

function marketRows(page: Page) {
  return page.getByRole('table').locator('tbody tr');
}

async function rowNames(page: Page): Promise<string[]> {
  return marketRows(page).locator('.item-name').allTextContents();
}

async function changes24h(page: Page): Promise<number[]> {
  const texts = await marketRows(page)
    .locator('td.col-change:not(.col-wide) .change')
    .allTextContents();
  return texts.map((text) => {
    const number = Number.parseFloat(text.replace(/[▲▼\s%+]/g, '').replace('−', '-'));
    return Number.isNaN(number) ? 0 : number;
  });
}

function isOrdered(values: readonly number[], order: 'asc' | 'desc'): boolean {
  return values.every((value, index) => {
    const before = values[index - 1] ?? value;
    return order === 'desc' ? before >= value : before <= value;
  });
}

describe('the market page', () => {
  it('loads with prices, changes and sparklines, the index in the header', async () => {
    await photographAtBothWidths('/', 'market', async (page) => {
      await page.getByRole('heading', { name: 'CS2 market' }).waitFor();
      await page.getByText('AK-47 | Redline (Field-Tested)').waitFor();
      expect(await marketRows(page).count()).toBe(12);
      expect(await page.locator('tbody .price').first().textContent()).toMatch(/^\$[\d,]+\.\d\d$/);
      expect(await page.locator('tbody svg.sparkline').count()).toBe(12);
      await page.getByRole('link', { name: /^CS2 index/ }).waitFor();
      // Demo prices say they are simulated; the one stale price says so and is greyed.
      expect(await page.getByText('Simulated', { exact: true }).count()).toBeGreaterThan(0);
      const howl = marketRows(page).filter({ hasText: 'M4A4 | Howl' });
      expect(await howl.getAttribute('class')).toContain('row-stale');
      await howl.getByText('stale').waitFor();
    });
  });

  it('narrows the table as you type in the search', async () => {
    const watched = await watchedContext(browser, { origin });
    const page = await watched.context.newPage();
    await page.goto(`${origin}/`);
    await page.getByText('Kilowatt Case').waitFor();
    await page.getByLabel('Search items').fill('awp asiimov');
    await expect.poll(() => rowNames(page)).toEqual(['AWP | Asiimov (Battle-Scarred)']);
    expect(new URL(page.url()).searchParams.get('q')).toBe('awp asiimov');
    await page.getByLabel('Search items').fill('');
    await expect.poll(() => marketRows(page).count()).toBe(12);
    await page.getByText('Filters', { exact: true }).click();
    await page.getByLabel('Category').selectOption('sticker');
    await expect.poll(() => marketRows(page).count()).toBe(2);
    await expectClean(watched, page);
    await watched.context.close();
  });

  it('sorts by the 24 h change, largest first, then smallest', async () => {
    const watched = await watchedContext(browser, { origin });
    const page = await watched.context.newPage();
    await page.goto(`${origin}/`);
    await page.getByText('Kilowatt Case').waitFor();
    const header = page.getByRole('columnheader', { name: '24h' });
    await header.getByRole('button').click();
    await expect.poll(() => header.getAttribute('aria-sort')).toBe('descending');
    await expect
      .poll(async () => {
        const values = await changes24h(page);
        return values.length === 12 && isOrdered(values, 'desc');
      })
      .toBe(true);
    await header.getByRole('button').click();
    await expect.poll(() => header.getAttribute('aria-sort')).toBe('ascending');
    await expect
      .poll(async () => {
        const values = await changes24h(page);
        return values.length === 12 && isOrdered(values, 'asc');
      })
      .toBe(true);
    expect(new URL(page.url()).searchParams.get('sort')).toBe('change_24h');
    await expectClean(watched, page);
    await watched.context.close();
  });

  // Last of the market tests: its tick moves the row away from the order the server sorted by.
  it('updates a row on screen when its price arrives over the WebSocket', async () => {
    const id = idOf('Kilowatt Case');
    const watched = await watchedContext(browser, { origin });
    const page = await watched.context.newPage();
    const frames: string[] = [];
    page.on('websocket', (socket) => {
      socket.on('framereceived', (frame) => frames.push(String(frame.payload)));
    });
    await page.goto(`${origin}/`);
    const row = marketRows(page).filter({ hasText: 'Kilowatt Case' });
    await row.waitFor();
    // The page follows the rows on screen, this one among them.
    await expect
      .poll(() => frames.some((frame) => frame.includes('"subscribed"') && frame.includes(`${id}`)))
      .toBe(true);
    await ingestPrice(test.database, test.store, {
      item_id: id,
      source: 'demo',
      price_cents: 999,
      volume: 60_000,
      observed_at: new Date(),
    });
    await expect.poll(() => row.locator('.price').textContent()).toBe('$9.99');
    expect(await row.locator('td.tick-up').count()).toBe(1);
    await row.getByText('just now').waitFor();
    await expectClean(watched, page);
    await watched.context.close();
  });
});

describe('the item page', () => {
  it('shows a chart, prices by source and volatility', async () => {
    const id = idOf('AK-47 | Redline (Field-Tested)');
    await photographAtBothWidths(`/items/${id}`, 'item', async (page) => {
      await page.getByRole('heading', { name: 'AK-47 | Redline (Field-Tested)' }).waitFor();
      await page.locator('.chart-canvas canvas').first().waitFor();
      const sources = page.getByRole('region', { name: 'Prices by source' });
      await sources.getByRole('rowheader', { name: /Demo market/ }).waitFor();
      await page.getByText('Coefficient of variation').waitFor();
      await page.getByText('How far the price moved', { exact: false }).waitFor();
    });
  });

  it('switches the window and shows candles', async () => {
    const watched = await watchedContext(browser, { origin });
    const page = await watched.context.newPage();
    await page.goto(`${origin}/items/${idOf('AWP | Asiimov (Battle-Scarred)')}`);
    await page.locator('.chart-canvas canvas').first().waitFor();
    const history = page.waitForResponse((response) => response.url().includes('window=7d'));
    await page.getByRole('button', { name: '7d', exact: true }).click();
    expect((await history).status()).toBe(200);
    await page.getByRole('button', { name: 'candles' }).click();
    await expect
      .poll(() => page.getByRole('button', { name: 'candles' }).getAttribute('aria-pressed'))
      .toBe('true');
    await page.getByRole('heading', { name: 'Volatility over 7d' }).waitFor();
    await expectClean(watched, page);
    await watched.context.close();
  });

  it('moves the price when a tick arrives over the WebSocket', async () => {
    const id = idOf('USP-S | Kill Confirmed (Well-Worn)');
    const watched = await watchedContext(browser, { origin });
    const page = await watched.context.newPage();
    const frames: string[] = [];
    page.on('websocket', (socket) => {
      socket.on('framereceived', (frame) => frames.push(String(frame.payload)));
    });
    await page.goto(`${origin}/items/${id}`);
    await page.locator('.chart-canvas canvas').first().waitFor();
    // Subscribed: the server answered the page's subscribe with its snapshot.
    await expect
      .poll(() => frames.some((frame) => frame.includes('"subscribed"') && frame.includes(`${id}`)))
      .toBe(true);
    await ingestPrice(test.database, test.store, {
      item_id: id,
      source: 'demo',
      price_cents: 77_777,
      volume: 5,
      observed_at: new Date(),
    });
    const headline = page.locator('.item-head-price .price');
    await expect.poll(() => headline.textContent()).toBe('$777.77');
    await page.locator('.item-head-price .freshness').getByText('just now').waitFor();
    await expectClean(watched, page);
    await watched.context.close();
  });
});

describe('movers, index and not found', () => {
  it('the movers page lists gainers, losers and the most volatile', async () => {
    await photographAtBothWidths('/movers', 'movers', async (page) => {
      await page.getByRole('heading', { name: 'Movers and volatility' }).waitFor();
      const gainers = page.getByRole('region', { name: /Gainers/ });
      const losers = page.getByRole('region', { name: /Losers/ });
      await gainers.getByRole('listitem').first().waitFor();
      await losers.getByRole('listitem').first().waitFor();
      await page
        .getByRole('region', { name: /Most volatile/ })
        .locator('tbody tr')
        .first()
        .waitFor();
    });
  });

  it('the index page draws the index history', async () => {
    await photographAtBothWidths('/index', 'index', async (page) => {
      await page.getByRole('heading', { name: 'Tracera CS2 index' }).waitFor();
      await page.locator('.chart-canvas canvas').first().waitFor();
      await page.getByText('Basket', { exact: true }).waitFor();
    });
  });

  it('an unknown page is a 404 in HTML, with a way back', async () => {
    await photographAtBothWidths(
      '/no-such-page',
      'not-found',
      async (page) => {
        await page.getByRole('heading', { name: 'No such page' }).waitFor();
        await page.getByRole('link', { name: 'Back to the market' }).waitFor();
      },
      [{ status: 404, path: '/no-such-page' }],
    );
  });

  it('the account pages render, signed out, with nothing serious for axe', async () => {
    const pages = [
      ['/sign-in', 'sign-in', 'Sign in'],
      ['/sign-up', 'sign-up', 'Create an account'],
      ['/forgot-password', 'forgot-password', 'Forgot your password?'],
      ['/verify-email', 'verify-email', 'Confirm your email'],
      ['/reset-password', 'reset-password', 'Choose a new password'],
      ['/magic-link', 'magic-link', 'Sign in with an emailed link'],
      ['/account', 'account', 'Your account'],
    ] as const;
    for (const [path, name, heading] of pages) {
      await photographAtBothWidths(
        path,
        name,
        async (page) => {
          await page.getByRole('heading', { level: 1, name: heading }).waitFor();
          if (path === '/account') await page.getByText('You are not signed in.').waitFor();
          if (['/verify-email', '/reset-password', '/magic-link'].includes(path)) {
            // Opened without a token: the page says the link is incomplete, and sends nothing.
            await page.getByText('This link is incomplete.', { exact: false }).waitFor();
          }
        },
        // Signed out, the account page's question is answered 401 on purpose.
        [{ status: 401, path: '/api/v1/auth/me' }],
      );
    }
  });
});
