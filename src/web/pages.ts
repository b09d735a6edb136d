// The account pages (`/sign-in`, `/sign-up`, `/account`, ...) are pages of
// the web app: each path answers the app's shell, and the app draws the page
// (web/src/pages/account/). They are listed here rather than among the
// app's other routes because some carry a token and need their own headers.
//
// Emailed links land on three pages with a token in the URL. Those pages also
// send `Referrer-Policy: no-referrer` (S24) and `Cache-Control: no-store`, so
// the token cannot leave through a Referer header or stay in a cache in the
// moment before the page's script removes it from the address bar.

/** What a page that may hold a token in its URL sends (S24). */
export const TOKEN_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export interface Page {
  readonly path: string;
  /** Opened from an emailed link with `?token=`. */
  readonly carriesToken: boolean;
}

export const ACCOUNT_PAGES: readonly Page[] = [
  { path: '/sign-in', carriesToken: false },
  // Where a failed sign-in at another provider lands, with `?error=<code>`.
  { path: '/login', carriesToken: false },
  { path: '/sign-up', carriesToken: false },
  { path: '/verify-email', carriesToken: true },
  { path: '/forgot-password', carriesToken: false },
  { path: '/reset-password', carriesToken: true },
  { path: '/magic-link', carriesToken: true },
  { path: '/account', carriesToken: false },
];
