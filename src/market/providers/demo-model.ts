// The demo market's model: what a simulated item costs, how much of it trades
// and when its price moves, each a pure function of (DEMO_MARKET_SEED, item,
// time step) with no state, so a restart, a second instance, the live
// provider and the backfill all see the same market. docs/market-data.md
// ("The demo market") describes it with its tables and figures.
//
// - Level: a median price and a log-normal spread for the item's category and
//   rarity, times factors for its exterior, StatTrak™, Souvenir and model.
//   Where in the spread an item sits is hashed from the seed and the skin's
//   name without wear, StatTrak™ or Souvenir, so the wears of one skin keep
//   their order; it is cut at MAX_DEVIATIONS so every price stays in range.
// - Volume: units sold a day, falling as the level rises, times a turnover
//   for the category and a hashed spread per item.
// - Ticks: the price moves only at an item's ticks. The money it trades a day
//   (level times volume) sets how many, steeply, and never more than a few
//   per unit sold: the most traded items tick every step, the least traded
//   about once a week. Time is cut into windows of
//   the item's tick period, each holding one tick at a hashed step, so the
//   latest tick before any moment, and the ticks of any span, are found
//   without walking through time.
// - Walk: the log-price is a sum of value-noise octaves (a hashed random value
//   at every multiple of the octave's period, smoothly interpolated between)
//   whose amplitudes grow with the square root of their period, as a random
//   walk's spread grows with time; the longest period bounds the spread, so a
//   price wanders around its level instead of drifting off. Each hour an item
//   has a small chance of a jump, fading with a half-life.
import type { MARKET_CURRENCIES } from '../../config/settings.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../platform/time.js';
import type { PricedItem, PriceQuote } from '../types.js';

/** The demo market's clock: a tick's observed_at is the start of its step. */
export const DEMO_STEP_MS = MINUTE_MS;
export const STEPS_PER_DAY = DAY_MS / DEMO_STEP_MS;
const STEPS_PER_HOUR = HOUR_MS / DEMO_STEP_MS;

/** A level's spread is cut this many standard deviations from its median. */
export const MAX_DEVIATIONS = 3;

/** Octave periods run from one step to 2^(OCTAVES-1) steps (between five and six days). */
const OCTAVES = 14;
/** Log-price amplitude of the one-step octave; octave k has STEP_AMPLITUDE·√(2^k). */
const STEP_AMPLITUDE = 0.0015;
const JUMP_CHANCE_PER_HOUR = 0.02;
const JUMP_MIN = 0.05;
const JUMP_MAX = 0.25;
const JUMP_HALF_LIFE_MS = 12 * HOUR_MS;
/** After 8 half-lives a jump is below 0.4% of its size. */
const JUMP_LOOKBACK_HOURS = 8 * 12;
/** The lowest price Steam allows, in minor units. */
export const MIN_PRICE_CENTS = 3;

/** Units sold a day by an item whose level is one dollar, before its category's turnover. */
export const VOLUME_AT_ONE_DOLLAR = 400;
/** Volume ∝ level^(−VOLUME_ELASTICITY): dearer items sell fewer units but more dollars. */
export const VOLUME_ELASTICITY = 0.75;
/** Spread of an item's volume around its category's line, in log units. */
const VOLUME_SIGMA = 1;
/** An item that trades this many US dollars a day or more ticks every step. */
export const USD_TRADED_FOR_EVERY_STEP = 35_000;
/** Ticks a day fall as the traded value's power: halving it divides them by 2^LIQUIDITY_EXPONENT. */
export const LIQUIDITY_EXPONENT = 3;
/** At most this many ticks per unit sold: listings come and go between sales, but not every minute. */
export const TICKS_PER_SALE = 4;
/** The longest an item goes without a tick, in steps (a week). */
export const MAX_TICK_PERIOD_STEPS = 7 * STEPS_PER_DAY;

/** Rough units per US dollar: enough for simulated prices to look like prices in the currency. */
export const UNITS_PER_USD: Readonly<Record<(typeof MARKET_CURRENCIES)[number], number>> = {
  USD: 1,
  EUR: 0.9,
  GBP: 0.8,
  RUB: 90,
  BRL: 5.5,
  CNY: 7.2,
  PLN: 4,
};

export interface PriceLevel {
  /** Median level in US cents. */
  readonly medianCents: number;
  /** Standard deviation of the log-price across items of the group. */
  readonly sigma: number;
}

const level = (medianCents: number, sigma: number): PriceLevel => ({ medianCents, sigma });

/**
 * Levels by category, then by rarity (`*`: any other rarity). Before
 * exterior, StatTrak™, Souvenir and model factors.
 */
