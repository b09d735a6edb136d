// Which failures are retried and how long each wait is, at the edges.
import { describe, expect, it } from 'vitest';
import type { AttemptOutcome } from '../../../src/alerts/webhook/attempt.js';
import {
  MAX_BACKOFF_MS,
  MAX_RETRY_AFTER_MS,
  retryDelayMs,
} from '../../../src/alerts/webhook/retry-policy.js';

type Failure = Extract<AttemptOutcome, { readonly ok: false }>;

function failure(
  reason: Failure['reason'],
  status: number | null = null,
  retryAfterMs: number | null = null,
): Failure {
  return { ok: false, reason, status, retryAfterMs, message: '' };
}

const lowest = () => 0;
const highest = () => 0.999_999;

describe('webhook retry policy', () => {
  it.each([
    failure('network'),
    failure('timeout'),
    failure('dns_failed'),
    failure('http_status', 429),
    failure('http_status', 500),
    failure('http_status', 503),
    failure('http_status', 599),
  ])('retries %o', (outcome) => {
    expect(retryDelayMs(outcome, 1, lowest)).not.toBeNull();
  });

  it.each([
    failure('address_not_public'),
    failure('redirect', 302),
    failure('too_large', 200),
    failure('aborted'),
    failure('http_status', 400),
    failure('http_status', 401),
    failure('http_status', 404),
    failure('http_status', 410),
    failure('http_status', 499),
  ])('does not retry %o', (outcome) => {
    expect(retryDelayMs(outcome, 1, lowest)).toBeNull();
  });

  it('waits grow by doubling, between half and all of 1 s, 2 s, 4 s …, up to 30 s', () => {
    const network = failure('network');
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(network, attempt, lowest))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(network, attempt, highest))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
    expect(retryDelayMs(network, 20, highest)).toBe(MAX_BACKOFF_MS);
  });

  it('a Retry-After is waited in full, never less than the backoff', () => {
    expect(retryDelayMs(failure('http_status', 429, 7000), 1, lowest)).toBe(7000);
    expect(retryDelayMs(failure('http_status', 503, 0), 1, lowest)).toBe(500);
  });

  it(`a Retry-After of ${MAX_RETRY_AFTER_MS} ms is waited; one more gives up`, () => {
    expect(retryDelayMs(failure('http_status', 429, MAX_RETRY_AFTER_MS), 1, lowest)).toBe(
      MAX_RETRY_AFTER_MS,
    );
    expect(retryDelayMs(failure('http_status', 429, MAX_RETRY_AFTER_MS + 1), 1, lowest)).toBeNull();
  });
});
