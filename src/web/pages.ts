// The account pages answer at extensionless paths (`/sign-in`, not
// `/account/sign-in.html`), which @fastify/static cannot map, so they get
// routes of their own. Like the static files, a page exists when its file is
// in the static root at start: the HTML is read once, and a request never
// touches the filesystem. The page files are kept out of the static routes
// (`PAGE_FILES_GLOB`), so each page has one address and one set of headers.
//
// Emailed links land on three pages with a token in the URL. Those pages also
// send `Referrer-Policy: no-referrer` (S24) and `Cache-Control: no-store`, so
// the token cannot leave through a Referer header or stay in a cache in the
// moment before the page's script removes it from the address bar.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/** The folder of the static root that holds the page files and their script. */
export const PAGES_FOLDER = 'account';

/** For @fastify/static's `globIgnore`: the page files are served only at their paths. */
export const PAGE_FILES_GLOB = `${PAGES_FOLDER}/*.html`;

export interface Page {
  readonly path: string;
  readonly file: string;
  /** Opened from an emailed link with `?token=`. */
  readonly carriesToken: boolean;
}

export const ACCOUNT_PAGES: readonly Page[] = [
  { path: '/sign-in', file: 'sign-in.html', carriesToken: false },
  // Where a failed sign-in at another provider lands, with `?error=<code>`.
  { path: '/login', file: 'sign-in.html', carriesToken: false },
  { path: '/sign-up', file: 'sign-up.html', carriesToken: false },
  { path: '/verify-email', file: 'verify-email.html', carriesToken: true },
  { path: '/forgot-password', file: 'forgot-password.html', carriesToken: false },
  { path: '/reset-password', file: 'reset-password.html', carriesToken: true },
  { path: '/magic-link', file: 'magic-link.html', carriesToken: true },
  { path: '/account', file: 'account.html', carriesToken: false },
];

async function readPage(root: string, page: Page): Promise<Buffer | null> {
  try {
    return await readFile(join(root, PAGES_FOLDER, page.file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Registers a GET (and HEAD) route for each page whose file is in `root`. */
export async function registerPages(app: FastifyInstance, root: string): Promise<void> {
  for (const page of ACCOUNT_PAGES) {
    const html = await readPage(root, page);
    if (!html) continue;
    const headers: Record<string, string> = page.carriesToken
      ? { 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' }
      : { 'cache-control': 'no-cache' };
    app.get(page.path, { schema: { hide: true } }, async (_request, reply) =>
      reply.headers(headers).type('text/html; charset=utf-8').send(html),
    );
  }
}
