// A clock that moves only when a test says so. `advance` wakes every sleeper
// that is due, as timers firing would; `jump` moves time without waking
// anyone, as a process sees it on waking from a pause before its timers run.
import type { Clock } from '../../src/platform/clock.js';

interface Sleeper {
  readonly at: number;
  readonly wake: () => void;
}

export class ManualClock implements Clock {
  private time: number;
  private readonly sleepers = new Set<Sleeper>();

  constructor(start: Date = new Date('2026-11-17T12:00:00Z')) {
    this.time = start.getTime();
  }

  readonly now = (): number => this.time;

  readonly sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (signal.aborted || ms <= 0) {
        resolve();
        return;
      }
      const sleeper: Sleeper = {
        at: this.time + ms,
        wake: () => {
          this.sleepers.delete(sleeper);
          signal.removeEventListener('abort', sleeper.wake);
          resolve();
        },
      };
      this.sleepers.add(sleeper);
      signal.addEventListener('abort', sleeper.wake, { once: true });
    });

  /** How many sleeps are pending. */
  get sleeping(): number {
    return this.sleepers.size;
  }

  advance(ms: number): void {
    this.time += ms;
    for (const sleeper of [...this.sleepers]) {
      if (sleeper.at <= this.time) sleeper.wake();
    }
  }

  jump(ms: number): void {
    this.time += ms;
  }
}
