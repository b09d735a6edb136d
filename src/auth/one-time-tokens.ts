// Single-use tokens sent by email: verification (S14), password reset (S13)
// and sign-in links (S15). Each lives in the store under the hash of its
// token, with the store's TTL as its expiry, and is taken with get-and-delete
// so two concurrent uses cannot both succeed.
import type { Store } from '../platform/store/index.js';
import { generateToken, hashToken, isWellFormedToken } from './tokens.js';

export type OneTimeTokenKind = 'verify-email' | 'password-reset' | 'magic-link';

export async function issueOneTimeToken<T>(
  store: Store,
  kind: OneTimeTokenKind,
  payload: T,
  ttlMs: number,
): Promise<string> {
  const token = generateToken();
  await store.set(`${kind}:${hashToken(token)}`, JSON.stringify(payload), ttlMs);
  return token;
}

/** The payload, once; null for a malformed, unknown, expired or used token. */
export async function consumeOneTimeToken<T>(
  store: Store,
  kind: OneTimeTokenKind,
  token: unknown,
): Promise<T | null> {
  if (!isWellFormedToken(token)) return null;
  const payload = await store.getAndDelete(`${kind}:${hashToken(token)}`);
  return payload === null ? null : (JSON.parse(payload) as T);
}
