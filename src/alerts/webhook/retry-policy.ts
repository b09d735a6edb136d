// When a failed webhook attempt is tried again, and after how long. It
// guarantees that only failures a later attempt can fix are retried (no
// answer, a timeout, 429, 5xx), never a refusal of ours (an address that is
// not public), a redirect, another 4xx or a body too large; that waits grow
// exponentially with jitter, so many alerts failing together do not retry in
// step; and that a Retry-After is honoured, never undercut: when the
// receiver asks for longer than MAX_RETRY_AFTER_MS, delivery gives up instead
// of retrying early.
import { MINUTE_MS, SECOND_MS } from '../../platform/time.js';
import type { AttemptOutcome } from './attempt.js';

export const BACKOFF_BASE_MS = SECOND_MS;
export const MAX_BACKOFF_MS = 30 * SECOND_MS;
/** The longest Retry-After waited for; past it the delivery fails. */
export const MAX_RETRY_AFTER_MS = MINUTE_MS;

type Failure = Extract<AttemptOutcome, { readonly ok: false }>;

function isRetryable(failure: Failure): boolean {
  switch (failure.reason) {
    case 'dns_failed':
    case 'network':
    case 'timeout':
      return true;
    case 'http_status':
      return failure.status === 429 || (failure.status !== null && failure.status >= 500);
    default:
      return false;
  }
}

/**
 * Milliseconds to wait before the attempt after `attempt` (1-based) failed
 * with `failure`, or null when it must not be retried.
 * `random` is in [0, 1), as Math.random.
 */
export function retryDelayMs(
  failure: Failure,
  attempt: number,
  random: () => number,
): number | null {
  if (!isRetryable(failure)) return null;
  if (failure.retryAfterMs !== null && failure.retryAfterMs > MAX_RETRY_AFTER_MS) return null;
  const ceiling = Math.min(MAX_BACKOFF_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  // "Equal jitter": at least half the ceiling, so retries keep spreading out.
  const backoff = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return Math.max(backoff, failure.retryAfterMs ?? 0);
}
