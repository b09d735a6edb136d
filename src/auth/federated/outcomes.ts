// What every provider's routes do once the provider has said who the browser
// is there: link that identity to the account that started a link flow, or
// sign the browser in to an account, with the same audit events and
// redirects whether the provider is Steam, Google or GitHub.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { recordAuditEvent } from '../../audit/events.js';
import { clientInfo } from '../../http/client-info.js';
import type { RequestAuth } from '../request-auth.js';
import type { Audit, AuthServices } from '../services.js';
import { publicUser, type User } from '../users.js';
import { type Flow, failureRedirect } from './flow.js';
import { linkProvider, type Provider } from './links.js';

export interface FederatedRoutes {
  readonly services: AuthServices;
  readonly requestAuth: RequestAuth;
}

export const StartQuery = Type.Object({
  return_to: Type.Optional(Type.String({ maxLength: 2048 })),
});

/** A callback's fields are read from the raw query string, repeats and all, and checked there. */
export const CallbackQuery = Type.Object({}, { additionalProperties: true });

export function auditFor(services: AuthServices, request: FastifyRequest): Audit {
  return (event) => recordAuditEvent(services.database, request, event);
}

/** The signed-in user a link flow may start for; without one, the refusal is audited and null. */
export async function linkingUserId(
  { services, requestAuth }: FederatedRoutes,
  request: FastifyRequest,
  provider: Provider,
): Promise<number | null> {
  const active = await requestAuth.session(request);
  if (active) return active.session.user.id;
  await auditFor(
    services,
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
      services,
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

/** Signs the browser in to `user` with a new session (S4) and sends it back where the flow began. */
export async function signInAndReturn(
  { services, requestAuth }: FederatedRoutes,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: Flow,
  user: User,
) {
  const signedIn = await services.sessions.create(publicUser(user), clientInfo(request));
  await requestAuth.startSession(request, reply, signedIn);
  await auditFor(
    services,
    request,
  )({
    event: 'login',
    outcome: 'success',
    userId: user.id,
    detail: { method: flow.provider },
  });
  return reply.redirect(flow.returnTo, 302);
}
