// Sign-up and email confirmation (S11, S12, S14, S39). Signing up creates no
// account: it keeps a pending registration (the address, the password's
// hash, the name) under the confirmation token, and the account is made only
// when that token comes back together with the same password. So someone who
// signs up with another person's address never gets a password into that
// person's account: the owner cannot confirm what they do not know, and
// their own sign-up is not blocked by the stranger's (S39).
//
// The request path is the same for every address (S12): the password is
// hashed, then the rest (is the address taken? token, mail, audit) is
// deferred until the answer has gone. The owner of an existing account gets
// a notice instead of a confirmation link. Confirmation links are
// single-use, 24 h.
import type { Audit } from '../audit/events.js';
import { ApiError } from '../platform/errors.js';
import { DAY_MS } from '../platform/time.js';
import { lockedError, tooManyWrongPasswords } from './login-throttle.js';
import { consumeOneTimeToken, issueOneTimeToken, peekOneTimeToken } from './one-time-tokens.js';
import { passwordProblem } from './passwords.js';
import type { AuthServices } from './services.js';
import { findUserByEmail, insertUser, normalizeEmail } from './users.js';

export const EMAIL_VERIFICATION_TTL_MS = DAY_MS;
export const INVALID_TOKEN = 'Invalid or expired token';
export const NOT_THE_SIGN_UP_PASSWORD =
  'That is not the password this sign-up was made with; enter the one you chose when you signed up';
export const ALREADY_REGISTERED =
  'An account already uses this address; sign in, or reset its password';

/** What a confirmation token stands for until it is used. */
interface PendingRegistration {
  readonly email: string;
  readonly passwordHash: string;
  readonly name: string | null;
}

export interface SignUpRequest {
  readonly email: string;
  readonly password: string;
  readonly name?: string | undefined;
}

/**
 * The request path of a sign-up: the password policy and its hash, the same
 * for every address. The returned task does the rest once the request has
 * been answered (see deferred-work.ts).
 */
export async function prepareSignUp(
  services: AuthServices,
  audit: Audit,
  request: SignUpRequest,
): Promise<() => Promise<void>> {
  const problem = passwordProblem(request.password);
  if (problem) throw new ApiError(400, problem);
  const registration: PendingRegistration = {
    email: normalizeEmail(request.email),
    passwordHash: await services.hasher.hash(request.password),
    name: request.name?.trim() || null,
  };
  return () => completeSignUp(services, audit, registration);
}

async function completeSignUp(
  services: AuthServices,
  audit: Audit,
  registration: PendingRegistration,
): Promise<void> {
  const existing = await findUserByEmail(services.database, registration.email);
  if (existing?.email) {
    // Not a confirmation link: the password typed now is not the account's.
    // The owner can sign in, or reset, which also confirms.
    await services.mail.send(services.emails.accountExists(existing.email), 'account-exists');
    await audit({
      event: 'signup',
      outcome: 'failure',
      userId: existing.id,
      detail: { reason: 'email_taken' },
    });
    return;
  }
  const token = await issueOneTimeToken<PendingRegistration>(
    services.store,
    'verify-email',
    registration,
    EMAIL_VERIFICATION_TTL_MS,
    services.now,
  );
  await services.mail.send(services.emails.verifyEmail(registration.email, token), 'verify-email');
  await audit({ event: 'signup', outcome: 'success', detail: { stage: 'confirmation_sent' } });
}

/**
 * Makes the account of a pending registration, once its token comes back
 * with the password chosen at sign-up. A wrong password leaves the token
 * usable (a typo should not cost the link) and counts against the address
 * like a failed login (S41).
 */
export async function confirmSignUp(
  services: AuthServices,
  audit: Audit,
  request: { readonly token: string; readonly password: string },
): Promise<void> {
  const pending = await peekOneTimeToken<PendingRegistration>(
    services.store,
    'verify-email',
    request.token,
    services.now,
  );
  if (!pending) {
    await audit({ event: 'email_verification', outcome: 'failure' });
    throw new ApiError(400, INVALID_TOKEN);
  }
  const { email } = pending;
  const lockedMs = await services.throttle.lockedForMs(email);
  if (lockedMs > 0) {
    await audit({
      event: 'email_verification',
      outcome: 'failure',
      detail: { reason: 'throttled' },
    });
    throw lockedError(lockedMs, tooManyWrongPasswords);
  }
  if (!(await services.hasher.verify(pending.passwordHash, request.password))) {
    await services.throttle.recordFailure(email);
    await audit({
      event: 'email_verification',
      outcome: 'failure',
      detail: { reason: 'wrong_password' },
    });
    throw new ApiError(400, NOT_THE_SIGN_UP_PASSWORD);
  }
  // Spent only now, and only once: of two confirmations at once, one makes the account.
  const registration = await consumeOneTimeToken<PendingRegistration>(
    services.store,
    'verify-email',
    request.token,
    services.now,
  );
  if (!registration) {
    await audit({ event: 'email_verification', outcome: 'failure' });
    throw new ApiError(400, INVALID_TOKEN);
  }
  await services.throttle.recordSuccess(email);
  const created = await insertUser(services.database, {
    email,
    passwordHash: registration.passwordHash,
    emailVerified: true,
    name: registration.name,
  });
  if (!created) {
    // The address got an account meanwhile (a sign-in link, a provider): it stays as its owner left it.
    await audit({
      event: 'email_verification',
      outcome: 'failure',
      detail: { reason: 'email_taken' },
    });
    throw new ApiError(409, ALREADY_REGISTERED);
  }
  // The sign-up's own event, now that it has a user to belong to.
  await audit({
    event: 'signup',
    outcome: 'success',
    userId: created.id,
    detail: { stage: 'account_created' },
  });
  await audit({ event: 'email_verification', outcome: 'success', userId: created.id });
}
