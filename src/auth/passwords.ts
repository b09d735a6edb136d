// Passwords (S11). The policy is NIST's: length, not composition rules, plus
// a refusal of the passwords attackers try first. Length is counted in code
// points after NFKC, the form the password is hashed in, so the same
// password typed on two keyboards hashes the same.
//
// Hashing is argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane) in
// @node-rs/argon2, whose async calls run on libuv's thread pool: a login
// costs the event loop nothing while it hashes. The hasher is an interface so
// the enumeration tests can count its calls (S12).
import { type Algorithm, hash, verify } from '@node-rs/argon2';
import { isCommonPassword } from './common-passwords.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** The package's `Algorithm.Argon2id`, a const enum that isolated modules cannot read. */
const ARGON2ID: Algorithm = 2;

export const ARGON2_PARAMETERS = {
  algorithm: ARGON2ID,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  const length = [...normalizePassword(password)].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return `Password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return `Password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  }
  if (isCommonPassword(normalizePassword(password))) {
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

const CURRENT_PARAMETERS = `$argon2id$v=19$m=${ARGON2_PARAMETERS.memoryCost},t=${ARGON2_PARAMETERS.timeCost},p=${ARGON2_PARAMETERS.parallelism}$`;

export const argon2Hasher: PasswordHasher = {
  hash: (password) => hash(normalizePassword(password), ARGON2_PARAMETERS),
  async verify(passwordHash, password) {
    try {
      return await verify(passwordHash, normalizePassword(password));
    } catch {
      // A malformed stored hash must fail the login, not the server.
      return false;
    }
  },
  needsRehash: (passwordHash) => !passwordHash.startsWith(CURRENT_PARAMETERS),
};
