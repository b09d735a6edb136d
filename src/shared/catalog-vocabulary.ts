// The catalog's vocabularies: categories, wears and Steam's rarity names.
// Free of server imports, so the web app's filters offer exactly the values
// the catalog stores.

export const ITEM_CATEGORIES = [
  'skin',
  'knife',
  'gloves',
  'agent',
  'sticker',
  'patch',
  'graffiti',
  'charm',
  'music_kit',
  'container',
  'key',
  'tool',
  'collectible',
] as const;
export type ItemCategory = (typeof ITEM_CATEGORIES)[number];

/** Steam's wear names and their float ranges, [min, max). */
export const EXTERIORS = [
  { name: 'Factory New', min: 0, max: 0.07 },
  { name: 'Minimal Wear', min: 0.07, max: 0.15 },
  { name: 'Field-Tested', min: 0.15, max: 0.38 },
  { name: 'Well-Worn', min: 0.38, max: 0.45 },
  { name: 'Battle-Scarred', min: 0.45, max: 1 },
] as const;
export type Exterior = (typeof EXTERIORS)[number]['name'];

export type RarityScale = 'gun' | 'agent' | 'other';
/** Steam names a rarity colour differently for guns and knives, agents, and everything else. */
export const RARITY_NAMES: Readonly<Record<RarityScale, Readonly<Record<string, string>>>> = {
  gun: {
    '#b0c3d9': 'Consumer Grade',
    '#5e98d9': 'Industrial Grade',
    '#4b69ff': 'Mil-Spec Grade',
    '#8847ff': 'Restricted',
    '#d32ce6': 'Classified',
    '#eb4b4b': 'Covert',
    '#e4ae39': 'Contraband',
  },
  agent: {
    '#4b69ff': 'Distinguished',
    '#8847ff': 'Exceptional',
    '#d32ce6': 'Superior',
    '#eb4b4b': 'Master',
  },
  other: {
    '#ded6cc': 'Base Grade',
    '#b0c3d9': 'Base Grade',
    '#4b69ff': 'High Grade',
    '#8847ff': 'Remarkable',
    '#d32ce6': 'Exotic',
    '#eb4b4b': 'Extraordinary',
    '#e4ae39': 'Contraband',
  },
};

/** Every rarity name, each once, for a filter. */
export const RARITIES: readonly string[] = [
  ...new Set(Object.values(RARITY_NAMES).flatMap((names) => Object.values(names))),
];
