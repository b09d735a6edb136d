// Google or GitHub under /api/v1/auth (one registration per configured
// provider): `/<provider>` sends the browser to the provider to sign in or
// up, `/<provider>/link` to link the provider to the signed-in account, and
// `/<provider>/callback` (the one redirect URI to register) finishes either.
// Which account a sign-in reaches follows S18 (`accountForIdentity`); an
// account refused for an unconfirmed email (`link_required`) can still be
// linked by its owner from there (`/<provider>/link`).

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { auditFor } from '../../audit/events.js';
import { redirect, SESSION_OPTIONAL, SIGNED_IN } from '../../http/openapi.js';
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
import { type OAuthClient, OAuthError, type OAuthProfile } from './oauth.js';
import {
  accountForIdentity,
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

/** How the document names each provider. */
const PROVIDER_NAMES: Readonly<Record<OAuthClient['provider'], string>> = {
  google: 'Google',
  github: 'GitHub',
};

export const oauthRoutes: FastifyPluginAsync<OAuthRouteOptions> = async (app, options) => {
  const { services, baseUrl, client } = options;
  const { provider } = client;
  const name = PROVIDER_NAMES[provider];
  redirectFailures(app);
  const flows = createFlowState(services, baseUrl);
  const audit = (request: FastifyRequest) => auditFor(services.database, request);

  async function start(reply: FastifyReply, flow: Omit<Flow, 'provider' | 'codeVerifier'>) {
    const codeVerifier = client.newCodeVerifier();
    const state = await flows.begin(reply, { ...flow, provider, codeVerifier });
    return reply
      .header('cache-control', 'no-store')
      .redirect(client.authorizationUrl(state, codeVerifier), 302);
  }

  app.get(
    `/${provider}`,
    {
      schema: {
        summary: `Sign in with ${name}`,
        description: `An account is found or made for the ${name} identity as S18 says. \`return_to\` is a path on this site to come back to.`,
        querystring: StartQuery,
        response: {
          302: redirect(`To ${name}’s consent page; on a failure, to ${FAILURE_LANDING}`),
        },
      },
    },
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
        summary: `Link ${name} to the signed-in account`,
        security: SIGNED_IN,
        querystring: StartQuery,
        response: {
          302: redirect(
            `To ${name}’s consent page; without a session or on a failure, to ${FAILURE_LANDING}`,
          ),
        },
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
    {
      schema: {
        summary: `Where ${name} returns`,
        description: `The one redirect URI to register with ${name}. Checks the flow state against this browser’s cookie, then signs in or links, as the flow began.`,
        security: SESSION_OPTIONAL,
        querystring: CallbackQuery,
        response: {
          302: redirect(
            `Signed in or linked, back to \`return_to\`; on a failure, to ${FAILURE_LANDING}`,
          ),
        },
      },
    },
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
      const resolved = await accountForIdentity(services, provider, profile);
      if ('error' in resolved) return fail(resolved.error, resolved.reason);
      return signInAndReturn(options, request, reply, finished.flow, resolved);
    },
  );
};
