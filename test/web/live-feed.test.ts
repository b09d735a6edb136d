// How the web app's live feed reconnects and holds to the server's limit:
// its backoff schedule and its subscription bookkeeping, pure modules of
// web/src, run in Node.
import { describe, expect, it } from 'vitest';
import { Backoff, LIVE_FEED_BACKOFF } from '../../web/src/api/backoff.js';
import { Subscriptions } from '../../web/src/api/subscriptions.js';

describe('the live feed backoff', () => {
  const middle = () => 0.5;

  it('doubles the delay on each close, up to the maximum', () => {
    const backoff = new Backoff(LIVE_FEED_BACKOFF, middle);
    const delays = Array.from({ length: 7 }, () => backoff.closed(0));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('keeps growing when the server closes soon after accepting', () => {
    const backoff = new Backoff(LIVE_FEED_BACKOFF, middle);
    let now = 0;
    const delays: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      backoff.opened(now);
      now += 1_000;
      const delay = backoff.closed(now);
      delays.push(delay);
      now += delay;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it('starts over after a connection stayed open long enough', () => {
    const backoff = new Backoff(LIVE_FEED_BACKOFF, middle);
    backoff.closed(0);
    backoff.closed(0);
    backoff.opened(10_000);
    expect(backoff.closed(10_000 + LIVE_FEED_BACKOFF.stableMs)).toBe(1_000);
  });

  it('spreads each delay by up to half either way', () => {
    expect(new Backoff(LIVE_FEED_BACKOFF, () => 0).closed(0)).toBe(500);
    expect(new Backoff(LIVE_FEED_BACKOFF, () => 0.999_999).closed(0)).toBe(1_500);
    const late = new Backoff(LIVE_FEED_BACKOFF, () => 0);
    for (let i = 0; i < 10; i += 1) late.closed(0);
    expect(late.closed(0)).toBe(15_000);
  });
});

describe('what the live feed follows', () => {
  const subscribed = (item_ids: number[], limit: number) => ({ item_ids, limit });

  it('keeps to a lower limit the server answers with, newest ids first', () => {
    const subscriptions = new Subscriptions();
    subscriptions.want([1, 2, 3, 4]);
    expect(subscriptions.changes()).toEqual({ unsubscribe: [], subscribe: [1, 2, 3, 4] });
    // A server run with WS_MAX_SUBSCRIPTIONS=2 takes the first two of the request.
    expect(subscriptions.answered(subscribed([1, 2], 2))).toBe(true);
    expect(subscriptions.changes()).toEqual({ unsubscribe: [1, 2], subscribe: [3, 4] });
    expect(subscriptions.answered(subscribed([3, 4], 2))).toBe(false);
    subscriptions.want([5]);
    expect(subscriptions.changes()).toEqual({ unsubscribe: [3], subscribe: [5] });
  });

  it('counts a refused id as not followed, and asks for it again on the next change', () => {
    const subscriptions = new Subscriptions();
    subscriptions.want([7, 8]);
    subscriptions.changes();
    expect(subscriptions.answered(subscribed([7], 200))).toBe(false);
    expect(subscriptions.changes()).toEqual({ unsubscribe: [], subscribe: [8] });
  });

  it('matches each answer to its subscribe, in order', () => {
    const subscriptions = new Subscriptions();
    subscriptions.want([1]);
    subscriptions.changes();
    subscriptions.want([2]);
    subscriptions.changes();
    subscriptions.answered(subscribed([1], 200));
    subscriptions.answered(subscribed([], 200));
    subscriptions.unwant([1]);
    expect(subscriptions.changes()).toEqual({ unsubscribe: [1], subscribe: [2] });
  });

  it('starts over on a new connection', () => {
    const subscriptions = new Subscriptions();
    subscriptions.want([1, 2]);
    subscriptions.changes();
    subscriptions.reset();
    expect(subscriptions.changes()).toEqual({ unsubscribe: [], subscribe: [1, 2] });
    subscriptions.unwant([1, 2]);
    expect(subscriptions.anyWanted()).toBe(false);
  });
});
