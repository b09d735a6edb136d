import type { CS2Item, CS2ItemTranslationMap } from '@ianlucas/cs2-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildCatalog,
  buildCatalogFromDataSet,
  CatalogDataError,
  type CatalogEntry,
  exteriorsFor,
  ITEM_CATEGORIES,
} from '../../../src/market/catalog/index.js';

describe('wears of a skin', () => {
  it('are those whose float range overlaps [wearMin, wearMax)', () => {
    expect(exteriorsFor(0, 1)).toEqual([
      'Factory New',
      'Minimal Wear',
      'Field-Tested',
      'Well-Worn',
      'Battle-Scarred',
    ]);
    // Doppler knives: 0 to 0.08 reaches just past Factory New.
    expect(exteriorsFor(0, 0.08)).toEqual(['Factory New', 'Minimal Wear']);
    // Many gloves: from 0.06, so a sliver of Factory New.
    expect(exteriorsFor(0.06, 0.8)).toEqual([
      'Factory New',
      'Minimal Wear',
      'Field-Tested',
      'Well-Worn',
      'Battle-Scarred',
    ]);
    // AWP | Asiimov: from 0.18, never better than Field-Tested.
    expect(exteriorsFor(0.18, 1)).toEqual(['Field-Tested', 'Well-Worn', 'Battle-Scarred']);
  });

  it('stop at the exact boundaries: a range ending at 0.07 is Factory New only', () => {
    expect(exteriorsFor(0, 0.07)).toEqual(['Factory New']);
    expect(exteriorsFor(0.07, 0.15)).toEqual(['Minimal Wear']);
    expect(exteriorsFor(0.15, 0.38)).toEqual(['Field-Tested']);
    expect(exteriorsFor(0.38, 0.45)).toEqual(['Well-Worn']);
    expect(exteriorsFor(0.45, 1)).toEqual(['Battle-Scarred']);
  });
});

