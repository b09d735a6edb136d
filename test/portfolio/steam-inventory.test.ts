// The Steam inventory client (issue 20, S33) against a stand-in for Steam's
// inventory endpoint on 127.0.0.1: paging, the ways Steam refuses, and every
// bound (SteamID64 check, byte cap, page cap, per-call timeout, deadline).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  fetchInventory,
  type InventoryClientOptions,
  InventoryError,
  type InventoryFailure,
} from '../../src/portfolio/steam-inventory.js';
import { freePort } from '../support/ports.js';
import {
  type InventoryPage,
  inventoryFixture,
  type SteamInventoryStandIn,
  startSteamInventory,
} from '../support/steam-inventory.js';

const STEAM_ID = '76561198000000001';
const REDLINE = 'AK-47 | Redline (Field-Tested)';
const CASE = 'Kilowatt Case';
/** Short, for the tests that wait for it; the others allow a loaded machine's first request. */
const SHORT_TIMEOUT_MS = 100;

let stand: SteamInventoryStandIn;

beforeEach(async () => {
  stand = await startSteamInventory();
});

afterEach(async () => {
  await stand.close();
});

function options(overrides: Partial<InventoryClientOptions> = {}): InventoryClientOptions {
  return {
    baseUrl: stand.origin,
    pageSize: 1000,
    timeoutMs: 10_000,
    maxBytes: 8 * 1024 * 1024,
    maxPages: 10,
    deadlineMs: 60_000,
    ...overrides,
  };
}

/** The failure `promise` rejects with; the test fails if it resolves or throws anything else. */
async function failureOf(promise: Promise<unknown>): Promise<InventoryFailure> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InventoryError);
  return (error as InventoryError).failure;
}

/** The query of each request the stand-in received: count and start_assetid. */
function pagesAsked(): { count: string | null; start: string | null }[] {
  return stand.requests.map((request) => ({
    count: request.url.searchParams.get('count'),
    start: request.url.searchParams.get('start_assetid'),
  }));
}

function fiveAssets() {
  return inventoryFixture({
    items: [
      { marketHashName: REDLINE, count: 3 },
      { marketHashName: CASE, count: 2 },
    ],
  });
}

