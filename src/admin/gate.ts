// The admin gate (S28): what stands in front of /admin/api/... and /metrics.
// A request passes only from an allowed address AND with the admin's HTTP
// basic-auth credentials, checked in this order:
//
// 1. Admin off (ADMIN_BASIC_AUTH unset): 404 `{"detail": "Not found"}`, the
//    answer of a route that does not exist, so an instance without admin
//    does not say it has one.
// 2. A client past ADMIN_RATE_LIMIT_PER_MIN requests in any minute (S44):
//    429 with Retry-After, neither audited nor checked further, so a flood
//    from anywhere costs one store round trip a request and no audit rows.
// 3. The client (`request.ip`, which believes X-Forwarded-For only from
//    TRUSTED_PROXIES, S22) outside ADMIN_IP_ALLOWLIST: 403, with no
//    `WWW-Authenticate`, so nobody outside is ever asked for the password.
// 4. A client locked out by too many wrong credentials: 429 with
//    Retry-After, without checking what it sent.
// 5. No, malformed or wrong credentials: 401 with the basic-auth challenge.
//    Each wrong pair is offered to a sliding window per client in the store
//    (S44): past ADMIN_AUTH_MAX_FAILURES in any 15 minutes it is answered 429
//    and the client is locked out until the window has room. When the store
//    cannot answer, 503 (S32): a check that cannot count does not pass.
//
// The comparison is constant-time: the user names are compared as SHA-256
// digests (equal lengths) with `timingSafeEqual`, and the password is always
// verified against the configured argon2id hash, whatever the user name, so
// a wrong name and a wrong password cost the same one hash. Both results are
// combined only after both are known.
//
// Every request the gate sees while admin is on is audited (S35) as
// `admin_access` with its outcome, the method and the route's pattern (never the query string, which
// can hold a searched email), and a reason for a refusal. Every answer of a
// gated route carries `Cache-Control: no-store`.
//
// Using it. The app makes one gate (`createAdminGate`) and decorates itself
// with it as `app.adminGate`, so every gated route shares one failure window.
// A capability gates all of its routes by calling, inside its own plugin,
//
//     registerAdminGate(app);              // app.adminGate on every later route
//
// or one route with `{ onRequest: app.adminGate }`. The gate is an onRequest
// hook, so it runs before the body is read and before CSRF (a preParsing
// hook that the app attaches to every unsafe route, /admin ones included:
// a browser holding basic-auth credentials sends them cross-site too).
import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Address6 } from 'ip-address';
import { type AuditOutcome, recordAuditEvent } from '../audit/events.js';
import type { PasswordHasher } from '../auth/passwords.js';
import type { Cidr, Config } from '../config.js';
import { detail, documentResponses, ERRORS } from '../http/openapi.js';
import type { Database } from '../platform/db/index.js';
import { ApiError } from '../platform/errors.js';
import type { Store } from '../platform/store/index.js';
import { MINUTE_MS, SECOND_MS } from '../platform/time.js';
import { clientKey } from '../security/rate-limit.js';

export const ADMIN_REALM_CHALLENGE = 'Basic realm="Tracera admin", charset="UTF-8"';
export const ADMIN_NOT_ALLOWED = 'Admin is not available from this address';
export const ADMIN_CREDENTIALS_REQUIRED = 'Admin credentials are required';
export const ADMIN_NOT_FOUND = 'Not found';
/** Longer than any user name and hash: a header past it is malformed, not decoded. */
const MAX_AUTHORIZATION_LENGTH = 1024;

/** The async onRequest hook that guards a route; `app.adminGate`. */
export type AdminGate = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's one admin gate (S28): attach it with `registerAdminGate` or `onRequest`. */
    adminGate: AdminGate;
  }
}

export interface AdminGateOptions {
  readonly admin: Config['admin'];
  readonly database: Database;
  readonly store: Store;
  /** The app's hasher (bounded, S42); tests count its calls. */
  readonly hasher: PasswordHasher;
  /** Epoch milliseconds; the failure window's clock. */
  readonly now: () => number;
  /** Told of each request refused by the request budget (docs/metrics.md). */
  readonly onRateLimited?: (budget: string, tier: 'strict' | 'read') => void;
}

type Refusal =
  | 'not_allowlisted'
  | 'no_credentials'
  | 'malformed_credentials'
  | 'wrong_credentials'
  | 'locked'
  | 'unavailable';

