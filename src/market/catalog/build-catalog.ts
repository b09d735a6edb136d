// The CS2 item catalog, built from the MIT-licensed economy data of
// `@ianlucas/cs2-lib` (item definitions and their English names): every
// definition becomes the rows Steam lists it under, spelled as Steam spells
// its market_hash_name. Pure: the same data gives the same rows.
//
// What is marketable, decided from the data:
// - Stock items are skipped: default guns and gloves (`base`), grenades,
//   placeholders (`stub`), and whatever is `free` (the default knife, the
//   Trade Up Contract, the generic Sticker Slab charm, the default music kit).
// - A gun skin is listed in each wear whose float range overlaps the skin's
//   [wearMin, wearMax); as Souvenir too when a souvenir package holds it; and
//   as StatTrak™ too when it belongs to the collection of a weapon case, that
//   is a case that also holds a rare special (collection packages and
//   terminals drop no StatTrak™). The collection counts, not the case's
//   current contents: skins pulled from a case still exist in StatTrak™, and
//   so does the Contraband Howl, which the data leaves in no collection.
// - Knives carry StatTrak™ (cs2-lib's rule: every knife that is not free) and
//   the ★ prefix; a vanilla knife has no wear. Gloves carry ★ and never
//   StatTrak™. Music kits that are not free have a StatTrak™ variant.
// - Collectibles are listed only when a capsule holds them (the pins): coins,
//   medals and trophies are bound to their account.
// - Of the tools, only the Name Tag and the StatTrak™ Swap Tool are sold on
//   the market; storage units and charm detachments are not.
// - The data has one placeholder per souvenir highlight charm ("Charm | Austin
//   2025 Highlight") instead of the real per-highlight items: skipped.
// - Names that come out identical are one market item, listed once: the
//   phases of a Doppler, or a sticker or capsule the data defines twice.
import type { CS2Item, CS2ItemTranslationMap } from '@ianlucas/cs2-lib';
import {
  EXTERIORS,
  type Exterior,
  ITEM_CATEGORIES,
  type ItemCategory,
  RARITY_NAMES,
  type RarityScale,
} from '../../shared/catalog-vocabulary.js';

export { EXTERIORS, type Exterior, ITEM_CATEGORIES, type ItemCategory };

/** One row of the items table, as the data set defines it. */
export interface CatalogEntry {
  readonly market_hash_name: string;
  readonly category: ItemCategory;
  /** The gun, knife or glove model ("AK-47", "Karambit", "Sport Gloves"); null for other items. */
  readonly weapon_type: string | null;
  /** The finish ("Redline"); null for vanilla knives and items that are not skins. */
  readonly skin_name: string | null;
  readonly exterior: Exterior | null;
  readonly stattrak: boolean;
  readonly souvenir: boolean;
  /** Steam's name for the rarity ("Covert", "High Grade", "Master"). */
  readonly rarity: string | null;
  readonly image_url: string | null;
}

/** Where cs2-lib's image paths live (content-addressed files, so a path never changes meaning). */
export const CS2_IMAGE_BASE_URL = 'https://cdn.cstrike.app';

const STAR = '★ ';
const STATTRAK = 'StatTrak™ ';
const SOUVENIR = 'Souvenir ';
/** cs2-lib's CS2ContainerType values. */
const WEAPON_CASE = 0;
const SOUVENIR_PACKAGE = 3;
/** cs2-lib's CS2_NAMETAG_TOOL_DEF and CS2_STATTRAK_SWAP_TOOL_DEF. */
const MARKETABLE_TOOL_DEFS: ReadonlySet<number> = new Set([1200, 1324]);
const CONTRABAND = '#e4ae39';
const HIGHLIGHT_PLACEHOLDER = / Highlight$/;

export class CatalogDataError extends Error {
  override name = 'CatalogDataError';
}

/** The wears a skin can be found in: those whose range overlaps [wearMin, wearMax). */
export function exteriorsFor(wearMin: number, wearMax: number): Exterior[] {
  return EXTERIORS.filter((wear) => wear.min < wearMax && wearMin < wear.max).map(
    (wear) => wear.name,
  );
}