describe('paging', () => {
  it('pages with start_assetid while more_items is set: five assets at count 2 take three pages', async () => {
    const fixture = fiveAssets();
    stand.inventories.set(STEAM_ID, fixture);
    const progress: unknown[] = [];
    const inventory = await fetchInventory(
      STEAM_ID,
      options({ pageSize: 2, onPage: (step) => void progress.push(step) }),
    );
    const ids = fixture.assets.map((asset) => asset.assetid);
    expect(pagesAsked()).toEqual([
      { count: '2', start: null },
      { count: '2', start: ids[1] },
      { count: '2', start: ids[3] },
    ]);
    const first = stand.requests[0];
    expect(first?.url.pathname).toBe(`/inventory/${STEAM_ID}/730/2`);
    expect(first?.url.searchParams.get('l')).toBe('english');
    expect(first?.headers.accept).toBe('application/json');
    expect(inventory.assets.map((asset) => asset.assetId)).toEqual(ids);
    expect(inventory).toMatchObject({ pages: 3, totalInventoryCount: 5, pageSize: 2 });
    expect(inventory.withoutDescription).toEqual([]);
    expect(progress).toEqual([
      { pages: 1, assets: 2, total: 5 },
      { pages: 2, assets: 4, total: 5 },
      { pages: 3, assets: 5, total: 5 },
    ]);
  });

  it('joins each asset to its description: names, flags, amount', async () => {
    stand.inventories.set(STEAM_ID, fiveAssets());
    const inventory = await fetchInventory(STEAM_ID, options());
    expect(inventory.pages).toBe(1);
    expect(inventory.assets[0]).toMatchObject({
      marketHashName: REDLINE,
      name: 'AK-47 | Redline',
      amount: 1,
      marketable: true,
      tradable: true,
      float: null,
      pattern: null,
    });
    expect(inventory.assets[3]).toMatchObject({ marketHashName: CASE, name: CASE });
  });

  it('reads a missing instanceid as "0" on assets and descriptions, and amount as a number', async () => {
    const fixture = fiveAssets();
    // The Redline's instanceid is "0" in the fixture: Steam may leave such a field out.
    for (const asset of fixture.assets) if (asset.instanceid === '0') delete asset.instanceid;
    stand.inventories.set(STEAM_ID, fixture);
    stand.failNext(STEAM_ID, {
      kind: 'edit',
      edit: (page) => ({
        ...page,
        assets: page.assets?.map((asset, index) => (index === 1 ? { ...asset, amount: 3 } : asset)),
        descriptions: page.descriptions?.map(({ instanceid, ...rest }) =>
          instanceid === '0' ? rest : { ...rest, instanceid },
        ),
      }),
    });
    const inventory = await fetchInventory(STEAM_ID, options());
    expect(inventory.withoutDescription).toEqual([]);
    const caseInstance = fixture.assets[3]?.instanceid;
    expect(caseInstance).not.toBe('0');
    expect(inventory.assets.map((asset) => asset.instanceId)).toEqual([
      '0',
      '0',
      '0',
      caseInstance,
      caseInstance,
    ]);
    expect(inventory.assets.map((asset) => asset.amount)).toEqual([1, 3, 1, 1, 1]);
  });

  it('joins a description sent on a later page than its asset', async () => {
    stand.inventories.set(
      STEAM_ID,
      inventoryFixture({ items: [{ marketHashName: REDLINE, count: 4 }] }),
    );
    stand.failNext(STEAM_ID, { kind: 'edit', edit: (page) => ({ ...page, descriptions: [] }) });
    const inventory = await fetchInventory(STEAM_ID, options({ pageSize: 2 }));
    expect(inventory.pages).toBe(2);
    expect(inventory.assets).toHaveLength(4);
    expect(inventory.withoutDescription).toEqual([]);
  });

  it('S33: reads the pages up to the cap, and refuses an inventory needing one more', async () => {
    stand.inventories.set(
      STEAM_ID,
      inventoryFixture({ items: [{ marketHashName: CASE, count: 6 }] }),
    );
    const atCap = await fetchInventory(STEAM_ID, options({ pageSize: 2, maxPages: 3 }));
    expect(atCap.pages).toBe(3);
    stand.requests.length = 0;
    expect(
      await failureOf(fetchInventory(STEAM_ID, options({ pageSize: 2, maxPages: 2 }))),
    ).toEqual({ kind: 'too_many_pages', maxPages: 2 });
    expect(stand.requests).toHaveLength(2);
  });

  it('S33: a page repeating the previous last_assetid is malformed, not a loop', async () => {
    stand.inventories.set(STEAM_ID, fiveAssets());
    let firstLast: string | undefined;
    stand.failNext(
      STEAM_ID,
      {
        kind: 'edit',
        edit: (page) => {
          firstLast = page.last_assetid;
          return page;
        },
      },
      { kind: 'edit', edit: (page) => ({ ...page, more_items: 1, last_assetid: firstLast }) },
    );
    expect(await failureOf(fetchInventory(STEAM_ID, options({ pageSize: 2 })))).toEqual({
      kind: 'malformed',
      reason: 'last_assetid repeats an earlier page',
    });
    expect(stand.requests).toHaveLength(2);
  });

  it('S33: a page claiming more_items without a last_assetid is malformed', async () => {
    stand.inventories.set(STEAM_ID, fiveAssets());
    stand.failNext(STEAM_ID, {
      kind: 'edit',
      edit: ({ last_assetid: _, ...page }) => page,
    });
    expect(await failureOf(fetchInventory(STEAM_ID, options({ pageSize: 2 })))).toEqual({
      kind: 'malformed',
      reason: 'more_items is set without a last_assetid',
    });
    expect(stand.requests).toHaveLength(1);
  });
});

describe('page size', () => {
  it('retries a page once at count 1000 when Steam answers 400 to count 2000, then keeps 1000', async () => {
    stand.maxCount = 1000;
    const fixture = inventoryFixture({ items: [{ marketHashName: CASE, count: 1500 }] });
    stand.inventories.set(STEAM_ID, fixture);
    const inventory = await fetchInventory(STEAM_ID, options({ pageSize: 2000 }));
    expect(pagesAsked()).toEqual([
      { count: '2000', start: null },
      { count: '1000', start: null },
      { count: '1000', start: fixture.assets[999]?.assetid },
    ]);
    expect(inventory).toMatchObject({ pages: 2, pageSize: 1000, totalInventoryCount: 1500 });
    expect(inventory.assets).toHaveLength(1500);
  });

  it('uses count 2000 when Steam accepts it', async () => {
    stand.inventories.set(STEAM_ID, fiveAssets());
    const inventory = await fetchInventory(STEAM_ID, options({ pageSize: 2000 }));
    expect(pagesAsked()).toEqual([{ count: '2000', start: null }]);
    expect(inventory.pageSize).toBe(2000);
  });

  it('a 400 at count 1000 is a steam_error, with no retry', async () => {
    stand.maxCount = 500;
    stand.inventories.set(STEAM_ID, fiveAssets());
    expect(await failureOf(fetchInventory(STEAM_ID, options()))).toEqual({
      kind: 'steam_error',
      status: 400,
      eresult: null,
      message: null,
    });
    expect(stand.requests).toHaveLength(1);
  });

  it('a second 400 after the retry at 1000 is a steam_error', async () => {
    stand.maxCount = 500;
    stand.inventories.set(STEAM_ID, fiveAssets());
    expect(await failureOf(fetchInventory(STEAM_ID, options({ pageSize: 5000 })))).toMatchObject({
      kind: 'steam_error',
      status: 400,
    });
    expect(pagesAsked().map((page) => page.count)).toEqual(['5000', '1000']);
  });
});

