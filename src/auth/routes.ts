// The account API under /api/v1/auth, and the profile at /api/v1/me. HTTP
// only: schemas, cookies, status codes and audit context; the flows live in
// their own modules. Every /auth route shares the per-IP limit (S21).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditFor } from '../audit/events.js';
import { clientInfo } from '../http/client-info.js';
import {
  detail,
  ERRORS,
  redirect,
  SESSION_OPTIONAL,
  SIGNED_IN,
  tagRoutes,
} from '../http/openapi.js';
import { ApiError } from '../platform/errors.js';
import { MINUTE_MS } from '../platform/time.js';
import { issueCsrfToken } from '../security/csrf.js';
import { type RateLimitOptions, registerRateLimit } from '../security/rate-limit.js';
import type { AuthCookies } from './cookies.js';
import type { OAuthClient } from './federated/oauth.js';
import { oauthRoutes } from './federated/oauth-routes.js';
import { providerRoutes } from './federated/provider-routes.js';
import type { SteamOpenId } from './federated/steam-openid.js';
import { steamRoutes } from './federated/steam-routes.js';
import { sendMagicLink, signInWithMagicLink } from './magic-links.js';
import { changePassword, resetPassword, sendPasswordReset } from './recovery.js';
import { NOT_SIGNED_IN, type RequestAuth } from './request-auth.js';
import {
  AUTH_BODY_LIMIT_BYTES,
  ChangePasswordBody,
  ConfirmSignUpBody,
  CredentialsBody,
  CsrfJson,
  EmailBody,
  EndedJson,
  NoContent,
  ProfileBody,
  ResetBody,
  SessionList,
  SessionParams,
  SignedInJson,
  SignUpBody,
  TokenBody,
  TokenQuery,
  UserJson,
} from './schemas.js';
import type { AuthServices } from './services.js';
import { type SignedIn, signIn } from './sign-in.js';
import { confirmSignUp, prepareSignUp } from './sign-up.js';
import { generateToken } from './tokens.js';
import { parseEmail, publicUser, updateProfile } from './users.js';

export interface AuthRouteOptions {
  readonly services: AuthServices;
  readonly steam: SteamOpenId;
  /** The OAuth clients of the providers configured (Google, GitHub). */
  readonly oauthClients: readonly OAuthClient[];
  readonly requestAuth: RequestAuth;
  readonly cookies: AuthCookies;
  readonly csrfKey: Buffer;
  readonly baseUrl: string;
  /** Per client IP and route (S21, S44). */
  readonly rateLimits: {
    readonly perMinute: number;
    readonly readsPerMinute: number;
    readonly onRefused?: RateLimitOptions['onRefused'];
  };
}

function emailOf(raw: string): string {
  const email = parseEmail(raw);
  if (!email) throw new ApiError(400, 'Enter a valid email address');
  return email;
}

