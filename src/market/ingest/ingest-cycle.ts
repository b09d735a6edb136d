// One ingestion cycle: every provider prices the items at once, and each
// batch a provider yields goes down the same flat path as soon as it arrives:
// check the quotes, write them, move the latest prices forward and publish,
// tell `onStored`. Providers share nothing but the cycle's signal, so one
// that throws ends only its own part, and one that hangs (even one that
// ignores its signal) is left behind at the deadline while the others' rows
// are already stored. A write in progress is always finished.
import { setImmediate } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Database } from '../../platform/db/index.js';
import type { Store } from '../../platform/store/index.js';
import { MINUTE_MS } from '../../platform/time.js';
import type { PricedItem, PriceProvider, PriceQuote, PriceSource, ProviderPace } from '../types.js';
import { updateLatestPrices } from './latest-prices.js';
import { type StoredChange, writePrices } from './write-prices.js';

export type OnStored = (changed: readonly StoredChange[]) => void | Promise<void>;

export interface CycleOptions {
  readonly database: Database;
  readonly store: Store;
  readonly logger: Logger;
  readonly providers: readonly PriceProvider[];
  readonly items: readonly PricedItem[];
  /** Aborts at the cycle deadline, on shutdown, or when leadership ends. */
  readonly signal: AbortSignal;
  /** Asked before each write; false stops the cycle without writing. */
  readonly isLeading: () => boolean;
  readonly now: () => number;
  /** Quotes observed longer ago than this are dropped: retention would delete them unrolled. */
  readonly rawRetentionMs: number;
  readonly onStored: OnStored;
}

export interface ProviderOutcome {
  readonly source: PriceSource;
  readonly batches: number;
  readonly quotes: number;
  /** Quotes dropped as malformed, for another source or item, or out of time. */
  readonly rejected: number;
  /** Rows that were new to the prices table. */
  readonly inserted: number;
  /** The items whose quotes were stored (new rows or not). */
  readonly pricedItemIds: ReadonlySet<number>;
  /** From the provider's start until it finished, failed or was left behind. */
  readonly durationMs: number;
  /** The provider's pace after the cycle, for one that adapts it. */
  readonly pace: ProviderPace | null;
  /** The provider was still running when the cycle's signal aborted, and was left behind. */
  readonly cutOff: boolean;
  readonly failure: { readonly stage: 'fetch' | 'write'; readonly error: unknown } | null;
}

type MutableOutcome = { -readonly [K in keyof ProviderOutcome]: ProviderOutcome[K] } & {
  readonly pricedItemIds: Set<number>;
};

/** How far ahead of our clock a source's timestamp may be before it is refused as bogus. */
const FUTURE_TOLERANCE_MS = 5 * MINUTE_MS;
/** volume and listings are `integer` columns. */
const MAX_INT4 = 2_147_483_647;

const ABORTED = Symbol('aborted');

/** Settles like `promise`, or with ABORTED as soon as `signal` aborts, whichever is first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

const isCount = (value: number | undefined) =>
  value === undefined || (Number.isSafeInteger(value) && value >= 0 && value <= MAX_INT4);

interface Admission {
  readonly source: PriceSource;
  readonly itemIds: ReadonlySet<number>;
  readonly earliestMs: number;
  readonly latestMs: number;
}

function admissionAt(
  source: PriceSource,
  itemIds: ReadonlySet<number>,
  options: CycleOptions,
): Admission {
  const now = options.now();
  return {
    source,
    itemIds,
    earliestMs: now - options.rawRetentionMs,
    latestMs: now + FUTURE_TOLERANCE_MS,
  };
}

/**
 * A quote the database would refuse would fail its whole batch, and one from
 * the future would pin the latest price; both are dropped here instead.
 */
function isAdmissible(quote: PriceQuote, admission: Admission): boolean {
  const observedMs = quote.observed_at instanceof Date ? quote.observed_at.getTime() : Number.NaN;
  return (
    quote.source === admission.source &&
    admission.itemIds.has(quote.item_id) &&
    Number.isSafeInteger(quote.price_cents) &&
    quote.price_cents >= 0 &&
    isCount(quote.volume) &&
    isCount(quote.listings) &&
    observedMs >= admission.earliestMs &&
    observedMs <= admission.latestMs
  );
}