describe('what Steam answers instead of a page', () => {
  beforeEach(() => {
    stand.inventories.set(STEAM_ID, fiveAssets());
  });

  it('403 with body null is a private inventory, named by method, origin and path', async () => {
    stand.failNext(STEAM_ID, { kind: 'private' });
    const error = await fetchInventory(STEAM_ID, options()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InventoryError);
    expect((error as InventoryError).failure).toEqual({ kind: 'private' });
    expect((error as Error).message).toBe(
      `GET ${stand.origin}/inventory/${STEAM_ID}/730/2: the inventory is private`,
    );
  });

  it('429 is rate_limited, with no Retry-After as Steam usually sends', async () => {
    stand.failNext(STEAM_ID, { kind: 'rate_limited' });
    expect(await failureOf(fetchInventory(STEAM_ID, options()))).toEqual({
      kind: 'rate_limited',
      retryAfterMs: null,
    });
  });

  it('429 with a Retry-After passes it on', async () => {
    stand.failNext(STEAM_ID, { kind: 'rate_limited', retryAfterSeconds: 30 });
    expect(await failureOf(fetchInventory(STEAM_ID, options()))).toEqual({
      kind: 'rate_limited',
      retryAfterMs: 30_000,
    });
  });

  it('500 with {"error":"… (15)"} is a steam_error carrying EResult 15 and the message', async () => {
    stand.failNext(STEAM_ID, { kind: 'eresult', eresult: 15 });
    expect(await failureOf(fetchInventory(STEAM_ID, options()))).toEqual({
      kind: 'steam_error',
      status: 500,
      eresult: 15,
      message: 'Failed to get inventory (15)',
    });
  });

  it('another 5xx, or a 500 that is not JSON, is a steam_error without an EResult', async () => {
    stand.failNext(STEAM_ID, { kind: 'status', status: 502, body: '<html>Bad Gateway</html>' });
    expect(await failureOf(fetchInventory(STEAM_ID, options()))).toEqual({
      kind: 'steam_error',
      status: 502,
      eresult: null,
      message: null,
    });
    stand.failNext(STEAM_ID, { kind: 'status', status: 500, body: '<html>Error</html>' });
    expect(await failureOf(fetchInventory(STEAM_ID, options()))).toMatchObject({
      kind: 'steam_error',
      status: 500,
      eresult: null,
    });
  });

  it('404 is not_found', async () => {
    expect(await failureOf(fetchInventory('76561198000000002', options()))).toEqual({
      kind: 'not_found',
    });
  });

  it('a failure on a later page fails the import', async () => {
    stand.failNext(STEAM_ID, { kind: 'edit', edit: (page) => page }, { kind: 'private' });
    expect(await failureOf(fetchInventory(STEAM_ID, options({ pageSize: 2 })))).toEqual({
      kind: 'private',
    });
    expect(stand.requests).toHaveLength(2);
  });
});

