// Per-account throttle on wrong passwords (S16, S41), on top of the per-IP
// limit: an attacker spreading guesses over many addresses still meets it.
// Every check of a password counts, against the account's email: login, the
// current password of a password change, the password confirming a sign-up.
// After FREE_FAILURES failures the account's password checks are locked for
// a minute, doubling with each further failure up to fifteen minutes.
// Failures are counted for unknown emails too, so a lock says nothing about
// whether an account exists (S12). Only password checks are throttled: an
// attacker who fails on purpose cannot lock the owner out of magic-link
// sign-in.
import { ApiError } from '../platform/errors.js';
import type { Store } from '../platform/store/index.js';
import { DAY_MS, MINUTE_MS, SECOND_MS } from '../platform/time.js';
import { hashToken } from './tokens.js';

const FREE_FAILURES = 5;
const FIRST_LOCK_MS = MINUTE_MS;
const MAX_LOCK_MS = 15 * MINUTE_MS;
/** Failures are remembered this long after the first one. */
const FAILURE_WINDOW_MS = DAY_MS;

/** The 429 for a check refused while the account is locked, with when to try again. */
export function lockedError(lockedMs: number, detail: (seconds: number) => string): ApiError {
  const seconds = Math.ceil(lockedMs / SECOND_MS);
  return new ApiError(429, detail(seconds), { 'retry-after': String(seconds) });
}

export const tooManyWrongPasswords = (seconds: number) =>
  `Too many wrong passwords; try again in ${seconds} seconds`;

const failuresKey = (email: string) => `login-failures:${hashToken(email)}`;
const lockKey = (email: string) => `login-lock:${hashToken(email)}`;

export function lockDurationMs(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** (failures - FREE_FAILURES));
}

export function createLoginThrottle(store: Store, now: () => number) {
  return {
    /** Milliseconds until a password check is allowed again for this email; 0 when it is. */
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
