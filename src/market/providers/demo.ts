// The demo market (`source: "demo"`): simulated prices, so a machine without
// internet access still has a live market. Everything the UI shows from it is
// labelled simulated by its source. What an item costs and when its price
// moves is the model's (demo-model.ts), a pure function of the seed, the item
// and the time step; this provider only asks it, each cycle, for the ticks
// since its previous cycle.
import { setImmediate } from 'node:timers/promises';
import { inBatches } from '../../platform/batches.js';
import { systemClock } from '../../platform/clock.js';
import type { PricedItem, PriceProvider, PriceQuote } from '../types.js';
import {
  type DemoItem,
  type DemoItemModel,
  type DemoQuoteOptions,
  demoItemModel,
  quoteAtStep,
  stepAt,
  tickSteps,
} from './demo-model.js';
import type { ProviderDeps } from './deps.js';

/** Items looked at per batch: a whole catalog at once would hold the event loop for tens of milliseconds. */
export const DEMO_BATCH_SIZE = 1000;

export interface DemoProviderOptions extends DemoQuoteOptions {
  /** INGEST_INTERVAL_SECONDS: how far back the first cycle looks for ticks. */
  readonly intervalMs: number;
}

const sameItem = (a: DemoItem, b: DemoItem) =>
  a.marketHashName === b.marketHashName &&
  a.category === b.category &&
  a.weaponType === b.weaponType &&
  a.skinName === b.skinName &&
  a.exterior === b.exterior &&
  a.rarity === b.rarity &&
  a.stattrak === b.stattrak &&
  a.souvenir === b.souvenir;

/** Item models by id, built once per item: a model hashes names and derives a dozen keys. */
export class DemoModels {
  private readonly models = new Map<number, { item: DemoItem; model: DemoItemModel }>();

  constructor(private readonly seed: number) {}

  of(item: DemoItem): DemoItemModel {
    const held = this.models.get(item.id);
    if (held && sameItem(held.item, item)) return held.model;
    const model = demoItemModel(this.seed, item);
    this.models.set(item.id, { item, model });
    return model;
  }
}

/** The quotes of every tick of `items` after step `afterStep` up to `untilStep`, oldest first per item. */
export function demoTicks(
  options: DemoQuoteOptions,
  models: DemoModels,
  items: readonly PricedItem[],
  afterStep: number,
  untilStep: number,
): PriceQuote[] {
  const quotes: PriceQuote[] = [];
  for (const item of items) {
    const model = models.of(item);
    for (const step of tickSteps(model, afterStep, untilStep)) {
      quotes.push(quoteAtStep(options, model, step));
    }
  }
  return quotes;
}

/**
 * How many ingestion intervals a call looks back at most. Without a cap, a
 * process that leads again after a while would recompute every tick since it
 * last led (the new term's backfill has stored them), and a window too large
 * to finish by the cycle deadline would abort every cycle after it.
 */
export const DEMO_MAX_LOOKBACK_INTERVALS = 5;

/**
 * Each call yields the ticks since the previous call that finished (the
 * first looks back one ingestion interval), so the rows stored are the
 * model's ticks whatever the interval or the cycles' timing. A call that is
 * aborted leaves its window to the next one; rows it stored are skipped then.
 * No call looks back further than DEMO_MAX_LOOKBACK_INTERVALS intervals.
 */
export function createDemoProvider(
  options: DemoProviderOptions,
  deps: ProviderDeps = {},
): PriceProvider {
  const clock = deps.clock ?? systemClock;
  const models = new DemoModels(options.seed);
  /** Every tick up to this moment has been yielded by a call that finished. */
  let yieldedUntilMs: number | null = null;
  return {
    source: 'demo',
    async *fetchPrices(items, signal) {
      const nowMs = clock.now();
      yieldedUntilMs ??= nowMs - options.intervalMs;
      const earliestMs = nowMs - DEMO_MAX_LOOKBACK_INTERVALS * options.intervalMs;
      const afterStep = stepAt(Math.max(yieldedUntilMs, earliestMs));
      const untilStep = stepAt(nowMs);
      for (const batch of inBatches(items, DEMO_BATCH_SIZE)) {
        if (signal.aborted) return;
        const quotes = demoTicks(options, models, batch, afterStep, untilStep);
        if (quotes.length > 0) yield quotes;
        else await setImmediate();
      }
      yieldedUntilMs = nowMs;
    },
  };
}
