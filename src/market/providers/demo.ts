// The demo market (`source: "demo"`): simulated prices, so a machine without
// internet access still has a live market. Everything the UI shows from it is
// labelled simulated by its source.
//
// A price is a pure function of (DEMO_MARKET_SEED, item, time step), with no
// state: a restart, a second instance or a test all see the same walk. Time
// moves in steps of DEMO_STEP_MS, and a quote's observed_at is the start of
// its step, so asking twice within a step gives the same observation.
//
// - Base price: from the item's name, so a catalog looks plausible: knives and
//   gloves (★) cost hundreds of dollars, stickers and cases cents to dollars,
//   Factory New above Battle-Scarred, StatTrak™ and Souvenir above plain. Where
//   in its range an item sits is hashed from the seed and the name without
//   wear or StatTrak™, so the wears of one skin keep their order. Dollars are
//   turned into MARKET_CURRENCY at a rough, fixed rate.
// - Walk: the log-price is a sum of value-noise octaves (a hashed random value
//   at every multiple of the octave's period, smoothly interpolated between)
//   whose amplitudes grow with the square root of their period, the way a
//   random walk's spread grows with time; the longest period (about 11 hours)
//   bounds the spread, so a price wanders around its base instead of drifting
//   off. Each step moves the price by small, roughly log-normal amounts.
// - Jumps: each hour an item has a small chance of a jump of 5-25% up or down
//   at a hashed moment, fading with a 12-hour half-life; jumps older than a
//   few days are negligible and not summed.
// - Volume: a daily volume that falls with price (cases sell by the thousand,
//   knives by the handful), varying hour by hour and rising after a jump.

import type { MARKET_CURRENCIES } from '../../config/settings.js';
import { inBatches } from '../../platform/batches.js';
import { systemClock } from '../../platform/clock.js';
import { HOUR_MS } from '../../platform/time.js';
import type { PricedItem, PriceProvider, PriceQuote } from '../types.js';
import type { ProviderDeps } from './deps.js';

export const DEMO_STEP_MS = 10_000;
/** Quotes per batch: a whole catalog at once would hold the event loop for tens of milliseconds. */
export const DEMO_BATCH_SIZE = 1000;

/** Octave periods run from one step to 2^(OCTAVES-1) steps (about 11 hours). */
const OCTAVES = 13;
/** Log-price amplitude of the one-step octave; octave k has STEP_AMPLITUDE·√(2^k). */
const STEP_AMPLITUDE = 0.002;
const JUMP_CHANCE_PER_HOUR = 0.02;
const JUMP_MIN = 0.05;
const JUMP_MAX = 0.25;
const JUMP_HALF_LIFE_MS = 12 * HOUR_MS;
/** After 8 half-lives a jump is below 0.4% of its size. */
const JUMP_LOOKBACK_HOURS = 8 * 12;
/** The lowest price Steam allows, in minor units. */
const MIN_PRICE_CENTS = 3;

/** Rough units per US dollar: enough for simulated prices to look like prices in the currency. */
const UNITS_PER_USD: Readonly<Record<(typeof MARKET_CURRENCIES)[number], number>> = {
  USD: 1,
  EUR: 0.9,
  GBP: 0.8,
  RUB: 90,
  BRL: 5.5,
  CNY: 7.2,
  PLN: 4,
};

/** Streams of randomness, so the same (item, index) gives unrelated numbers for each use. */
const Stream = {
  basePosition: 1,
  walk: 2,
  jumpHappens: 3,
  jumpAt: 4,
  jumpSize: 5,
  jumpSign: 6,
  volume: 7,
  sample: 8,
} as const;

/** A 32-bit integer mix with full avalanche (Chris Wellons' lowbias32). */
function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A key naming one stream of randomness: the same inputs, the same stream. */
function streamKey(seed: number, subject: number, stream: number, lane = 0): number {
  let key = mix32(seed ^ 0x5bd1e995);
  key = mix32(key ^ subject);
  key = mix32(key ^ Math.imul(stream, 0x9e3779b9));
  return mix32(key ^ Math.imul(lane + 1, 0x85ebca6b));
}

/** The stream's uniform number in [0, 1) at an integer `index`. */
function unitAt(key: number, index: number): number {
  return mix32(key ^ mix32(index)) / 2 ** 32;
}

/** FNV-1a over UTF-16 code units: a number for a name. */
function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < name.length; index += 1) {
    hash = Math.imul(hash ^ name.charCodeAt(index), 0x01000193);
  }
  return hash >>> 0;
}

/** The stream's random values in [-1, 1] at the integers, smoothly interpolated: noise at `x`. */
function valueNoise(key: number, x: number): number {
  const left = Math.floor(x);
  const t = x - left;
  const smooth = t * t * (3 - 2 * t);
  const a = unitAt(key, left) * 2 - 1;
  const b = unitAt(key, left + 1) * 2 - 1;
  return a + (b - a) * smooth;
}

const WEAR_MULTIPLIERS: ReadonlyArray<readonly [string, number]> = [
  ['(Factory New)', 1.8],
  ['(Minimal Wear)', 1.3],
  ['(Field-Tested)', 1],
  ['(Well-Worn)', 0.85],
  ['(Battle-Scarred)', 0.7],
];

/** [lowest, highest] plausible price in cents for the kind of item a name describes. */
function priceRange(name: string): readonly [number, number] {
  if (name.startsWith('★')) return [8_000, 150_000];
  if (/^Sticker \|/.test(name)) return [3, 2_000];
  if (/^(?:Sealed Graffiti|Graffiti|Patch) \|/.test(name)) return [3, 500];
  if (/^Music Kit \|/.test(name)) return [300, 2_500];
  if (/ Key$/.test(name)) return [200, 300];
  if (!name.includes('|') && /\b(?:Case|Capsule|Package|Box)\b/.test(name)) return [3, 1_500];
  return [10, 10_000];
}

