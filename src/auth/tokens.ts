// Secret tokens: sessions, email verification, password reset, magic links.
// 256 bits from the CSPRNG, so guessing one is hopeless and no rate limit is
// needed to protect it. Only SHA-256(token) is ever stored: a leaked store
// or database dump holds nothing a browser could present. Lookups go by the
// hash as a key, so no secret is compared with `===` (S1).
import { hash, randomBytes } from 'node:crypto';

const TOKEN_BYTES = 32;
/** 32 bytes in unpadded base64url. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function generateToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** Checked before any lookup, so malformed input never reaches the store (S15). */
export function isWellFormedToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}
