// Who a request is signed in as. The session is looked up at most once per
// request, and only when something asks: health checks and static files
// never touch the store, and a store outage fails only the requests that
// need a session, with 503 rather than a silent sign-out (S7).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { clientInfo } from '../http/client-info.js';
import { ApiError } from '../platform/errors.js';
import type { CsrfBinding } from '../security/csrf.js';
import type { AuthCookies } from './cookies.js';
import type { ActiveSession, Sessions } from './sessions.js';
import { isWellFormedToken } from './tokens.js';

export const NOT_SIGNED_IN = 'Not signed in';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's one session lookup, once something has asked for it. */
    sessionLookup: Promise<ActiveSession | null> | null;
  }
}

/**
 * Decorates `app`'s requests with the lookup slot; a request decoration keeps
 * the shape of every request object alike, where a WeakMap entry per request
 * cost measurably more on the /auth/me path (bench/auth).
 */
export function createRequestAuth(app: FastifyInstance, sessions: Sessions, cookies: AuthCookies) {
  app.decorateRequest('sessionLookup', null);
  const session = (request: FastifyRequest): Promise<ActiveSession | null> => {
    request.sessionLookup ??= sessions.validate(cookies.sessionToken(request), clientInfo(request));
    return request.sessionLookup;
  };
  return {
    session,
    async requireSession(request: FastifyRequest): Promise<ActiveSession> {
      const active = await session(request);
      if (!active) throw new ApiError(401, NOT_SIGNED_IN);
      return active;
    },
    /**
     * What the request's CSRF token must be signed for (S9): its session, or
     * without one the visitor's pre-session cookie; null when it has neither.
     */
    async csrfBinding(request: FastifyRequest): Promise<CsrfBinding | null> {
      const active = await session(request);
      if (active) return { kind: 'session', id: active.session.id };
      const preSession = cookies.preSessionId(request);
      return isWellFormedToken(preSession) ? { kind: 'pre-session', id: preSession } : null;
    },
    /** After sign-in or sign-out within the request, later lookups see the new state. */
    remember(request: FastifyRequest, active: ActiveSession | null): void {
      request.sessionLookup = Promise.resolve(active);
    },
  };
}

export type RequestAuth = ReturnType<typeof createRequestAuth>;