export const DEMO_PRICE_LEVELS: Readonly<Record<string, Readonly<Record<string, PriceLevel>>>> = {
  knife: { '*': level(25_000, 0.45) },
  gloves: { '*': level(18_000, 0.5) },
  skin: {
    Contraband: level(150_000, 0.4),
    Covert: level(2_500, 0.8),
    Classified: level(600, 0.8),
    Restricted: level(150, 0.8),
    'Mil-Spec Grade': level(30, 0.8),
    'Industrial Grade': level(10, 0.8),
    'Consumer Grade': level(5, 0.7),
    '*': level(100, 1),
  },
  agent: {
    Master: level(1_800, 0.5),
    Superior: level(700, 0.5),
    Exceptional: level(300, 0.5),
    Distinguished: level(120, 0.5),
    '*': level(300, 0.8),
  },
  sticker: {
    Contraband: level(150_000, 0.3),
    Extraordinary: level(400, 0.9),
    Exotic: level(120, 0.9),
    Remarkable: level(25, 0.8),
    'High Grade': level(6, 0.7),
    '*': level(5, 0.5),
  },
  patch: {
    Exotic: level(400, 0.6),
    Remarkable: level(150, 0.6),
    '*': level(60, 0.5),
  },
  graffiti: {
    Exotic: level(100, 0.6),
    Remarkable: level(30, 0.6),
    'High Grade': level(8, 0.6),
    '*': level(4, 0.5),
  },
  charm: {
    Contraband: level(20_000, 0.3),
    Extraordinary: level(1_200, 0.8),
    Exotic: level(350, 0.8),
    Remarkable: level(120, 0.7),
    '*': level(40, 0.6),
  },
  music_kit: { '*': level(350, 0.4) },
  container: { '*': level(60, 1.2) },
  key: { '*': level(249, 0.05) },
  tool: { '*': level(190, 0.15) },
  collectible: {
    Extraordinary: level(4_000, 0.4),
    Exotic: level(2_000, 0.4),
    Remarkable: level(1_200, 0.4),
    '*': level(800, 0.4),
  },
};

/** An item of a category the table does not know. */
export const FALLBACK_LEVEL = level(100, 1);

export const EXTERIOR_FACTORS: Readonly<Record<string, number>> = {
  'Factory New': 1.8,
  'Minimal Wear': 1.3,
  'Field-Tested': 1,
  'Well-Worn': 0.85,
  'Battle-Scarred': 0.7,
};

/** StatTrak™ by category: a StatTrak™ gun skin costs about twice as much, a knife a little more. */
export const STATTRAK_FACTORS: Readonly<Record<string, number>> = {
  skin: 2.2,
  knife: 1.15,
  music_kit: 2.2,
};
export const SOUVENIR_FACTOR = 2.5;

/** Models that sell above or below their category's line; others are at 1. */
export const MODEL_FACTORS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  knife: {
    Karambit: 2,
    'Butterfly Knife': 2,
    'M9 Bayonet': 1.5,
    'Skeleton Knife': 1.5,
    'Talon Knife': 1.4,
    Bayonet: 1.2,
    'Shadow Daggers': 0.6,
    'Gut Knife': 0.6,
    'Navaja Knife': 0.6,
    'Falchion Knife': 0.7,
  },
  gloves: {
    'Sport Gloves': 2,
    'Specialist Gloves': 1.4,
    'Hydra Gloves': 0.7,
    'Broken Fang Gloves': 0.7,
  },
  skin: {
    'AK-47': 1.5,
    AWP: 1.5,
    M4A4: 1.4,
    'M4A1-S': 1.4,
    'Desert Eagle': 1.2,
    'USP-S': 1.2,
    'Glock-18': 1.2,
  },
};

/** Volume multiplier by category: cases sell by the hundred thousand, stickers by the handful. */
export const CATEGORY_TURNOVER: Readonly<Record<string, number>> = {
  container: 15,
  key: 10,
  tool: 5,
  skin: 1,
  knife: 1,
  gloves: 1,
  agent: 0.5,
  music_kit: 0.3,
  charm: 0.3,
  sticker: 0.2,
  patch: 0.2,
  graffiti: 0.2,
  collectible: 0.2,
};

/** How far a category's prices wander, as a share of the walk: keys cost what Valve asks. */
const CATEGORY_VOLATILITY: Readonly<Record<string, number>> = { key: 0.05, tool: 0.2 };

