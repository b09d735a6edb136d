// The ledger, holdings added by hand, the CSV import and export, and the
// daily snapshots, over HTTP on test storage: FIFO cost basis and P&L come
// out of GET /portfolio as the hand-computed tables say, a bad CSV stores
// nothing and names its lines, one user never reaches another's rows, and
// the snapshot job is idempotent.
import { afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/portfolio/csv.js';
import { snapshotHistory, takeDueSnapshots } from '../../src/portfolio/snapshots.js';
import { sellerReceivesCents } from '../../src/portfolio/steam-fees.js';
import { type AccountsApp, startAccountsApp } from '../support/accounts.js';
import {
  PRICED,
  portfolioUser,
  seedPortfolioMarket,
  type TestMarket,
} from '../support/portfolio.js';

const TRANSACTIONS = '/api/v1/portfolio/transactions';
const HOLDINGS = '/api/v1/portfolio/holdings';
const DAY_MS = 86_400_000;

let app: AccountsApp;
let market: TestMarket;

afterEach(async () => {
  await app?.close();
});

async function start() {
  app = await startAccountsApp();
  market = await seedPortfolioMarket(app.database, app.store, Date.now());
}

const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

describe('the ledger, FIFO cost basis and P&L', () => {
  it('values held units against the FIFO lots left after the sells', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'fifo@tracera.test', null);
    const redline = market.ids.redline;
    // Bought 2 at 15.00 (+0.30 fee) and 3 at 18.00 (+0.45 fee); sold 3 at 21.00 (-0.63 fee).
    const trades = [
      { kind: 'buy', quantity: 2, unit_price_cents: 1500, fee_cents: 30, occurred_at: daysAgo(4) },
      { kind: 'buy', quantity: 3, unit_price_cents: 1800, fee_cents: 45, occurred_at: daysAgo(3) },
      { kind: 'sell', quantity: 3, unit_price_cents: 2100, fee_cents: 63, occurred_at: daysAgo(1) },
    ];
    for (const trade of trades) {
      const response = await browser.send('POST', TRANSACTIONS, { item_id: redline, ...trade });
      expect(response.statusCode, response.body).toBe(201);
    }
    // The two units left are held by hand.
    expect(
      (await browser.send('POST', HOLDINGS, { item_id: redline, quantity: 2 })).statusCode,
    ).toBe(201);

    const portfolio = (await browser.request({ url: '/api/v1/portfolio' })).json();
    // Lots: A = 2 units for 3030, B = 3 units for 5445.
    // The sell takes A (3030) and 1 of B (5445 * 1/3 = 1815): cost 4845.
    // Proceeds 3 * 2100 - 63 = 6237; realized 6237 - 4845 = 1392.
    // Left: 2 units of B for 5445 - 1815 = 3630; at 20.00 each, unrealized 4000 - 3630 = 370.
    expect(portfolio.cost_basis_method).toBe('fifo');
    expect(portfolio.holdings[0]).toMatchObject({
      quantity: 2,
      manual_quantity: 2,
      value_cents: 2 * PRICED.redline.cents,
      net_value_cents: 2 * sellerReceivesCents(PRICED.redline.cents),
      cost_basis_cents: 3630,
      covered_quantity: 2,
      unrealized_cents: 370,
      realized_cents: 1392,
    });
    expect(portfolio.totals).toMatchObject({
      value_cents: 4000,
      cost_basis_cents: 3630,
      unrealized_cents: 370,
      realized_cents: 1392,
      uncovered_quantity: 0,
    });
  });

  it('pages newest first, edits and deletes, and refuses what it cannot value', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'ledger@tracera.test', null);
    const ids: number[] = [];
    for (let day = 5; day >= 1; day -= 1) {
      const response = await browser.send('POST', TRANSACTIONS, {
        kind: 'buy',
        item_id: market.ids.case,
        quantity: day,
        unit_price_cents: 90,
        occurred_at: daysAgo(day),
        note: `day ${day}`,
      });
      ids.push(response.json().id);
    }
    const first = (await browser.request({ url: `${TRANSACTIONS}?limit=2` })).json();
    expect(first.transactions.map((t: { note: string }) => t.note)).toEqual(['day 1', 'day 2']);
    const cursor = encodeURIComponent(first.next_cursor);
    const second = (
      await browser.request({ url: `${TRANSACTIONS}?limit=2&cursor=${cursor}` })
    ).json();
    expect(second.transactions.map((t: { note: string }) => t.note)).toEqual(['day 3', 'day 4']);
    for (const cursor of [
      'nonsense',
      '+275760-09-13T00:00:00.000Z|1',
      '2026-11-01T00:00:00.000Z|0',
    ]) {
      const encoded = Buffer.from(cursor).toString('base64url');
      const response = await browser.request({ url: `${TRANSACTIONS}?cursor=${encoded}` });
      expect(response.statusCode, cursor).toBe(400);
    }

    const edited = await browser.send('PATCH', `${TRANSACTIONS}/${ids[0]}`, {
      kind: 'sell',
      unit_price_cents: 120,
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ kind: 'sell', unit_price_cents: 120, quantity: 5 });
    expect((await browser.send('DELETE', `${TRANSACTIONS}/${ids[1]}`)).statusCode).toBe(204);
    expect((await browser.send('DELETE', `${TRANSACTIONS}/${ids[1]}`)).statusCode).toBe(404);

    const refusals = [
      [{ currency: 'EUR' }, /values everything in USD/],
      [{ occurred_at: new Date(Date.now() + 3 * DAY_MS).toISOString() }, /in the future/],
      [{ item_id: 999_999 }, /No item with that id/],
      [{ quantity: 0 }, /quantity/],
      [{ unit_price_cents: -1 }, /unit_price_cents/],
      // JSON Schema admits a leap second, which no Date can hold.
      [{ occurred_at: '2016-12-31T23:59:60Z' }, /from 1970 on/],
      [{ occurred_at: '0001-01-01T00:00:00Z' }, /from 1970 on/],
      // Above $10,000,000 a unit: quantity × price would pass 2^53 cents.
      [{ unit_price_cents: 1_000_000_001 }, /unit_price_cents/],
    ] as const;
    for (const [change, detail] of refusals) {
      const response = await browser.send('POST', TRANSACTIONS, {
        kind: 'buy',
        item_id: market.ids.case,
        quantity: 1,
        unit_price_cents: 90,
        occurred_at: daysAgo(1),
        ...change,
      });
      expect(response.statusCode, JSON.stringify(change)).toBe(400);
      expect(response.json().detail).toMatch(detail);
    }
  });

  it("one user can neither see nor change another's ledger or holdings", async () => {
    await start();
    const alice = await portfolioUser(app, 'alice@tracera.test', null, '203.0.113.20');
    const mallory = await portfolioUser(app, 'mallory@tracera.test', null, '203.0.113.21');
    const trade = await alice.browser.send('POST', TRANSACTIONS, {
      kind: 'buy',
      item_id: market.ids.case,
      quantity: 1,
      unit_price_cents: 90,
      occurred_at: daysAgo(1),
    });
    const holding = await alice.browser.send('POST', HOLDINGS, {
      item_id: market.ids.case,
      quantity: 1,
    });
    const tradeUrl = `${TRANSACTIONS}/${trade.json().id}`;
    const holdingUrl = `${HOLDINGS}/${holding.json().id}`;
    expect((await mallory.browser.send('PATCH', tradeUrl, { quantity: 9 })).statusCode).toBe(404);
    expect((await mallory.browser.send('DELETE', tradeUrl)).statusCode).toBe(404);
    expect((await mallory.browser.send('PATCH', holdingUrl, { quantity: 9 })).statusCode).toBe(404);
    expect((await mallory.browser.send('DELETE', holdingUrl)).statusCode).toBe(404);
    const theirs = (await mallory.browser.request({ url: TRANSACTIONS })).json();
    expect(theirs.transactions).toEqual([]);
    const portfolio = (await alice.browser.request({ url: '/api/v1/portfolio' })).json();
    expect(portfolio.manual_holdings[0]).toMatchObject({ quantity: 1 });
    expect((await app.browser().request({ url: '/api/v1/portfolio' })).statusCode).toBe(401);
  });
});

