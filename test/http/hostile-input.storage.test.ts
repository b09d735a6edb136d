// S38 and S23 over the whole API: requests drawn from the app's own OpenAPI
// document (test/support/openapi-requests.ts), most of them valid enough to
// reach their handlers, the rest carrying U+0000, unpaired surrogates,
// overlong text, extreme numbers, wrong types and unknown fields. Each
// request carries a valid CSRF token, and half of them a signed-in session,
// so they get past the CSRF check to validation and the handlers. Not one
// may be answered 5xx or log at error level, every client error is
// `{"detail"}`, and a request whose validated part holds text S38 refuses
// is answered 400. Run on each backend (PGlite and the in-process store;
// PostgreSQL and Redis).
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_BODY_LIMIT_BYTES } from '../../src/auth/schemas.js';
import { type AccountsApp, startAccountsApp, tokenIn } from '../support/accounts.js';
import { adminAuthorization, adminBasicAuth } from '../support/admin.js';
import { LOG_LEVEL_ERROR } from '../support/app.js';
import type { Browser } from '../support/browser.js';
import { insertItems } from '../support/market.js';
import {
  bodyText,
  type GeneratedRequest,
  type OpenApiDocument,
  operationsOf,
  pathText,
  percentEncode,
  queryPairs,
  requestFor,
  urlOf,
} from '../support/openapi-requests.js';

/** Fixed, so a failure reproduces; fast-check prints it with the counterexample. */
const SEED = 38_023;
const MIN_REQUESTS = 10_000;
/** Requests in flight at once, each on a client of its own. */
const LANES = 32;
/** find-my-way's default, which the app keeps: a longer path parameter is a 414 before validation. */
const ROUTER_MAX_PARAM_LENGTH = 100;
/** A bound against a hang only: the run is CPU-bound and takes several times longer on a busy machine. */
const RUN_TIMEOUT_MS = 600_000;
const backend = process.env.TRACERA_TEST_BACKENDS === 'real' ? 'postgres+redis' : 'embedded';

let accounts: AccountsApp;
/** Every request carries the admin's credentials, so the admin routes reach validation too (S28). */
const ADMIN_AUTHORIZATION = adminAuthorization();

beforeAll(async () => {
  accounts = await startAccountsApp({
    env: {
      ADMIN_BASIC_AUTH: await adminBasicAuth(),
      // The address test browsers come from.
      ADMIN_IP_ALLOWLIST: '203.0.113.10',
      LOG_LEVEL: 'warn',
      // Generated requests must reach validation and the handlers, not a 429
      // or a 503 from a rate limit or the hash queue's bound.
      AUTH_RATE_LIMIT_PER_MIN: '1000000',
      AUTH_READ_RATE_LIMIT_PER_MIN: '1000000',
      ADMIN_RATE_LIMIT_PER_MIN: '1000000',
      HASH_QUEUE_MAX: '1000',
      // Configured providers add their routes (and so their operations) to the document.
      GOOGLE_CLIENT_ID: 'google-client-id',
      GOOGLE_CLIENT_SECRET: 'google-client-secret',
      GITHUB_CLIENT_ID: 'github-client-id',
      GITHUB_CLIENT_SECRET: 'github-client-secret',
    },
  });
  // Item ids the generators favour (1 to 6) find rows, so the market handlers answer in full.
  await insertItems(accounts.database, [
    'AK-47 | Redline (Field-Tested)',
    '★ Karambit | Fade (Factory New)',
    'Sticker | Quiet Item',
  ]);
});

afterAll(async () => {
  await accounts?.close();
});

/**
 * Admin routes that end another user's sessions: a lane cannot tell its
 * session was ended by another lane's request, and its next request would be
 * refused by CSRF instead of validated. Their only input is an integer id,
 * whose schema refuses any text.
 */
const ENDS_OTHERS_SESSIONS = new Set([
  'POST /admin/api/users/{id}/disable',
  'POST /admin/api/users/{id}/sessions/end',
]);

// Clients ---------------------------------------------------------------------

let accountsMade = 0;

/**
 * A browser signed in to an account of its own, holding its session's CSRF
 * token. By emailed link: it costs no password hash and cannot be locked by
 * the password throttle that generated requests may trip. The one place to
 * change when signing in changes.
 */
