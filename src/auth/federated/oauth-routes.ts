// Google or GitHub under /api/v1/auth (one registration per configured
// provider): `/<provider>` sends the browser to the provider, and
// `/<provider>/callback` signs it in or up. Which account that is follows
// S18: the one linked to this identity; else the account whose verified
// email the provider also asserts as verified, which gets linked; else a new
// account (with that verified email, or with none). An email the provider
// has not verified, or one on a local account never confirmed, links
// nothing: the user signs in to that account first (`link_required`).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { recordAuditEvent } from '../../audit/events.js';
import { clientInfo } from '../../http/client-info.js';
import type { RequestAuth } from '../request-auth.js';
import type { Audit, AuthServices } from '../services.js';
import {
  deleteUser,
  findUserByEmail,
  findUserById,
  insertUser,
  insertUserWithoutEmail,
  publicUser,
  type User,
} from '../users.js';
import {
  callbackQuery,
  createFlowState,
  type FlowError,
  failureRedirect,
  redirectFailures,
  safeReturnTo,
} from './flow.js';
import { findLinkedUserId, linkProvider } from './links.js';
import { type OAuthClient, OAuthError, type OAuthProfile } from './oauth.js';

export interface OAuthRouteOptions {
  readonly services: AuthServices;
  readonly requestAuth: RequestAuth;
  readonly baseUrl: string;
  readonly client: OAuthClient;
}

const StartQuery = Type.Object({ return_to: Type.Optional(Type.String({ maxLength: 2048 })) });
/** The state, code and any error are read from the raw query string and checked there. */
const CallbackQuery = Type.Object({}, { additionalProperties: true });

type Resolution =
  | { readonly user: User; readonly how: 'linked' | 'created' | 'linked_by_email' }
  | { readonly error: FlowError; readonly reason: string };

export const oauthRoutes: FastifyPluginAsync<OAuthRouteOptions> = async (app, options) => {
  const { services, requestAuth, baseUrl, client } = options;
  const { provider } = client;
  redirectFailures(app);
  const flows = createFlowState(services, baseUrl);
  const audit =
    (request: FastifyRequest): Audit =>
    (event) =>
      recordAuditEvent(services.database, request, event);

  /** The identity's account, linked now when S18 allows; made when there is none. */
  async function resolve(profile: OAuthProfile): Promise<Resolution> {
    const linked = await findLinkedUserId(services.database, provider, profile.providerId);
    const existing = linked === null ? null : await findUserById(services.database, linked);
    if (existing) return { user: existing, how: 'linked' };
    const owner = profile.email ? await findUserByEmail(services.database, profile.email) : null;
    if (owner && !(profile.emailVerified && owner.email_verified)) {
      return { error: 'link_required', reason: 'unverified_email' };
    }
    const user =
      owner ??
      (profile.email && profile.emailVerified
        ? await insertUser(services.database, {
            email: profile.email,
            passwordHash: null,
            emailVerified: true,
            name: profile.name,
          })
        : await insertUserWithoutEmail(services.database, profile.name));
    // Someone signed up with this email between the lookup and the insert: start over.
    if (!user) return resolve(profile);
    const outcome = await linkProvider(services.database, {
      userId: user.id,
      provider,
      providerId: profile.providerId,
    });
    if (outcome === 'linked') return { user, how: owner === null ? 'created' : 'linked_by_email' };
    if (owner === null) {
      // A concurrent first sign-in with this identity linked its own new account first.
      await deleteUser(services.database, user.id);
      return resolve(profile);
    }
    return { error: 'already_linked', reason: outcome };
  }

  app.get(
    `/${provider}`,
    { schema: { summary: `Sign in with ${provider}`, querystring: StartQuery } },
    async (request: FastifyRequest<{ Querystring: { return_to?: string } }>, reply) => {
      const codeVerifier = client.newCodeVerifier();
      const state = await flows.begin(reply, {
        provider,
        purpose: 'sign-in',
        userId: null,
        returnTo: safeReturnTo(request.query.return_to, baseUrl),
        codeVerifier,
      });
      return reply
        .header('cache-control', 'no-store')
        .redirect(client.authorizationUrl(state, codeVerifier), 302);
    },
  );

  app.get(
    `/${provider}/callback`,
    { schema: { summary: `Where ${provider} returns after sign-in`, querystring: CallbackQuery } },
    async (request, reply: FastifyReply) => {
      reply.header('cache-control', 'no-store');
      const query = callbackQuery(request);
      const fail = async (error: FlowError, reason: string, userId: number | null = null) => {
        await audit(request)({
          event: 'login',
          outcome: 'failure',
          userId,
          detail: { method: provider, reason },
        });
        return failureRedirect(reply, error);
      };
      const finished = await flows.finish(request, reply, query, { provider, purpose: 'sign-in' });
      if (!finished) return fail('state', 'state');
      const codes = query.getAll('code');
      if (query.has('error') || codes.length !== 1 || !codes[0]) {
        return fail('provider', query.has('error') ? 'denied' : 'no_code');
      }
      let profile: OAuthProfile;
      try {
        profile = await client.profile(codes[0], finished.flow.codeVerifier ?? null);
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        request.log.warn({ provider, failure: error.failure }, error.message);
        return fail(error.failure, error.failure);
      }
      const resolved = await resolve(profile);
      if ('error' in resolved) return fail(resolved.error, resolved.reason);
      const { user, how } = resolved;
      if (how === 'created') {
        await audit(request)({
          event: 'signup',
          outcome: 'success',
          userId: user.id,
          detail: { method: provider },
        });
      } else if (how === 'linked_by_email') {
        await audit(request)({
          event: 'provider_link',
          outcome: 'success',
          userId: user.id,
          detail: { provider, via: 'verified_email' },
        });
      }
      const signedIn = await services.sessions.create(publicUser(user), clientInfo(request));
      await requestAuth.startSession(request, reply, signedIn);
      await audit(request)({
        event: 'login',
        outcome: 'success',
        userId: user.id,
        detail: { method: provider },
      });
      return reply.redirect(finished.flow.returnTo, 302);
    },
  );
};
