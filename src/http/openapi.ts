// The OpenAPI 3.1 document of the JSON API, made by @fastify/swagger from the
// routes' own schemas: served at /api/v1/openapi.json, browsable at /api/docs
// and printed by `tracera openapi`. This module holds what routes share in
// it: the one `{"detail"}` schema of every error, the error answers of the
// cross-cutting controls, redirects with their Location, the tags and the
// security schemes (the session cookie, the CSRF header).
//
// A control documents the answers it gives on the routes it attaches to
// (`documentResponses`): CSRF protection its 403 and the CSRF header, the
// rate limit its 429, validation its 400, load shedding its 503. So a route
// declares only what is its own (its success, a 401, a 404), and no route can
// carry a control without its entry saying so.
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import { API_PREFIX } from './api-prefix.js';

const DETAIL_SCHEMA_ID = 'Detail';

/** Every error, and the confirmations that are only a sentence: registered once, referenced everywhere. */
const DetailJson = Type.Object(
  { detail: Type.String({ description: 'One sentence, safe to show the user' }) },
  {
    $id: DETAIL_SCHEMA_ID,
    title: DETAIL_SCHEMA_ID,
    description: 'The body of every error, and of confirmations that are only a sentence',
  },
);

interface ResponseHeader {
  readonly type: 'string' | 'integer';
  readonly description: string;
  readonly format?: string;
  readonly minimum?: number;
}

/** A response whose body is the shared `{"detail"}` schema, described for its route and status. */
export function detail(description: string, headers?: Readonly<Record<string, ResponseHeader>>) {
  return Type.Unsafe<Static<typeof DetailJson>>(
    Type.Ref(DETAIL_SCHEMA_ID, headers ? { description, headers } : { description }),
  );
}

/** A redirect: no body, the next address in Location. */
export function redirect(description: string) {
  return Type.Null({
    description,
    headers: {
      location: { type: 'string', format: 'uri-reference', description: 'Where the browser goes' },
    },
  });
}

const RETRY_AFTER = {
  'retry-after': {
    type: 'integer',
    minimum: 1,
    description: 'Seconds to wait before trying again',
  },
} as const;

/** The answers of the cross-cutting controls (and the 401), worded once for every route. */
export const ERRORS = {
  badRequest: detail(
    'The request is refused as written: JSON that does not parse, a wrong type, an unknown field, text with U+0000 or an unpaired surrogate, or a value this route does not accept (the detail says which)',
  ),
  bodyTooLarge: detail('The body is larger than this route accepts'),
  notJson: detail('The body is not application/json'),
  csrfRefused: detail(
    'Refused: no valid X-CSRF-Token for this browser, or a request from another site',
  ),
  notSignedIn: detail('Not signed in, or the session has ended'),
  tooManyRequests: detail(
    'Too many requests from this address (or, for a password, to this account); try again after Retry-After',
    RETRY_AFTER,
  ),
  unavailable: detail(
    'The server is overloaded, or a store this route needs cannot be reached; try again shortly (after Retry-After, when it is given)',
    RETRY_AFTER,
  ),
} as const;

type ResponseSchemas = Readonly<Record<number, TSchema>>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the controls attached to the route answer, for its OpenAPI entry (`documentResponses`). */
    controlResponses?: ResponseSchemas;
  }
}

/**
 * Adds `responses` to a route's OpenAPI entry as the route is added (from an
 * onRoute hook): how a control documents the answers it gives. A response
 * the route declares itself for the same status wins. They go into the
 * document only, not into the route's response schemas: the error handler
 * shapes every error already, and a serializer per status and route would
 * only slow the app's start.
 */
export function documentResponses(route: RouteOptions, responses: ResponseSchemas): void {
  route.config = {
    ...route.config,
    controlResponses: { ...route.config?.controlResponses, ...responses },
  };
}

/**
 * For routes that answer every failure with a redirect (the sign-in flows
 * at a provider, S19), whatever refused the request: the controls' answers
 * leave their entries, and what the route declares says where failures go.
 */
export function documentFailuresAsRedirects(route: RouteOptions): void {
  route.config = { ...route.config, controlResponses: {} };
}