async function signedInBrowser(): Promise<Browser> {
  accountsMade += 1;
  const email = `s38-${accountsMade}@example.com`;
  const browser = accounts.browser();
  const requested = await browser.send('POST', '/api/v1/auth/magic/request', { email });
  if (requested.statusCode !== 202) throw new Error(`magic link: ${requested.statusCode}`);
  const token = tokenIn(await accounts.smtp.nextMailTo(email));
  const signedIn = await browser.send('POST', '/api/v1/auth/magic/verify', { token });
  if (signedIn.statusCode !== 200) throw new Error(`sign-in: ${signedIn.statusCode}`);
  return browser;
}

/** A visitor without a session, holding the CSRF token of its pre-session cookie. */
async function visitorBrowser(): Promise<Browser> {
  const browser = accounts.browser();
  await browser.fetchCsrf();
  return browser;
}

const isCsrfRefusal = (response: LightMyRequestResponse) =>
  response.statusCode === 403 && /csrf/i.test(response.body);

/** A browser and the cookies it was given to be what it is (a session, a pre-session). */
interface Client {
  readonly browser: Browser;
  readonly cookies: readonly string[];
}

async function client(make: () => Promise<Browser>): Promise<Client> {
  const browser = await make();
  return { browser, cookies: [...browser.cookies.keys()] };
}

/** One client of each kind; a lane runs one request at a time. */
class Lane {
  private visitor: Client | null = null;
  private member: Client | null = null;

  async send(request: GeneratedRequest, signedIn: boolean): Promise<LightMyRequestResponse> {
    if (signedIn) this.member ??= await client(signedInBrowser);
    else this.visitor ??= await client(visitorBrowser);
    const { browser, cookies } = (signedIn ? this.member : this.visitor) as Client;
    const response = await browser.request({
      method: request.operation.method,
      url: urlOf(request),
      ...(request.body === undefined
        ? { headers: { authorization: ADMIN_AUTHORIZATION } }
        : {
            body: bodyText(request.body),
            headers: { 'content-type': 'application/json', authorization: ADMIN_AUTHORIZATION },
          }),
    });
    // The request ended what the client was (logout, a revocation, a cleared
    // cookie) or the binding of its token: the lane's next request gets a new one.
    const ended =
      (signedIn && response.statusCode === 401) ||
      isCsrfRefusal(response) ||
      cookies.some((name) => !browser.cookies.has(name));
    if (ended && signedIn) this.member = null;
    if (ended && !signedIn) this.visitor = null;
    return response;
  }
}

// What the answer must be -------------------------------------------------------

/** Independent of the app's own check, so a broken check cannot also break the expectation. */
const REFUSED = /\0|\p{Cs}/u;

function holdsRefusedText(value: unknown): boolean {
  if (typeof value === 'string') return REFUSED.test(value);
  if (Array.isArray(value)) return value.some(holdsRefusedText);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([key, item]) => REFUSED.test(key) || holdsRefusedText(item));
  }
  return false;
}

/**
 * The validated part of `request` that holds text S38 refuses once the
 * server has decoded it, or null. A query string's text that is not
 * well-formed stays percent-encoded text on the server, so only a well-formed
 * one with U+0000 counts there; an encoded unpaired surrogate in the path is
 * a URL the router refuses (400) before any route. A path the router cannot
 * route to this operation (an empty, dot or overlong segment) meets no
 * validation at all.
 */
function refusedPart(request: GeneratedRequest): string | null {
  const { operation } = request;
  const pathTexts = Object.values(request.pathValues).map(pathText);
  const routable = pathTexts.every(
    (text) =>
      text !== '' &&
      text !== '.' &&
      text !== '..' &&
      percentEncode(text).length <= ROUTER_MAX_PARAM_LENGTH,
  );
  if (!routable) return null;
  if (pathTexts.some((text) => REFUSED.test(text))) return 'params';
  if (
    operation.body !== null &&
    request.body !== undefined &&
    holdsRefusedText(request.body) &&
    Buffer.byteLength(bodyText(request.body)) <= AUTH_BODY_LIMIT_BYTES
  ) {
    return 'body';
  }
  const decodesToNul = (text: string) => !/\p{Cs}/u.test(text) && text.includes('\0');
  const queryPairsWithNul = queryPairs(request.query).some(
    ([name, value]) => decodesToNul(name) || decodesToNul(value),
  );
  return operation.queryParameters.length > 0 && queryPairsWithNul ? 'querystring' : null;
}