/** Streams of randomness, so the same (subject, index) gives unrelated numbers for each use. */
const Stream = {
  basePosition: 1,
  walk: 2,
  jumpHappens: 3,
  jumpAt: 4,
  jumpSize: 5,
  jumpSign: 6,
  volume: 7,
  volumePosition: 8,
  tick: 9,
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

/** A standard normal number from the stream (Box–Muller), cut at ±MAX_DEVIATIONS. */
function normalAt(key: number): number {
  const u = 1 - unitAt(key, 0);
  const v = unitAt(key, 1);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.max(-MAX_DEVIATIONS, Math.min(MAX_DEVIATIONS, z));
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

/** What the model needs of an item: its id and its catalog attributes. */
export type DemoItem = Omit<PricedItem, 'priority'>;

/**
 * The name shared by every variant of one skin: its wears, StatTrak™ and
 * Souvenir. Other items have one name, StatTrak™ music kits aside.
 */
export function skinFamily(item: DemoItem): string {
  if (item.weaponType !== null && item.exterior !== null) {
    return `${item.category}|${item.weaponType}|${item.skinName ?? ''}`;
  }
  return `${item.category}|${item.marketHashName.replace('StatTrak™ ', '')}`;
}

export function priceLevel(item: Pick<DemoItem, 'category' | 'rarity'>): PriceLevel {
  const levels = DEMO_PRICE_LEVELS[item.category];
  if (!levels) return FALLBACK_LEVEL;
  return levels[item.rarity ?? '*'] ?? levels['*'] ?? FALLBACK_LEVEL;
}

/** The product of the exterior, StatTrak™, Souvenir and model factors of `item`. */
export function levelFactor(item: DemoItem): number {
  const exterior = item.exterior === null ? 1 : (EXTERIOR_FACTORS[item.exterior] ?? 1);
  const statTrak = item.stattrak ? (STATTRAK_FACTORS[item.category] ?? 1) : 1;
  const souvenir = item.souvenir ? SOUVENIR_FACTOR : 1;
  const model =
    item.weaponType === null ? 1 : (MODEL_FACTORS[item.category]?.[item.weaponType] ?? 1);
  return exterior * statTrak * souvenir * model;
}

/** Everything about an item that does not change with time. */
export interface DemoItemModel {
  readonly itemId: number;
  /** The level its walk wanders around, in US cents (not rounded). */
  readonly levelCents: number;
  /** Units sold a day, on average. */
  readonly dailyVolume: number;
  /** Steps between two ticks, on average: one tick in each window of this many steps. */
  readonly tickPeriodSteps: number;
  /** The share of the walk's amplitude its price moves by. */
  readonly volatility: number;
  readonly walkKeys: readonly number[];
  readonly tickKey: number;
  readonly volumeKey: number;
  readonly jumpKeys: {
    readonly happens: number;
    readonly at: number;
    readonly size: number;
    readonly sign: number;
  };
}

export function demoItemModel(seed: number, item: DemoItem): DemoItemModel {
  const { medianCents, sigma } = priceLevel(item);
  const position = normalAt(streamKey(seed, hashName(skinFamily(item)), Stream.basePosition));
  const levelCents = medianCents * Math.exp(sigma * position) * levelFactor(item);
  const turnover = CATEGORY_TURNOVER[item.category] ?? 1;
  const volumePosition = normalAt(streamKey(seed, item.id, Stream.volumePosition));
  const dailyVolume =
    VOLUME_AT_ONE_DOLLAR *
    (levelCents / 100) ** -VOLUME_ELASTICITY *
    turnover *
    Math.exp(VOLUME_SIGMA * volumePosition);
  const tradedUsd = (levelCents / 100) * dailyVolume;
  const ticksPerDay = Math.min(
    STEPS_PER_DAY * (tradedUsd / USD_TRADED_FOR_EVERY_STEP) ** LIQUIDITY_EXPONENT,
    TICKS_PER_SALE * dailyVolume,
  );
  const tickPeriodSteps = Math.max(
    1,
    Math.min(MAX_TICK_PERIOD_STEPS, Math.round(STEPS_PER_DAY / ticksPerDay)),
  );
  return {
    itemId: item.id,
    levelCents,
    dailyVolume,
    tickPeriodSteps,
    volatility: CATEGORY_VOLATILITY[item.category] ?? 1,
    walkKeys: Array.from({ length: OCTAVES }, (_, octave) =>
      streamKey(seed, item.id, Stream.walk, octave),
    ),
    tickKey: streamKey(seed, item.id, Stream.tick),
    volumeKey: streamKey(seed, item.id, Stream.volume),
    jumpKeys: {
      happens: streamKey(seed, item.id, Stream.jumpHappens),
      at: streamKey(seed, item.id, Stream.jumpAt),
      size: streamKey(seed, item.id, Stream.jumpSize),
      sign: streamKey(seed, item.id, Stream.jumpSign),
    },
  };
}

/** The step of the item's tick in window `window` (steps [window·T, (window+1)·T)). */
function tickInWindow(model: DemoItemModel, window: number): number {
  const period = model.tickPeriodSteps;
  return window * period + Math.floor(unitAt(model.tickKey, window) * period);
}

/** The step of the item's latest tick at or before `step`. */
export function latestTickStep(model: DemoItemModel, step: number): number {
  const window = Math.floor(step / model.tickPeriodSteps);
  const tick = tickInWindow(model, window);
  return tick <= step ? tick : tickInWindow(model, window - 1);
}

/** The steps of the item's ticks after `afterStep` up to `untilStep`, in order. */
export function tickSteps(model: DemoItemModel, afterStep: number, untilStep: number): number[] {
  const steps: number[] = [];
  const last = Math.floor(untilStep / model.tickPeriodSteps);
  for (let window = Math.floor((afterStep + 1) / model.tickPeriodSteps); window <= last; window++) {
    const tick = tickInWindow(model, window);
    if (tick > afterStep && tick <= untilStep) steps.push(tick);
  }
  return steps;
}

/** Log-price change from all recent jumps, at `atMs`. */
function jumpEffect(model: DemoItemModel, atMs: number): number {
  const hour = Math.floor(atMs / HOUR_MS);
  const keys = model.jumpKeys;
  let effect = 0;
  for (let bucket = hour - JUMP_LOOKBACK_HOURS; bucket <= hour; bucket += 1) {
    if (unitAt(keys.happens, bucket) >= JUMP_CHANCE_PER_HOUR) continue;
    const jumpAt = (bucket + unitAt(keys.at, bucket)) * HOUR_MS;
    if (jumpAt > atMs) continue;
    const size = JUMP_MIN + (JUMP_MAX - JUMP_MIN) * unitAt(keys.size, bucket);
    const sign = unitAt(keys.sign, bucket) < 0.5 ? -1 : 1;
    effect += sign * size * 0.5 ** ((atMs - jumpAt) / JUMP_HALF_LIFE_MS);
  }
  return effect;
}

export interface DemoQuoteOptions {
  /** DEMO_MARKET_SEED. */
  readonly seed: number;
  readonly currency: keyof typeof UNITS_PER_USD;
}

/** The item's price and volume in step `step`, whether or not it ticks then. */
export function quoteAtStep(
  options: DemoQuoteOptions,
  model: DemoItemModel,
  step: number,
): PriceQuote {
  const stepStartMs = step * DEMO_STEP_MS;
  let walk = 0;
  for (let octave = 0; octave < OCTAVES; octave += 1) {
    const period = 2 ** octave;
    const noise = valueNoise(model.walkKeys[octave] ?? 0, step / period);
    walk += STEP_AMPLITUDE * Math.sqrt(period) * noise;
  }
  const jumps = jumpEffect(model, stepStartMs);
  const logMove = model.volatility * (walk + jumps);
  const price = model.levelCents * UNITS_PER_USD[options.currency] * Math.exp(logMove);
  const hourly = valueNoise(model.volumeKey, step / STEPS_PER_HOUR);
  const volume = model.dailyVolume * Math.exp(0.3 * hourly) * (1 + 5 * Math.abs(jumps));
  return {
    item_id: model.itemId,
    source: 'demo',
    price_cents: Math.max(MIN_PRICE_CENTS, Math.round(price)),
    volume: Math.round(volume),
    observed_at: new Date(stepStartMs),
  };
}

/** The step containing `atMs`. */
export const stepAt = (atMs: number): number => Math.floor(atMs / DEMO_STEP_MS);

/** Rows a day the demo market adds to each table, over a long span. */
export interface DemoRowsPerDay {
  readonly prices: number;
  readonly hourlyRollups: number;
  readonly dailyRollups: number;
}

/**
 * What the demo market writes a day for `models`: each tick is a price row
 * (a window of the tick period holds exactly one, so this is exact), and an
 * hour or a day with at least one tick is a rollup row (counted as at most
 * one per tick, so an upper bound).
 */
export function demoRowsPerDay(models: readonly DemoItemModel[]): DemoRowsPerDay {
  let prices = 0;
  let hourlyRollups = 0;
  let dailyRollups = 0;
  for (const { tickPeriodSteps } of models) {
    const ticks = STEPS_PER_DAY / tickPeriodSteps;
    prices += ticks;
    hourlyRollups += Math.min(24, ticks);
    dailyRollups += Math.min(1, ticks);
  }
  return { prices, hourlyRollups, dailyRollups };
}