export const authRoutes: FastifyPluginAsyncTypebox<AuthRouteOptions> = async (app, options) => {
  const { services, requestAuth, cookies, csrfKey } = options;
  tagRoutes(app, 'auth');
  registerRateLimit(app, {
    name: 'auth',
    max: options.rateLimits.perMinute,
    readMax: options.rateLimits.readsPerMinute,
    windowMs: MINUTE_MS,
    admit: requestAuth.admitAndLookUp,
    ...(options.rateLimits.onRefused ? { onRefused: options.rateLimits.onRefused } : {}),
  });
  const limits = { bodyLimit: AUTH_BODY_LIMIT_BYTES };
  await app.register(steamRoutes, {
    services,
    requestAuth,
    baseUrl: options.baseUrl,
    steam: options.steam,
  });
  for (const client of options.oauthClients) {
    await app.register(oauthRoutes, { services, requestAuth, baseUrl: options.baseUrl, client });
  }
  await app.register(providerRoutes, {
    services,
    requestAuth,
    configured: [...options.oauthClients.map((client) => client.provider), 'steam'],
  });

  /** Signs the browser in (S4) and gives it the CSRF token of its new session. */
  async function startSession(request: FastifyRequest, reply: FastifyReply, signedIn: SignedIn) {
    await requestAuth.startSession(request, reply, signedIn);
    return {
      user: signedIn.session.user,
      csrf_token: issueCsrfToken(csrfKey, { kind: 'session', id: signedIn.session.id }),
    };
  }

  /** What a page load reads: its own, larger budget (S44). */
  const pageLoadRead = { rateLimit: 'read' } as const;

  app.get(
    '/csrf',
    {
      config: pageLoadRead,
      schema: {
        summary: 'A CSRF token for this session or visitor',
        description:
          'A visitor without a session also gets the pre-session cookie the token is bound to.',
        security: SESSION_OPTIONAL,
        response: { 200: CsrfJson },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      let binding = await requestAuth.csrfBinding(request);
      // A visitor without a usable pre-session cookie (none, or tampered) gets a new one.
      if (!binding) {
        binding = { kind: 'pre-session', id: generateToken() };
        cookies.setPreSession(reply, binding.id);
      }
      return {
        csrf_token: issueCsrfToken(csrfKey, binding),
        signed_in: binding.kind === 'session',
      };
    },
  );

  app.post(
    '/signup',
    {
      ...limits,
      schema: {
        summary: 'Create an account',
        description:
          'The same answer whether or not the address has an account (S12): the message to finish signing up, or a notice to its owner, goes out after the answer.',
        body: SignUpBody,
        response: { 202: detail('A message to finish signing up is on its way') },
      },
    },
    async (request, reply) => {
      const finish = await prepareSignUp(services, auditFor(services.database, request), {
        ...request.body,
        email: emailOf(request.body.email),
      });
      services.work.defer('sign-up', finish);
      reply.code(202);
      return { detail: 'Check your inbox: we have sent a message to finish signing up' };
    },
  );

  app.post(
    '/verify-email',
    {
      ...limits,
      schema: {
        summary: 'Confirm a sign-up with its emailed link and the password chosen at sign-up',
        body: ConfirmSignUpBody,
        response: {
          200: detail('The account exists; sign in with its password'),
          409: detail('The address got an account meanwhile; it stays as its owner left it'),
        },
      },
    },
    async (request) => {
      await confirmSignUp(services, auditFor(services.database, request), request.body);
      return { detail: 'Email confirmed; you can sign in now' };
    },
  );

  app.post(
    '/login',
    {
      ...limits,
      schema: {
        summary: 'Sign in with a password',
        body: CredentialsBody,
        response: {
          200: SignedInJson,
          401: detail('Invalid email or password'),
        },
      },
    },
    async (request, reply) => {
      const signedIn = await signIn(
        services,
        auditFor(services.database, request),
        { email: emailOf(request.body.email), password: request.body.password },
        clientInfo(request),
      );
      return startSession(request, reply, signedIn);
    },
  );

  app.post(
    '/logout',
    {
      ...limits,
      schema: {
        summary: 'End this session',
        description: 'Clears the session cookie; without a session there is nothing more to do.',
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const active = await requestAuth.session(request);
      if (active) {
        await services.sessions.end(active);
        requestAuth.remember(request, null);
        await auditFor(
          services.database,
          request,
        )({ event: 'logout', outcome: 'success', userId: active.session.user.id });
      }
      cookies.clearSession(reply);
      reply.code(204);
    },
  );

  app.get(
    '/me',
    {
      config: pageLoadRead,
      schema: {
        summary: 'The signed-in user',
        security: SIGNED_IN,
        response: { 200: UserJson, 401: ERRORS.notSignedIn },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return (await requestAuth.requireSession(request)).session.user;
    },
  );

  app.post(
    '/password/forgot',
    {
      ...limits,
      schema: {
        summary: 'Email a password reset link',
        description:
          'The same answer whether or not the address has an account (S12, S13); the link goes out after the answer.',
        body: EmailBody,
        response: { 200: detail('If an account uses this address, a reset link is on its way') },
      },
    },
    async (request) => {
      const email = emailOf(request.body.email);
      const audit = auditFor(services.database, request);
      services.work.defer('password-reset', () => sendPasswordReset(services, audit, email));
      return { detail: 'If an account uses this address, we have sent it a reset link' };
    },
  );

  app.post(
    '/password/reset',
    {
      ...limits,
      schema: {
        summary: 'Choose a new password with a reset link',
        description:
          'Every session of the account ends; the new password does not sign anyone in (S13).',
        body: ResetBody,
        response: { 200: detail('The password has changed; sign in with it') },
      },
    },
    async (request, reply) => {
      await resetPassword(services, auditFor(services.database, request), request.body);
      // Every session of the account has ended, this browser's included if it had one.
      if (cookies.sessionToken(request)) cookies.clearSession(reply);
      requestAuth.remember(request, null);
      return { detail: 'Password changed; sign in with your new password' };
    },
  );

  app.post(
    '/password/change',
    {
      ...limits,
      schema: {
        summary: 'Change the password',
        description: 'Every other session of the account ends (S4).',
        security: SIGNED_IN,
        body: ChangePasswordBody,
        response: {
          200: detail('The password has changed; the other sessions have ended'),
          401: ERRORS.notSignedIn,
          409: detail('The account has no email address to sign in with a password'),
        },
      },
    },
    async (request) => {
      const active = await requestAuth.requireSession(request);
      await changePassword(services, auditFor(services.database, request), active, {
        currentPassword: request.body.current_password,
        newPassword: request.body.new_password,
      });
      return { detail: 'Password changed; your other sessions have been ended' };
    },
  );

  app.post(
    '/magic/request',
    {
      ...limits,
      schema: {
        summary: 'Email a sign-in link',
        description:
          'The same answer whether or not the address has an account (S12); the link goes out after the answer.',
        body: EmailBody,
        response: { 202: detail('A sign-in link is on its way') },
      },
    },
    async (request, reply) => {
      const email = emailOf(request.body.email);
      const audit = auditFor(services.database, request);
      services.work.defer('magic-link', () => sendMagicLink(services, audit, email));
      reply.code(202);
      return { detail: 'Check your inbox: we have sent a sign-in link' };
    },
  );

  // Opening the emailed link only leads to the confirm page; its POST signs in.
  app.get(
    '/magic/verify',
    {
      schema: {
        summary: 'Open an emailed sign-in link',
        description:
          'Leads to the confirm page with the token; only its POST signs in, so a mail scanner that follows the link signs no one in (S15).',
        querystring: TokenQuery,
        response: { 303: redirect('To the confirm page, `/magic-link?token=...`') },
      },
    },
    async (request, reply) => {
      const token = request.query.token ?? '';
      reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store');
      return reply.redirect(
        `${options.baseUrl}/magic-link?token=${encodeURIComponent(token)}`,
        303,
      );
    },
  );

  app.post(
    '/magic/verify',
    {
      ...limits,
      schema: {
        summary: 'Sign in with an emailed link',
        body: TokenBody,
        response: { 200: SignedInJson },
      },
    },
    async (request, reply) => {
      const signedIn = await signInWithMagicLink(
        services,
        auditFor(services.database, request),
        request.body.token,
        clientInfo(request),
      );
      return startSession(request, reply, signedIn);
    },
  );

  app.get(
    '/sessions',
    {
      config: pageLoadRead,
      schema: {
        summary: 'The signed-in user’s sessions',
        security: SIGNED_IN,
        response: { 200: SessionList, 401: ERRORS.notSignedIn },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const active = await requestAuth.requireSession(request);
      const sessions = await services.sessions.list(active.session.user.id);
      return {
        sessions: sessions.map(({ session }) => ({
          id: session.id,
          created_at: new Date(session.createdAt).toISOString(),
          last_seen_at: new Date(session.lastSeenAt).toISOString(),
          expires_at: new Date(session.expiresAt).toISOString(),
          ip: session.ip,
          user_agent: session.userAgent,
          current: session.id === active.session.id,
        })),
      };
    },
  );

  app.delete(
    '/sessions/:id',
    {
      schema: {
        summary: 'End one session',
        security: SIGNED_IN,
        params: SessionParams,
        response: {
          204: NoContent,
          401: ERRORS.notSignedIn,
          404: detail('The user has no session with this id'),
        },
      },
    },
    async (request, reply) => {
      const active = await requestAuth.requireSession(request);
      const ended = await services.sessions.endById(active.session.user.id, request.params.id);
      if (!ended) throw new ApiError(404, 'Session not found');
      await auditFor(
        services.database,
        request,
      )({
        event: 'session_revocation',
        outcome: 'success',
        userId: active.session.user.id,
        detail: { session: request.params.id },
      });
      if (request.params.id === active.session.id) cookies.clearSession(reply);
      reply.code(204);
    },
  );

  app.delete(
    '/sessions',
    {
      schema: {
        summary: 'End every other session',
        security: SIGNED_IN,
        response: { 200: EndedJson, 401: ERRORS.notSignedIn },
      },
    },
    async (request) => {
      const active = await requestAuth.requireSession(request);
      const ended = await services.sessions.endAll(active.session.user.id, active);
      await auditFor(
        services.database,
        request,
      )({
        event: 'session_revocation',
        outcome: 'success',
        userId: active.session.user.id,
        detail: { sessions_ended: ended },
      });
      return { ended };
    },
  );
};

export const profileRoutes: FastifyPluginAsyncTypebox<AuthRouteOptions> = async (app, options) => {
  tagRoutes(app, 'auth');
  app.patch(
    '/me',
    {
      bodyLimit: AUTH_BODY_LIMIT_BYTES,
      schema: {
        summary: 'Update the profile',
        security: SIGNED_IN,
        body: ProfileBody,
        response: { 200: UserJson, 401: ERRORS.notSignedIn },
      },
    },
    async (request) => {
      const { services, requestAuth } = options;
      const { user } = (await requestAuth.requireSession(request)).session;
      const updated = await updateProfile(services.database, user.id, {
        name: request.body.name === undefined ? undefined : request.body.name?.trim() || null,
        avatarUrl: request.body.avatar_url,
      });
      if (!updated) throw new ApiError(401, NOT_SIGNED_IN);
      const shown = publicUser(updated);
      await services.sessions.refreshUser(shown);
      await auditFor(
        services.database,
        request,
      )({
        event: 'profile_update',
        outcome: 'success',
        userId: user.id,
        detail: { fields: Object.keys(request.body).sort().join(',') },
      });
      return shown;
    },
  );
};
