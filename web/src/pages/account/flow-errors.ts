// The words for each short code a failed sign-in at another provider comes
// back with (`/sign-in?error=`). Kept apart from the page so Node tests can
// run it; the code comes from the address bar, so anything may arrive.

/** What each short code of a failed sign-in at another provider means (the API's FlowError). */
const FLOW_ERRORS: ReadonlyMap<string, string> = new Map([
  [
    'link_required',
    'A Tracera account uses this email address but has not confirmed it. Confirm it from the email we sent, or sign in to that account and link this provider from there.',
  ],
  ['rate_limited', 'Too many attempts from your network. Please wait a minute and try again.'],
  ['state', 'That sign-in took too long or was started in another browser. Please try again.'],
  ['provider', 'The provider could not confirm who you are. Please try again.'],
  ['unavailable', 'The provider did not answer in time. Please try again in a moment.'],
  ['session', 'Sign in first, then link the account from your account page.'],
  ['identity_taken', 'That account is already linked to another Tracera account.'],
  ['already_linked', 'Your Tracera account is already linked to a different account there.'],
]);

/**
 * What the sign-in page says for `code`. A Map, not an object: a code such
 * as `__proto__` or `constructor` must not reach the object's prototype.
 */
export function flowErrorText(code: string): string {
  return FLOW_ERRORS.get(code) ?? 'Signing in did not complete. Please try again.';
}
