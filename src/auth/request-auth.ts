// Who a request is signed in as. The session is looked up at most once per
// request, and elsewhere only when something asks: health checks and static
// files never touch the store, and a store outage fails only the requests
// that need a session, with 503 rather than a silent sign-out (S7). On the
// auth routes a request with a well-formed session cookie is looked up as it
// is counted against the rate limit, in the same store call
// (`admitAndLookUp`), whether or not the route then needs it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clientInfo } from '../http/client-info.js';
import { ApiError } from '../platform/errors.js';
import type { Admission, Store, WindowLimit } from '../platform/store/index.js';
import type { CsrfBinding } from '../security/csrf.js';
import type { AuthCookies } from './cookies.js';
import type { ActiveSession, Sessions } from './sessions.js';
import type { SignedIn } from './sign-in.js';
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
export function createRequestAuth(
  app: FastifyInstance,
  sessions: Sessions,
  cookies: AuthCookies,
  store: Store,
  now: () => number,
) {
  app.decorateRequest('sessionLookup', null);
  const session = (request: FastifyRequest): Promise<ActiveSession | null> => {
    request.sessionLookup ??= sessions.validate(cookies.sessionToken(request), clientInfo(request));
    return request.sessionLookup;
  };
  return {
    session,
    /**
     * Offers the request to the rate limit's window `key` and reads its
     * session in the same store round trip, which becomes the request's
     * lookup. Nearly every auth route reads the session (CSRF binding,
     * sign-in, /me), and a second trip to Redis cost a measurable share of a
     * signed-in request's CPU (bench/auth). It runs as the first route hook,
     * before anything else can have asked for the session.
     */
    async admitAndLookUp(
      request: FastifyRequest,
      key: string,
      window: WindowLimit,
    ): Promise<Admission> {
      const location = sessions.locate(cookies.sessionToken(request));
      if (!location) return store.admit(key, window, now());
      const { value, ...admission } = await store.admitAndGet(key, window, now(), location.key);
      request.sessionLookup = sessions.settle(location, value, clientInfo(request));
      // A failure surfaces where the session is awaited, or nowhere if the request is refused first.
      request.sessionLookup.catch(() => {});
      return admission;
    },
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
    /** A sign-in always starts a new session (S4), ending the one the request came with. */
    async startSession(
      request: FastifyRequest,
      reply: FastifyReply,
      signedIn: SignedIn,
    ): Promise<void> {
      const previous = await session(request);
      if (previous) await sessions.end(previous);
      request.sessionLookup = Promise.resolve(signedIn);
      cookies.setSession(reply, signedIn.token, sessions.remainingMs(signedIn.session));
    },
    /** After sign-in or sign-out within the request, later lookups see the new state. */
    remember(request: FastifyRequest, active: ActiveSession | null): void {
      request.sessionLookup = Promise.resolve(active);
    },
  };
}

export type RequestAuth = ReturnType<typeof createRequestAuth>;
