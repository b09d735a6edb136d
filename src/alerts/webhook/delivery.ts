// Delivering an alert to a user's webhook (S45), the module's entry point.
// `deliverWebhook` guarantees: the URL is checked again (https, no
// credentials) before anything else; the body is at most `maxRequestBytes`;
// every attempt is signed afresh (X-Tracera-Signature) and carries the
// caller's idempotency key (X-Tracera-Event-Id), the same on every retry, so
// a receiver can drop a duplicate; every attempt goes through a connection
// whose address was checked (connection.ts) under one deadline; retries
// follow retry-policy.ts, waiting on the injected clock; the caller's signal
// stops everything; and it never throws for a failed delivery: the result
// says what happened. `testWebhook` is the "test" button: one signed test
// event, one attempt, the same result.
//
// `addressPolicy` and `ca` exist for tests that stand a receiver up on
// 127.0.0.1 with a self-signed certificate. Production code never passes
// them: the default policy is public addresses only, the default roots the
// system's.
import { randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '../../platform/clock.js';
import { SECOND_MS } from '../../platform/time.js';
import { type AddressPolicy, isPublicAddress } from './address-policy.js';
import { type AttemptFailureReason, type AttemptOutcome, postOnce } from './attempt.js';
import { type AlertEvent, type WebhookFormat, webhookBody } from './payload.js';
import { type Resolver, systemResolver } from './resolver.js';
import { MAX_RETRY_AFTER_MS, retryDelayMs } from './retry-policy.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signWebhookBody } from './signature.js';
import { checkWebhookUrl, type WebhookUrlRefusal } from './webhook-url.js';

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 5 * SECOND_MS;
export const DEFAULT_WEBHOOK_MAX_ATTEMPTS = 4;
export const DEFAULT_WEBHOOK_MAX_REQUEST_BYTES = 64 * 1024;
export const DEFAULT_WEBHOOK_MAX_RESPONSE_BYTES = 64 * 1024;
const USER_AGENT = 'Tracera-Webhook/1';
/** Idempotency keys travel in a header: visible ASCII without separators that could split it. */
const EVENT_ID_FORMAT = /^[A-Za-z0-9._:-]{1,128}$/;

/** A user's webhook as saved. */
export interface WebhookTarget {
  readonly url: string;
  readonly format: WebhookFormat;
  /** The user's webhook secret (createWebhookSecret). */
  readonly secret: string;
}

export interface WebhookOptions {
  /** Deadline of each attempt: resolve, connect, TLS, answer and body. */
  readonly timeoutMs?: number;
  /** Attempts in all, the first included; testWebhook always makes one. */
  readonly maxAttempts?: number;
  readonly maxRequestBytes?: number;
  /** Most bytes of a receiver's answer read; past it the delivery fails as too_large. */
  readonly maxResponseBytes?: number;
  readonly resolver?: Resolver;
  /** Tests only (see the top of this file); public addresses only by default. */
  readonly addressPolicy?: AddressPolicy;
  /** Tests only: trusted roots for a self-signed receiver. */
  readonly ca?: string | Buffer;
  /** Signature times, Retry-After dates, `ms`, and the waits between attempts. */
  readonly clock?: Clock;
  /** In [0, 1), for backoff jitter. */
  readonly random?: () => number;
  readonly signal?: AbortSignal;
}

export type DeliveryFailureReason = WebhookUrlRefusal | AttemptFailureReason;

export type DeliveryResult =
  | {
      readonly delivered: true;
      readonly status: number;
      readonly attempts: number;
      /** From the first attempt's start to the answer, waits included. */
      readonly ms: number;
    }
  | {
      readonly delivered: false;
      readonly reason: DeliveryFailureReason;
      /** The last answer's status, when the receiver answered. */
      readonly status: number | null;
      /** Attempts made; 0 when the URL or body was refused before any. */
      readonly attempts: number;
      readonly ms: number;
      /** Safe to show the webhook's owner; never names an address we refused. */
      readonly message: string;
    };

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * Sends `event` to `target`, retrying what can be retried, and says how it
 * went. Throws only for a caller's mistake (a malformed `eventId`, a
 * non-positive limit), never for a failed delivery.
 */
