// The market table and its movers, against a hand-made summary: every filter,
// every sort both ways, and pages that neither repeat nor skip an item.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../../../src/market/catalog/index.js';
import {
  marketMovers,
  marketOverview,
  OVERVIEW_SORTS,
  type OverviewQuery,
} from '../../../src/market/summary/overview.js';
import type { Database } from '../../../src/platform/db/index.js';
import { useMigratedDatabase } from '../../support/market.js';

const database = useMigratedDatabase();
const OBSERVED = new Date('2026-11-20T12:00:00Z');

interface Fixture {
  readonly name: string;
  readonly category: string;
  readonly rarity: string | null;
  readonly exterior: string | null;
  readonly stattrak?: boolean;
  /** Absent: the item has no price. */
  readonly price?: number;
  readonly volume?: number | null;
  readonly change24h?: number | null;
  readonly change7d?: number | null;
  readonly volatility?: number | null;
}

const FIXTURES: readonly Fixture[] = [
  {
    name: 'AK-47 | Redline (Field-Tested)',
    category: 'weapon skin',
    rarity: 'Classified',
    exterior: 'Field-Tested',
    price: 1500,
    volume: 900,
    change24h: 2.5,
    change7d: -4,
    volatility: 0.02,
  },
  {
    name: 'StatTrak™ AK-47 | Redline (Field-Tested)',
    category: 'weapon skin',
    rarity: 'Classified',
    exterior: 'Field-Tested',
    stattrak: true,
    price: 4200,
    volume: 120,
    change24h: -1.5,
    change7d: 8,
    volatility: 0.05,
  },
  {
    name: 'AWP | Asiimov (Field-Tested)',
    category: 'weapon skin',
    rarity: 'Covert',
    exterior: 'Field-Tested',
    price: 9800,
    volume: 300,
    change24h: 12,
    change7d: null,
    volatility: 0.09,
  },
  {
    name: '★ Karambit | Fade (Factory New)',
    category: 'knife',
    rarity: 'Covert',
    exterior: 'Factory New',
    price: 145_000,
    volume: 4,
    change24h: -7,
    change7d: 3,
    volatility: 0.01,
  },
  {
    name: 'Sticker | Noise (Glitter)',
    category: 'sticker',
    rarity: 'Remarkable',
    exterior: null,
    price: 4,
    volume: 5000,
    change24h: 33.3,
    change7d: 33.3,
    volatility: 0.2,
  },
  {
    name: 'Revolution Case',
    category: 'case',
    rarity: null,
    exterior: null,
    price: 95,
    volume: null,
    change24h: null,
    change7d: 1,
    volatility: null,
  },
  { name: 'Sticker | Unpriced (Holo)', category: 'sticker', rarity: 'Exotic', exterior: null },
];

const ids = new Map<string, number>();

async function seed(target: Database): Promise<void> {
  for (const fixture of FIXTURES) {
    const { rows } = await sql<{
      id: number;
    }>`insert into items (market_hash_name, category, rarity,
        exterior, stattrak) values (${fixture.name}, ${fixture.category}, ${fixture.rarity},
        ${fixture.exterior}, ${fixture.stattrak ?? false}) returning id`.execute(target.db);
    const id = rows[0]?.id as number;
    ids.set(fixture.name, id);
    if (fixture.price === undefined) continue;
    await sql`insert into market_summary (item_id, source, market_hash_name, category, rarity,
        exterior, stattrak, souvenir, price_cents, observed_at, volume, change_1h, change_24h,
        change_7d, volatility, sparkline, sparkline_at, updated_at)
      values (${id}, 'demo', ${fixture.name}, ${fixture.category}, ${fixture.rarity},
        ${fixture.exterior}, ${fixture.stattrak ?? false}, false, ${fixture.price}, ${OBSERVED},
        ${fixture.volume ?? null}, null, ${fixture.change24h ?? null}, ${fixture.change7d ?? null},
        ${fixture.volatility ?? null}, ${[fixture.price - 1, fixture.price]}::bigint[], ${OBSERVED},
        ${OBSERVED})`.execute(target.db);
  }
}

beforeAll(async () => {
  await seed(database());
});

const base: OverviewQuery = { source: 'demo', sort: 'name', order: 'asc', limit: 50 };

async function names(query: Partial<OverviewQuery>): Promise<string[]> {
  const page = await marketOverview(database(), { ...base, ...query });
  return page.entries.map((entry) => entry.item.market_hash_name);
}

/** Every item of a sort, page by page, `limit` at a time. */
async function allPages(query: Partial<OverviewQuery>, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page += 1) {
    const result = await marketOverview(database(), { ...base, ...query, limit, cursor });
    seen.push(...result.entries.map((entry) => entry.item.market_hash_name));
    if (!result.nextCursor) return seen;
    cursor = result.nextCursor;
  }
  throw new Error('paging did not end');
}

