// OWASP's argon2id parameters (19 MiB, 2 passes, 1 lane), shared by the
// hasher and its worker threads.
import type { Algorithm, Options } from '@node-rs/argon2';

/** The package's `Algorithm.Argon2id`, a const enum that isolated modules cannot read. */
const ARGON2ID: Algorithm = 2;

export const ARGON2_PARAMETERS = {
  algorithm: ARGON2ID,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const satisfies Options;

/** How every hash made with the current parameters begins. */
export const CURRENT_HASH_PREFIX = `$argon2id$v=19$m=${ARGON2_PARAMETERS.memoryCost},t=${ARGON2_PARAMETERS.timeCost},p=${ARGON2_PARAMETERS.parallelism}$`;

/** Nice value of hashing threads; at 10 one weighs about a tenth of a normal thread when they compete. */
export const HASHING_NICE = 10;

export type HashingJob =
  | { readonly op: 'hash'; readonly password: string }
  | { readonly op: 'verify'; readonly hash: string; readonly password: string };

export type HashingReply =
  | { readonly id: number; readonly result: string | boolean }
  | { readonly id: number; readonly error: string };
