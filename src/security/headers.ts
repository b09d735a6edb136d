// S24: one fixed set of security headers on every response (pages, API,
// errors, static files), set in `onRequest` so nothing that answers later can
// miss them. @fastify/helmet was weighed and left out: its defaults contradict
// S24 in three places (X-XSS-Protection "0", a CSP with 'unsafe-inline'
// styles, no Permissions-Policy), so it would be configured against itself.
import type { FastifyInstance } from 'fastify';

const CSP_DIRECTIVES: Readonly<Record<string, string>> = {
  'default-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'none'",
  'frame-ancestors': "'none'",
  'form-action': "'self'",
};

/**
 * S24's policy; `added` gives a page that needs it one more directive, such
 * as images from data: URIs. Inline code stays out whatever a page asks
 * for: a value with 'unsafe-inline', 'unsafe-eval' or any other 'unsafe-'
 * keyword is refused.
 */
export function contentSecurityPolicy(added: Readonly<Record<string, string>> = {}): string {
  for (const [directive, value] of Object.entries(added)) {
    if (value.includes("'unsafe-")) throw new Error(`CSP: ${directive} must not be ${value}`);
    if (directive in CSP_DIRECTIVES) throw new Error(`CSP: ${directive} is S24's own`);
  }
  return Object.entries({ ...CSP_DIRECTIVES, ...added })
    .map(([directive, value]) => `${directive} ${value}`)
    .join('; ');
}

const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=(), usb=()';

/** Two years, the preload list's requirement. */
const HSTS_MAX_AGE_SECONDS = 63_072_000;

export function securityHeaders(baseUrl: string): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': PERMISSIONS_POLICY,
    'referrer-policy': 'strict-origin-when-cross-origin',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'x-xss-protection': '1; mode=block',
  };
  if (new URL(baseUrl).protocol === 'https:') {
    headers['strict-transport-security'] = `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`;
  }
  return Object.freeze(headers);
}

export function registerSecurityHeaders(app: FastifyInstance, baseUrl: string): void {
  const headers = securityHeaders(baseUrl);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