describe('CSV in and out', () => {
  const csvImport = (
    browser: AccountsApp['browser'] extends (...a: never[]) => infer B ? B : never,
    text: string,
  ) =>
    browser.request({
      method: 'POST',
      url: `${TRANSACTIONS}/import`,
      body: text,
      headers: { 'content-type': 'text/csv' },
    });

  it('stores nothing when any line is bad, and says which lines and why', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'csv@tracera.test', null);
    await browser.fetchCsrf();
    const file = [
      'date,type,item,quantity,unit_price,fee,note',
      `2026-11-01,buy,${PRICED.case.name},10,0.85,0.10,first`,
      '2026-11-02,hold,Kilowatt Case,1,0.85,,',
      '2026-11-03,buy,Sticker | Nobody Knows,1,1.00,,',
      '2026-11-04,buy,Kilowatt Case,1,1.005,,',
    ].join('\r\n');
    const refused = await csvImport(browser, file);
    expect(refused.statusCode, refused.body).toBe(400);
    const body = refused.json();
    expect(body.detail).toMatch(/2 bad lines; nothing was imported/);
    expect(body.errors.map((e: { line: number; column?: string }) => [e.line, e.column])).toEqual([
      [3, 'type'],
      [5, 'unit_price'],
    ]);
    // Once every line reads, names the catalog does not know are the next refusal.
    const fixed = file.replace(',hold,', ',buy,').replace('1.005', '1.00');
    const unknown = await csvImport(browser, fixed);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors).toEqual([
      { line: 4, column: 'item', message: 'No catalog item is named "Sticker | Nobody Knows"' },
    ]);
    expect((await browser.request({ url: TRANSACTIONS })).json().transactions).toEqual([]);

    const good = await csvImport(
      browser,
      [
        'date,type,item,quantity,unit_price,fee',
        `2026-11-01,buy,"${PRICED.asiimov.name}",1,80.00,1.20`,
        `2026-11-02T10:00:00Z,sell,"${PRICED.asiimov.name}",1,95.00,14.25`,
      ].join('\n'),
    );
    expect(good.statusCode, good.body).toBe(200);
    expect(good.json()).toEqual({ imported: 2 });
    const portfolio = (await browser.request({ url: '/api/v1/portfolio' })).json();
    // Proceeds 9500 - 1425 = 8075; cost 8000 + 120 = 8120; realized -45.
    expect(portfolio.totals.realized_cents).toBe(-45);
  });

  it('refuses anything but text/csv, and text it cannot store, without a 5xx', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'csvtypes@tracera.test', null);
    await browser.fetchCsrf();
    const file = `date,type,item,quantity,unit_price\n2026-11-01,buy,${PRICED.case.name},1,0.85\n`;
    for (const type of ['text/plain', 'application/json']) {
      const response = await browser.request({
        method: 'POST',
        url: `${TRANSACTIONS}/import`,
        body: type === 'application/json' ? JSON.stringify(file) : file,
        headers: { 'content-type': type },
      });
      expect(response.statusCode, type).toBe(415);
    }
    const nul = await csvImport(browser, file.replace('0.85', '0.8\u00005'));
    expect(nul.statusCode, nul.body).toBe(400);
    const controls = await csvImport(
      browser,
      `${file}2026-11-02,buy,${'\u0001'.repeat(5000)},1,1\n`,
    );
    expect(controls.statusCode).toBe(400);
    expect(controls.json().errors).toHaveLength(1);
  });

  it('S44: the CSV import has the strict budget: the 21st in a minute is 429', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'csvrate@tracera.test', null, '203.0.113.40');
    await browser.fetchCsrf();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 21; attempt += 1) {
      statuses.push((await csvImport(browser, 'date,type\n')).statusCode);
    }
    expect(statuses.slice(0, 20).every((status) => status === 400)).toBe(true);
    expect(statuses[20]).toBe(429);
    // The reads keep their own, larger budget.
    expect((await browser.request({ url: '/api/v1/portfolio' })).statusCode).toBe(200);
  });

  it('refuses a file over PORTFOLIO_CSV_MAX_BYTES with 413', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'bigcsv@tracera.test', null);
    await browser.fetchCsrf();
    const line = `2026-11-01,buy,${PRICED.case.name},1,0.85\n`;
    const file = `date,type,item,quantity,unit_price\n${line.repeat(Math.ceil((1024 * 1024) / line.length) + 1)}`;
    expect((await csvImport(browser, file)).statusCode).toBe(413);
  });

  it('exports holdings with prices and P&L, guarding text against formulas', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'export@tracera.test', null);
    await browser.send('POST', HOLDINGS, { item_id: market.ids.asiimov, quantity: 1 });
    await browser.send('POST', HOLDINGS, { item_id: market.ids.unpriced, quantity: 2 });
    await browser.send('POST', TRANSACTIONS, {
      kind: 'buy',
      item_id: market.ids.asiimov,
      quantity: 1,
      unit_price_cents: 9500,
      occurred_at: daysAgo(2),
    });
    const response = await browser.request({ url: '/api/v1/portfolio/export.csv' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="tracera-portfolio-\d{4}-\d\d-\d\d\.csv"$/,
    );
    expect(response.headers['cache-control']).toBe('no-store');
    const { records } = parseCsv(response.body);
    const [header, asiimov, unpriced] = records.map((record) => record.fields);
    expect(header?.slice(0, 5)).toEqual(['item', 'item_id', 'quantity', 'currency', 'price']);
    expect(asiimov).toEqual([
      PRICED.asiimov.name,
      String(market.ids.asiimov),
      '1',
      'USD',
      '90.00',
      'demo',
      expect.stringMatching(/^\d{4}-/),
      '90.00',
      (sellerReceivesCents(9000) / 100).toFixed(2),
      expect.stringMatching(/^-?\d+\.\d\d$/),
      '95.00',
      '1',
      '-5.00',
      '0.00',
      'priced',
    ]);
    expect(unpriced?.at(-1)).toBe('no price');
  });
});