/** The item's price around which its walk wanders, in US cents (not rounded). */
export function demoBasePrice(seed: number, name: string): number {
  const wear = WEAR_MULTIPLIERS.find(([suffix]) => name.endsWith(suffix));
  const statTrak = name.includes('StatTrak™');
  const souvenir = /^Souvenir /.test(name) && wear !== undefined;
  const skin = name
    .replace('StatTrak™ ', '')
    .replace(/^Souvenir /, '')
    .replace(/ \([^)]*\)$/, '');
  const [low, high] = priceRange(skin);
  const position = unitAt(streamKey(seed, hashName(skin), Stream.basePosition), 0);
  const multiplier = (wear?.[1] ?? 1) * (statTrak ? 2.2 : 1) * (souvenir ? 2.5 : 1);
  return low * (high / low) ** position * multiplier;
}

/** Log-price change from all recent jumps, at `atMs`. */
function jumpEffect(seed: number, itemId: number, atMs: number): number {
  const hour = Math.floor(atMs / HOUR_MS);
  const happens = streamKey(seed, itemId, Stream.jumpHappens);
  let effect = 0;
  for (let bucket = hour - JUMP_LOOKBACK_HOURS; bucket <= hour; bucket += 1) {
    if (unitAt(happens, bucket) >= JUMP_CHANCE_PER_HOUR) continue;
    const jumpAt = (bucket + unitAt(streamKey(seed, itemId, Stream.jumpAt), bucket)) * HOUR_MS;
    if (jumpAt > atMs) continue;
    const sizeDraw = unitAt(streamKey(seed, itemId, Stream.jumpSize), bucket);
    const size = JUMP_MIN + (JUMP_MAX - JUMP_MIN) * sizeDraw;
    const sign = unitAt(streamKey(seed, itemId, Stream.jumpSign), bucket) < 0.5 ? -1 : 1;
    effect += sign * size * 0.5 ** ((atMs - jumpAt) / JUMP_HALF_LIFE_MS);
  }
  return effect;
}

export interface DemoProviderOptions {
  /** DEMO_MARKET_SEED. */
  readonly seed: number;
  readonly currency: keyof typeof UNITS_PER_USD;
  /** DEMO_MARKET_ITEMS: how many items trade each cycle. */
  readonly marketSize: number;
}

/**
 * The items the demo market trades: every priority item, then a sample of
 * the rest fixed by the seed, up to `marketSize`. Pricing the whole catalog
 * each cycle would write tens of thousands of rows a minute into an embedded
 * database that keeps them for a month; a fixed sample keeps each simulated
 * item's history continuous.
 */
export function demoMarket(
  seed: number,
  items: readonly PricedItem[],
  marketSize: number,
): PricedItem[] {
  const priority = items.filter((item) => item.priority);
  const sampled = new Set(
    items
      .filter((item) => !item.priority)
      .map((item) => ({ id: item.id, rank: streamKey(seed, item.id, Stream.sample) }))
      .sort((a, b) => a.rank - b.rank || a.id - b.id)
      .slice(0, Math.max(0, marketSize - priority.length))
      .map(({ id }) => id),
  );
  return [...priority, ...items.filter((item) => !item.priority && sampled.has(item.id))];
}

/** The demo quote for `item` in the step containing `atMs`. */
export function demoQuote(
  options: Pick<DemoProviderOptions, 'seed' | 'currency'>,
  item: PricedItem,
  atMs: number,
): PriceQuote {
  const { seed } = options;
  const step = Math.floor(atMs / DEMO_STEP_MS);
  const stepStartMs = step * DEMO_STEP_MS;
  let walk = 0;
  for (let octave = 0; octave < OCTAVES; octave += 1) {
    const period = 2 ** octave;
    const noise = valueNoise(streamKey(seed, item.id, Stream.walk, octave), step / period);
    walk += STEP_AMPLITUDE * Math.sqrt(period) * noise;
  }
  const jumps = jumpEffect(seed, item.id, stepStartMs);
  const base = demoBasePrice(seed, item.marketHashName);
  const price = base * UNITS_PER_USD[options.currency] * Math.exp(walk + jumps);
  const priceCents = Math.max(MIN_PRICE_CENTS, Math.round(price));

  const dailyVolume = 500 / (Math.max(base, 1) / 100) ** 0.75;
  const hourly = valueNoise(streamKey(seed, item.id, Stream.volume), stepStartMs / HOUR_MS);
  const volume = Math.round(dailyVolume * Math.exp(0.3 * hourly) * (1 + 5 * Math.abs(jumps)));

  return {
    item_id: item.id,
    source: 'demo',
    price_cents: priceCents,
    volume,
    observed_at: new Date(stepStartMs),
  };
}

export function createDemoProvider(
  options: DemoProviderOptions,
  deps: ProviderDeps = {},
): PriceProvider {
  const clock = deps.clock ?? systemClock;
  return {
    source: 'demo',
    async *fetchPrices(items, signal) {
      const now = clock.now();
      const traded = demoMarket(options.seed, items, options.marketSize);
      for (const batch of inBatches(traded, DEMO_BATCH_SIZE)) {
        if (signal.aborted) return;
        yield batch.map((item) => demoQuote(options, item, now));
      }
    },
  };
}
