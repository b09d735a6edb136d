// Where password sign-in sends the user: the `?next=` page, if it is one of
// this site's. Kept apart from the pages so Node tests can run it.

const DEFAULT_PAGE = '/account';

/**
 * The same-origin page `next` names, as path, query and hash, or the account
 * page. Browsers drop tab, CR and LF from a URL and read `\` as `/`, so
 * `/\t/evil.com` or `/\evil.com` would leave the site: such input is refused
 * outright, and what remains is resolved against `origin` and must stay on
 * it, as the server's safeReturnTo does for provider sign-in.
 */
export function pageAfterSignInFrom(next: string | null, origin: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (!next?.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(next)) return DEFAULT_PAGE;
  const target = new URL(next, origin);
  const page = `${target.pathname}${target.search}${target.hash}`;
  // `/.//evil.com` resolves to the path `//evil.com`, which a later join would read as a host.
  if (target.origin !== new URL(origin).origin || page.startsWith('//')) return DEFAULT_PAGE;
  return page;
}
