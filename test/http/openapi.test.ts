// The OpenAPI document as a client reads it: valid OpenAPI 3.1 by the
// schema validator, and complete for every route: a tag, a summary, its
// error answers (a 4xx at least, as `{"detail"}`, the one shared schema),
// redirects with their Location, and the CSRF header and session cookie it
// needs. The app is built with every provider configured, so every route
// it can have is in the document.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STATIC_ROOT } from '../../src/app.js';
import { absentDatabase } from '../../src/platform/db/index.js';
import { MemoryStore } from '../../src/platform/store/memory-store.js';
import { buildTestApp, type TestApp } from '../support/app.js';

interface Response {
  readonly description?: string;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly content?: Readonly<Record<string, { readonly schema?: Record<string, unknown> }>>;
}

interface Operation {
  readonly summary?: string;
  readonly tags?: readonly string[];
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
  readonly responses: Readonly<Record<string, Response>>;
}

/** What the tests read of the document; the validator reads all of it. */
interface Document extends Record<string, unknown> {
  readonly openapi: string;
  readonly tags: readonly { readonly name: string }[];
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, unknown>>;
    readonly securitySchemes: Readonly<
      Record<string, { readonly in?: string; readonly name?: string }>
    >;
  };
}

const UNSAFE = new Set(['post', 'put', 'patch', 'delete']);
const DETAIL_REF = '#/components/schemas/Detail';
const FAILURE_LANDING = '/login?error=<code>';

/**
 * Routes that answer no 4xx by design, each with what it answers instead;
 * every other route documents at least one.
 */
const NO_CLIENT_ERROR: Readonly<Record<string, string>> = {
  'GET /api/v1/health': 'a load balancer’s probe: 200 or 503',
  // S19: the sign-in flows at a provider answer every failure with a redirect.
  ...Object.fromEntries(
    [
      '/steam/login',
      '/steam/login/callback',
      '/steam',
      '/steam/callback',
      ...['google', 'github'].flatMap((provider) => [
        `/${provider}`,
        `/${provider}/link`,
        `/${provider}/callback`,
      ]),
    ].map((path) => [`GET /api/v1/auth${path}`, `redirects to ${FAILURE_LANDING}`]),
  ),
};

/** Failures whose body is not `{"detail"}`: the health check's 503 is the same status as its 200. */
/** Error answers with more than `{"detail"}`: health's per-dependency state, a CSV's line errors. */
const OWN_ERROR_BODIES = new Set([
  'GET /api/v1/health 503',
  'POST /api/v1/portfolio/transactions/import 400',
]);
/** The live feed's connection cap: a connection may close any moment, so no wait is promised. */
const WITHOUT_RETRY_AFTER = new Set(['GET /api/v1/ws']);

let test: TestApp;
let document: Document;

function operations(): {
  readonly name: string;
  readonly method: string;
  readonly operation: Operation;
}[] {
  return Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => ({
      name: `${method.toUpperCase()} ${path}`,
      method,
      operation,
    })),
  );
}

function statuses(operation: Operation): number[] {
  return Object.keys(operation.responses).map(Number);
}

beforeAll(async () => {
  // The document does not depend on what the database holds.
  test = await buildTestApp({
    database: absentDatabase(),
    store: new MemoryStore(),
    staticRoot: DEFAULT_STATIC_ROOT,
    env: {
      GOOGLE_CLIENT_ID: 'google-client',
      GOOGLE_CLIENT_SECRET: 'google-secret',
      GITHUB_CLIENT_ID: 'github-client',
      GITHUB_CLIENT_SECRET: 'github-secret',
    },
  });
  const response = await test.app.inject({ url: '/api/v1/openapi.json' });
  expect(response.statusCode).toBe(200);
  document = response.json() as Document;
});

