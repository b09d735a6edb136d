// Providers for the ingestion tests, implementing the real PriceProvider
// interface: one that quotes every item it is given, one that fails, and one
// that hangs without ever looking at its signal.
import type {
  PricedItem,
  PriceProvider,
  PriceQuote,
  PriceSource,
} from '../../../src/market/types.js';

export interface QuotingProvider extends PriceProvider {
  /** How many times fetchPrices was called. */
  readonly calls: number;
  readonly signals: readonly AbortSignal[];
  /** Delays the next batch until the returned function is called. */
  holdNextBatch(): () => void;
}

/** Quotes every item at `priceCents`, observed at `now()`, in `batches` batches per call. */
export function quotingProvider(
  source: PriceSource,
  now: () => number,
  priceCents: number,
  batches = 1,
): QuotingProvider {
  let calls = 0;
  const signals: AbortSignal[] = [];
  let hold: Promise<void> | null = null;
  return {
    source,
    get calls() {
      return calls;
    },
    signals,
    holdNextBatch() {
      let release = () => {};
      hold = new Promise((resolve) => {
        release = resolve;
      });
      return release;
    },
    async *fetchPrices(items: readonly PricedItem[], signal: AbortSignal) {
      calls += 1;
      signals.push(signal);
      const observedAt = now();
      for (let batch = 0; batch < batches; batch += 1) {
        if (hold) {
          const waiting = hold;
          hold = null;
          await waiting;
        }
        if (signal.aborted) return;
        yield items.map(
          (item): PriceQuote => ({
            item_id: item.id,
            source,
            price_cents: priceCents,
            volume: batch,
            observed_at: new Date(observedAt + batch),
          }),
        );
      }
    },
  };
}

export function failingProvider(source: PriceSource, error: Error): PriceProvider {
  return {
    source,
    // biome-ignore lint/correctness/useYield: a source that fails before its first batch.
    async *fetchPrices() {
      throw error;
    },
  };
}

export interface HangingProvider extends PriceProvider {
  readonly signals: readonly AbortSignal[];
}

/** Never yields and never returns, whatever its signal says: the worst a source can do. */
export function hangingProvider(source: PriceSource): HangingProvider {
  const signals: AbortSignal[] = [];
  return {
    source,
    signals,
    async *fetchPrices(_items: readonly PricedItem[], signal: AbortSignal) {
      signals.push(signal);
      await new Promise(() => {});
    },
  };
}
