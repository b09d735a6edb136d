// S10, defence in depth behind the CSRF token: a browser tells us where an
// unsafe request comes from, and anything but our own origin is refused even
// with a valid token. `Sec-Fetch-Site: same-site` is refused too: a sibling
// subdomain is a different, possibly hostile, application. Requests without
// either header come from non-browser clients, which the token alone covers.
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

const ALLOWED_FETCH_SITES = new Set(['same-origin', 'none']);
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * BASE_URL's origin; in development also the loopback spellings of it on the
 * same port, so `npm start` works whether the browser opens localhost or 127.0.0.1.
 */
export function allowedOrigins(config: Pick<Config, 'baseUrl' | 'env'>): ReadonlySet<string> {
  const origins = new Set([config.baseUrl]);
  const base = new URL(config.baseUrl);
  if (config.env === 'development' && LOOPBACK_HOSTS.includes(base.hostname)) {
    for (const host of LOOPBACK_HOSTS) {
      origins.add(`${base.protocol}//${host}${base.port ? `:${base.port}` : ''}`);
    }
  }
  return origins;
}

export function isCrossSiteRequest(request: FastifyRequest, origins: ReadonlySet<string>): boolean {
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && !ALLOWED_FETCH_SITES.has(String(fetchSite))) return true;
  const origin = request.headers.origin;
  return origin !== undefined && !origins.has(origin);
}