/**
 * A refusal as the route gives it: 400 with a detail, or on the routes a
 * browser reaches from a provider, the redirect to the sign-in page with the
 * generic code that S19 gives every failure there.
 */
function isRefusal(response: LightMyRequestResponse): boolean {
  if (response.statusCode === 302) {
    return String(response.headers.location).endsWith('?error=provider');
  }
  return response.statusCode === 400;
}

function detailOf(response: LightMyRequestResponse): unknown {
  try {
    return (response.json() as { detail?: unknown }).detail;
  } catch {
    return undefined;
  }
}

function describeRequest(request: GeneratedRequest): string {
  const body = request.body === undefined ? '' : ` ${bodyText(request.body).slice(0, 300)}`;
  return `${request.operation.method} ${urlOf(request).slice(0, 300)}${body}`;
}

// The run ------------------------------------------------------------------------

describe(`S38 on every route of the OpenAPI document (${backend})`, () => {
  it(
    `S38: ${MIN_REQUESTS} generated requests get no 5xx, no error log, and refused text gets 400`,
    async () => {
      const operations = operationsOf(accounts.app.swagger() as OpenApiDocument).filter(
        (operation) => !ENDS_OTHERS_SESSIONS.has(`${operation.method} ${operation.path}`),
      );
      expect(operations.length).toBeGreaterThan(20);
      const lanes = Array.from({ length: LANES }, () => new Lane());
      const tally = { requests: 0, serverErrors: 0, csrfRefusals: 0, handled: 0 };
      const statuses = new Map<number, number>();
      const started = performance.now();

      const laneRequest = fc.record({
        request: fc.oneof(...operations.map(requestFor)),
        signedIn: fc.boolean(),
      });
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.array(laneRequest, { minLength: LANES, maxLength: LANES }),
            async (batch) => {
              const responses = await Promise.all(
                batch.map(({ request, signedIn }, index) =>
                  (lanes[index] as Lane).send(request, signedIn),
                ),
              );
              batch.forEach(({ request }, index) => {
                const response = responses[index] as LightMyRequestResponse;
                const status = response.statusCode;
                tally.requests += 1;
                statuses.set(status, (statuses.get(status) ?? 0) + 1);
                if (status < 400) tally.handled += 1;
                if (isCsrfRefusal(response)) tally.csrfRefusals += 1;
                const answer = `${describeRequest(request)} -> ${status} ${response.body.slice(0, 300)}`;
                if (status >= 500) {
                  tally.serverErrors += 1;
                  throw new Error(`5xx: ${answer}`);
                }
                if (status >= 400 && typeof detailOf(response) !== 'string') {
                  throw new Error(`client error without {"detail"}: ${answer}`);
                }
                const part = refusedPart(request);
                if (part !== null && !isRefusal(response)) {
                  throw new Error(`${part} holds refused text but was not refused: ${answer}`);
                }
              });
            },
          ),
          { seed: SEED, numRuns: Math.ceil(MIN_REQUESTS / LANES) },
        );
      } finally {
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        console.log(
          `S38 property run on ${backend}: ${tally.requests} requests, ${tally.serverErrors} 5xx, ${seconds} s, ${accountsMade} sign-ins, ${accounts.hasher.calls} hashes; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
        );
      }

      expect(tally.requests).toBeGreaterThanOrEqual(MIN_REQUESTS);
      expect(tally.serverErrors).toBe(0);
      // The clients kept valid tokens, so every unsafe request met validation.
      expect(tally.csrfRefusals).toBe(0);
      // Valid-looking requests reached their handlers and were answered there.
      expect(tally.handled).toBeGreaterThan(MIN_REQUESTS / 10);
      const errorLines = accounts.logs.lines.filter((line) => line.level >= LOG_LEVEL_ERROR);
      expect(errorLines).toEqual([]);
    },
    RUN_TIMEOUT_MS,
  );
});
