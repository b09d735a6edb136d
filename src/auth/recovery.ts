// Password recovery and change (S4, S13, S41). Forgot-password answers the
// same for every address, and does nothing on the request path that depends
// on the address: the lookup, token and mail are deferred until the answer
// has gone (S12, deferred-work.ts). A reset token is single-use, valid for an hour, and
// void as soon as the password changes by any route: it carries the time of
// the last change, which must still match. A reset never signs anyone in and
// ends every session of the account; a change ends all but the current one.
import type { Audit } from '../audit/events.js';
import { ApiError } from '../platform/errors.js';
import { HOUR_MS } from '../platform/time.js';
import { lockedError, tooManyWrongPasswords } from './login-throttle.js';
import { consumeOneTimeToken, issueOneTimeToken } from './one-time-tokens.js';
import { passwordProblem } from './passwords.js';
import { NOT_SIGNED_IN } from './request-auth.js';
import type { AuthServices } from './services.js';
import type { ActiveSession } from './sessions.js';
import { INVALID_TOKEN } from './sign-up.js';
import {
  findUserByEmail,
  findUserById,
  markEmailVerified,
  setPasswordHash,
  type User,
} from './users.js';

export const PASSWORD_RESET_TTL_MS = HOUR_MS;

interface PasswordReset {
  readonly userId: number;
  /** ISO time of the password change this token was issued after, or null. */
  readonly passwordChangedAt: string | null;
}

const changedAt = (user: User) => user.password_changed_at?.toISOString() ?? null;

/** Deferred work of a forgot-password request: a reset link if the address has an account. */
export async function sendPasswordReset(
  services: AuthServices,
  audit: Audit,
  email: string,
): Promise<void> {
  const user = await findUserByEmail(services.database, email);
  if (!user) {
    await audit({
      event: 'password_reset_request',
      outcome: 'failure',
      detail: { reason: 'unknown_email' },
    });
    return;
  }
  const token = await issueOneTimeToken<PasswordReset>(
    services.store,
    'password-reset',
    { userId: user.id, passwordChangedAt: changedAt(user) },
    PASSWORD_RESET_TTL_MS,
    services.now,
  );
  await services.mail.send(services.emails.passwordReset(user.email, token), 'password-reset');
  await audit({ event: 'password_reset_request', outcome: 'success', userId: user.id });
}

export async function resetPassword(
  services: AuthServices,
  audit: Audit,
  request: { readonly token: string; readonly password: string },
): Promise<void> {
  // The password is checked first, so a refused password does not use up the link.
  const problem = passwordProblem(request.password);
  if (problem) throw new ApiError(400, problem);
  const reset = await consumeOneTimeToken<PasswordReset>(
    services.store,
    'password-reset',
    request.token,
    services.now,
  );
  const user = reset ? await findUserById(services.database, reset.userId) : null;
  if (!reset || !user || changedAt(user) !== reset.passwordChangedAt) {
    await audit({ event: 'password_reset', outcome: 'failure', userId: user?.id ?? null });
    throw new ApiError(400, INVALID_TOKEN);
  }
  await setPasswordHash(
    services.database,
    user.id,
    await services.hasher.hash(request.password),
    true,
  );
  // Opening the emailed link proved the address is the user's.
  if (user.email !== null) {
    if (!user.email_verified) await markEmailVerified(services.database, user.id, user.email);
    await services.throttle.recordSuccess(user.email);
  }
  const ended = await services.sessions.endAll(user.id);
  await audit({
    event: 'password_reset',
    outcome: 'success',
    userId: user.id,
    detail: { sessions_ended: ended },
  });
}

export async function changePassword(
  services: AuthServices,
  audit: Audit,
  current: ActiveSession,
  request: { readonly currentPassword: string; readonly newPassword: string },
): Promise<void> {
  const user = await findUserById(services.database, current.session.user.id);
  if (!user) throw new ApiError(401, NOT_SIGNED_IN);
  // Passwords sign in with an email address: one set on an account without one could never be used.
  if (user.email === null) {
    throw new ApiError(409, 'This account has no email address to sign in with a password');
  }
  // An account made by magic link has no password yet; its first one needs no current one.
  if (user.password_hash) {
    await checkCurrentPassword(
      services,
      audit,
      { id: user.id, email: user.email },
      user.password_hash,
      request.currentPassword,
    );
  }
  const problem = passwordProblem(request.newPassword);
  if (problem) throw new ApiError(400, problem);
  await setPasswordHash(
    services.database,
    user.id,
    await services.hasher.hash(request.newPassword),
    true,
  );
  const ended = await services.sessions.endAll(user.id, current);
  await audit({
    event: 'password_change',
    outcome: 'success',
    userId: user.id,
    detail: { sessions_ended: ended },
  });
}

/** S41: the current password is checked like a login's, and throttled with it per account. */
async function checkCurrentPassword(
  services: AuthServices,
  audit: Audit,
  user: { readonly id: number; readonly email: string },
  passwordHash: string,
  password: string,
): Promise<void> {
  const lockedMs = await services.throttle.lockedForMs(user.email);
  if (lockedMs > 0) {
    await audit({
      event: 'password_change',
      outcome: 'failure',
      userId: user.id,
      detail: { reason: 'throttled' },
    });
    throw lockedError(lockedMs, tooManyWrongPasswords);
  }
  if (await services.hasher.verify(passwordHash, password)) {
    await services.throttle.recordSuccess(user.email);
    return;
  }
  await services.throttle.recordFailure(user.email);
  await audit({
    event: 'password_change',
    outcome: 'failure',
    userId: user.id,
    detail: { reason: 'wrong_password' },
  });
  throw new ApiError(400, 'Current password is incorrect');
}
