// What a sign-in at another provider carries from the redirect out to the
// callback (S17, S19, S20). The state is a one-time token: the browser holds
// it in a short-lived HttpOnly cookie, and the store holds what the flow is
// for under its hash, taken once at the callback. A callback whose state is
// missing, differs from the cookie, or was already used fails before the
// provider is asked anything. Every callback ends in a redirect: back to
// where the flow started, or to the sign-in page with a short code, also
// when the request fails for another reason (`redirectFailures`).
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { documentFailuresAsRedirects } from '../../http/openapi.js';
import { ApiError } from '../../platform/errors.js';
import { isStorableText } from '../../platform/text.js';
import { MINUTE_MS, SECOND_MS } from '../../platform/time.js';
import { consumeOneTimeToken, issueOneTimeToken } from '../one-time-tokens.js';
import type { AuthServices } from '../services.js';
import { isWellFormedToken } from '../tokens.js';
import type { Provider } from './links.js';

const FLOW_TTL_MS = 10 * MINUTE_MS;
const MAX_RETURN_TO_LENGTH = 512;
export const DEFAULT_RETURN_TO = '/account';
/** Where failures land: the sign-in page, which explains each code. */
export const FAILURE_PAGE = '/login';
/** The same, as the OpenAPI document words it. */
export const FAILURE_LANDING = `\`${FAILURE_PAGE}?error=<code>\``;

export interface Flow {
  readonly provider: Provider;
  /** Sign in (or sign up), or link to the account `userId` is signed in to. */
  readonly purpose: 'sign-in' | 'link';
  readonly userId: number | null;
  readonly returnTo: string;
  /** The PKCE verifier of an OAuth flow that uses PKCE. */
  readonly codeVerifier?: string | null;
}

/** The short codes a failed callback redirects with; the sign-in page words each. */
export type FlowError =
  | 'link_required'
  | 'rate_limited'
  | 'state'
  | 'session'
  | 'provider'
  | 'unavailable'
  | 'identity_taken'
  | 'already_linked';

/**
 * A same-origin path to return to, or the default. Only a path is accepted:
 * `//host`, `/\host` and anything with a scheme would leave the site, and
 * so would a path that only becomes `//host` once its dot segments are
 * resolved (`/.//host`, `/a/..//host`), so the resolved path is checked too.
 */
export function safeReturnTo(raw: unknown, baseUrl: string): string {
  if (typeof raw !== 'string' || raw.length > MAX_RETURN_TO_LENGTH) return DEFAULT_RETURN_TO;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) return DEFAULT_RETURN_TO;
  const base = new URL(baseUrl);
  const target = new URL(raw, base);
  const path = `${target.pathname}${target.search}`;
  if (target.origin !== base.origin || path.startsWith('//')) return DEFAULT_RETURN_TO;
  return path;
}

/** Constant-time, as every comparison of a secret (S1). */
function sameToken(token: string, given: unknown): boolean {
  return isWellFormedToken(given) && timingSafeEqual(Buffer.from(token), Buffer.from(given));
}

export function createFlowState(services: AuthServices, baseUrl: string) {
  const secure = new URL(baseUrl).protocol === 'https:';
  const cookieName = `${secure ? '__Host-' : ''}tracera_flow`;
  // Lax, not Strict: the provider sends the browser back with a top-level GET from its own site.
  const attributes = { httpOnly: true, sameSite: 'lax', path: '/', secure } as const;
  return {
    /** Starts a flow: the state for the provider's redirect, also set in this browser's cookie. */
    async begin(reply: FastifyReply, flow: Flow): Promise<string> {
      const state = await issueOneTimeToken(
        services.store,
        'federated-flow',
        flow,
        FLOW_TTL_MS,
        services.now,
      );
      reply.setCookie(cookieName, state, { ...attributes, maxAge: FLOW_TTL_MS / SECOND_MS });
      return state;
    },

    /**
     * The flow a callback belongs to, once, with its state; null when this
     * browser did not start it, it is not the kind `expected`, or it expired
     * or was used. The cookie is cleared either way.
     */
    async finish(
      request: FastifyRequest,
      reply: FastifyReply,
      query: URLSearchParams,
      expected: { readonly provider: Provider; readonly purpose?: Flow['purpose'] },
    ): Promise<{ readonly flow: Flow; readonly state: string } | null> {
      const state = request.cookies[cookieName];
      reply.clearCookie(cookieName, attributes);
      const given = query.getAll('state');
      if (!isWellFormedToken(state) || given.length !== 1 || !sameToken(state, given[0])) {
        return null;
      }
      const flow = await consumeOneTimeToken<Flow>(
        services.store,
        'federated-flow',
        state,
        services.now,
      );
      if (flow?.provider !== expected.provider) return null;
      if (expected.purpose && flow.purpose !== expected.purpose) return null;
      return { flow, state };
    },
  };
}

export function failureRedirect(reply: FastifyReply, error: FlowError): FastifyReply {
  return reply.redirect(`${FAILURE_PAGE}?error=${error}`, 302);
}

/**
 * S19 for everything else that can fail in a plugin's routes (the rate
 * limit, a malformed callback, the store or database away): the browser
 * still lands on the sign-in page with a code, never on a JSON error. The
 * routes' OpenAPI entries say so: their only failure is that redirect.
 */
export function redirectFailures(app: FastifyInstance): void {
  app.addHook('onRoute', documentFailuresAsRedirects);
  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'sign-in at a provider failed');
    const code: FlowError =
      status === 429 ? 'rate_limited' : status < 500 ? 'provider' : 'unavailable';
    return failureRedirect(reply, code);
  });
}

/**
 * A callback's query as sent, repeats and all: its fields are checked here,
 * not by a schema. It is decoded here rather than by the router, and
 * URLSearchParams decodes `%00` even beside a sequence that is not UTF-8,
 * which the router's parser leaves as it is: so S38's check is made here
 * too, and such a callback fails before its state is spent.
 */
export function callbackQuery(request: FastifyRequest): URLSearchParams {
  const url = request.raw.url ?? '';
  const start = url.indexOf('?');
  const query = new URLSearchParams(start === -1 ? '' : url.slice(start + 1));
  for (const [name, value] of query) {
    if (!isStorableText(name) || !isStorableText(value)) {
      throw new ApiError(400, 'Malformed callback');
    }
  }
  return query;
}