describe('empty and malformed pages', () => {
  it('success with total_inventory_count 0 and no assets is an empty inventory', async () => {
    stand.inventories.set(STEAM_ID, inventoryFixture({ items: [] }));
    expect(await fetchInventory(STEAM_ID, options())).toEqual({
      assets: [],
      withoutDescription: [],
      pages: 1,
      totalInventoryCount: 0,
      pageSize: 1000,
    });
  });

  it('success with no assets and no total is an empty inventory too', async () => {
    stand.inventories.set(STEAM_ID, fiveAssets());
    stand.failNext(STEAM_ID, { kind: 'edit', edit: () => ({ success: 1, rwgrsn: -2 }) });
    const inventory = await fetchInventory(STEAM_ID, options());
    expect(inventory).toMatchObject({ assets: [], pages: 1, totalInventoryCount: null });
  });

  it('a body that is not JSON (Steam’s HTML error page) is malformed', async () => {
    stand.inventories.set(STEAM_ID, fiveAssets());
    stand.failNext(STEAM_ID, { kind: 'malformed' });
    expect(await failureOf(fetchInventory(STEAM_ID, options()))).toEqual({
      kind: 'malformed',
      reason: 'not valid UTF-8 JSON',
    });
  });

  it.each<[string, (page: InventoryPage) => unknown, string]>([
    ['null', () => null, 'the page is not an object'],
    ['no success', ({ success: _, ...page }) => page, 'success is missing'],
    ['assets not an array', (page) => ({ ...page, assets: {} }), 'assets is not an array'],
    [
      'an asset without a classid',
      (page) => ({ ...page, assets: [{ assetid: '1', instanceid: '0', amount: '1' }] }),
      'asset 0 lacks assetid, classid or instanceid',
    ],
    [
      'a numeric assetid',
      (page) => ({ ...page, assets: [{ assetid: 1, classid: '2', amount: '1' }] }),
      'asset 0 lacks assetid, classid or instanceid',
    ],
    [
      'an amount of 0',
      (page) => ({ ...page, assets: [{ assetid: '1', classid: '2', amount: '0' }] }),
      'asset 0 has no valid amount',
    ],
    [
      'a description without market_hash_name',
      (page) => ({ ...page, descriptions: [{ classid: '2', instanceid: '0', marketable: 1 }] }),
      'description 0 has no valid market_hash_name',
    ],
  ])('a page with %s is malformed', async (_name, edit, reason) => {
    stand.inventories.set(STEAM_ID, fiveAssets());
    stand.failNext(STEAM_ID, { kind: 'edit', edit });
    expect(await failureOf(fetchInventory(STEAM_ID, options()))).toEqual({
      kind: 'malformed',
      reason,
    });
  });

  it('success other than 1 is a steam_error carrying it as the EResult', async () => {
    stand.inventories.set(STEAM_ID, fiveAssets());
    stand.failNext(STEAM_ID, {
      kind: 'edit',
      edit: () => ({ success: 2, error: 'Failure (2)', rwgrsn: -2 }),
    });
    expect(await failureOf(fetchInventory(STEAM_ID, options()))).toEqual({
      kind: 'steam_error',
      status: 200,
      eresult: 2,
      message: 'Failure (2)',
    });
  });

  it('an asset whose classid+instanceid has no description is counted and reported, not dropped', async () => {
    const fixture = inventoryFixture({
      items: [
        { marketHashName: REDLINE, count: 2 },
        { marketHashName: CASE, count: 1 },
      ],
      missingDescriptionFor: 1,
    });
    stand.inventories.set(STEAM_ID, fixture);
    const inventory = await fetchInventory(STEAM_ID, options());
    expect(inventory.assets.map((asset) => asset.marketHashName)).toEqual([REDLINE, REDLINE]);
    const orphan = fixture.assets[2];
    expect(inventory.withoutDescription).toEqual([
      { assetId: orphan?.assetid, classId: orphan?.classid, instanceId: orphan?.instanceid },
    ]);
  });
});

describe('asset_properties', () => {
  it('reads float (property 2) and pattern (property 1) where present', async () => {
    stand.inventories.set(
      STEAM_ID,
      inventoryFixture({
        items: [
          { marketHashName: REDLINE, float: 0.0123, pattern: 661 },
          { marketHashName: 'AWP | Asiimov (Field-Tested)', float: 0.25 },
          { marketHashName: CASE },
        ],
      }),
    );
    const inventory = await fetchInventory(STEAM_ID, options());
    expect(inventory.assets.map(({ float, pattern }) => ({ float, pattern }))).toEqual([
      { float: 0.0123, pattern: 661 },
      { float: 0.25, pattern: null },
      { float: null, pattern: null },
    ]);
  });

  it('tolerates odd shapes: never required, never an error', async () => {
    stand.inventories.set(
      STEAM_ID,
      inventoryFixture({
        items: [
          { marketHashName: REDLINE, float: 0.5, pattern: 1 },
          { marketHashName: REDLINE, float: 0.5, pattern: 1 },
          { marketHashName: REDLINE, float: 0.5, pattern: 1 },
        ],
      }),
    );
    stand.failNext(STEAM_ID, {
      kind: 'edit',
      edit: (page) => ({
        ...page,
        asset_properties: [
          'not an object',
          { assetid: page.assets?.[0]?.assetid, asset_properties: 'nope' },
          {
            assetid: page.assets?.[1]?.assetid,
            asset_properties: [
              null,
              { propertyid: 2, float_value: 'abc' },
              { propertyid: 1, int_value: '-4' },
              { propertyid: '2', float_value: '0.3' },
            ],
          },
          { assetid: 42, asset_properties: [] },
        ],
      }),
    });
    const inventory = await fetchInventory(STEAM_ID, options());
    expect(inventory.assets.map(({ float, pattern }) => ({ float, pattern }))).toEqual([
      { float: null, pattern: null },
      { float: null, pattern: null },
      { float: null, pattern: null },
    ]);
    stand.failNext(STEAM_ID, { kind: 'edit', edit: (page) => ({ ...page, asset_properties: 7 }) });
    expect((await fetchInventory(STEAM_ID, options())).assets).toHaveLength(3);
  });
});

