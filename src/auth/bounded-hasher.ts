// S42: password hashing is the costliest thing a request can ask for, and
// anyone can ask for it (sign-in, sign-up). Without a bound, a few hundred
// logins from many addresses queue in front of a real user's for seconds.
// Here at most `concurrency` hashes run at once and at most `maxWaiting`
// wait; past that a request is answered 503 with Retry-After at once, and
// the queue it would have joined never grows.
import { ApiError } from '../platform/errors.js';
import type { PasswordHasher } from './passwords.js';

export const HASHING_BUSY = 'Too many sign-ins are being processed right now; try again shortly';
const RETRY_AFTER_SECONDS = 2;

export interface HashingLimits {
  /** Hashes run at once: the hashing threads there are. */
  readonly concurrency: number;
  /** Hashes that may wait for one of them (HASH_QUEUE_MAX). */
  readonly maxWaiting: number;
}

export interface BoundedHasher extends PasswordHasher {
  /** Hashes waiting for a hashing thread now (the metrics read it). */
  waiting(): number;
}

export function boundedHasher(inner: PasswordHasher, limits: HashingLimits): BoundedHasher {
  let running = 0;
  const waiting: (() => void)[] = [];

  async function slot<T>(work: () => Promise<T>): Promise<T> {
    if (running >= limits.concurrency) {
      if (waiting.length >= limits.maxWaiting) {
        throw new ApiError(503, HASHING_BUSY, { 'retry-after': String(RETRY_AFTER_SECONDS) });
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      running += 1;
    }
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, so `running` only falls when none waits.
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  }

  return {
    hash: (password) => slot(() => inner.hash(password)),
    verify: (passwordHash, password) => slot(() => inner.verify(passwordHash, password)),
    needsRehash: (passwordHash) => inner.needsRehash(passwordHash),
    waiting: () => waiting.length,
  };
}
