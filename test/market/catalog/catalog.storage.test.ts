// The whole catalog, synced once into one database (PGlite takes a few
// seconds for it), then synced again and searched.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildCatalogFromDataSet,
  type CatalogEntry,
  type CatalogSyncProgress,
  type CatalogSyncReport,
  catalogLoaded,
  getItem,
  InvalidCursorError,
  type Item,
  type ItemSearch,
  SEARCH_LIMIT_MAX,
  searchItems,
  syncCatalog,
} from '../../../src/market/catalog/index.js';
import { openMigratedDatabase, useMigratedDatabase } from '../../support/market.js';

const SYNC_TIMEOUT_MS = 120_000;
const backend = process.env.TRACERA_TEST_BACKENDS === 'real' ? 'PostgreSQL' : 'PGlite';

const database = useMigratedDatabase();
let catalog: CatalogEntry[];
let firstSync: CatalogSyncReport;
let emptyBeforeSync: boolean;
const progress: CatalogSyncProgress[] = [];

beforeAll(async () => {
  emptyBeforeSync = !(await catalogLoaded(database()));
  catalog = await buildCatalogFromDataSet();
  firstSync = await syncCatalog(database(), catalog, {
    onProgress: (step) => progress.push(step),
  });
}, SYNC_TIMEOUT_MS);