/** One tag per capability, in the order the reference lists them. */
export const TAGS = {
  auth: {
    name: 'auth',
    description:
      'Accounts: sign-up, sign-in (password, emailed link, Google, GitHub, Steam), sessions, profile',
  },
  market: {
    name: 'market',
    description:
      'The item catalog, latest prices per source, price history, volatility and rankings; prices are integers in minor units (cents)',
  },
  portfolio: {
    name: 'portfolio',
    description:
      'Holdings (a Steam inventory import, or added by hand), their value gross and net of Steam fees, the ledger with FIFO cost basis and P&L, the value history, CSV in and out',
  },
  alerts: {
    name: 'alerts',
    description:
      'Alert rules on prices, changes, Bollinger bands, volume, stale prices and the portfolio’s value; what fired and where it went; the webhook',
  },
  watchlist: {
    name: 'watchlist',
    description:
      'Items a user follows, each with a note and its latest price from the preferred sources',
  },
  liveFeed: {
    name: 'live feed',
    description: 'Live prices and volatility over a WebSocket',
  },
  health: { name: 'health', description: 'Whether this instance can serve' },
  admin: {
    name: 'admin',
    description:
      'Operations under /admin/api, behind ADMIN_IP_ALLOWLIST and HTTP basic auth (ADMIN_BASIC_AUTH): users, the audit trail, ingestion, database and store status',
  },
} as const;

export type Tag = (typeof TAGS)[keyof typeof TAGS]['name'];

/** Tags every route added after this in `app`'s scope, a capability's plugin and its children. */
export function tagRoutes(app: FastifyInstance, tag: Tag): void {
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, tags: [tag] };
  });
}

// Security schemes, by the names routes use in `security`.
const CSRF_PATH = `${API_PREFIX}/auth/csrf`;
const SESSION = 'session';
const PRE_SESSION = 'preSession';
const CSRF_TOKEN = 'csrfToken';

type SecurityRequirement = Readonly<Record<string, readonly string[]>>;

/** The route answers a signed-in browser only (401 otherwise). */
export const SIGNED_IN: readonly SecurityRequirement[] = [{ [SESSION]: [] }];
/** Anyone may call the route; with a session cookie the answer is that user's. */
export const SESSION_OPTIONAL: readonly SecurityRequirement[] = [{}, { [SESSION]: [] }];

/**
 * What an unsafe route asks for once CSRF protection attaches to it (S8, S9):
 * the header, with whatever the route needs besides; a route that needs no
 * session takes a token bound to the session or, without one, to the
 * pre-session cookie.
 */
export function requiringCsrfToken(
  declared: readonly SecurityRequirement[] | undefined,
): SecurityRequirement[] {
  const bindings = declared ?? [{ [SESSION]: [] }, { [PRE_SESSION]: [] }];
  return bindings.map((requirement) => ({ ...requirement, [CSRF_TOKEN]: [] }));
}

export interface OpenApiOptions {
  readonly baseUrl: string;
  /** The cookies' names for this BASE_URL (`__Host-` prefixed on https). */
  readonly cookies: { readonly session: string; readonly preSession: string };
}

/**
 * Registers @fastify/swagger and the shared schema, and serves the document
 * at /api/v1/openapi.json. Call it before the first route: the document has
 * the routes added after it.
 */
export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions) {
  app.addSchema(DetailJson);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tracera API',
        version: '1',
        description: `The JSON API of Tracera, a real-time market tracker for Counter-Strike 2 items. Every error is \`{"detail": "..."}\`, but for the health check's 503, which says what is down. A state-changing request (POST, PUT, PATCH, DELETE) carries the token from \`GET ${CSRF_PATH}\` in \`X-CSRF-Token\`, signed-in or not.`,
      },
      servers: [{ url: options.baseUrl }],
      tags: Object.values(TAGS),
      components: {
        securitySchemes: {
          [SESSION]: {
            type: 'apiKey',
            in: 'cookie',
            name: options.cookies.session,
            description:
              'The session cookie, set at sign-in; HttpOnly, so the browser sends it and scripts cannot read it.',
          },
          [PRE_SESSION]: {
            type: 'apiKey',
            in: 'cookie',
            name: options.cookies.preSession,
            description: `Set by \`GET ${CSRF_PATH}\` for a visitor without a session: the CSRF token of an anonymous request is bound to it.`,
          },
          [CSRF_TOKEN]: {
            type: 'apiKey',
            in: 'header',
            name: 'X-CSRF-Token',
            description: `The \`csrf_token\` of \`GET ${CSRF_PATH}\` (or of a sign-in answer), bound to this browser’s session or pre-session cookie.`,
          },
        },
      },
    },
    transform: ({ schema, url, route }) => ({
      schema: {
        ...schema,
        response: {
          ...route.config?.controlResponses,
          ...(schema?.response as object | undefined),
        },
      },
      url,
    }),
    // Shared schemas keep their own names in components.schemas.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) =>
        typeof json.$id === 'string' ? json.$id : `def-${index}`,
    },
  });
  app.get(`${API_PREFIX}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());
}
