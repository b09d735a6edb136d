// S45: the signature a receiver checks. Built here by hand from its
// definition, so the format receivers are told about is what is pinned.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createWebhookSecret,
  DEFAULT_SIGNATURE_TOLERANCE_SEC,
  signWebhookBody,
  verifyWebhookSignature,
} from '../../../src/alerts/webhook/signature.js';

const secret = createWebhookSecret();
const body = '{"content":"AK-47 | Redline is above $20.00"}';
const nowMs = Date.parse('2026-12-05T12:00:00.500Z');
const nowSec = Math.floor(nowMs / 1000);

function byHand(key: string, timestamp: number, text: string): string {
  return createHmac('sha256', key).update(`${timestamp}.${text}`).digest('hex');
}

describe('S45: webhook signatures', () => {
  it('a secret is 32 random bytes as base64url, a new one each time', () => {
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(createWebhookSecret()).not.toBe(secret);
  });

  it('the header is t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    expect(signWebhookBody(secret, body, nowMs)).toBe(
      `t=${nowSec},v1=${byHand(secret, nowSec, body)}`,
    );
  });

  it('verifies what was signed, given as text or bytes', () => {
    const header = signWebhookBody(secret, body, nowMs);
    expect(verifyWebhookSignature(secret, header, body, nowMs)).toBe(true);
    expect(verifyWebhookSignature(secret, header, Buffer.from(body), nowMs)).toBe(true);
  });

  it('refuses another body, another secret, another time', () => {
    const header = signWebhookBody(secret, body, nowMs);
    expect(verifyWebhookSignature(secret, header, `${body} `, nowMs)).toBe(false);
    expect(verifyWebhookSignature(createWebhookSecret(), header, body, nowMs)).toBe(false);
    const moved = header.replace(`t=${nowSec}`, `t=${nowSec + 1}`);
    expect(verifyWebhookSignature(secret, moved, body, nowMs)).toBe(false);
  });

  it(`accepts a signature ${DEFAULT_SIGNATURE_TOLERANCE_SEC} s old or ahead, refuses one second more`, () => {
    const header = `t=${nowSec},v1=${byHand(secret, nowSec, body)}`;
    const at = (seconds: number) => (nowSec + seconds) * 1000;
    expect(verifyWebhookSignature(secret, header, body, at(300))).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, at(301))).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, at(-300))).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, at(-301))).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, at(30), 10)).toBe(false);
  });

  it.each([
    undefined,
    '',
    'v1=abc',
    't=1',
    `t=${nowSec}`,
    `t=${nowSec},v1=${'0'.repeat(63)}`,
    `t=${nowSec},v1=${'g'.repeat(64)}`,
    `t=${nowSec},v1=${'A'.repeat(64)}`,
    `t=-${nowSec},v1=${'0'.repeat(64)}`,
    `v1=${'0'.repeat(64)},t=${nowSec}`,
  ])('refuses the malformed header %s', (header) => {
    expect(verifyWebhookSignature(secret, header, body, nowMs)).toBe(false);
  });
});