const byValue = (key: keyof Fixture, order: 'asc' | 'desc') => {
  const valued = FIXTURES.filter((f) => f[key] !== undefined && f[key] !== null)
    .sort((a, b) => {
      const diff = (a[key] as number) - (b[key] as number);
      const tie = (ids.get(a.name) ?? 0) - (ids.get(b.name) ?? 0);
      return order === 'asc' ? diff || tie : -diff || -tie;
    })
    .map((f) => f.name);
  const rest = FIXTURES.filter((f) => f[key] === undefined || f[key] === null)
    .map((f) => f.name)
    .sort();
  return [...valued, ...rest];
};

describe('marketOverview', () => {
  it('lists every item in name order with its summary, or none when unpriced', async () => {
    const page = await marketOverview(database(), base);
    expect(page.entries.map((entry) => entry.item.market_hash_name)).toEqual(
      FIXTURES.map((f) => f.name).sort(),
    );
    const unpriced = page.entries.find((entry) => entry.item.market_hash_name.includes('Unpriced'));
    expect(unpriced?.summary).toBeNull();
    const redline = page.entries.find(
      (entry) => entry.item.market_hash_name === 'AK-47 | Redline (Field-Tested)',
    );
    expect(redline?.summary).toMatchObject({
      price_cents: 1500,
      volume: 900,
      change_24h: 2.5,
      change_7d: -4,
      volatility: 0.02,
      sparkline: [1499, 1500],
    });
  });

  it.each([
    ['price', 'price'],
    ['change_24h', 'change24h'],
    ['change_7d', 'change7d'],
    ['volume', 'volume'],
    ['volatility', 'volatility'],
  ] as const)(
    'sorts by %s either way, items without a value last, across pages',
    async (sort, key) => {
      for (const order of ['asc', 'desc'] as const) {
        const expected = byValue(key, order);
        expect(await names({ sort, order })).toEqual(expected);
        for (const limit of [1, 2, 3])
          expect(await allPages({ sort, order }, limit)).toEqual(expected);
      }
    },
  );

  it('pages by name either way without repeating or skipping', async () => {
    const sorted = FIXTURES.map((f) => f.name).sort();
    expect(await allPages({}, 2)).toEqual(sorted);
    expect(await allPages({ order: 'desc' }, 3)).toEqual([...sorted].reverse());
  });

  it('filters by every field, together', async () => {
    expect(await names({ category: 'sticker' })).toEqual([
      'Sticker | Noise (Glitter)',
      'Sticker | Unpriced (Holo)',
    ]);
    expect(await names({ category: 'sticker', priced: true })).toEqual([
      'Sticker | Noise (Glitter)',
    ]);
    expect(await names({ rarity: 'Covert', sort: 'price', order: 'desc' })).toEqual([
      '★ Karambit | Fade (Factory New)',
      'AWP | Asiimov (Field-Tested)',
    ]);
    expect(await names({ exterior: 'Field-Tested', stattrak: true })).toEqual([
      'StatTrak™ AK-47 | Redline (Field-Tested)',
    ]);
    expect(await names({ q: 'redline ft', stattrak: false })).toEqual([
      'AK-47 | Redline (Field-Tested)',
    ]);
    expect(await names({ minPriceCents: 1000, maxPriceCents: 10_000, sort: 'price' })).toEqual([
      'AK-47 | Redline (Field-Tested)',
      'StatTrak™ AK-47 | Redline (Field-Tested)',
      'AWP | Asiimov (Field-Tested)',
    ]);
    expect(await names({ souvenir: true })).toEqual([]);
  });

  it('refuses a cursor that is not one of its own', async () => {
    for (const cursor of [
      'AA',
      Buffer.from('["valued",1]').toString('base64url'),
      'x'.repeat(40),
    ]) {
      await expect(marketOverview(database(), { ...base, sort: 'price', cursor })).rejects.toThrow(
        InvalidCursorError,
      );
    }
    const nul = Buffer.from(JSON.stringify(['rest', 'a\u0000b', 1])).toString('base64url');
    await expect(marketOverview(database(), { ...base, cursor: nul })).rejects.toThrow(
      InvalidCursorError,
    );
  });

  it.each(OVERVIEW_SORTS)('answers a sort by %s with a limit of one', async (sort) => {
    const page = await marketOverview(database(), { ...base, sort, limit: 1 });
    expect(page.entries).toHaveLength(1);
    expect(page.nextCursor).not.toBeNull();
  });
});

describe('marketMovers', () => {
  const movers = async (direction: 'up' | 'down', minPriceCents = 100, minVolume = 10) =>
    (
      await marketMovers(database(), {
        source: 'demo',
        window: '24h',
        direction,
        minPriceCents,
        minVolume,
        limit: 10,
      })
    ).map((entry) => entry.item.market_hash_name);

  it('ranks the largest moves each way, leaving cent-priced and untraded items out', async () => {
    expect(await movers('up')).toEqual([
      'AWP | Asiimov (Field-Tested)',
      'AK-47 | Redline (Field-Tested)',
    ]);
    expect(await movers('down')).toEqual(['StatTrak™ AK-47 | Redline (Field-Tested)']);
    // Without the floors, the 4-cent sticker's one-cent move leads and the knife sold four times counts.
    expect((await movers('up', 0, 0))[0]).toBe('Sticker | Noise (Glitter)');
    expect((await movers('down', 0, 0))[0]).toBe('★ Karambit | Fade (Factory New)');
  });
});
