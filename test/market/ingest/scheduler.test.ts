// The periodic loop behind ingestion cycles and maintenance: a fixed rate
// measured from each run's start, never two runs at once, a late start
// reported with how late, and a failed run that does not end the loop.
import { describe, expect, it } from 'vitest';
import { runEvery } from '../../../src/market/ingest/scheduler.js';
import { ManualClock } from '../../support/manual-clock.js';

const INTERVAL_MS = 1000;

function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

describe('runEvery', () => {
  it('starts a run every interval, measured from the start of the previous run', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    const starts: number[] = [];
    const loop = runEvery({
      intervalMs: INTERVAL_MS,
      clock,
      signal: stop.signal,
      run: async () => {
        starts.push(clock.now());
        clock.jump(300);
      },
      onError: () => {},
      onOverrun: () => {},
    });
    await expect.poll(() => clock.sleeping).toBe(1);
    clock.advance(699);
    await new Promise((resolve) => setImmediate(resolve));
    expect(starts).toHaveLength(1);
    clock.advance(1);
    await expect.poll(() => starts.length).toBe(2);
    const [first = 0, second = 0] = starts;
    expect(second - first).toBe(INTERVAL_MS);
    stop.abort();
    await loop;
  });

  it('never overlaps: a run longer than the interval delays the next, which starts at once and is reported late', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    let running = 0;
    let most = 0;
    const late: number[] = [];
    const firstRun = gate();
    let runs = 0;
    const loop = runEvery({
      intervalMs: INTERVAL_MS,
      clock,
      signal: stop.signal,
      run: async () => {
        running += 1;
        most = Math.max(most, running);
        runs += 1;
        if (runs === 1) await firstRun.wait;
        running -= 1;
      },
      onError: () => {},
      onOverrun: (lateMs) => late.push(lateMs),
    });
    clock.advance(2500);
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBe(1);
    firstRun.open();
    await expect.poll(() => runs).toBe(2);
    expect(late).toEqual([1500]);
    expect(most).toBe(1);
    stop.abort();
    await loop;
  });

  it('reports a failed run and keeps going', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    const errors: unknown[] = [];
    let runs = 0;
    const loop = runEvery({
      intervalMs: INTERVAL_MS,
      clock,
      signal: stop.signal,
      run: async () => {
        runs += 1;
        if (runs === 1) throw new Error('database away');
      },
      onError: (error) => errors.push(error),
      onOverrun: () => {},
    });
    await expect.poll(() => clock.sleeping).toBe(1);
    clock.advance(INTERVAL_MS);
    await expect.poll(() => runs).toBe(2);
    expect(errors).toEqual([new Error('database away')]);
    stop.abort();
    await loop;
  });

  it('stops waiting at once when stopped', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    const loop = runEvery({
      intervalMs: 60 * INTERVAL_MS,
      clock,
      signal: stop.signal,
      run: async () => {},
      onError: () => {},
      onOverrun: () => {},
    });
    await expect.poll(() => clock.sleeping).toBe(1);
    stop.abort();
    await loop;
    expect(clock.sleeping).toBe(0);
  });
});