async function storeBatch(
  batch: readonly PriceQuote[],
  itemIds: ReadonlySet<number>,
  options: CycleOptions,
  outcome: MutableOutcome,
): Promise<void> {
  const { logger } = options;
  const source = outcome.source;
  const admission = admissionAt(source, itemIds, options);
  const accepted = batch.filter((quote) => isAdmissible(quote, admission));
  outcome.batches += 1;
  outcome.quotes += batch.length;
  outcome.rejected += batch.length - accepted.length;
  if (accepted.length < batch.length) {
    logger.warn({ source, rejected: batch.length - accepted.length }, 'dropped unusable quotes');
  }
  if (accepted.length === 0) return;
  const written = await writePrices(options.database, accepted);
  outcome.inserted += written.inserted;
  for (const quote of accepted) outcome.pricedItemIds.add(quote.item_id);
  try {
    await updateLatestPrices(options.store, accepted);
  } catch (error) {
    logger.warn(
      { err: error, source },
      'could not update latest prices; the rows are stored and the next batch corrects them',
    );
  }
  if (written.changed.length === 0) return;
  try {
    await options.onStored(written.changed);
  } catch (error) {
    logger.error({ err: error, source }, 'onStored failed');
  }
}

async function ingestFrom(
  provider: PriceProvider,
  itemIds: ReadonlySet<number>,
  options: CycleOptions,
): Promise<ProviderOutcome> {
  const outcome: MutableOutcome = {
    source: provider.source,
    batches: 0,
    quotes: 0,
    rejected: 0,
    inserted: 0,
    pricedItemIds: new Set(),
    durationMs: 0,
    pace: null,
    cutOff: false,
    failure: null,
  };
  const startedMs = options.now();
  // The provider's own signal: also aborted when this provider's part ends
  // early, so a source that failed or was left behind stops its requests.
  const own = new AbortController();
  const abortOwn = () => own.abort(options.signal.reason);
  if (options.signal.aborted) abortOwn();
  else options.signal.addEventListener('abort', abortOwn, { once: true });
  let batches: AsyncIterator<readonly PriceQuote[]> | undefined;
  let stage: 'fetch' | 'write' = 'fetch';
  let finished = false;
  try {
    batches = provider.fetchPrices(options.items, own.signal)[Symbol.asyncIterator]();
    for (;;) {
      stage = 'fetch';
      const next = await untilAborted(batches.next(), own.signal);
      if (next === ABORTED) {
        outcome.cutOff = true;
        break;
      }
      if (next.done) {
        finished = true;
        break;
      }
      if (!options.isLeading()) break;
      stage = 'write';
      await storeBatch(next.value, itemIds, options, outcome);
      // PGlite runs each query on this thread and settles it without leaving
      // the microtask queue, so a provider with batches ready could write them
      // all without timers (this cycle's deadline) or requests getting a turn.
      await setImmediate();
    }
  } catch (error) {
    finished = true;
    outcome.failure = { stage, error };
    options.logger.error({ err: error, source: provider.source, stage }, 'price provider failed');
  } finally {
    options.signal.removeEventListener('abort', abortOwn);
    own.abort();
    // Lets a provider that stopped between batches run its cleanup; one that
    // hangs inside a batch is not waited for.
    if (!finished) batches?.return?.().catch(() => {});
  }
  outcome.durationMs = options.now() - startedMs;
  outcome.pace = provider.pace?.() ?? null;
  return outcome;
}

/** Runs every provider over `options.items` until each is done or the signal aborts. */
export async function runIngestCycle(options: CycleOptions): Promise<ProviderOutcome[]> {
  const itemIds = new Set(options.items.map((item) => item.id));
  return Promise.all(options.providers.map((provider) => ingestFrom(provider, itemIds, options)));
}
