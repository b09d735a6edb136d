// CSRF (S8, S9): a signed double-submit token. The token is a random nonce
// and HMAC(key, binding | nonce), where the binding is the session's public
// id, or for a visitor without a session a random pre-session id kept in its
// own HttpOnly cookie. A page from another site can neither read the token
// nor mint one for the victim's binding, and a token taken from one session
// is worthless in another. Comparison is constant-time.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../platform/errors.js';
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
export const CSRF_REFUSED = 'Missing or invalid CSRF token';
export const CROSS_SITE_REFUSED = 'Cross-site request refused';

export interface CsrfProtection {
  readonly key: Buffer;
  /** Our own origins (see `allowedOrigins`), e.g. `https://tracera.example`. */
  readonly origins: ReadonlySet<string>;
  /** Only requests under this path are checked. */
  readonly pathPrefix: string;
  /** The binding the request's token must be signed for, or null when it has none. */
  readonly bindingOf: (request: FastifyRequest) => Promise<CsrfBinding | null>;
}

/**
 * Checks every unsafe request under `pathPrefix`, anonymous ones included
 * (login CSRF), before its body is read. Runs after the per-route rate
 * limits, so refused requests still count against them.
 */
export function registerCsrfProtection(app: FastifyInstance, options: CsrfProtection): void {
  app.addHook('preParsing', async (request) => {
    if (!UNSAFE_METHODS.has(request.method) || !request.url.startsWith(options.pathPrefix)) return;
    if (isCrossSiteRequest(request, options.origins)) throw new ApiError(403, CROSS_SITE_REFUSED);
    const binding = await options.bindingOf(request);
    if (!binding || !isValidCsrfToken(options.key, binding, request.headers[CSRF_HEADER])) {
      throw new ApiError(403, CSRF_REFUSED);
    }
  });
}
