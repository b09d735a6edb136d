// What the provider tests share: a clock that moves only when told (sleeping
// moves it at once), and draining a provider's cycle.

import type { PriceQuote } from '../../../src/market/types.js';
import type { Clock } from '../../../src/platform/clock.js';

export const START_MS = Date.parse('2025-06-01T12:00:00Z');

export class InstantClock implements Clock {
  time: number;
  readonly sleeps: number[] = [];

  constructor(time = START_MS) {
    this.time = time;
  }

  now(): number {
    return this.time;
  }

  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.sleeps.push(ms);
    this.time += ms;
  }
}

/** Every quote of one cycle, in order. */
export async function collect(cycle: AsyncIterable<readonly PriceQuote[]>): Promise<PriceQuote[]> {
  const quotes: PriceQuote[] = [];
  for await (const batch of cycle) quotes.push(...batch);
  return quotes;
}

export function recordingLog() {
  const lines: { details: Record<string, unknown>; message: string }[] = [];
  return {
    lines,
    warn(details: Record<string, unknown>, message: string) {
      lines.push({ details, message });
    },
  };
}
