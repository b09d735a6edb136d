// What every provider's routes do once the provider has said who the browser
// is there: link that identity to the account that started a link flow, or
// find (or make) the identity's account and sign the browser in to it, with
// the same S18 rules, audit events and redirects whether the provider is
// Steam, Google or GitHub.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { auditFor } from '../../audit/events.js';
import { clientInfo } from '../../http/client-info.js';
import { ApiError } from '../../platform/errors.js';
import type { RequestAuth } from '../request-auth.js';
import type { AuthServices } from '../services.js';
import {
  deleteUser,
  findUserByEmail,
  findUserById,
  insertUser,
  insertUserWithoutEmail,
  publicUser,
  type User,
} from '../users.js';
import { type Flow, type FlowError, failureRedirect } from './flow.js';
import { findLinkedUserId, linkProvider, type Provider } from './links.js';

/** A disabled account (src/admin/); the flow's failure redirect carries `provider`. */
const ACCOUNT_DISABLED = 'This account is disabled';

export interface FederatedRoutes {
  readonly services: AuthServices;
  readonly requestAuth: RequestAuth;
}

export const StartQuery = Type.Object({
  return_to: Type.Optional(Type.String({ maxLength: 2048 })),
});

/** A callback's fields are read from the raw query string, repeats and all, and checked there. */
export const CallbackQuery = Type.Object({}, { additionalProperties: true });

/** The signed-in user a link flow may start for; without one, the refusal is audited and null. */
export async function linkingUserId(
  { services, requestAuth }: FederatedRoutes,
  request: FastifyRequest,
  provider: Provider,
): Promise<number | null> {
  const active = await requestAuth.session(request);
  if (active) return active.session.user.id;
  await auditFor(
    services.database,
    request,
  )({
    event: 'provider_link',
    outcome: 'failure',
    detail: { provider, reason: 'session' },
  });
  return null;
}

/** Links the identity to the account that started the flow, if that account is still signed in. */
export async function linkToSignedIn(
  { services, requestAuth }: FederatedRoutes,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: Flow,
  providerId: string,
) {
  const { provider, userId } = flow;
  const record = (outcome: 'success' | 'failure', reason?: string) =>
    auditFor(
      services.database,
      request,
    )({
      event: 'provider_link',
      outcome,
      userId,
      detail: reason ? { provider, reason } : { provider },
    });
  const active = await requestAuth.session(request);
  if (userId === null || active?.session.user.id !== userId) {
    await record('failure', 'session');
    return failureRedirect(reply, 'session');
  }
  const outcome = await linkProvider(services.database, { userId, provider, providerId });
  if (outcome !== 'linked') {
    await record('failure', outcome);
    return failureRedirect(
      reply,
      outcome === 'identity_taken' ? 'identity_taken' : 'already_linked',
    );
  }
  await record('success');
  return reply.redirect(flow.returnTo, 302);
}

/** Who the provider says the browser is. */
export interface ProviderIdentity {
  readonly providerId: string;
  /** An address, counted only when `emailVerified`. */
  readonly email: string | null;
  readonly emailVerified: boolean;
  readonly name: string | null;
}

export interface FoundAccount {
  readonly user: User;
  readonly how: 'linked' | 'created' | 'linked_by_email';
}

export type AccountResolution =
  | FoundAccount
  | { readonly error: FlowError; readonly reason: string };

/** A race is lost at most once per kind (a sign-up, a first sign-in); a third loss is a fault. */
const RESOLVE_ATTEMPTS = 3;

/**
 * The identity's account (S18): the one linked to it; else the account
 * whose verified email the provider also asserts as verified, which gets
 * linked; else a new account, with that verified email or with none. An
 * email the provider has not verified is not looked up at all, so a
 * callback says nothing about which addresses have accounts here (S12); one
 * on a local account never confirmed links nothing (`link_required`). A
 * race with a concurrent sign-up or first sign-in is retried.
 */
export async function accountForIdentity(
  services: AuthServices,
  provider: Provider,
  identity: ProviderIdentity,
  attempt = 1,
): Promise<AccountResolution> {
  if (attempt > RESOLVE_ATTEMPTS) throw new Error(`${provider} account kept changing`);
  const { database } = services;
  const linked = await findLinkedUserId(database, provider, identity.providerId);
  const existing = linked === null ? null : await findUserById(database, linked);
  if (existing) return { user: existing, how: 'linked' };
  const email = identity.emailVerified ? identity.email : null;
  const owner = email ? await findUserByEmail(database, email) : null;
  if (owner && !owner.email_verified) {
    return { error: 'link_required', reason: 'unconfirmed_local_email' };
  }
  const user =
    owner ??
    (email
      ? await insertUser(database, {
          email,
          passwordHash: null,
          emailVerified: true,
          name: identity.name,
        })
      : await insertUserWithoutEmail(database, identity.name));
  // Someone signed up with this email between the lookup and the insert.
  if (!user) return accountForIdentity(services, provider, identity, attempt + 1);
  const outcome = await linkProvider(database, {
    userId: user.id,
    provider,
    providerId: identity.providerId,
  });
  if (outcome === 'linked') return { user, how: owner === null ? 'created' : 'linked_by_email' };
  if (owner === null) {
    // A concurrent first sign-in with this identity linked its own new account first.
    await deleteUser(database, user.id);
    return accountForIdentity(services, provider, identity, attempt + 1);
  }
  return { error: 'already_linked', reason: outcome };
}

/**
 * Signs the browser in to the account found for it with a new session (S4),
 * recording a sign-up or a link by email when that is how it was found, and
 * sends it back where the flow began.
 */
export async function signInAndReturn(
  { services, requestAuth }: FederatedRoutes,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: Flow,
  { user, how }: FoundAccount,
) {
  const audit = auditFor(services.database, request);
  const { provider } = flow;
  if (how === 'created') {
    await audit({
      event: 'signup',
      outcome: 'success',
      userId: user.id,
      detail: { method: provider },
    });
  } else if (how === 'linked_by_email') {
    await audit({
      event: 'provider_link',
      outcome: 'success',
      userId: user.id,
      detail: { provider, via: 'verified_email' },
    });
  }
  if (user.disabled_at !== null) {
    await audit({
      event: 'login',
      outcome: 'failure',
      userId: user.id,
      detail: { method: provider, reason: 'disabled' },
    });
    throw new ApiError(403, ACCOUNT_DISABLED);
  }
  const signedIn = await services.sessions.create(publicUser(user), clientInfo(request));
  await requestAuth.startSession(request, reply, signedIn);
  await audit({
    event: 'login',
    outcome: 'success',
    userId: user.id,
    detail: { method: provider },
  });
  return reply.redirect(flow.returnTo, 302);
}
