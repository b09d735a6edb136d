// CSRF (S8, S9): a signed double-submit token. The token is a random nonce
// and HMAC(key, binding | nonce), where the binding is the session's public
// id, or for a visitor without a session a random pre-session id kept in its
// own HttpOnly cookie. A page from another site can neither read the token
// nor mint one for the victim's binding, and a token taken from one session
// is worthless in another. Comparison is constant-time.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type {
  FastifyInstance,
  FastifyRequest,
  preParsingAsyncHookHandler,
  RouteOptions,
} from 'fastify';
import { documentResponses, ERRORS, requiringCsrfToken } from '../http/openapi.js';
import { ApiError } from '../platform/errors.js';
import { CSRF_REFUSED } from '../shared/csrf.js';
import { isCrossSiteRequest } from './origin.js';

const NONCE_BYTES = 16;

export type CsrfBinding =
  | { readonly kind: 'session'; readonly id: string }
  | { readonly kind: 'pre-session'; readonly id: string };

function mac(key: Buffer, binding: CsrfBinding, nonce: string): Buffer {
  return createHmac('sha256', key).update(`${binding.kind}|${binding.id}|${nonce}`).digest();
}

export function issueCsrfToken(key: Buffer, binding: CsrfBinding): string {
  const nonce = randomBytes(NONCE_BYTES).toString('base64url');
  return `${nonce}.${mac(key, binding, nonce).toString('base64url')}`;
}

export function isValidCsrfToken(key: Buffer, binding: CsrfBinding, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const [nonce, signature, ...rest] = token.split('.');
  if (!nonce || !signature || rest.length > 0) return false;
  const expected = mac(key, binding, nonce);
  const given = Buffer.from(signature, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const CSRF_HEADER = 'x-csrf-token';
export const CROSS_SITE_REFUSED = 'Cross-site request refused';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Exempts a route from the CSRF and origin checks (S37). The only way
     * out: the route test holds the reviewed list of exempt routes, empty
     * today, and fails on any other.
     */
    csrfExempt?: true;
  }
}

export interface CsrfProtection {
  readonly key: Buffer;
  /** Our own origins (see `allowedOrigins`), e.g. `https://tracera.example`. */
  readonly origins: ReadonlySet<string>;
  /** The binding the request's token must be signed for, or null when it has none. */
  readonly bindingOf: (request: FastifyRequest) => Promise<CsrfBinding | null>;
}

const methodsOf = (route: RouteOptions): string[] => [route.method].flat();

/**
 * Checks every unsafe request (S8-S10), anonymous ones included (login
 * CSRF), before its body is read. The check is attached to each route that
 * accepts an unsafe method as the route is added, so it is the route the
 * router matched that decides, however the request spelled its path (S37):
 * percent-encoding, an absolute-form target or any other spelling the router
 * accepts reaches the same check. Register this before any route. It runs
 * after the route's rate limit (an onRequest hook), so refused requests
 * still count against it. The route's OpenAPI entry says so: it asks for the
 * X-CSRF-Token header and lists the 403.
 */
export function registerCsrfProtection(app: FastifyInstance, options: CsrfProtection): void {
  const check: preParsingAsyncHookHandler = async (request) => {
    if (!UNSAFE_METHODS.has(request.method)) return;
    if (isCrossSiteRequest(request, options.origins)) throw new ApiError(403, CROSS_SITE_REFUSED);
    const binding = await options.bindingOf(request);
    if (!binding || !isValidCsrfToken(options.key, binding, request.headers[CSRF_HEADER])) {
      throw new ApiError(403, CSRF_REFUSED);
    }
  };
  app.addHook('onRoute', (route) => {
    if (route.config?.csrfExempt || !methodsOf(route).some((m) => UNSAFE_METHODS.has(m))) return;
    route.preParsing = [check, ...[route.preParsing ?? []].flat()];
    documentResponses(route, { 403: ERRORS.csrfRefused });
    route.schema = { ...route.schema, security: requiringCsrfToken(route.schema?.security) };
  });
}
