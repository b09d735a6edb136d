// S10, defence in depth behind the CSRF token: a browser tells us where an
// unsafe request comes from, and anything but our own origin is refused even
// with a valid token. `Sec-Fetch-Site: same-site` is refused too: a sibling
// subdomain is a different, possibly hostile, application. Requests without
// either header come from non-browser clients, which the token alone covers.
import type { FastifyRequest } from 'fastify';

const ALLOWED_FETCH_SITES = new Set(['same-origin', 'none']);

export function isCrossSiteRequest(request: FastifyRequest, appOrigin: string): boolean {
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && !ALLOWED_FETCH_SITES.has(String(fetchSite))) return true;
  const origin = request.headers.origin;
  return origin !== undefined && origin !== appOrigin;
}
