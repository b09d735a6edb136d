// Every server-side MAC gets its own key, derived from SESSION_SECRET with
// HKDF under a purpose label, so a value signed for one purpose can never be
// replayed as another and the secret itself is used for nothing directly.
import { hkdfSync } from 'node:crypto';

const KEY_BYTES = 32;

export type KeyPurpose = 'csrf';

export function deriveKey(secret: string, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'tracera', `tracera:${purpose}`, KEY_BYTES));
}
