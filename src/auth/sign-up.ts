// Sign-up and email verification (S11, S12, S14). Sign-up answers the same
// whether or not the address is taken: it hashes the password either way,
// and the owner of an existing account gets a notice by mail instead of the
// visitor getting an error. Verification links are single-use, 24 h.
import { ApiError } from '../platform/errors.js';
import { consumeOneTimeToken, issueOneTimeToken } from './one-time-tokens.js';
import { passwordProblem } from './passwords.js';
import type { Audit, AuthServices } from './services.js';
import {
  findUserByEmail,
  insertUser,
  markEmailVerified,
  normalizeEmail,
  type UserWithEmail,
} from './users.js';

export const EMAIL_VERIFICATION_TTL_MS = 24 * 60 * 60_000;
export const INVALID_TOKEN = 'Invalid or expired token';

interface EmailVerification {
  readonly userId: number;
  readonly email: string;
}

export interface SignUpRequest {
  readonly email: string;
  readonly password: string;
  readonly name?: string | undefined;
}

async function sendVerification(services: AuthServices, user: UserWithEmail): Promise<void> {
  const token = await issueOneTimeToken<EmailVerification>(
    services.store,
    'verify-email',
    { userId: user.id, email: user.email },
    EMAIL_VERIFICATION_TTL_MS,
    services.now,
  );
  services.mail.send(services.emails.verifyEmail(user.email, token), 'verify-email');
}

export async function signUp(
  services: AuthServices,
  audit: Audit,
  request: SignUpRequest,
): Promise<void> {
  const problem = passwordProblem(request.password);
  if (problem) throw new ApiError(400, problem);
  const email = normalizeEmail(request.email);
  const passwordHash = await services.hasher.hash(request.password);
  const created = await insertUser(services.database, {
    email,
    passwordHash,
    emailVerified: false,
    name: request.name?.trim() || null,
  });
  if (created) {
    await sendVerification(services, created);
    await audit({ event: 'signup', outcome: 'success', userId: created.id });
    return;
  }
  const existing = await findUserByEmail(services.database, email);
  if (!existing) throw new Error('sign-up conflicted on an email that does not exist');
  // Not a new verification link: the password typed now would not be the one
  // it confirms. The owner can sign in, or reset, which also verifies.
  services.mail.send(services.emails.accountExists(existing.email), 'account-exists');
  await audit({
    event: 'signup',
    outcome: 'failure',
    userId: existing.id,
    detail: { reason: 'email_taken' },
  });
}

export async function verifyEmail(
  services: AuthServices,
  audit: Audit,
  token: string,
): Promise<void> {
  const verification = await consumeOneTimeToken<EmailVerification>(
    services.store,
    'verify-email',
    token,
    services.now,
  );
  const verified =
    verification !== null &&
    (await markEmailVerified(services.database, verification.userId, verification.email));
  await audit({
    event: 'email_verification',
    outcome: verified ? 'success' : 'failure',
    userId: verification?.userId ?? null,
  });
  if (!verified) throw new ApiError(400, INVALID_TOKEN);
}