describe('S33 bounds', () => {
  it.each([
    ['empty', ''],
    ['16 digits', '7656119800000000'],
    ['18 digits', '765611980000000011'],
    ['a leading space', ' 76561198000000001'],
    ['a trailing newline', '76561198000000001\n'],
    ['a sign', '+76561198000000001'],
    ['another prefix', '12345678901234567'],
    ['fullwidth digits', '７６５６１１９８０００００００００１'],
    ['Arabic-Indic digits', '٧٦٥٦١١٩٨٠٠٠٠٠٠٠١'],
    ['a path', '76561198000000001/../../x'],
    ['an exponent', '7.6561198e16'],
  ])('S33: an invalid SteamID64 (%s) makes no request', async (_name, steamId) => {
    stand.inventories.set(steamId, fiveAssets());
    expect(await failureOf(fetchInventory(steamId, options()))).toEqual({
      kind: 'invalid_steam_id',
    });
    expect(stand.requests).toHaveLength(0);
  });

  it('S33: a page over the byte cap is refused, and the read stops at the cap', async () => {
    stand.inventories.set(STEAM_ID, fiveAssets());
    const total = 64 * 1024 * 1024;
    stand.failNext(STEAM_ID, { kind: 'oversize', bytes: total });
    expect(await failureOf(fetchInventory(STEAM_ID, options({ maxBytes: 64 * 1024 })))).toEqual({
      kind: 'too_large',
      maxBytes: 64 * 1024,
    });
    const stream = stand.streams[0];
    await stream?.ended;
    expect(stream?.completed).toBe(false);
    // Socket buffers hold a few megabytes at most: far from the whole body.
    expect(stream?.sent).toBeLessThan(total / 4);
  });

  it('S33: a call with no answer times out after timeoutMs', async () => {
    stand.inventories.set(STEAM_ID, fiveAssets());
    stand.failNext(STEAM_ID, { kind: 'hold' });
    expect(
      await failureOf(fetchInventory(STEAM_ID, options({ timeoutMs: SHORT_TIMEOUT_MS }))),
    ).toEqual({ kind: 'timeout', timeoutMs: SHORT_TIMEOUT_MS });
    await expect.poll(() => stand.held()).toBe(0);
  });

  it('S33: the deadline bounds a call when less time is left than timeoutMs', async () => {
    stand.inventories.set(STEAM_ID, fiveAssets());
    stand.failNext(STEAM_ID, { kind: 'hold' });
    const fixedClock = () => 1_000_000;
    expect(
      await failureOf(
        fetchInventory(STEAM_ID, options({ deadlineMs: SHORT_TIMEOUT_MS, now: fixedClock })),
      ),
    ).toEqual({ kind: 'timeout', timeoutMs: SHORT_TIMEOUT_MS });
  });

  it('S33: once the whole-import deadline has passed, no further page is asked for', async () => {
    stand.inventories.set(STEAM_ID, fiveAssets());
    let time = 0;
    const deadlineMs = 5000;
    const failure = await failureOf(
      fetchInventory(
        STEAM_ID,
        options({
          pageSize: 2,
          deadlineMs,
          now: () => time,
          // Each page "takes" three seconds on the injected clock.
          onPage: () => {
            time += 3000;
          },
        }),
      ),
    );
    expect(failure).toEqual({ kind: 'timeout', timeoutMs: deadlineMs });
    expect(stand.requests).toHaveLength(2);
  });

  it('an unreachable Steam is unavailable', async () => {
    const port = await freePort();
    expect(
      await failureOf(fetchInventory(STEAM_ID, options({ baseUrl: `http://127.0.0.1:${port}` }))),
    ).toEqual({ kind: 'unavailable', reason: 'request failed (ECONNREFUSED)' });
  });

  it('an aborted signal stops the import before any request', async () => {
    stand.inventories.set(STEAM_ID, fiveAssets());
    expect(
      await failureOf(fetchInventory(STEAM_ID, options({ signal: AbortSignal.abort() }))),
    ).toEqual({ kind: 'unavailable', reason: 'aborted' });
    expect(stand.requests).toHaveLength(0);
  });
});
