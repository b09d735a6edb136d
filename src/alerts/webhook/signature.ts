// How a receiver knows a webhook came from Tracera and was not replayed
// (S45). Each user's webhook has its own secret: 32 random bytes as
// base64url, shown to the user once so their receiver can check
//
//     X-Tracera-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
//
// The key is the secret's text exactly as shown (its UTF-8 bytes), so a
// receiver needs no decoding step. Signing the time with the body lets a
// receiver refuse an old request replayed later (the tolerance), and
// `X-Tracera-Event-Id`, the same on every retry of one delivery, lets it drop
// a duplicate. `verifyWebhookSignature` is what receivers (and our tests)
// run: it compares digests with `timingSafeEqual`, so a forger learns
// nothing from how long a wrong guess takes.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SECOND_MS } from '../../platform/time.js';

export const SIGNATURE_HEADER = 'X-Tracera-Signature';
export const EVENT_ID_HEADER = 'X-Tracera-Event-Id';
/** How far a signature's time may be from the receiver's clock, either way. */
export const DEFAULT_SIGNATURE_TOLERANCE_SEC = 300;
const SECRET_BYTES = 32;

/** A new webhook secret: 256 random bits, base64url (43 characters). */
export function createWebhookSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

function digest(secret: string, timestamp: number, body: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** The X-Tracera-Signature value for `body` sent at `nowMs` (epoch milliseconds). */
export function signWebhookBody(secret: string, body: string | Uint8Array, nowMs: number): string {
  const timestamp = Math.floor(nowMs / SECOND_MS);
  return `t=${timestamp},v1=${digest(secret, timestamp, body).toString('hex')}`;
}

const SIGNATURE_FORMAT = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/;

/**
 * True only when `header` is a well-formed X-Tracera-Signature whose HMAC
 * matches `body` (the raw bytes received, before any JSON parsing) under
 * `secret`, and whose time is within `toleranceSec` of `nowMs` (epoch ms).
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string | Uint8Array,
  nowMs: number,
  toleranceSec: number = DEFAULT_SIGNATURE_TOLERANCE_SEC,
): boolean {
  const match = SIGNATURE_FORMAT.exec(header?.trim() ?? '');
  if (!match?.[1] || !match[2]) return false;
  const timestamp = Number(match[1]);
  if (Math.abs(nowMs / SECOND_MS - timestamp) > toleranceSec) return false;
  // Both sides are 32-byte digests: the format check fixed the length.
  return timingSafeEqual(Buffer.from(match[2], 'hex'), digest(secret, timestamp, body));
}
