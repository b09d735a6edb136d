// The one way the web app talks to the API: same origin, cookies included,
// JSON in and out, answers typed by the server's own schemas
// (src/shared/api-types.ts). Unsafe requests carry the CSRF token (S8),
// fetched once and fetched again only after the server refuses it; a 401
// sends the browser to sign in, and sign-in brings it back here.
import type { Csrf } from '../../../src/shared/api-types.js';
import { isCsrfTokenRefusal } from '../../../src/shared/csrf.js';

export const API_PREFIX = '/api/v1';
/** The admin API (src/admin/routes.ts): outside /api/v1, behind the admin gate. */
export const ADMIN_API_PREFIX = '/admin/api';

/** The CSRF token of this browser's session, fetched on first need. */
let csrfToken: Promise<string> | null = null;

/** An answer other than 2xx, with the `{"detail"}` the server gave and its whole body. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly detail: string,
    /** The parsed JSON body, for refusals that say more than `detail` (a CSV's bad lines). */
    readonly body: unknown = null,
  ) {
    super(detail);
  }
}

export type Query = Readonly<Record<string, string | number | boolean | undefined | null>>;

export function apiUrl(path: string, query: Query = {}, prefix = API_PREFIX): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return `${prefix}${path}${search ? `?${search}` : ''}`;
}

/** Where a 401 leads: the sign-in page, told where to come back to. */
export function signInUrl(back: string): string {
  return `/sign-in?next=${encodeURIComponent(back)}`;
}

/** What a 401 does: go to sign-in (the default), or throw for the page to say so itself. */
export type OnUnauthorized = 'sign-in' | 'throw';

/** A refusal's JSON body, or null when it has none. */
async function bodyOf(response: Response): Promise<{ detail?: unknown } | null> {
  return (await response.json().catch(() => null)) as { detail?: unknown } | null;
}

/** The `{"detail"}` of a refusal, or the status text when it has none. */
async function detailOf(response: Response): Promise<string> {
  const body = await bodyOf(response);
  return typeof body?.detail === 'string' ? body.detail : response.statusText;
}

async function answerOf<T>(response: Response, onUnauthorized: OnUnauthorized): Promise<T> {
  if (response.status === 401 && onUnauthorized === 'sign-in') {
    window.location.assign(signInUrl(window.location.pathname + window.location.search));
    throw new ApiError(401, 'Sign in to continue');
  }
  if (!response.ok) {
    const body = await bodyOf(response);
    const detail = typeof body?.detail === 'string' ? body.detail : response.statusText;
    throw new ApiError(response.status, detail, body);
  }
  if (response.status === 204) return null as T;
  const body = (await response.json()) as T;
  // Signing in answers the new session's token: the old one was bound to the visitor.
  const token = (body as { csrf_token?: unknown } | null)?.csrf_token;
  if (typeof token === 'string') csrfToken = Promise.resolve(token);
  return body;
}

export async function apiGet<T>(
  path: string,
  query?: Query,
  signal?: AbortSignal,
  onUnauthorized: OnUnauthorized = 'sign-in',
  prefix = API_PREFIX,
): Promise<T> {
  const response = await fetch(apiUrl(path, query, prefix), {
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { accept: 'application/json' },
    ...(signal ? { signal } : {}),
  });
  return answerOf<T>(response, onUnauthorized);
}

function currentCsrfToken(): Promise<string> {
  if (!csrfToken) {
    const pending = apiGet<Csrf>('/auth/csrf').then((body) => body.csrf_token);
    // A failed fetch is not kept: the next request asks again.
    pending.catch(() => {
      if (csrfToken === pending) csrfToken = null;
    });
    csrfToken = pending;
  }
  return csrfToken;
}

export type UnsafeMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A body sent as it is rather than as JSON: a file, with its media type. */
export class RawBody {
  constructor(
    readonly raw: Blob | string,
    readonly type: string,
  ) {}
}

async function sendOnce(method: UnsafeMethod, url: string, body: unknown): Promise<Response> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'x-csrf-token': await currentCsrfToken(),
  };
  if (body !== undefined)
    headers['content-type'] = body instanceof RawBody ? body.type : 'application/json';
  return fetch(url, {
    method,
    credentials: 'same-origin',
    headers,
    ...(body === undefined
      ? {}
      : { body: body instanceof RawBody ? body.raw : JSON.stringify(body) }),
  });
}

/**
 * An unsafe request with the CSRF token. A token is bound to the session it
 * was issued in, so a sign-in or sign-out in another tab voids it: when the
 * server refuses the token, and only then, the token is fetched again and
 * the request sent once more. Any other 403 (a cross-site refusal, a
 * forbidden action) would only be refused again. `body` goes as JSON, or
 * as it is when it is a RawBody (a CSV file).
 */
export async function apiSend<T>(
  method: UnsafeMethod,
  path: string,
  body?: unknown,
  onUnauthorized: OnUnauthorized = 'sign-in',
  prefix = API_PREFIX,
): Promise<T> {
  const url = apiUrl(path, {}, prefix);
  let response = await sendOnce(method, url, body);
  if (response.status === 403 && isCsrfTokenRefusal(await detailOf(response.clone()))) {
    csrfToken = null;
    response = await sendOnce(method, url, body);
  }
  return answerOf<T>(response, onUnauthorized);
}

/** The session the token was bound to has ended (sign-out, a password reset): fetch a new one next time. */
export function forgetCsrfToken(): void {
  csrfToken = null;
}
