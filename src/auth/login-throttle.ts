// Per-account throttle on failed password logins (S16), on top of the per-IP
// limit: an attacker spreading guesses over many addresses still meets it.
// After FREE_FAILURES failures the account's password login is locked for a
// minute, doubling with each further failure up to fifteen minutes. Failures
// are counted for unknown emails too, so a lock says nothing about whether
// an account exists (S12). Only password login is throttled: an attacker who
// fails on purpose cannot lock the owner out of magic-link sign-in.
import type { Store } from '../platform/store/index.js';
import { hashToken } from './tokens.js';

const FREE_FAILURES = 5;
const FIRST_LOCK_MS = 60_000;
const MAX_LOCK_MS = 15 * 60_000;
/** Failures are remembered this long after the first one. */
const FAILURE_WINDOW_MS = 24 * 60 * 60_000;

const failuresKey = (email: string) => `login-failures:${hashToken(email)}`;
const lockKey = (email: string) => `login-lock:${hashToken(email)}`;

export function lockDurationMs(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** (failures - FREE_FAILURES));
}

export function createLoginThrottle(store: Store, now: () => number) {
  return {
    /** Milliseconds until password login is allowed again for this email; 0 when it is. */
    async lockedForMs(email: string): Promise<number> {
      const until = await store.get(lockKey(email));
      return until === null ? 0 : Math.max(0, Number(until) - now());
    },

    async recordFailure(email: string): Promise<void> {
      const { count } = await store.increment(failuresKey(email), FAILURE_WINDOW_MS);
      const lockMs = lockDurationMs(count);
      if (lockMs > 0) await store.set(lockKey(email), String(now() + lockMs), lockMs);
    },

    async recordSuccess(email: string): Promise<void> {
      await store.delete(failuresKey(email), lockKey(email));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
