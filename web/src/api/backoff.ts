// When the live feed reconnects: a doubling delay with jitter, which starts
// over only once a connection has proved itself by staying open. Pure, so
// Node tests can run it with their own clock and randomness.

export interface BackoffSchedule {
  /** The first delay, and the one after a connection that stayed open. */
  readonly firstMs: number;
  readonly maxMs: number;
  /** How long a connection must stay open before the delay starts over. */
  readonly stableMs: number;
  /** The share of a delay that is random either way: 0.5 is ±50%. */
  readonly jitter: number;
}

export const LIVE_FEED_BACKOFF: BackoffSchedule = {
  firstMs: 1_000,
  maxMs: 30_000,
  stableMs: 30_000,
  jitter: 0.5,
};

export class Backoff {
  /** Closes since the last connection that stayed open. */
  private failures = 0;
  private openedAt: number | null = null;

  constructor(
    private readonly schedule: BackoffSchedule,
    private readonly random: () => number = Math.random,
  ) {}

  /** A connection opened at `now`. */
  opened(now: number): void {
    this.openedAt = now;
  }

  /**
   * The wait before the next attempt, after a connection (or an attempt to
   * make one) closed at `now`. A server that accepts and then closes at once
   * (too many messages, a missed heartbeat) still counts as a failure, so it
   * is not asked again every second; the jitter spreads the tabs a restart
   * closed all at once.
   */
  closed(now: number): number {
    const { firstMs, maxMs, stableMs, jitter } = this.schedule;
    if (this.openedAt !== null && now - this.openedAt >= stableMs) this.failures = 0;
    this.openedAt = null;
    const base = Math.min(firstMs * 2 ** this.failures, maxMs);
    this.failures += 1;
    return Math.round(base * (1 - jitter + 2 * jitter * this.random()));
  }
}
