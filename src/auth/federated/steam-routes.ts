// Steam under /api/v1/auth: sign in with Steam (`/steam/login`, creating an
// account with no email the first time a SteamID is seen), and link Steam to
// the signed-in account (`/steam`). Each start redirects to Steam; each
// callback checks the flow state, then the assertion (S20), and redirects
// back into the web app (S19). Failures are audited with their reason and
// shown only as a short code.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditFor } from '../../audit/events.js';
import { API_PREFIX } from '../../http/api-prefix.js';
import { redirect, SIGNED_IN } from '../../http/openapi.js';
import {
  callbackQuery,
  createFlowState,
  FAILURE_LANDING,
  type Flow,
  type FlowError,
  failureRedirect,
  redirectFailures,
  safeReturnTo,
} from './flow.js';
import {
  accountForIdentity,
  CallbackQuery,
  type FederatedRoutes,
  linkingUserId,
  linkToSignedIn,
  StartQuery,
  signInAndReturn,
} from './outcomes.js';
import { type SteamOpenId, type SteamVerdict, steamReturnTo } from './steam-openid.js';

export interface SteamRouteOptions extends FederatedRoutes {
  readonly baseUrl: string;
  readonly steam: SteamOpenId;
}

export const steamRoutes: FastifyPluginAsyncTypebox<SteamRouteOptions> = async (app, options) => {
  const { services, baseUrl, steam } = options;
  redirectFailures(app);
  const flows = createFlowState(services, baseUrl);
  const callbackUrl = (path: string) => new URL(`${API_PREFIX}/auth${path}`, baseUrl).href;
  const audit = (request: FastifyRequest) => auditFor(services.database, request);
  const noStore = { 'cache-control': 'no-store' };

  async function start(reply: FastifyReply, flow: Flow, callbackPath: string) {
    const state = await flows.begin(reply, flow);
    return reply
      .headers(noStore)
      .redirect(steam.signInUrl(steamReturnTo(callbackUrl(callbackPath), state)), 302);
  }

  /** The verified SteamID64 and the flow, or the code to fail with (already audited). */
  async function finish(
    request: FastifyRequest,
    reply: FastifyReply,
    callbackPath: string,
    purpose: Flow['purpose'],
  ): Promise<{ flow: Flow; steamId: string } | FlowError> {
    reply.headers(noStore);
    const event = purpose === 'sign-in' ? 'login' : 'provider_link';
    const query = callbackQuery(request);
    const finished = await flows.finish(request, reply, query, { provider: 'steam', purpose });
    const fail = async (error: FlowError, reason: string) => {
      await audit(request)({
        event,
        outcome: 'failure',
        userId: finished?.flow.userId ?? null,
        detail: event === 'login' ? { method: 'steam', reason } : { provider: 'steam', reason },
      });
      return error;
    };
    if (!finished) return fail('state', 'state');
    const returnTo = steamReturnTo(callbackUrl(callbackPath), finished.state);
    const verdict: SteamVerdict = await steam.verify(query, returnTo);
    if (!verdict.ok) {
      return fail(verdict.failure === 'unavailable' ? 'unavailable' : 'provider', verdict.failure);
    }
    return { flow: finished.flow, steamId: verdict.steamId };
  }

  app.get(
    '/steam/login',
    {
      schema: {
        summary: 'Sign in with Steam',
        description:
          'The first sign-in with a SteamID makes an account without an email. `return_to` is a path on this site to come back to.',
        querystring: StartQuery,
        response: { 302: redirect(`To Steam’s sign-in page; on a failure, to ${FAILURE_LANDING}`) },
      },
    },
    async (request, reply) =>
      start(
        reply,
        {
          provider: 'steam',
          purpose: 'sign-in',
          userId: null,
          returnTo: safeReturnTo(request.query.return_to, baseUrl),
        },
        '/steam/login/callback',
      ),
  );

  app.get(
    '/steam/login/callback',
    {
      schema: {
        summary: 'Where Steam returns after sign-in',
        description:
          'Checks the flow state against this browser’s cookie, then Steam’s assertion (S20), and signs the browser in.',
        querystring: CallbackQuery,
        response: {
          302: redirect(`Signed in, back to \`return_to\`; on a failure, to ${FAILURE_LANDING}`),
        },
      },
    },
    async (request, reply) => {
      const result = await finish(request, reply, '/steam/login/callback', 'sign-in');
      if (typeof result === 'string') return failureRedirect(reply, result);
      // Steam gives no email: the account is the linked one, or a new one without email.
      const resolved = await accountForIdentity(services, 'steam', {
        providerId: result.steamId,
        email: null,
        emailVerified: false,
        name: null,
      });
      if ('error' in resolved) return failureRedirect(reply, resolved.error);
      return signInAndReturn(options, request, reply, result.flow, resolved);
    },
  );

  app.get(
    '/steam',
    {
      schema: {
        summary: 'Link Steam to the signed-in account',
        security: SIGNED_IN,
        querystring: StartQuery,
        response: {
          302: redirect(
            `To Steam’s sign-in page; without a session or on a failure, to ${FAILURE_LANDING}`,
          ),
        },
      },
    },
    async (request, reply) => {
      const userId = await linkingUserId(options, request, 'steam');
      if (userId === null) return failureRedirect(reply, 'session');
      return start(
        reply,
        {
          provider: 'steam',
          purpose: 'link',
          userId,
          returnTo: safeReturnTo(request.query.return_to, baseUrl),
        },
        '/steam/callback',
      );
    },
  );

  app.get(
    '/steam/callback',
    {
      schema: {
        summary: 'Where Steam returns after linking',
        security: SIGNED_IN,
        querystring: CallbackQuery,
        response: {
          302: redirect(`Linked, back to \`return_to\`; on a failure, to ${FAILURE_LANDING}`),
        },
      },
    },
    async (request, reply) => {
      const result = await finish(request, reply, '/steam/callback', 'link');
      if (typeof result === 'string') return failureRedirect(reply, result);
      return linkToSignedIn(options, request, reply, result.flow, result.steamId);
    },
  );
};
