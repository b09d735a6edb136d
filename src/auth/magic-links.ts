// Sign-in by emailed link (S15). A link is sent whether or not the address
// has an account (it creates one, verified, when used), and all of it is
// deferred until the request has been answered, so the request says nothing
// about who is registered (S12). Opening the link only shows a confirm
// page; the token is spent by that page's POST, because mail scanners follow
// links and must not sign anyone in. Password-login throttling (S16) does
// not apply here.
import type { Audit } from '../audit/events.js';
import type { ClientInfo } from '../http/client-info.js';
import { ApiError } from '../platform/errors.js';
import { MINUTE_MS } from '../platform/time.js';
import { consumeOneTimeToken, issueOneTimeToken } from './one-time-tokens.js';
import type { AuthServices } from './services.js';
import type { SignedIn } from './sign-in.js';
import { INVALID_TOKEN } from './sign-up.js';
import {
  claimUnverifiedAccount,
  findUserByEmail,
  insertUser,
  normalizeEmail,
  publicUser,
  type User,
} from './users.js';

interface MagicLink {
  readonly email: string;
}

/** Deferred work of a sign-in link request: the link, and the audit of who asked. */
export async function sendMagicLink(
  services: AuthServices,
  audit: Audit,
  rawEmail: string,
): Promise<void> {
  const email = normalizeEmail(rawEmail);
  const token = await issueOneTimeToken<MagicLink>(
    services.store,
    'magic-link',
    { email },
    services.magicLinkExpiryMs,
    services.now,
  );
  await services.mail.send(
    services.emails.magicLink(email, token, Math.round(services.magicLinkExpiryMs / MINUTE_MS)),
    'magic-link',
  );
  const user = await findUserByEmail(services.database, email);
  await audit({ event: 'magic_link_request', outcome: 'success', userId: user?.id ?? null });
}

async function userForEmail(services: AuthServices, email: string): Promise<User> {
  const existing = await findUserByEmail(services.database, email);
  if (existing) {
    if (!existing.email_verified) await claimUnverifiedAccount(services.database, existing.id);
    return existing;
  }
  const created = await insertUser(services.database, {
    email,
    passwordHash: null,
    emailVerified: true,
  });
  // A concurrent first sign-in created it between the two statements.
  const user = created ?? (await findUserByEmail(services.database, email));
  if (!user) throw new Error('user vanished during magic-link sign-in');
  return user;
}

export async function signInWithMagicLink(
  services: AuthServices,
  audit: Audit,
  token: string,
  client: ClientInfo,
): Promise<SignedIn> {
  const link = await consumeOneTimeToken<MagicLink>(
    services.store,
    'magic-link',
    token,
    services.now,
  );
  if (!link) {
    await audit({ event: 'magic_link_login', outcome: 'failure' });
    throw new ApiError(400, INVALID_TOKEN);
  }
  const user = await userForEmail(services, link.email);
  if (user.disabled_at !== null) {
    // As for a spent link: the answer does not say the account exists (S12).
    await audit({
      event: 'magic_link_login',
      outcome: 'failure',
      userId: user.id,
      detail: { reason: 'disabled' },
    });
    throw new ApiError(400, INVALID_TOKEN);
  }
  const session = await services.sessions.create(publicUser(user), client);
  await audit({ event: 'magic_link_login', outcome: 'success', userId: user.id });
  return session;
}