export async function deliverWebhook(
  target: WebhookTarget,
  event: AlertEvent,
  eventId: string,
  options: WebhookOptions = {},
): Promise<DeliveryResult> {
  if (!EVENT_ID_FORMAT.test(eventId)) {
    throw new RangeError('eventId must be 1-128 characters of A-Z a-z 0-9 . _ : -');
  }
  const clock = options.clock ?? systemClock;
  const maxAttempts = positiveInteger(
    'maxAttempts',
    options.maxAttempts ?? DEFAULT_WEBHOOK_MAX_ATTEMPTS,
  );
  const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS);
  const maxRequestBytes = positiveInteger(
    'maxRequestBytes',
    options.maxRequestBytes ?? DEFAULT_WEBHOOK_MAX_REQUEST_BYTES,
  );
  const maxResponseBytes = positiveInteger(
    'maxResponseBytes',
    options.maxResponseBytes ?? DEFAULT_WEBHOOK_MAX_RESPONSE_BYTES,
  );
  const started = clock.now();
  const refused = (reason: DeliveryFailureReason, message: string): DeliveryResult => ({
    delivered: false,
    reason,
    status: null,
    attempts: 0,
    ms: clock.now() - started,
    message,
  });

  const checked = checkWebhookUrl(target.url);
  if (!checked.ok) return refused(checked.reason, checked.message);
  const body = Buffer.from(webhookBody(target.format, event, eventId));
  if (body.byteLength > maxRequestBytes) {
    return refused('too_large', `The alert is larger than ${maxRequestBytes} bytes`);
  }
  // Clock.sleep needs a signal; one that never aborts stands in for none.
  const signal = options.signal ?? new AbortController().signal;

  for (let attempt = 1; ; attempt += 1) {
    const outcome: AttemptOutcome = await postOnce({
      url: checked.url,
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        [SIGNATURE_HEADER]: signWebhookBody(target.secret, body, clock.now()),
        [EVENT_ID_HEADER]: eventId,
      },
      timeoutMs,
      maxResponseBytes,
      resolver: options.resolver ?? systemResolver,
      addressPolicy: options.addressPolicy ?? isPublicAddress,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      signal,
      nowMs: clock.now(),
    });
    if (outcome.ok) {
      return {
        delivered: true,
        status: outcome.status,
        attempts: attempt,
        ms: clock.now() - started,
      };
    }
    const wait =
      attempt < maxAttempts ? retryDelayMs(outcome, attempt, options.random ?? Math.random) : null;
    if (wait === null) {
      const askedTooLong =
        outcome.retryAfterMs !== null && outcome.retryAfterMs > MAX_RETRY_AFTER_MS;
      return {
        delivered: false,
        reason: outcome.reason,
        status: outcome.status,
        attempts: attempt,
        ms: clock.now() - started,
        message: askedTooLong
          ? `${outcome.message}; it asked to wait longer than ${MAX_RETRY_AFTER_MS / SECOND_MS} s`
          : outcome.message,
      };
    }
    await clock.sleep(wait, signal);
    if (signal.aborted) {
      return {
        delivered: false,
        reason: 'aborted',
        status: outcome.status,
        attempts: attempt,
        ms: clock.now() - started,
        message: 'Delivery was cancelled',
      };
    }
  }
}

const TEST_MESSAGE = 'Test from Tracera: this webhook receives your alerts.';

/** The "test" button: one signed test event, one attempt, the same result as a delivery. */
export function testWebhook(
  target: WebhookTarget,
  options: Omit<WebhookOptions, 'maxAttempts'> = {},
): Promise<DeliveryResult> {
  const clock = options.clock ?? systemClock;
  const event: AlertEvent = {
    ruleId: 'test',
    kind: 'test',
    item: null,
    message: TEST_MESSAGE,
    value: null,
    firedAt: new Date(clock.now()).toISOString(),
    source: 'tracera',
  };
  return deliverWebhook(target, event, `test-${randomUUID()}`, { ...options, maxAttempts: 1 });
}
