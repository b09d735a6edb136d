// Which providers this instance offers and, for a signed-in user, which are
// linked (`GET /auth/providers`); unlinking one (`DELETE
// /auth/providers/:provider`, CSRF-checked like every unsafe request),
// refused when it would leave the account with no way to sign in.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { auditFor } from '../../audit/events.js';
import { detail, ERRORS, SESSION_OPTIONAL, SIGNED_IN } from '../../http/openapi.js';
import { ApiError } from '../../platform/errors.js';
import type { RequestAuth } from '../request-auth.js';
import type { AuthServices } from '../services.js';
import { listLinks, type Provider, unlinkProvider } from './links.js';

export interface ProviderRouteOptions {
  readonly services: AuthServices;
  readonly requestAuth: RequestAuth;
  /** The providers a user can sign in with here. */
  readonly configured: readonly Provider[];
}

const ProviderName = Type.Union([
  Type.Literal('google'),
  Type.Literal('github'),
  Type.Literal('steam'),
]);
const ProvidersJson = Type.Object(
  {
    configured: Type.Array(ProviderName),
    linked: Type.Union([
      Type.Array(
        Type.Object({
          provider: ProviderName,
          provider_account_id: Type.String(),
          linked_at: Type.String({ format: 'date-time' }),
        }),
      ),
      Type.Null(),
    ]),
  },
  { description: 'The providers offered, and those linked to the signed-in user' },
);
const ProviderParams = Type.Object({ provider: ProviderName });

export const providerRoutes: FastifyPluginAsyncTypebox<ProviderRouteOptions> = async (
  app,
  options,
) => {
  const { services, requestAuth, configured } = options;

  async function providersOf(userId: number | null) {
    const links = userId === null ? null : await listLinks(services.database, userId);
    return {
      configured: [...configured],
      linked:
        links?.map((link) => ({
          provider: link.provider,
          provider_account_id: link.providerId,
          linked_at: link.linkedAt.toISOString(),
        })) ?? null,
    };
  }

  app.get(
    '/providers',
    {
      // A page-load read, with its own larger budget (S44).
      config: { rateLimit: 'read' },
      schema: {
        summary: 'Providers offered here, and those linked to the signed-in user',
        description: '`linked` is null without a session.',
        security: SESSION_OPTIONAL,
        response: { 200: ProvidersJson },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const active = await requestAuth.session(request);
      return providersOf(active?.session.user.id ?? null);
    },
  );

  app.delete(
    '/providers/:provider',
    {
      schema: {
        summary: 'Unlink a provider from the signed-in user',
        security: SIGNED_IN,
        params: ProviderParams,
        response: {
          200: ProvidersJson,
          401: ERRORS.notSignedIn,
          404: detail('No account of this provider is linked'),
          409: detail('The provider is the account’s only way to sign in: link another first'),
        },
      },
    },
    async (request) => {
      const { user } = (await requestAuth.requireSession(request)).session;
      const { provider } = request.params;
      const outcome = await unlinkProvider(services.database, user.id, provider);
      await auditFor(
        services.database,
        request,
      )({
        event: 'provider_unlink',
        outcome: outcome === 'unlinked' ? 'success' : 'failure',
        userId: user.id,
        detail: outcome === 'unlinked' ? { provider } : { provider, reason: outcome },
      });
      if (outcome === 'not_linked') throw new ApiError(404, `No ${provider} account is linked`);
      if (outcome === 'last_sign_in_method') {
        throw new ApiError(
          409,
          `Your ${provider} account is your only way to sign in: link another account first`,
        );
      }
      return providersOf(user.id);
    },
  );
};
