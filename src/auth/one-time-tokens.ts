// Single-use tokens: those sent by email for verification (S14), password
// reset (S13) and sign-in links (S15), and the state of a sign-in at another
// provider (S17, S20). Each lives in the store under the hash of its
// token and is taken with get-and-delete, so two concurrent uses cannot both
// succeed. The expiry is checked against the app's clock as well as left to
// the store's TTL, so it holds whatever the store's own clock says.
import type { Store } from '../platform/store/index.js';
import { generateToken, hashToken, isWellFormedToken } from './tokens.js';

export type OneTimeTokenKind = 'verify-email' | 'password-reset' | 'magic-link' | 'federated-flow';

interface Stored<T> {
  readonly payload: T;
  readonly expiresAt: number;
}

export async function issueOneTimeToken<T>(
  store: Store,
  kind: OneTimeTokenKind,
  payload: T,
  ttlMs: number,
  now: () => number,
): Promise<string> {
  const token = generateToken();
  const stored: Stored<T> = { payload, expiresAt: now() + ttlMs };
  await store.set(`${kind}:${hashToken(token)}`, JSON.stringify(stored), ttlMs);
  return token;
}

function readStored<T>(value: string | null, now: () => number): T | null {
  if (value === null) return null;
  const stored = JSON.parse(value) as Stored<T>;
  return now() < stored.expiresAt ? stored.payload : null;
}

/**
 * The payload without using the token up; null as `consumeOneTimeToken`
 * would give. For a token that is spent only after another check passes.
 */
export async function peekOneTimeToken<T>(
  store: Store,
  kind: OneTimeTokenKind,
  token: unknown,
  now: () => number,
): Promise<T | null> {
  if (!isWellFormedToken(token)) return null;
  return readStored<T>(await store.get(`${kind}:${hashToken(token)}`), now);
}

/** The payload, once; null for a malformed, unknown, expired or used token. */
export async function consumeOneTimeToken<T>(
  store: Store,
  kind: OneTimeTokenKind,
  token: unknown,
  now: () => number,
): Promise<T | null> {
  if (!isWellFormedToken(token)) return null;
  return readStored<T>(await store.getAndDelete(`${kind}:${hashToken(token)}`), now);
}