interface Drops {
  /** Collections of weapon cases, whose gun skins are found as StatTrak™. */
  readonly statTrakCollections: ReadonlySet<string>;
  readonly souvenir: ReadonlySet<number>;
  /** Anything some container holds. */
  readonly inContainer: ReadonlySet<number>;
}

function containerDrops(items: readonly CS2Item[]): Drops {
  const statTrakCollections = new Set<string>();
  const souvenir = new Set<number>();
  const inContainer = new Set<number>();
  for (const container of items) {
    if (container.type !== 'case') continue;
    const isWeaponCase =
      container.containerType === WEAPON_CASE && (container.specials?.length ?? 0) > 0;
    if (isWeaponCase && container.collection && container.statTrakless !== true) {
      statTrakCollections.add(container.collection);
    }
    for (const id of container.contents ?? []) {
      inContainer.add(id);
      if (container.containerType === SOUVENIR_PACKAGE) souvenir.add(id);
    }
  }
  return { statTrakCollections, souvenir, inContainer };
}

class CatalogBuilder {
  private readonly entries = new Map<string, CatalogEntry>();
  private readonly drops: Drops;

  constructor(
    private readonly items: readonly CS2Item[],
    private readonly names: CS2ItemTranslationMap,
  ) {
    this.drops = containerDrops(items);
  }

  build(): CatalogEntry[] {
    for (const item of this.items) this.addItem(item);
    return [...this.entries.values()];
  }

  private name(id: number): string {
    const name = this.names[id]?.name;
    if (!name) throw new CatalogDataError(`item ${id} has no English name`);
    return name;
  }

  /** The name without its type prefix ("Agent | ", "Container | "), which Steam does not show. */
  private unprefixed(item: CS2Item, prefix: string): string {
    const name = this.name(item.id);
    if (!name.startsWith(prefix)) {
      throw new CatalogDataError(`item ${item.id} "${name}" does not start with "${prefix}"`);
    }
    return name.slice(prefix.length);
  }

  private add(item: CS2Item, entry: Omit<CatalogEntry, 'rarity' | 'image_url'>): void {
    if (this.entries.has(entry.market_hash_name)) return;
    const scale: RarityScale =
      item.type === 'weapon' || item.type === 'melee'
        ? 'gun'
        : item.type === 'agent'
          ? 'agent'
          : 'other';
    this.entries.set(entry.market_hash_name, {
      ...entry,
      rarity: item.rarity ? (RARITY_NAMES[scale][item.rarity] ?? null) : null,
      image_url: item.image ? `${CS2_IMAGE_BASE_URL}${item.image}` : null,
    });
  }

  private addPlain(item: CS2Item, category: ItemCategory, marketHashName: string): void {
    this.add(item, {
      market_hash_name: marketHashName,
      category,
      weapon_type: null,
      skin_name: null,
      exterior: null,
      stattrak: false,
      souvenir: false,
    });
  }

  private addItem(item: CS2Item): void {
    switch (item.type) {
      case 'weapon':
        if (!item.base && !item.free) this.addSkin(item, 'skin');
        return;
      case 'melee':
        if (item.free) return;
        if (item.base) this.addVanillaKnife(item);
        else this.addSkin(item, 'knife');
        return;
      case 'glove':
        if (!item.base && !item.free) this.addSkin(item, 'gloves');
        return;
      case 'agent':
        this.addPlain(item, 'agent', this.unprefixed(item, 'Agent | '));
        return;
      case 'sticker':
        this.addPlain(item, 'sticker', this.name(item.id));
        return;
      case 'patch':
        this.addPlain(item, 'patch', this.name(item.id));
        return;
      case 'graffiti':
        this.addPlain(
          item,
          'graffiti',
          `Sealed Graffiti | ${this.unprefixed(item, 'Graffiti | ')}`,
        );
        return;
      case 'keychain': {
        const name = this.name(item.id);
        if (!item.free && !HIGHLIGHT_PLACEHOLDER.test(name)) this.addPlain(item, 'charm', name);
        return;
      }
      case 'musickit':
        if (!item.free) this.addMusicKit(item);
        return;
      case 'case':
        this.addPlain(item, 'container', this.unprefixed(item, 'Container | '));
        return;
      case 'key':
        this.addPlain(item, 'key', this.unprefixed(item, 'Key | '));
        return;
      case 'tool':
        if (!item.free && item.def !== undefined && MARKETABLE_TOOL_DEFS.has(item.def)) {
          this.addPlain(item, 'tool', this.unprefixed(item, 'Tool | '));
        }
        return;
      case 'collectible':
        if (this.drops.inContainer.has(item.id)) {
          this.addPlain(item, 'collectible', this.unprefixed(item, 'Collectible | '));
        }
        return;
      case 'utility':
      case 'stub':
        return;
    }
  }

