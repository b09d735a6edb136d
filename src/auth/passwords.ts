// Passwords (S11). The policy is NIST's: length, not composition rules, plus
// a refusal of the passwords attackers try first. Length is counted in code
// points after NFKC, the form the password is hashed in, so the same
// password typed on two keyboards hashes the same.
//
// Hashing is argon2id with OWASP's parameters in low-priority worker threads
// (hashing-pool.ts): a login costs the event loop nothing while it hashes.
// The hasher is an interface so the enumeration tests can count its calls (S12).
import { CURRENT_HASH_PREFIX } from './argon2-parameters.js';
import { isCommonPassword } from './common-passwords.js';
import { createHashingPool } from './hashing-pool.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return `Password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return `Password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  }
  if (isCommonPassword(normalized)) {
    return 'Password is too common; choose one that is harder to guess';
  }
  return null;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** True when the hash was made with other parameters and should be redone. */
  needsRehash(passwordHash: string): boolean;
}

const pool = createHashingPool();

export const argon2Hasher: PasswordHasher = {
  hash: async (password) =>
    (await pool.run({ op: 'hash', password: normalizePassword(password) })) as string,
  verify: async (passwordHash, password) =>
    (await pool.run({
      op: 'verify',
      hash: passwordHash,
      password: normalizePassword(password),
    })) === true,
  needsRehash: (passwordHash) => !passwordHash.startsWith(CURRENT_HASH_PREFIX),
};
