// Google or GitHub under /api/v1/auth (one registration per configured
// provider): `/<provider>` sends the browser to the provider to sign in or
// up, `/<provider>/link` to link the provider to the signed-in account, and
// `/<provider>/callback` (the one redirect URI to register) finishes either.
// The account signed in to follows S18: the one linked to this identity;
// else the account whose verified email the provider also asserts as
// verified, which gets linked; else a new account (with that verified email,
// or with none). An email the provider
// has not verified is ignored; one on a local account never confirmed links
// nothing (`link_required`): its owner confirms it or signs in to that
// account and links from there (`/<provider>/link`).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  deleteUser,
  findUserByEmail,
  findUserById,
  insertUser,
  insertUserWithoutEmail,
  type User,
} from '../users.js';
import {
  callbackQuery,
  createFlowState,
  type Flow,
  type FlowError,
  failureRedirect,
  redirectFailures,
  safeReturnTo,
} from './flow.js';
import { findLinkedUserId, linkProvider } from './links.js';
import { type OAuthClient, OAuthError, type OAuthProfile } from './oauth.js';
import {
  auditFor,
  CallbackQuery,
  type FederatedRoutes,
  linkingUserId,
  linkToSignedIn,
  StartQuery,
  signInAndReturn,
} from './outcomes.js';

export interface OAuthRouteOptions extends FederatedRoutes {
  readonly baseUrl: string;
  readonly client: OAuthClient;
}

/** A race is lost at most once per kind (a sign-up, a first sign-in); a third loss is a fault. */
const RESOLVE_ATTEMPTS = 3;

type Resolution =
  | { readonly user: User; readonly how: 'linked' | 'created' | 'linked_by_email' }
  | { readonly error: FlowError; readonly reason: string };

export const oauthRoutes: FastifyPluginAsync<OAuthRouteOptions> = async (app, options) => {
  const { services, baseUrl, client } = options;
  const { provider } = client;
  redirectFailures(app);
  const flows = createFlowState(services, baseUrl);
  const audit = (request: FastifyRequest) => auditFor(services, request);

  /**
   * The identity's account, linked now when S18 allows; made when there is
   * none. An email the provider has not verified is not looked up at all,
   * so a callback says nothing about which addresses have accounts here
   * (S12). A race with a concurrent sign-up or first sign-in is retried.
   */
  async function resolve(profile: OAuthProfile, attempt = 1): Promise<Resolution> {
    if (attempt > RESOLVE_ATTEMPTS) throw new Error(`${provider} account kept changing`);
    const linked = await findLinkedUserId(services.database, provider, profile.providerId);
    const existing = linked === null ? null : await findUserById(services.database, linked);
    if (existing) return { user: existing, how: 'linked' };
    const email = profile.emailVerified ? profile.email : null;
    const owner = email ? await findUserByEmail(services.database, email) : null;
    if (owner && !owner.email_verified) {
      return { error: 'link_required', reason: 'unconfirmed_local_email' };
    }
    const user =
      owner ??
      (email
        ? await insertUser(services.database, {
            email,
            passwordHash: null,
            emailVerified: true,
            name: profile.name,
          })
        : await insertUserWithoutEmail(services.database, profile.name));
    // Someone signed up with this email between the lookup and the insert.
    if (!user) return resolve(profile, attempt + 1);
    const outcome = await linkProvider(services.database, {
      userId: user.id,
      provider,
      providerId: profile.providerId,
    });
    if (outcome === 'linked') return { user, how: owner === null ? 'created' : 'linked_by_email' };
    if (owner === null) {
      // A concurrent first sign-in with this identity linked its own new account first.
      await deleteUser(services.database, user.id);
      return resolve(profile, attempt + 1);
    }
    return { error: 'already_linked', reason: outcome };
  }

  async function start(reply: FastifyReply, flow: Omit<Flow, 'provider' | 'codeVerifier'>) {
    const codeVerifier = client.newCodeVerifier();
    const state = await flows.begin(reply, { ...flow, provider, codeVerifier });
    return reply
      .header('cache-control', 'no-store')
      .redirect(client.authorizationUrl(state, codeVerifier), 302);
  }

  app.get(
    `/${provider}`,
    { schema: { summary: `Sign in with ${provider}`, querystring: StartQuery } },
    async (request: FastifyRequest<{ Querystring: { return_to?: string } }>, reply) =>
      start(reply, {
        purpose: 'sign-in',
        userId: null,
        returnTo: safeReturnTo(request.query.return_to, baseUrl),
      }),
  );

  app.get(
    `/${provider}/link`,
    {
      schema: {
        summary: `Link ${provider} to the signed-in account`,
        querystring: StartQuery,
      },
    },
    async (request: FastifyRequest<{ Querystring: { return_to?: string } }>, reply) => {
      const userId = await linkingUserId(options, request, provider);
      if (userId === null) return failureRedirect(reply, 'session');
      return start(reply, {
        purpose: 'link',
        userId,
        returnTo: safeReturnTo(request.query.return_to, baseUrl),
      });
    },
  );

  app.get(
    `/${provider}/callback`,
    { schema: { summary: `Where ${provider} returns`, querystring: CallbackQuery } },
    async (request, reply: FastifyReply) => {
      reply.header('cache-control', 'no-store');
      const query = callbackQuery(request);
      const finished = await flows.finish(request, reply, query, { provider });
      const fail = async (error: FlowError, reason: string) => {
        const linking = finished?.flow.purpose === 'link';
        await audit(request)({
          event: linking ? 'provider_link' : 'login',
          outcome: 'failure',
          userId: finished?.flow.userId ?? null,
          detail: linking ? { provider, reason } : { method: provider, reason },
        });
        return failureRedirect(reply, error);
      };
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
      if (finished.flow.purpose === 'link') {
        return linkToSignedIn(options, request, reply, finished.flow, profile.providerId);
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
      return signInAndReturn(options, request, reply, finished.flow, user);
    },
  );
};
