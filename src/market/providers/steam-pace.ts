// How fast the Steam provider asks, learned from Steam's answers. Steam
// publishes no limit for priceoverview; it answers 429, without Retry-After,
// once a client passes a number of requests in a minute that users put at 15
// to 20 and that varies. So the pace adapts, additive increase and
// multiplicative decrease, counted in requests a minute like the limit:
//
// - A 429 halves the pace, once per episode: the 429s that follow before
//   Steam answers again are the same refusal, and only lengthen the wait
//   (the provider's backoff).
// - After a quiet period (no 429, and at least a minute's worth of answers at
//   the current pace, so the pace was tried against a whole sliding minute)
//   the pace grows by one request a minute, never past the configured floor
//   interval.
// - A pace that was refused is not tried again for an hour: the pace creeps
//   up to one step below it and holds there, so a steady limit costs one 429
//   an hour rather than one every few quiet periods. After the hour it creeps
//   on, which is how a lifted limit is found again.
import { HOUR_MS, MINUTE_MS } from '../../platform/time.js';
import type { ProviderPace } from '../types.js';

/** How long the pace must hold without a 429 before it grows a step. */
export const PACE_QUIET_MS = 5 * MINUTE_MS;
/** How much the pace grows per quiet period, in requests a minute. */
export const PACE_STEP_PER_MINUTE = 1;
/** How long a refused pace stays out of reach. */
export const PACE_REFUSED_MEMORY_MS = HOUR_MS;
/**
 * The slowest the pace goes on its own: fewer than one request a minute is a
 * block rather than a rate limit, and the backoff waits those out.
 */
export const PACE_SLOWEST_INTERVAL_MS = MINUTE_MS;

export interface SteamPace {
  /** Time between the starts of two requests now. */
  intervalMs(): number;
  /** Steam answered 429 at `atMs`. */
  refused(atMs: number): void;
  /** Steam answered a request (anything but a 429) at `atMs`. */
  answered(atMs: number): void;
  /** Starts counting the 429s of a new cycle. */
  startCycle(): void;
  snapshot(): ProviderPace;
}

const perMinute = (intervalMs: number) => MINUTE_MS / intervalMs;

export function createSteamPace(floorMs: number): SteamPace {
  const fastest = perMinute(floorMs);
  const slowest = Math.min(fastest, perMinute(PACE_SLOWEST_INTERVAL_MS));
  let rate = fastest;
  /** Requests a minute the pace may not pass before `ceilingUntil`; null when free. */
  let ceiling: number | null = null;
  let ceilingUntil = Number.NEGATIVE_INFINITY;
  let changedAt = Number.NEGATIVE_INFINITY;
  let answersSinceChange = 0;
  /** Whether the last answer was a 429: later 429s belong to the same episode. */
  let inEpisode = false;
  let rateLimitedThisCycle = 0;
  let lastRateLimitedAt: number | null = null;

  // Rounded up, so rounding never makes the pace faster than intended.
  const intervalMs = () => Math.ceil(MINUTE_MS / rate);

  return {
    intervalMs,
    refused(atMs) {
      rateLimitedThisCycle += 1;
      lastRateLimitedAt = atMs;
      if (inEpisode) return;
      inEpisode = true;
      ceiling = Math.max(slowest, rate - PACE_STEP_PER_MINUTE);
      ceilingUntil = atMs + PACE_REFUSED_MEMORY_MS;
      rate = Math.max(slowest, rate / 2);
      changedAt = atMs;
      answersSinceChange = 0;
    },
    answered(atMs) {
      inEpisode = false;
      answersSinceChange += 1;
      if (atMs - changedAt < PACE_QUIET_MS || answersSinceChange < Math.ceil(rate)) return;
      if (atMs >= ceilingUntil) ceiling = null;
      const next = Math.min(fastest, ceiling ?? fastest, rate + PACE_STEP_PER_MINUTE);
      if (next <= rate) return;
      rate = next;
      changedAt = atMs;
      answersSinceChange = 0;
    },
    startCycle() {
      rateLimitedThisCycle = 0;
    },
    snapshot() {
      return {
        intervalMs: intervalMs(),
        floorMs,
        rateLimitedLastCycle: rateLimitedThisCycle,
        lastRateLimitedAt,
      };
    },
  };
}