  private addVanillaKnife(item: CS2Item): void {
    const model = this.name(item.id);
    for (const stattrak of [false, true]) {
      this.add(item, {
        market_hash_name: `${STAR}${stattrak ? STATTRAK : ''}${model}`,
        category: 'knife',
        weapon_type: model,
        skin_name: null,
        exterior: null,
        stattrak,
        souvenir: false,
      });
    }
  }

  private addSkin(item: CS2Item, category: 'skin' | 'knife' | 'gloves'): void {
    if (item.baseId === undefined || item.wearMin === undefined || item.wearMax === undefined) {
      throw new CatalogDataError(`skin ${item.id} lacks its base item or float range`);
    }
    const model = this.name(item.baseId);
    const skin = this.unprefixed(item, `${model} | `);
    const star = category === 'skin' ? '' : STAR;
    const variants: { stattrak: boolean; souvenir: boolean }[] = [
      { stattrak: false, souvenir: false },
    ];
    if (category === 'knife' || (category === 'skin' && this.gunHasStatTrak(item))) {
      variants.push({ stattrak: true, souvenir: false });
    }
    if (category === 'skin' && this.drops.souvenir.has(item.id)) {
      variants.push({ stattrak: false, souvenir: true });
    }
    for (const { stattrak, souvenir } of variants) {
      const prefix = `${star}${stattrak ? STATTRAK : ''}${souvenir ? SOUVENIR : ''}`;
      for (const exterior of exteriorsFor(item.wearMin, item.wearMax)) {
        this.add(item, {
          market_hash_name: `${prefix}${model} | ${skin} (${exterior})`,
          category,
          weapon_type: model,
          skin_name: skin,
          exterior,
          stattrak,
          souvenir,
        });
      }
    }
  }

  private gunHasStatTrak(item: CS2Item): boolean {
    return item.collection === undefined
      ? item.rarity === CONTRABAND
      : this.drops.statTrakCollections.has(item.collection);
  }

  private addMusicKit(item: CS2Item): void {
    const kit = this.unprefixed(item, 'Music Kit | ');
    for (const stattrak of [false, true]) {
      this.add(item, {
        market_hash_name: `${stattrak ? STATTRAK : ''}Music Kit | ${kit}`,
        category: 'music_kit',
        weapon_type: null,
        skin_name: null,
        exterior: null,
        stattrak,
        souvenir: false,
      });
    }
  }
}

/** Every marketable item the data defines, one entry per distinct market_hash_name. */
export function buildCatalog(
  items: readonly CS2Item[],
  names: CS2ItemTranslationMap,
): CatalogEntry[] {
  return new CatalogBuilder(items, names).build();
}

/**
 * The catalog of the installed `@ianlucas/cs2-lib`. Loaded on demand (about
 * 5 MB of definitions and 6 MB of English names), and the English names
 * straight from their file: the package's `translations` entry point would
 * load all 29 languages, some 190 MB.
 */
export async function buildCatalogFromDataSet(): Promise<CatalogEntry[]> {
  const englishUrl = new URL('translations/english.mjs', import.meta.resolve('@ianlucas/cs2-lib'));
  const [{ CS2_ITEMS }, translations] = await Promise.all([
    import('@ianlucas/cs2-lib'),
    import(englishUrl.href) as Promise<{ english?: CS2ItemTranslationMap }>,
  ]);
  if (typeof translations.english !== 'object') {
    throw new CatalogDataError(`no English names in ${englishUrl.href}`);
  }
  return buildCatalog(CS2_ITEMS, translations.english);
}
