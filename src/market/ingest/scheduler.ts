// A task run at a fixed rate that never overlaps itself: the next run starts
// `intervalMs` after the previous one started, or as soon as it ends when it
// ran longer than that (the caller hears by how much, to log it).
import type { Clock } from '../../platform/clock.js';

export interface PeriodicTask {
  readonly intervalMs: number;
  readonly clock: Clock;
  /** Stops the loop after the run in progress; the wait between runs ends at once. */
  readonly signal: AbortSignal;
  readonly run: () => Promise<void>;
  /** A run threw; the loop goes on. */
  readonly onError: (error: unknown) => void;
  /** A run took longer than the interval, delaying the next by `lateMs`. */
  readonly onOverrun: (lateMs: number) => void;
}

export async function runEvery(task: PeriodicTask): Promise<void> {
  const { clock, signal } = task;
  while (!signal.aborted) {
    const started = clock.now();
    try {
      await task.run();
    } catch (error) {
      task.onError(error);
    }
    const waitMs = started + task.intervalMs - clock.now();
    if (waitMs < 0) task.onOverrun(-waitMs);
    await clock.sleep(Math.max(0, waitMs), signal);
  }
}