/** The allowlist as a BlockList; an IPv4-mapped IPv6 client is checked as IPv4. */
export function allowlistChecker(allowlist: readonly Cidr[]): (ip: string) => boolean {
  const blocks = new BlockList();
  for (const { address, prefix, family } of allowlist) {
    blocks.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return (ip) => {
    let address = ip;
    if (isIP(address) === 6 && Address6.isValid(address)) {
      const parsed = new Address6(address);
      if (parsed.isMapped4()) address = parsed.to4().correctForm();
    }
    const family = isIP(address);
    if (family === 0) return false;
    return blocks.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/** The user and password of a `Basic` Authorization header, or why there are none. */
export function parseBasicAuth(
  header: string | undefined,
): { readonly user: string; readonly password: string } | 'missing' | 'malformed' {
  if (header === undefined || header === '') return 'missing';
  if (header.length > MAX_AUTHORIZATION_LENGTH) return 'malformed';
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(header);
  if (!match?.[1]) return 'malformed';
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || decoded.includes('\uFFFD')) return 'malformed';
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Makes the gate. Its hook never throws for a request it admits, and
 * refuses with an ApiError the app's error handler renders as `{"detail"}`.
 */
export function createAdminGate(options: AdminGateOptions): AdminGate {
  const { admin, database, store, hasher, now } = options;
  const isAllowed = allowlistChecker(admin.allowlist);
  const expectedUser = admin.basicAuth ? digest(admin.basicAuth.user) : null;
  const window = { limit: admin.maxFailures, windowMs: admin.failureWindowMs };
  const requestBudget = { limit: admin.requestsPerMinute, windowMs: MINUTE_MS };
  const onRateLimited = options.onRateLimited ?? (() => {});

  async function audit(request: FastifyRequest, outcome: AuditOutcome, reason?: Refusal) {
    await recordAuditEvent(database, request, {
      event: 'admin_access',
      outcome,
      detail: {
        method: request.method,
        path: request.routeOptions.url ?? null,
        ...(reason ? { reason } : {}),
      },
    });
  }

  async function refuse(request: FastifyRequest, reason: Refusal, error: ApiError): Promise<never> {
    await audit(request, 'failure', reason);
    throw error;
  }

  const challenge = (detail: string) =>
    new ApiError(401, detail, { 'www-authenticate': ADMIN_REALM_CHALLENGE });

  const lockedOut = (retryAfterMs: number) => {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / SECOND_MS));
    return new ApiError(429, `Too many wrong admin credentials; try again in ${seconds} seconds`, {
      'retry-after': String(seconds),
    });
  };

  /** Step 2: the client's request budget, before anything is audited. */
  async function admitRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const admission = await store.admit(
      `rate-window:admin:${clientKey(request.ip)}`,
      requestBudget,
      now(),
    );
    if (admission.admitted) return;
    onRateLimited('admin', 'read');
    const seconds = Math.max(1, Math.ceil(admission.retryAfterMs / SECOND_MS));
    reply.header('retry-after', seconds);
    throw new ApiError(429, `Too many requests; try again in ${seconds} seconds`);
  }

  /** Steps 4 and 5 for an allowed client; resolves when the credentials are right. */
  async function checkCredentials(
    request: FastifyRequest,
    passwordHash: string,
    expectedUserDigest: Buffer,
  ): Promise<void> {
    const client = clientKey(request.ip);
    const lockKey = `admin-gate-lock:${client}`;
    // Read before anything is checked: a store that cannot answer refuses with 503 here (S32).
    const lockedUntil = Number((await store.get(lockKey)) ?? 0);
    if (lockedUntil > now()) return refuse(request, 'locked', lockedOut(lockedUntil - now()));
    const given = parseBasicAuth(request.headers.authorization);
    if (given === 'missing') {
      return refuse(request, 'no_credentials', challenge(ADMIN_CREDENTIALS_REQUIRED));
    }
    if (given === 'malformed') {
      return refuse(request, 'malformed_credentials', challenge(ADMIN_CREDENTIALS_REQUIRED));
    }
    const userMatches = timingSafeEqual(digest(given.user), expectedUserDigest);
    const passwordMatches = await hasher.verify(passwordHash, given.password);
    if (userMatches && passwordMatches) {
      await audit(request, 'success');
      return;
    }
    const at = now();
    const admission = await store.admit(`rate-window:admin-gate:${client}`, window, at);
    if (!admission.admitted) {
      await store.set(lockKey, String(at + admission.retryAfterMs), admission.retryAfterMs);
      return refuse(request, 'locked', lockedOut(admission.retryAfterMs));
    }
    return refuse(request, 'wrong_credentials', challenge('Wrong admin credentials'));
  }

  return async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const basicAuth = admin.basicAuth;
    // Not audited: a route that does not exist is not an admin access, and an
    // instance without admin should not write a row for anyone who asks.
    if (!basicAuth || !expectedUser) throw new ApiError(404, ADMIN_NOT_FOUND);
    try {
      await admitRequest(request, reply);
      if (!isAllowed(request.ip)) {
        return await refuse(request, 'not_allowlisted', new ApiError(403, ADMIN_NOT_ALLOWED));
      }
      await checkCredentials(request, basicAuth.passwordHash, expectedUser);
    } catch (error) {
      // A refusal above is audited already; a store or hashing queue that failed is audited here.
      if (!(error instanceof ApiError && error.statusCode < 500)) {
        await audit(request, 'failure', 'unavailable');
      }
      throw error;
    }
  };
}

/**
 * Gates every route added after this in `app`'s scope (the calling plugin
 * and its children) with `gate`, the app's own by default, as the first of
 * each route's onRequest hooks, and documents the gate's answers.
 */
export function registerAdminGate(app: FastifyInstance, gate: AdminGate = app.adminGate): void {
  app.addHook('onRoute', (route) => {
    const own = route.onRequest;
    route.onRequest = own === undefined ? [gate] : [gate, ...(Array.isArray(own) ? own : [own])];
    documentResponses(route, ADMIN_GATE_RESPONSES);
  });
}

const ADMIN_GATE_RESPONSES = {
  401: detail(
    'No, malformed or wrong basic-auth credentials; WWW-Authenticate carries the challenge',
    {
      'www-authenticate': { type: 'string', description: ADMIN_REALM_CHALLENGE },
    },
  ),
  403: detail(
    'Not from an address in ADMIN_IP_ALLOWLIST (no challenge is sent); for POST and PATCH also a missing X-CSRF-Token or a request from another site',
  ),
  404: detail('Admin is off on this instance (ADMIN_BASIC_AUTH unset), or no such resource'),
  429: ERRORS.tooManyRequests,
  503: ERRORS.unavailable,
};