describe('the catalog built from @ianlucas/cs2-lib', () => {
  let catalog: CatalogEntry[];
  let byName: Map<string, CatalogEntry>;

  beforeAll(async () => {
    catalog = await buildCatalogFromDataSet();
    byName = new Map(catalog.map((entry) => [entry.market_hash_name, entry]));
  });

  it('spells real Steam market_hash_names', () => {
    const names = [
      'AK-47 | Redline (Field-Tested)',
      'StatTrak™ AK-47 | Redline (Minimal Wear)',
      'Souvenir AWP | Dragon Lore (Factory New)',
      '★ Karambit | Doppler (Factory New)',
      '★ StatTrak™ Karambit | Fade (Minimal Wear)',
      '★ Karambit',
      '★ StatTrak™ Karambit',
      '★ Sport Gloves | Vice (Field-Tested)',
      'Sticker | Shooter',
      'Sticker Slab | Titan | Katowice 2014',
      'CS:GO Weapon Case',
      'Paris 2023 Mirage Souvenir Package',
      'CS:GO Case Key',
      "'Blueberries' Buckshot | NSWC SEAL",
      'Sealed Graffiti | Ace',
      'Music Kit | Sasha, LNOE',
      'StatTrak™ Music Kit | Sasha, LNOE',
      'Patch | Crazy Banana',
      "Charm | Lil' Ava",
      'Howl Pin',
      'Name Tag',
      'StatTrak™ M4A4 | Howl (Field-Tested)',
      'StatTrak™ USP-S | Orion (Factory New)',
    ];
    expect(names.filter((name) => !byName.has(name))).toEqual([]);
  });

  it('lists no variant Steam does not sell', () => {
    const names = [
      // Collection-only skin: Souvenir, never StatTrak.
      'StatTrak™ AWP | Dragon Lore (Factory New)',
      // Beyond the skin's float range.
      '★ Karambit | Doppler (Field-Tested)',
      'AWP | Asiimov (Factory New)',
      // Gloves are never StatTrak; knives never Souvenir.
      '★ StatTrak™ Sport Gloves | Vice (Field-Tested)',
      '★ Souvenir Karambit | Fade (Factory New)',
      // A case skin that no souvenir package holds.
      'Souvenir AK-47 | Redline (Field-Tested)',
      // Collection packages drop no StatTrak.
      'StatTrak™ M4A4 | Eye of Horus (Factory New)',
      // Stock items, account-bound items, tools the market does not sell.
      'AK-47',
      '★ Knife',
      'Knife',
      'Default T Gloves',
      'Music Kit | Valve, Counter-Strike 2',
      '5 Year Veteran Coin',
      'Storage Unit',
      'Trade Up Contract',
      'Charm | Sticker Slab',
      'Charm | Austin 2025 Highlight',
    ];
    expect(names.filter((name) => byName.has(name))).toEqual([]);
  });

  it('describes each row in its columns', () => {
    expect(byName.get('★ StatTrak™ Karambit | Fade (Minimal Wear)')).toMatchObject({
      category: 'knife',
      weapon_type: 'Karambit',
      skin_name: 'Fade',
      exterior: 'Minimal Wear',
      stattrak: true,
      souvenir: false,
      rarity: 'Covert',
    });
    expect(byName.get('Souvenir AWP | Dragon Lore (Factory New)')).toMatchObject({
      category: 'skin',
      weapon_type: 'AWP',
      skin_name: 'Dragon Lore',
      exterior: 'Factory New',
      stattrak: false,
      souvenir: true,
    });
    expect(byName.get('★ Karambit')).toMatchObject({
      category: 'knife',
      weapon_type: 'Karambit',
      skin_name: null,
      exterior: null,
    });
    expect(byName.get('★ Sport Gloves | Vice (Field-Tested)')).toMatchObject({
      category: 'gloves',
      weapon_type: 'Sport Gloves',
      rarity: 'Extraordinary',
    });
    expect(byName.get("'Blueberries' Buckshot | NSWC SEAL")).toMatchObject({
      category: 'agent',
      rarity: 'Exceptional',
    });
    expect(byName.get('CS:GO Weapon Case')).toMatchObject({
      category: 'container',
      weapon_type: null,
      exterior: null,
      rarity: 'Base Grade',
    });
    expect(byName.get('AK-47 | Redline (Field-Tested)')?.image_url).toMatch(
      /^https:\/\/cdn\.cstrike\.app\/images\/[0-9a-f]{64}\.webp$/,
    );
  });

  it('agrees with itself: names, flags and exteriors match, every category is known', () => {
    const variants = new Set(['skin', 'knife', 'gloves', 'music_kit']);
    const starred = new Set(['knife', 'gloves']);
    const inconsistent = catalog.filter((entry) => {
      const name = entry.market_hash_name.replace(/^★ /, '');
      const stattrak = variants.has(entry.category) && name.startsWith('StatTrak™ ');
      const souvenir = variants.has(entry.category) && name.startsWith('Souvenir ');
      return (
        entry.stattrak !== stattrak ||
        entry.souvenir !== souvenir ||
        entry.market_hash_name.startsWith('★ ') !== starred.has(entry.category) ||
        (entry.exterior !== null && !name.endsWith(` (${entry.exterior})`)) ||
        !(ITEM_CATEGORIES as readonly string[]).includes(entry.category) ||
        entry.rarity === null
      );
    });
    expect(inconsistent).toEqual([]);
  });

  it('lists each market_hash_name once: Doppler phases are one item', () => {
    expect(byName.size).toBe(catalog.length);
    expect(
      catalog.filter((entry) => entry.market_hash_name === '★ Karambit | Doppler (Factory New)'),
    ).toHaveLength(1);
  });

  it('is a whole catalog: some 37,000 items, each category present', () => {
    expect(catalog.length).toBeGreaterThan(35_000);
    expect(catalog.length).toBeLessThan(45_000);
    const counts = new Map<string, number>();
    for (const entry of catalog) counts.set(entry.category, (counts.get(entry.category) ?? 0) + 1);
    expect(counts.get('skin')).toBeGreaterThan(10_000);
    expect(counts.get('knife')).toBeGreaterThan(3_000);
    expect(counts.get('sticker')).toBeGreaterThan(9_000);
    expect(counts.get('container')).toBeGreaterThan(400);
    expect([...counts.keys()].sort()).toEqual([...ITEM_CATEGORIES].sort());
  });
});

