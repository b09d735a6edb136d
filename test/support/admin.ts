// Admin credentials for tests (S28). The hash is argon2id with the least
// work argon2 allows: verifying reads the parameters from the hash itself,
// so suites that send the credentials on thousands of requests (S37, S38)
// spend no real hashing time on them, while the gate still verifies each.
import { type Algorithm, hash } from '@node-rs/argon2';

/** The package's `Algorithm.Argon2id`, a const enum that isolated modules cannot read. */
const ARGON2ID: Algorithm = 2;

export const ADMIN_USER = 'ops';
export const ADMIN_PASSWORD = 'a long admin passphrase 7';

/** The ADMIN_BASIC_AUTH value for ADMIN_USER and `password`, hashed cheaply. */
export async function adminBasicAuth(password = ADMIN_PASSWORD): Promise<string> {
  const passwordHash = await hash(password, {
    algorithm: ARGON2ID,
    memoryCost: 8,
    timeCost: 1,
    parallelism: 1,
  });
  return `${ADMIN_USER}:${passwordHash}`;
}

/** The Authorization header that carries the admin's credentials. */
export function adminAuthorization(user = ADMIN_USER, password = ADMIN_PASSWORD): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