describe('holdings added by hand', () => {
  it('adds, changes and removes, and never lets an import touch them', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'manual@tracera.test', null);
    const added = await browser.send('POST', HOLDINGS, {
      item_id: market.ids.redline,
      quantity: 3,
      note: 'on a trade hold',
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ quantity: 3, note: 'on a trade hold' });
    const url = `${HOLDINGS}/${added.json().id}`;
    const changed = await browser.send('PATCH', url, { quantity: 4 });
    expect(changed.json()).toMatchObject({ quantity: 4, note: 'on a trade hold' });
    expect((await browser.send('PATCH', url, {})).statusCode).toBe(400);
    expect(
      (await browser.send('POST', HOLDINGS, { item_id: 999_999, quantity: 1 })).statusCode,
    ).toBe(400);
    // 1,000,000 units of one item by hand, however many rows: sums stay exact.
    const big = await browser.send('POST', HOLDINGS, {
      item_id: market.ids.redline,
      quantity: 999_996,
    });
    expect(big.statusCode, big.body).toBe(201);
    const over = await browser.send('POST', HOLDINGS, { item_id: market.ids.redline, quantity: 1 });
    expect(over.statusCode).toBe(400);
    expect(over.json().detail).toMatch(/At most 1,000,000 units of one item/);
    expect((await browser.send('PATCH', url, { quantity: 5 })).statusCode).toBe(400);
    expect((await browser.send('DELETE', `${HOLDINGS}/${big.json().id}`)).statusCode).toBe(204);
    expect((await browser.send('DELETE', url)).statusCode).toBe(204);
    const portfolio = (await browser.request({ url: '/api/v1/portfolio' })).json();
    expect(portfolio.holdings).toEqual([]);
    expect(portfolio.manual_holdings).toEqual([]);
  });

  it('lists a held item with no price apart, valued at nothing', async () => {
    await start();
    const { browser } = await portfolioUser(app, 'unpriced@tracera.test', null);
    await browser.send('POST', HOLDINGS, { item_id: market.ids.unpriced, quantity: 2 });
    const portfolio = (await browser.request({ url: '/api/v1/portfolio' })).json();
    expect(portfolio.holdings).toEqual([]);
    expect(portfolio.unpriced).toMatchObject([{ item: { id: market.ids.unpriced }, quantity: 2 }]);
    expect(portfolio.totals).toMatchObject({ value_cents: 0, unpriced_quantity: 2 });
  });
});

