// Exactly one ingestion leader across instances: a lock in the store, taken
// with set-if-absent and a TTL, renewed by its holder only (compare, then
// extend, in one step), released on shutdown. A leader that stops releases
// the lock and a follower takes it at its next attempt (within retryMs); one
// that dies stops renewing and the lock expires, so hand-over takes at most
// ttlMs + retryMs (20 s with LEADER_TIMING).
//
// A leader that cannot reach the store keeps leading while its lease lasts
// (a blip costs nothing), then stops: past that no one can know who holds
// the lock, so ingestion waits for the store to come back.
//
// A leader also stops trusting its lock on its own clock: the lock is counted
// as held until the moment it was last renewed (measured before the request
// left) plus the TTL, less a margin for clock drift. A process paused past
// that moment, by a long GC or a stopped VM, sees on waking that its lease
// has run out and ends its term before writing again, even before a renewal
// could tell it that someone else leads now. What is left (a pause between
// the check and the write itself) is harmless: writes skip rows already
// stored and the latest prices only move forward.
//
// With the in-process store there is one process, and it always wins.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import type { Store } from '../../platform/store/index.js';

export const LEADER_LOCK_KEY = 'ingest:leader';

export interface LeaderTiming {
  /** How long the lock outlives its last renewal. */
  readonly ttlMs: number;
  /** How often the leader renews: a third of the TTL survives two failed renewals. */
  readonly renewMs: number;
  /** How often a follower tries to take the lock. */
  readonly retryMs: number;
}

export const LEADER_TIMING: LeaderTiming = { ttlMs: 15_000, renewMs: 5_000, retryMs: 5_000 };

/** Share of the TTL a leader gives up to clock drift between itself and the store. */
const DRIFT_FRACTION = 0.1;

export class LeaderLease {
  /** Identifies this instance's hold on the lock. */
  readonly holder = randomBytes(12).toString('hex');
  private validUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** Takes the lock, or renews it when this instance holds it; true when it holds it now. */
  async hold(): Promise<boolean> {
    const sentAt = this.clock.now();
    const held =
      (await this.store.extendIfEquals(LEADER_LOCK_KEY, this.holder, this.ttlMs)) ||
      (await this.store.setIfAbsent(LEADER_LOCK_KEY, this.holder, this.ttlMs));
    this.validUntil = held ? sentAt + this.ttlMs * (1 - DRIFT_FRACTION) : Number.NEGATIVE_INFINITY;
    return held;
  }

  isHeld(): boolean {
    return this.clock.now() < this.validUntil;
  }

  /** Gives the lock up at once (if this instance still holds it), so a follower need not wait for the TTL. */
  async release(): Promise<void> {
    this.validUntil = Number.NEGATIVE_INFINITY;
    await this.store.deleteIfEquals(LEADER_LOCK_KEY, this.holder);
  }

  /** Forgets the lock locally, as when a renewal failed. */
  drop(): void {
    this.validUntil = Number.NEGATIVE_INFINITY;
  }
}

/** One uninterrupted stretch of leadership. */
export interface Term {
  /** Aborts when the term ends: the lease is lost or ingestion stops. */
  readonly signal: AbortSignal;
  /** Checked before every write: false (and the term ends) once the lease has run out. */
  isLeading(): boolean;
}

export interface LeadershipOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timing: LeaderTiming;
  /** Ends the competition for good: the current term ends and the lock is released. */
  readonly signal: AbortSignal;
  /** Does the leader's work until `term.signal` aborts. */
  readonly lead: (term: Term) => Promise<void>;
}

async function renewUntilLost(
  lease: LeaderLease,
  options: LeadershipOptions,
  term: AbortController,
): Promise<void> {
  while (!term.signal.aborted) {
    await options.clock.sleep(options.timing.renewMs, term.signal);
    if (term.signal.aborted) return;
    let renewed: boolean;
    try {
      renewed = await lease.hold();
    } catch (error) {
      // Not an answer: the lock may still be ours. The term goes on while
      // the lease lasts, so a blip of the store costs nothing.
      options.logger.warn({ err: error }, 'could not renew the ingestion leader lock');
      if (lease.isHeld()) continue;
      renewed = false;
    }
    if (!renewed) {
      lease.drop();
      options.logger.warn('lost the ingestion leader lock; stopping ingestion here');
      term.abort();
    }
  }
}

/**
 * Competes for leadership until `options.signal` aborts, running `lead` for
 * each term this instance wins.
 */
export async function runForLeadership(options: LeadershipOptions): Promise<void> {
  const { clock, logger, signal } = options;
  const lease = new LeaderLease(options.store, clock, options.timing.ttlMs);
  while (!signal.aborted) {
    let won = false;
    try {
      won = await lease.hold();
    } catch (error) {
      logger.warn({ err: error }, 'could not reach the store for the ingestion leader lock');
    }
    if (!won) {
      await clock.sleep(options.timing.retryMs, signal);
      continue;
    }
    logger.info({ holder: lease.holder }, 'leading ingestion');
    const term = new AbortController();
    const endTerm = () => term.abort();
    signal.addEventListener('abort', endTerm, { once: true });
    const renewing = renewUntilLost(lease, options, term);
    try {
      await options.lead({
        signal: term.signal,
        isLeading() {
          if (!lease.isHeld()) {
            if (!term.signal.aborted) logger.warn('ingestion leader lease ran out; stopping');
            term.abort();
          }
          return !term.signal.aborted;
        },
      });
    } catch (error) {
      logger.error({ err: error }, 'ingestion failed');
    } finally {
      term.abort();
      signal.removeEventListener('abort', endTerm);
      await renewing;
    }
    try {
      await lease.release();
    } catch (error) {
      logger.warn({ err: error }, 'could not release the ingestion leader lock');
    }
    if (!signal.aborted) await clock.sleep(options.timing.retryMs, signal);
  }
}
