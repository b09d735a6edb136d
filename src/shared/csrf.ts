// The words of the server's refusal of a missing or stale CSRF token,
// shared with the web app, which sends a request again with a new token
// only after this refusal and no other 403 (docs/web-app.md).

export const CSRF_REFUSED = 'Missing or invalid CSRF token';

/** Whether the `detail` of a 403 is the refusal a new token can cure. */
export function isCsrfTokenRefusal(detail: string): boolean {
  return detail === CSRF_REFUSED;
}