describe('daily snapshots', () => {
  it('takes one per user and day, however often the job runs', async () => {
    await start();
    const alice = await portfolioUser(app, 'snap-a@tracera.test', null, '203.0.113.30');
    const bob = await portfolioUser(app, 'snap-b@tracera.test', null, '203.0.113.31');
    await alice.browser.send('POST', HOLDINGS, { item_id: market.ids.redline, quantity: 1 });
    await bob.browser.send('POST', HOLDINGS, { item_id: market.ids.asiimov, quantity: 2 });
    const now = Date.now();
    expect(await takeDueSnapshots(app.database, ['demo'], now)).toBe(2);
    expect(await takeDueSnapshots(app.database, ['demo'], now + 60_000)).toBe(0);
    const [point] = await snapshotHistory(app.database, bob.userId, '30d', now);
    expect(point).toEqual({
      day: new Date(now).toISOString().slice(0, 10),
      valueCents: 2 * PRICED.asiimov.cents,
      netValueCents: 2 * sellerReceivesCents(PRICED.asiimov.cents),
    });
    // The next day is due again.
    expect(await takeDueSnapshots(app.database, ['demo'], now + DAY_MS)).toBe(2);
    const history = (
      await bob.browser.request({ url: '/api/v1/portfolio/history?window=1y' })
    ).json();
    expect(history.points.length).toBeGreaterThanOrEqual(1);
    expect(
      (await bob.browser.request({ url: '/api/v1/portfolio/history?window=2y' })).statusCode,
    ).toBe(400);
  });
});
