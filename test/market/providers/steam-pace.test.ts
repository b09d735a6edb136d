// The rules of the Steam provider's pace, one at a time, on hand-picked
// times: how it slows down on 429, when it creeps back, and its bounds.
// test/market/providers/steam.test.ts runs it against a rate-limited stand-in.
import { describe, expect, it } from 'vitest';
import {
  createSteamPace,
  PACE_QUIET_MS,
  PACE_REFUSED_MEMORY_MS,
  PACE_SLOWEST_INTERVAL_MS,
  type SteamPace,
} from '../../../src/market/providers/steam-pace.js';
import { MINUTE_MS } from '../../../src/platform/time.js';

/** 15 requests a minute. */
const FLOOR_MS = 4000;

/** Answers at the current pace from `fromMs` for `forMs`; returns when the last one came. */
function answerFor(pace: SteamPace, fromMs: number, forMs: number): number {
  let at = fromMs;
  while (at + pace.intervalMs() <= fromMs + forMs) {
    at += pace.intervalMs();
    pace.answered(at);
  }
  return at;
}

describe('Steam pace', () => {
  it('starts at the configured floor', () => {
    expect(createSteamPace(FLOOR_MS).snapshot()).toEqual({
      intervalMs: FLOOR_MS,
      floorMs: FLOOR_MS,
      rateLimitedLastCycle: 0,
      lastRateLimitedAt: null,
    });
  });

  it('halves on a 429, once for all the 429s that come before the next answer', () => {
    const pace = createSteamPace(FLOOR_MS);
    pace.refused(1000);
    pace.refused(31_000);
    pace.refused(91_000);
    expect(pace.snapshot()).toMatchObject({
      intervalMs: 2 * FLOOR_MS,
      rateLimitedLastCycle: 3,
      lastRateLimitedAt: 91_000,
    });
    pace.answered(100_000);
    pace.refused(108_000);
    expect(pace.intervalMs()).toBe(4 * FLOOR_MS);
  });

  it('grows by one request a minute after a quiet period with a minute of answers, and never past the floor', () => {
    const pace = createSteamPace(FLOOR_MS);
    pace.refused(0);
    // 7.5 a minute: a quiet period without answers is not enough.
    pace.answered(PACE_QUIET_MS);
    expect(pace.intervalMs()).toBe(8000);
    const quiet = answerFor(pace, PACE_QUIET_MS, MINUTE_MS);
    expect(pace.intervalMs()).toBe(Math.ceil(MINUTE_MS / 8.5));
    // Each later step needs a quiet period of its own.
    answerFor(pace, quiet, PACE_QUIET_MS - MINUTE_MS);
    expect(pace.intervalMs()).toBe(Math.ceil(MINUTE_MS / 8.5));
    answerFor(pace, quiet, PACE_REFUSED_MEMORY_MS + 10 * PACE_QUIET_MS);
    expect(pace.intervalMs()).toBe(FLOOR_MS);
  });

  it('holds one step below a refused pace for an hour, then creeps on', () => {
    const pace = createSteamPace(FLOOR_MS);
    pace.refused(0);
    // Refused at 15 a minute: it climbs back from 7.5 to 14 and holds there.
    const held = answerFor(pace, 0, PACE_REFUSED_MEMORY_MS - MINUTE_MS);
    expect(pace.intervalMs()).toBe(Math.ceil(MINUTE_MS / 14));
    answerFor(pace, held, 2 * MINUTE_MS);
    expect(pace.intervalMs()).toBe(FLOOR_MS);
  });

  it('goes no slower than one request a minute on its own, or the floor when that is slower', () => {
    const pace = createSteamPace(FLOOR_MS);
    for (let episode = 0; episode < 10; episode += 1) {
      pace.refused(episode * MINUTE_MS);
      pace.answered(episode * MINUTE_MS + 1);
    }
    expect(pace.intervalMs()).toBe(PACE_SLOWEST_INTERVAL_MS);

    const slowFloor = createSteamPace(5 * MINUTE_MS);
    slowFloor.refused(0);
    expect(slowFloor.intervalMs()).toBe(5 * MINUTE_MS);
  });

  it('counts the 429s of each cycle afresh', () => {
    const pace = createSteamPace(FLOOR_MS);
    pace.refused(0);
    pace.startCycle();
    expect(pace.snapshot()).toMatchObject({ rateLimitedLastCycle: 0, lastRateLimitedAt: 0 });
  });
});
