// Serves the web app that Vite builds into web/dist (docs/web-app.md): the
// app shell (index.html) at each of the app's own routes, the account pages
// among them (with their own headers: pages.ts), the admin pages where admin
// is on (only through the admin gate), the built files as static
// files, and the shell again, with a 404, for a browser asking for a page
// that does not exist, so the app shows its not-found page; that one is not
// stored and sends no referrer, as it may carry a token. Vite names every
// file under assets/ by a hash of its content, so those are cached for a
// year as immutable; the shell and the unhashed files (the favicon) are
// revalidated on every use, so a new build is picked up at once. The API
// keeps its `{"detail"}` 404s: only a GET or HEAD that accepts text/html,
// outside /api, gets the page.
import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { NotFoundPage } from '../http/errors.js';
import { ACCOUNT_PAGES, TOKEN_PAGE_HEADERS } from './pages.js';

/** The app's client routes (web/src/main.tsx): each answers the shell. */
export const WEB_APP_ROUTES = [
  '/',
  '/items/:id',
  '/movers',
  '/index',
  '/portfolio',
  '/watchlist',
  '/alerts',
] as const;

/**
 * The admin pages (web/src/pages/admin/): their shell answers only through
 * the admin gate (S28), so a browser is asked for the admin's credentials
 * before it sees them, and is never stored.
 */
export const ADMIN_PAGE_ROUTES = [
  '/admin',
  '/admin/users',
  '/admin/audit',
  '/admin/webhooks',
] as const;

export const APP_SHELL_FILE = 'index.html';
/** Where Vite puts the content-hashed files. */
export const HASHED_ASSETS_FOLDER = 'assets';

export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
export const REVALIDATE_CACHE = 'no-cache';

/** The shell of the web app in `root`, or null when the folder holds no web app. */
export async function readAppShell(root: string): Promise<Buffer | null> {
  try {
    return await readFile(`${root}/${APP_SHELL_FILE}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A browser navigating to a page: GET or HEAD, asking for HTML, not under /api. */
export function isPageRequest(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (!String(request.headers.accept ?? '').includes('text/html')) return false;
  const path = request.url.split('?', 1)[0] ?? '';
  return path !== '/api' && !path.startsWith('/api/');
}

/**
 * The not-found page for `registerErrorHandling`: the shell, to browsers
 * only, with the token pages' headers, since the app draws a token page at a
 * path the server does not list too (`/magic-link/?token=`).
 */
export function appNotFoundPage(shell: Buffer | null): NotFoundPage | undefined {
  if (!shell) return undefined;
  const page = { html: shell, headers: TOKEN_PAGE_HEADERS };
  return (request) => (isPageRequest(request) ? page : null);
}

/** Every path that answers the shell, with the headers it sends. */
function shellRoutes(): { path: string; headers: Readonly<Record<string, string>> }[] {
  const revalidate = { 'cache-control': REVALIDATE_CACHE };
  return [
    ...WEB_APP_ROUTES.map((path) => ({ path, headers: revalidate })),
    ...ACCOUNT_PAGES.map(({ path, carriesToken }) => ({
      path,
      headers: carriesToken ? TOKEN_PAGE_HEADERS : revalidate,
    })),
  ];
}

/**
 * Registers the shell at the app's routes, the account pages and, with
 * `adminPages`, the admin pages, and the files of `root`. Like the static files, routes exist for what is in `root` at
 * start: a request never looks the filesystem up.
 */
export async function registerWebApp(
  app: FastifyInstance,
  root: string,
  shell: Buffer | null,
  options: { readonly adminPages: boolean },
): Promise<void> {
  if (shell) {
    for (const { path, headers } of shellRoutes()) {
      app.get(path, { schema: { hide: true } }, async (_request, reply) =>
        reply.headers(headers).type('text/html; charset=utf-8').send(shell),
      );
    }
    // The gate itself adds `Cache-Control: no-store` to these answers.
    for (const path of options.adminPages ? ADMIN_PAGE_ROUTES : []) {
      app.get(path, { schema: { hide: true }, onRequest: app.adminGate }, async (_request, reply) =>
        reply.type('text/html; charset=utf-8').send(shell),
      );
    }
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    // The shell has routes of its own; the build manifest is for tests.
    globIgnore: [APP_SHELL_FILE, '.vite/**'],
    cacheControl: false,
    setHeaders: (response, path) => {
      const hashed = relative(root, path).startsWith(`${HASHED_ASSETS_FOLDER}${sep}`);
      response.setHeader('cache-control', hashed ? IMMUTABLE_CACHE : REVALIDATE_CACHE);
    },
  });
}
