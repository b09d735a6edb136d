// The session and pre-session cookies (S3). HttpOnly so scripts cannot read
// them, SameSite=Lax so other sites' forms and scripts do not carry them,
// Path=/. When BASE_URL is https they are Secure and named with the
// `__Host-` prefix, which browsers accept only from a secure origin with no
// Domain attribute: no sibling subdomain can set or shadow them.
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SECOND_MS } from '../platform/time.js';

export function createAuthCookies(baseUrl: string) {
  const secure = new URL(baseUrl).protocol === 'https:';
  const prefix = secure ? '__Host-' : '';
  const names = { session: `${prefix}tracera_session`, preSession: `${prefix}tracera_presession` };
  const attributes: CookieSerializeOptions = { httpOnly: true, sameSite: 'lax', path: '/', secure };
  return {
    names,
    sessionToken: (request: FastifyRequest): string | undefined => request.cookies[names.session],
    preSessionId: (request: FastifyRequest): string | undefined =>
      request.cookies[names.preSession],
    /** Max-Age is the session's remaining absolute lifetime. */
    setSession(reply: FastifyReply, token: string, remainingMs: number): void {
      reply.setCookie(names.session, token, {
        ...attributes,
        maxAge: Math.floor(remainingMs / SECOND_MS),
      });
    },
    clearSession(reply: FastifyReply): void {
      reply.clearCookie(names.session, attributes);
    },
    /** A browser-session cookie: it lives until the browser closes. */
    setPreSession(reply: FastifyReply, id: string): void {
      reply.setCookie(names.preSession, id, attributes);
    },
  };
}

export type AuthCookies = ReturnType<typeof createAuthCookies>;