describe('the rules, on a few hand-written definitions', () => {
  const names: CS2ItemTranslationMap = {
    1: { name: 'AK-47' },
    2: { name: 'AK-47 | Case Skin' },
    3: { name: 'AK-47 | Map Skin' },
    4: { name: 'Karambit' },
    5: { name: 'Karambit | Doppler' },
    6: { name: 'Karambit | Doppler' },
    7: { name: 'Container | Test Case' },
    8: { name: 'Container | Test Souvenir Package' },
    9: { name: 'Container | Pin Capsule' },
    10: { name: 'Collectible | Test Pin' },
    11: { name: 'Collectible | Service Coin' },
    12: { name: 'Knife' },
  };
  const items: CS2Item[] = [
    { id: 1, type: 'weapon', base: true, free: true, rarity: '#ded6cc' },
    {
      id: 2,
      type: 'weapon',
      baseId: 1,
      collection: 'set_case',
      wearMin: 0.1,
      wearMax: 0.4,
      rarity: '#eb4b4b',
    },
    {
      id: 3,
      type: 'weapon',
      baseId: 1,
      collection: 'set_map',
      wearMin: 0,
      wearMax: 0.07,
      rarity: '#4b69ff',
    },
    { id: 4, type: 'melee', base: true, rarity: '#eb4b4b' },
    { id: 5, type: 'melee', baseId: 4, wearMin: 0, wearMax: 0.08, rarity: '#eb4b4b' },
    { id: 6, type: 'melee', baseId: 4, wearMin: 0, wearMax: 0.08, rarity: '#eb4b4b' },
    {
      id: 7,
      type: 'case',
      containerType: 0,
      collection: 'set_case',
      contents: [2],
      specials: [5, 6],
      rarity: '#b0c3d9',
    },
    {
      id: 8,
      type: 'case',
      containerType: 3,
      collection: 'set_map',
      contents: [3],
      rarity: '#b0c3d9',
    },
    { id: 9, type: 'case', contents: [10], rarity: '#b0c3d9' },
    { id: 10, type: 'collectible', rarity: '#eb4b4b' },
    { id: 11, type: 'collectible', rarity: '#eb4b4b' },
    { id: 12, type: 'melee', base: true, free: true, rarity: '#ded6cc' },
  ];

  it('expand skins into wears and variants, skip stock and account-bound items', () => {
    expect(buildCatalog(items, names).map((entry) => entry.market_hash_name)).toEqual([
      'AK-47 | Case Skin (Minimal Wear)',
      'AK-47 | Case Skin (Field-Tested)',
      'AK-47 | Case Skin (Well-Worn)',
      'StatTrak™ AK-47 | Case Skin (Minimal Wear)',
      'StatTrak™ AK-47 | Case Skin (Field-Tested)',
      'StatTrak™ AK-47 | Case Skin (Well-Worn)',
      'AK-47 | Map Skin (Factory New)',
      'Souvenir AK-47 | Map Skin (Factory New)',
      '★ Karambit',
      '★ StatTrak™ Karambit',
      '★ Karambit | Doppler (Factory New)',
      '★ Karambit | Doppler (Minimal Wear)',
      '★ StatTrak™ Karambit | Doppler (Factory New)',
      '★ StatTrak™ Karambit | Doppler (Minimal Wear)',
      'Test Case',
      'Test Souvenir Package',
      'Pin Capsule',
      'Test Pin',
    ]);
  });

  it('refuse data whose names no longer follow the expected pattern', () => {
    const renamed = { ...names, 7: { name: 'Test Case' } };
    expect(() => buildCatalog(items, renamed)).toThrow(CatalogDataError);
  });
});