/** Every page of a search, `limit` items at a time. */
async function allPages(search: Omit<ItemSearch, 'cursor'>): Promise<Item[][]> {
  const pages: Item[][] = [];
  let cursor: string | undefined;
  do {
    const page = await searchItems(database(), { ...search, cursor });
    pages.push(page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return pages;
}

function names(items: readonly Item[]): string[] {
  return items.map((item) => item.market_hash_name);
}

describe(`catalog sync on ${backend}`, () => {
  it('loads every entry into an empty items table, reporting progress batch by batch', async () => {
    expect(emptyBeforeSync).toBe(true);
    expect(await catalogLoaded(database())).toBe(true);
    expect(firstSync).toEqual({
      total: catalog.length,
      inserted: catalog.length,
      updated: 0,
      unchanged: 0,
    });
    expect(progress.at(-1)).toEqual({ done: catalog.length, total: catalog.length });
    expect(progress.map((step) => step.done)).toEqual(
      [...progress.map((step) => step.done)].sort((a, b) => a - b),
    );
  });

  it(
    'changes nothing when run again with the same data',
    async () => {
      const again = await syncCatalog(database(), catalog);
      expect(again).toEqual({
        total: catalog.length,
        inserted: 0,
        updated: 0,
        unchanged: catalog.length,
      });
    },
    SYNC_TIMEOUT_MS,
  );

  it('updates a changed definition in place and adds a new one, batch by batch', async () => {
    const small = await openMigratedDatabase();
    try {
      const sample = catalog.slice(0, 5);
      await syncCatalog(small, sample);
      const [first] = sample;
      if (!first) throw new Error('empty catalog');
      const before = (await searchItems(small, { q: first.market_hash_name, limit: 1 })).items[0];

      const changed = { ...first, rarity: 'Contraband', image_url: null };
      const added = { ...first, market_hash_name: 'AK-47 | Test Finish (Field-Tested)' };
      const steps: CatalogSyncProgress[] = [];
      const report = await syncCatalog(small, [changed, ...sample.slice(1), added], {
        batchSize: 2,
        onProgress: (step) => steps.push(step),
      });
      expect(report).toEqual({ total: 6, inserted: 1, updated: 1, unchanged: 4 });
      expect(steps.map((step) => step.done)).toEqual([2, 4, 6]);
      const after = (await searchItems(small, { q: first.market_hash_name, limit: 1 })).items[0];
      expect(after).toEqual({ ...before, rarity: 'Contraband', image_url: null });
    } finally {
      await small.close();
    }
  });

  it('refuses a catalog that lists a name twice, writing nothing', async () => {
    const [first] = catalog;
    if (!first) throw new Error('empty catalog');
    await expect(syncCatalog(database(), [first, first])).rejects.toThrow(/twice/);
  });
});

describe(`catalog search on ${backend}`, () => {
  it('finds the items whose name contains every word, in any order and case', async () => {
    const page = await searchItems(database(), { q: 'ak redline', limit: 50 });
    expect(names(page.items)).toEqual(
      expect.arrayContaining([
        'AK-47 | Redline (Field-Tested)',
        'StatTrak™ AK-47 | Redline (Minimal Wear)',
      ]),
    );
    for (const name of names(page.items)) expect(name.toLowerCase()).toMatch(/ak.*redline/);
    const reordered = await searchItems(database(), { q: '  REDLINE   Ak ', limit: 50 });
    expect(names(reordered.items)).toEqual(names(page.items));
  });

  it('reads fn, mw, ft, ww and bs as wears', async () => {
    const page = await searchItems(database(), { q: 'karambit fade fn', limit: 50 });
    expect(names(page.items).sort()).toEqual([
      '★ Karambit | Fade (Factory New)',
      '★ Karambit | Marble Fade (Factory New)',
      '★ StatTrak™ Karambit | Fade (Factory New)',
      '★ StatTrak™ Karambit | Marble Fade (Factory New)',
    ]);
  });

  it('takes % and _ in a query literally', async () => {
    expect((await searchItems(database(), { q: '%', limit: 10 })).items).toEqual([]);
    const underscored = await searchItems(database(), { q: '_', limit: SEARCH_LIMIT_MAX });
    expect(names(underscored.items).sort()).toEqual(
      catalog
        .map((entry) => entry.market_hash_name)
        .filter((name) => name.includes('_'))
        .sort(),
    );
    expect(underscored.items.length).toBeGreaterThan(0);
  });

  it('filters by category', async () => {
    const knives = await allPages({ q: 'doppler', category: 'knife', limit: SEARCH_LIMIT_MAX });
    const found = knives.flat();
    expect(found.length).toBeGreaterThan(50);
    expect(found.every((item) => item.category === 'knife')).toBe(true);
    expect(names(found)).not.toContain('Glock-18 | Gamma Doppler (Factory New)');
    const gloves = await searchItems(database(), { category: 'gloves', limit: 5 });
    expect(gloves.items.map((item) => item.category)).toEqual(Array(5).fill('gloves'));
    expect(
      (await searchItems(database(), { category: 'no such category', limit: 5 })).items,
    ).toEqual([]);
  });

  it('pages through every match once, in name order, without gaps or repeats', async () => {
    const expected = catalog
      .map((entry) => entry.market_hash_name)
      .filter((name) => name.toLowerCase().includes('karambit'));
    const pages = await allPages({ q: 'karambit', limit: 7 });
    const paged = names(pages.flat());
    expect(pages.slice(0, -1).every((page) => page.length === 7)).toBe(true);
    expect(pages.at(-1)?.length).toBeGreaterThan(0);
    expect(new Set(paged).size).toBe(paged.length);
    expect([...paged].sort()).toEqual([...expected].sort());
    const inOneGo = await searchItems(database(), { q: 'karambit', limit: SEARCH_LIMIT_MAX });
    expect(paged.slice(0, SEARCH_LIMIT_MAX)).toEqual(names(inOneGo.items));
  });

  it('pages through the whole catalog without a query', async () => {
    const pages = await allPages({ limit: SEARCH_LIMIT_MAX });
    const paged = names(pages.flat());
    expect(paged).toHaveLength(catalog.length);
    expect(new Set(paged).size).toBe(catalog.length);
  });

  it(`returns at most limit items, 1 to ${SEARCH_LIMIT_MAX}, and refuses other limits`, async () => {
    expect((await searchItems(database(), { limit: 1 })).items).toHaveLength(1);
    expect((await searchItems(database(), { limit: SEARCH_LIMIT_MAX })).items).toHaveLength(
      SEARCH_LIMIT_MAX,
    );
    for (const limit of [0, SEARCH_LIMIT_MAX + 1, 1.5, Number.NaN]) {
      await expect(searchItems(database(), { limit })).rejects.toThrow(RangeError);
    }
  });

  it('refuses a cursor it did not issue, and one whose name holds U+0000 (S38)', async () => {
    const withNul = ['\0', 'AK-47 | Redline\0'].map((name) =>
      Buffer.from(name, 'utf8').toString('base64url'),
    );
    for (const cursor of ['', 'not a cursor!', '%%%', 'QUs=', ...withNul]) {
      await expect(searchItems(database(), { limit: 5, cursor })).rejects.toThrow(
        InvalidCursorError,
      );
    }
  });

  it('gets one item by id, or null', async () => {
    const [found] = (await searchItems(database(), { q: '★ Karambit', limit: 1 })).items;
    if (!found) throw new Error('no karambit');
    expect(await getItem(database(), found.id)).toEqual(found);
    expect(await getItem(database(), 2_000_000_000)).toBeNull();
  });
});
