// Password sign-in (S4, S12, S16). Every failure, whatever its cause, gets
// the same 401 and costs the same one password hash: an unknown email is
// checked against a dummy hash, and a disabled account answers as a wrong
// password does. A hash made with older parameters is redone
// after a successful login, while the password is at hand (S11).
import type { Audit } from '../audit/events.js';
import type { ClientInfo } from '../http/client-info.js';
import { ApiError } from '../platform/errors.js';
import { lockedError } from './login-throttle.js';
import type { AuthServices } from './services.js';
import type { ActiveSession } from './sessions.js';
import { findUserByEmail, normalizeEmail, publicUser, setPasswordHash } from './users.js';

export const INVALID_CREDENTIALS = 'Invalid email or password';

/** A new session and the token for its cookie; the session carries the user. */
export interface SignedIn extends ActiveSession {
  readonly token: string;
}

export async function signIn(
  services: AuthServices,
  audit: Audit,
  credentials: { readonly email: string; readonly password: string },
  client: ClientInfo,
): Promise<SignedIn> {
  const email = normalizeEmail(credentials.email);
  const lockedMs = await services.throttle.lockedForMs(email);
  if (lockedMs > 0) {
    await audit({ event: 'login', outcome: 'failure', detail: { reason: 'throttled' } });
    throw lockedError(
      lockedMs,
      (seconds) =>
        `Too many failed sign-in attempts; try again in ${seconds} seconds or sign in with an emailed link`,
    );
  }
  const user = await findUserByEmail(services.database, email);
  const passwordHash = user?.password_hash ?? (await services.dummyPasswordHash);
  const matches = await services.hasher.verify(passwordHash, credentials.password);
  // A disabled account gets the answer of a wrong password, after the same one hash (S12).
  if (!user?.password_hash || !matches || !user.email_verified || user.disabled_at !== null) {
    await services.throttle.recordFailure(email);
    const reason = !user
      ? 'unknown_email'
      : !matches || !user.password_hash
        ? 'wrong_password'
        : user.disabled_at !== null
          ? 'disabled'
          : 'unverified';
    await audit({
      event: 'login',
      outcome: 'failure',
      userId: user?.id ?? null,
      detail: { reason },
    });
    throw new ApiError(401, INVALID_CREDENTIALS);
  }
  await services.throttle.recordSuccess(email);
  if (services.hasher.needsRehash(user.password_hash)) {
    const rehashed = await services.hasher.hash(credentials.password);
    await setPasswordHash(services.database, user.id, rehashed, false);
  }
  const session = await services.sessions.create(publicUser(user), client);
  await audit({
    event: 'login',
    outcome: 'success',
    userId: user.id,
    detail: { method: 'password' },
  });
  return session;
}