afterAll(async () => {
  await test?.app.close();
});

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1, every $ref resolving', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('gives every route a tag the document defines, and a summary', () => {
    const defined = new Set(document.tags.map((tag) => tag.name));
    expect([...defined]).toEqual(expect.arrayContaining(['auth', 'market', 'live feed', 'health']));
    for (const { name, operation } of operations()) {
      expect(operation.tags, name).toHaveLength(1);
      expect(defined.has(operation.tags?.[0] ?? ''), `${name}: ${operation.tags}`).toBe(true);
      expect(operation.summary?.trim(), name).toBeTruthy();
    }
  });

  it('gives every route at least one 4xx, but for the few reviewed ones that answer none', () => {
    const listed = new Set<string>();
    for (const { name, operation } of operations()) {
      const clientErrors = statuses(operation).filter((status) => status >= 400 && status < 500);
      if (NO_CLIENT_ERROR[name]) {
        listed.add(name);
        expect(clientErrors, name).toEqual([]);
        // What it answers instead is documented.
        const failures = Object.entries(operation.responses).filter(
          ([status, response]) =>
            Number(status) >= 500 || response.description?.includes(FAILURE_LANDING),
        );
        expect(failures.length, `${name}: ${NO_CLIENT_ERROR[name]}`).toBeGreaterThan(0);
      } else {
        expect(clientErrors.length, `${name} documents no 4xx`).toBeGreaterThan(0);
      }
    }
    // The list holds no route the document has lost.
    expect([...listed].sort()).toEqual(Object.keys(NO_CLIENT_ERROR).sort());
  });

  it('registers {"detail"} once and refers to it from every error answer', () => {
    expect(document.components.schemas.Detail).toMatchObject({
      type: 'object',
      required: ['detail'],
      properties: { detail: { type: 'string' } },
    });
    for (const { name, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400 || OWN_ERROR_BODIES.has(`${name} ${status}`)) continue;
        expect(response.description, `${name} ${status}`).toBeTruthy();
        expect(response.content?.['application/json']?.schema, `${name} ${status}`).toEqual({
          $ref: DETAIL_REF,
        });
      }
    }
  });

  it('documents every redirect as 302 or 303 with its Location, and Retry-After on 429', () => {
    let redirects = 0;
    for (const { name, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 300 && Number(status) < 400) {
          redirects += 1;
          expect([302, 303], `${name} ${status}`).toContain(Number(status));
          expect(response.headers?.location, `${name} ${status}`).toBeDefined();
          expect(response.content, `${name} ${status}`).toBeUndefined();
        }
        if (Number(status) === 429 && !WITHOUT_RETRY_AFTER.has(name)) {
          expect(response.headers?.['retry-after'], `${name} 429`).toBeDefined();
        }
      }
    }
    expect(redirects).toBeGreaterThan(10);
  });

  it('S8: asks for X-CSRF-Token on every state-changing route, and a session where one is needed', () => {
    const schemes = document.components.securitySchemes;
    expect(schemes.csrfToken).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-CSRF-Token' });
    expect(schemes.session).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: 'tracera_session',
    });
    expect(schemes.preSession).toMatchObject({ in: 'cookie', name: 'tracera_presession' });
    let unsafe = 0;
    for (const { name, method, operation } of operations()) {
      for (const requirement of operation.security ?? []) {
        for (const scheme of Object.keys(requirement)) expect(schemes[scheme], name).toBeDefined();
      }
      if (UNSAFE.has(method)) {
        unsafe += 1;
        expect(operation.security?.length, name).toBeGreaterThan(0);
        for (const requirement of operation.security ?? []) {
          expect(Object.keys(requirement), name).toContain('csrfToken');
        }
        expect(statuses(operation), name).toContain(403);
      }
      // A route for signed-in browsers only says what the others get, unless its failures redirect.
      const security = operation.security ?? [];
      const needsSession =
        security.length > 0 && security.every((requirement) => 'session' in requirement);
      if (needsSession && !NO_CLIENT_ERROR[name]) expect(statuses(operation), name).toContain(401);
    }
    expect(unsafe).toBeGreaterThan(10);
  });

  it('leaves out the hidden routes: pages, static files, the document itself and the reference', async () => {
    for (const url of ['/sign-in', '/', '/api/docs', '/api/docs/json']) {
      expect((await test.app.inject({ url })).statusCode, url).toBe(200);
    }
    const paths = Object.keys(document.paths);
    expect(paths).not.toContain('/api/v1/openapi.json');
    // The API under /api/v1, and the admin API (behind its gate, S28) under /admin/api.
    const listed = (path: string) => path.startsWith('/api/v1/') || path.startsWith('/admin/api/');
    expect(paths.filter((path) => !listed(path))).toEqual([]);
  });
});
