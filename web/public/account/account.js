// @ts-check
// The script of every account page (sign-in, sign-up, email confirmation,
// password recovery, magic-link confirmation, account). Each page names
// itself in `<body data-page>` and this one module wires its forms to the
// account API. The Content-Security-Policy allows no inline script or style,
// so all behaviour lives here and the pages carry only markup.
//
// Conventions, the same on every page:
// - Submit buttons start disabled in the HTML and are enabled once their
//   handler is attached: without this script nothing can be submitted.
// - Every unsafe request carries an `X-CSRF-Token`, fetched on first need and
//   bound to the session (or the visitor's pre-session cookie). Signing in
//   returns a fresh one; signing out, a password reset or ending this session
//   drop it. A 403 "Missing or invalid CSRF token" refetches it and retries once.
// - While a request runs, its buttons are disabled and its form is
//   aria-busy; the outcome is written into the form's `role="status"` message,
//   errors from the API's `detail`.
// - A token from an emailed link is read once and removed from the address
//   bar at once; nothing is sent until the user presses the page's button.

const API = '/api/v1';
const CSRF_REFUSED = 'Missing or invalid CSRF token';
const UNREACHABLE = 'Tracera could not be reached. Check your connection and try again.';
const BROKEN_PAGE = 'Something went wrong in this page. Reload it and try again.';
const INCOMPLETE_LINK =
  'This link is incomplete. Open the link from your email again, or ask for a new one.';

/** @type {string | null} */
let csrfToken = null;

/** A failure to show the user as it is: the API's `detail`, or the page's own words. */
class Problem extends Error {
  /**
   * @param {number} status The API's HTTP status; 0 when it did not answer or was not asked.
   * @param {string} detail
   */
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/**
 * @param {Response} response
 * @returns {Promise<any>}
 */
async function readJson(response) {
  if (!String(response.headers.get('content-type')).includes('application/json')) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/**
 * @param {string} method
 * @param {string} path Under /api/v1.
 * @param {Record<string, string>} headers
 * @param {unknown} [body]
 */
async function send(method, path, headers, body) {
  /** @type {RequestInit} */
  const init = {
    method,
    headers: { accept: 'application/json', ...headers },
    credentials: 'same-origin',
    cache: 'no-store',
  };
  if (body !== undefined) {
    init.headers = { ...init.headers, 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`${API}${path}`, init);
  } catch {
    throw new Problem(0, UNREACHABLE);
  }
  return { response, data: await readJson(response) };
}

/**
 * @param {Response} response
 * @param {any} data
 */
function failure(response, data) {
  const detail =
    data && typeof data.detail === 'string'
      ? data.detail
      : `Something went wrong (HTTP ${response.status}). Try again.`;
  return new Problem(response.status, detail);
}

async function freshCsrfToken() {
  const { response, data } = await send('GET', '/auth/csrf', {});
  if (!response.ok || typeof data?.csrf_token !== 'string') throw failure(response, data);
  csrfToken = data.csrf_token;
  return data.csrf_token;
}

/**
 * Calls the account API; resolves to the JSON body (null for 204) or throws
 * Problem with the API's `detail`.
 * @param {'GET' | 'POST' | 'PATCH' | 'DELETE'} method
 * @param {string} path Under /api/v1.
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
async function api(method, path, body) {
  for (let attempt = 1; ; attempt += 1) {
    /** @type {Record<string, string>} */
    const headers = {};
    if (method !== 'GET') headers['x-csrf-token'] = csrfToken ?? (await freshCsrfToken());
    const { response, data } = await send(method, path, headers, body);
    if (method !== 'GET' && response.status === 403 && data?.detail === CSRF_REFUSED) {
      csrfToken = null;
      if (attempt === 1) continue;
    }
    if (!response.ok) throw failure(response, data);
    if (typeof data?.csrf_token === 'string') csrfToken = data.csrf_token;
    return data;
  }
}

/** The session this page's token was bound to has ended; the next request fetches a new one. */
function forgetCsrfToken() {
  csrfToken = null;
}

/**
 * @param {Element | null} element
 * @param {string} text
 * @param {'success' | 'error' | null} [kind]
 */
function showMessage(element, text, kind = null) {
  if (!element) return;
  element.classList.toggle('success', kind === 'success');
  element.classList.toggle('error', kind === 'error');
  element.textContent = '';
  if (kind === 'error') {
    const label = document.createElement('span');
    label.className = 'visually-hidden';
    label.textContent = 'Error: ';
    element.append(label);
  }
  element.append(text);
}

/** @param {unknown} error */
function messageOf(error) {
  return error instanceof Problem ? error.message : BROKEN_PAGE;
}

/**
 * Disables the buttons of `container` while `work` runs, then writes its
 * outcome into `message`: the text it resolves to, or the error's detail.
 * Buttons marked `data-spent` (a link's token was used) stay disabled.
 * @param {HTMLElement} container
 * @param {Element | null} message
 * @param {() => Promise<string | void>} work
 * @param {(error: unknown) => boolean} [handled] Returns true when it dealt with the error itself.
 */
async function whileBusy(container, message, work, handled) {
  const buttons = [...container.querySelectorAll('button')];
  for (const button of buttons) button.disabled = true;
  container.setAttribute('aria-busy', 'true');
  showMessage(message, '');
  try {
    const done = await work();
    if (done) showMessage(message, done, 'success');
  } catch (error) {
    if (!handled?.(error)) showMessage(message, messageOf(error), 'error');
  } finally {
    container.removeAttribute('aria-busy');
    for (const button of buttons) button.disabled = button.dataset.spent === 'true';
  }
}

/**
 * @param {string} name The form's `data-form`.
 * @returns {HTMLFormElement}
 */
function form(name) {
  const found = document.querySelector(`form[data-form="${name}"]`);
  if (!(found instanceof HTMLFormElement)) throw new Error(`page has no form "${name}"`);
  return found;
}

/**
 * @param {HTMLFormElement} target
 * @param {string} field
 */
function fieldValue(target, field) {
  const value = new FormData(target).get(field);
  return typeof value === 'string' ? value : '';
}

/**
 * Submits `target` through `work` instead of the browser, and enables its buttons.
 * @param {HTMLFormElement} target
 * @param {() => Promise<string | void>} work
 * @param {(error: unknown) => boolean} [handled]
 */
function onSubmit(target, work, handled) {
  target.addEventListener('submit', (event) => {
    event.preventDefault();
    whileBusy(target, target.querySelector('[data-message]'), work, handled);
  });
  for (const button of target.querySelectorAll('button')) button.disabled = false;
}

/** @param {HTMLFormElement} target */
function spend(target) {
  for (const button of target.querySelectorAll('button')) button.dataset.spent = 'true';
}

function revealSuccessLinks() {
  for (const element of document.querySelectorAll('[data-on-success]')) {
    if (element instanceof HTMLElement) element.hidden = false;
  }
}

/**
 * Reads `?token=` once and removes it from the address bar, so it is not
 * kept in history, bookmarks or a shared screen.
 * @returns {string | null}
 */
function takeTokenFromUrl() {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (url.searchParams.has('token')) {
    url.searchParams.delete('token');
    window.history.replaceState(
      window.history.state,
      '',
      `${url.pathname}${url.search}${url.hash}`,
    );
  }
  return token ? token : null;
}

/**
 * The form of a page opened from an emailed link, and the link's token.
 * Without a token the form's button stays disabled and the page says why.
 * @param {string} name The form's `data-form`.
 */
function tokenForm(name) {
  const target = form(name);
  const token = takeTokenFromUrl();
  if (!token) showMessage(target.querySelector('[data-message]'), INCOMPLETE_LINK, 'error');
  return { target, token };
}

// --- Pages -----------------------------------------------------------------

/** What each short code of a failed sign-in at another provider means (the API's FlowError). */
const FLOW_ERRORS = {
  link_required:
    'A Tracera account uses this email address but has not confirmed it. Confirm it from the email we sent, or sign in to that account and link this provider from there.',
  rate_limited: 'Too many attempts from your network. Please wait a minute and try again.',
  state: 'That sign-in took too long or was started in another browser. Please try again.',
  provider: 'The provider could not confirm who you are. Please try again.',
  unavailable: 'The provider did not answer in time. Please try again in a moment.',
  session: 'Sign in first, then link the account from your account page.',
  identity_taken: 'That account is already linked to another Tracera account.',
  already_linked: 'Your Tracera account is already linked to a different account there.',
};

function showFlowError() {
  const code = new URLSearchParams(window.location.search).get('error');
  const notice = document.querySelector('[data-flow-error]');
  if (!code || !(notice instanceof HTMLElement)) return;
  notice.textContent = Object.hasOwn(FLOW_ERRORS, code)
    ? FLOW_ERRORS[/** @type {keyof typeof FLOW_ERRORS} */ (code)]
    : 'Signing in did not complete. Please try again.';
  notice.hidden = false;
}

/** Shows the links of the providers this server offers (sign-in or link). */
async function showProviders() {
  try {
    const { configured } = await api('GET', '/auth/providers');
    for (const item of document.querySelectorAll('[data-provider]')) {
      if (item instanceof HTMLElement) {
        item.hidden = !configured.includes(item.dataset.provider);
      }
    }
  } catch {
    // Without the list, the page still offers what needs no configuration (Steam).
  }
}

/**
 * Where to go once signed in: the page of this site the web app sent the
 * user from (`?next=/items/12`), or the account page. Only a path on this
 * origin is followed, never `//host` or a full URL, so the link cannot send
 * anyone elsewhere.
 * @returns {string}
 */
function pageAfterSignIn() {
  const next = new URLSearchParams(window.location.search).get('next');
  if (next && /^\/(?![/\\])/.test(next)) return next;
  return '/account';
}

function signInPage() {
  showFlowError();
  showProviders();
  const signIn = form('sign-in');
  onSubmit(signIn, async () => {
    await api('POST', '/auth/login', {
      email: fieldValue(signIn, 'email'),
      password: fieldValue(signIn, 'password'),
    });
    spend(signIn);
    const next = pageAfterSignIn();
    window.location.assign(next);
    return next === '/account' ? 'Signed in. Opening your account…' : 'Signed in. Taking you back…';
  });

  const magic = form('magic-request');
  onSubmit(magic, async () => {
    const answer = await api('POST', '/auth/magic/request', { email: fieldValue(magic, 'email') });
    return answer.detail;
  });
}

function signUpPage() {
  const signUp = form('sign-up');
  onSubmit(signUp, async () => {
    const name = fieldValue(signUp, 'name').trim();
    const answer = await api('POST', '/auth/signup', {
      email: fieldValue(signUp, 'email'),
      password: fieldValue(signUp, 'password'),
      ...(name ? { name } : {}),
    });
    signUp.reset();
    return answer.detail;
  });
}

function verifyEmailPage() {
  const { target, token } = tokenForm('verify-email');
  if (!token) return;
  onSubmit(target, async () => {
    const answer = await api('POST', '/auth/verify-email', {
      token,
      password: fieldValue(target, 'password'),
    });
    target.reset();
    spend(target);
    revealSuccessLinks();
    return answer.detail;
  });
}

function forgotPasswordPage() {
  const forgot = form('forgot-password');
  onSubmit(forgot, async () => {
    const answer = await api('POST', '/auth/password/forgot', {
      email: fieldValue(forgot, 'email'),
    });
    return answer.detail;
  });
}

function resetPasswordPage() {
  const { target, token } = tokenForm('reset-password');
  if (!token) return;
  onSubmit(target, async () => {
    const password = fieldValue(target, 'password');
    if (password !== fieldValue(target, 'password_again')) {
      throw new Problem(0, 'The two passwords differ; type the same new password twice.');
    }
    const answer = await api('POST', '/auth/password/reset', { token, password });
    // Every session of the account has ended, this browser's included.
    forgetCsrfToken();
    target.reset();
    spend(target);
    revealSuccessLinks();
    return answer.detail;
  });
}

function magicLinkPage() {
  const { target, token } = tokenForm('magic-link');
  if (!token) return;
  onSubmit(target, async () => {
    await api('POST', '/auth/magic/verify', { token });
    spend(target);
    // Replace: going back would return to a link that has been used.
    window.location.replace('/account');
    return 'Signed in. Opening your account…';
  });
}

// --- The account page ---------------------------------------------------------

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** @param {string} iso */
function timeElement(iso) {
  const time = document.createElement('time');
  time.dateTime = iso;
  time.textContent = dateFormat.format(new Date(iso));
  return time;
}

/** @type {ReadonlyArray<readonly [RegExp, string]>} */
const BROWSERS = [
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/Firefox\/|FxiOS/, 'Firefox'],
  [/SamsungBrowser/, 'Samsung Internet'],
  [/Chrom(e|ium)\/|CriOS/, 'Chrome'],
  [/Safari\//, 'Safari'],
];

/** @type {ReadonlyArray<readonly [RegExp, string]>} */
const SYSTEMS = [
  [/Windows/, 'Windows'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];

/**
 * "Chrome on Linux" from a user agent; the full string goes in a tooltip.
 * @param {string} userAgent
 */
function deviceName(userAgent) {
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? 'Unknown device';
}

/**
 * @param {string} term
 * @param {string | Node} value
 */
function fact(term, value) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.append(value);
  return [dt, dd];
}

function accountPage() {
  showProviders();
  const pageMessage = document.querySelector('[data-message="page"]');
  const signedIn = /** @type {HTMLElement} */ (document.querySelector('[data-view="signed-in"]'));
  const signedOut = /** @type {HTMLElement} */ (document.querySelector('[data-view="signed-out"]'));
  const sessionList = /** @type {HTMLElement} */ (document.querySelector('[data-sessions]'));
  const sessionsSection = /** @type {HTMLElement} */ (
    document.querySelector('[data-sessions-section]')
  );
  const sessionsMessage = document.querySelector('[data-message="sessions"]');
  const sessionsHeading = /** @type {HTMLElement} */ (document.getElementById('sessions-heading'));
  const endOthers = /** @type {HTMLButtonElement} */ (
    document.querySelector('[data-action="end-others"]')
  );
  const signOutSection = /** @type {HTMLElement} */ (
    document.querySelector('[data-sign-out-section]')
  );
  const signOut = /** @type {HTMLButtonElement} */ (
    document.querySelector('[data-action="sign-out"]')
  );
  const heading = /** @type {HTMLElement} */ (document.querySelector('[data-focus-target]'));
  const profile = form('profile');
  const changePassword = form('change-password');

  /** @param {string} text */
  function showSignedOut(text) {
    forgetCsrfToken();
    signedIn.hidden = true;
    signedOut.hidden = false;
    showMessage(pageMessage, text);
    heading.focus();
  }

  /** An action's 401 means this session has ended elsewhere. */
  function signedOutElsewhere(/** @type {unknown} */ error) {
    if (!(error instanceof Problem) || error.status !== 401) return false;
    showSignedOut('Your session has ended. Sign in again to continue.');
    return true;
  }

  /** @param {any} user */
  function renderUser(user) {
    // An account made by signing in with Steam has no email until one is added.
    for (const element of document.querySelectorAll('[data-field="email"]')) {
      element.textContent = user.email ?? 'None yet';
    }
    const verified = document.querySelector('[data-field="email-verified"]');
    if (verified)
      verified.textContent = user.email ? (user.email_verified ? 'Yes' : 'Not yet') : '—';
    // A password signs in with an email address, so an account without one has no use for it.
    const passwordSection = document.querySelector('[data-password-section]');
    if (passwordSection instanceof HTMLElement) passwordSection.hidden = !user.email;
    document.querySelector('[data-field="created"]')?.replaceChildren(timeElement(user.created_at));
    const username = document.querySelector('[data-field="username"]');
    // The value attribute, so that resetting the form keeps it for password managers.
    if (username instanceof HTMLInputElement) username.defaultValue = user.email ?? '';
    const name = profile.elements.namedItem('name');
    if (name instanceof HTMLInputElement) name.value = user.name ?? '';
  }

  /** @param {any} session */
  function sessionItem(session) {
    const item = document.createElement('li');
    item.className = 'session';
    item.dataset.sessionId = session.id;
    const device = deviceName(session.user_agent);
    const title = document.createElement('p');
    title.className = 'session-device';
    const name = document.createElement('strong');
    name.textContent = device;
    name.title = session.user_agent || 'No user agent was sent';
    title.append(name);
    if (session.current) {
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = 'This browser';
      title.append(' ', badge);
    }
    const facts = document.createElement('dl');
    facts.className = 'facts';
    facts.append(
      ...fact('IP address', session.ip || 'unknown'),
      ...fact('Last seen', timeElement(session.last_seen_at)),
      ...fact('Signed in', timeElement(session.created_at)),
    );
    item.append(title, facts);
    if (!session.current) {
      const end = document.createElement('button');
      end.type = 'button';
      end.className = 'secondary';
      end.append('End');
      const context = document.createElement('span');
      context.className = 'visually-hidden';
      context.textContent = ` session: ${device}, ${session.ip || 'unknown IP address'}`;
      end.append(context);
      end.addEventListener('click', () =>
        whileBusy(
          sessionsSection,
          sessionsMessage,
          async () => {
            await api('DELETE', `/auth/sessions/${encodeURIComponent(session.id)}`);
            await loadSessions();
            sessionsHeading.focus();
            return `Ended the session on ${device}.`;
          },
          signedOutElsewhere,
        ),
      );
      item.append(end);
    }
    return item;
  }

  async function loadSessions() {
    const { sessions } = await api('GET', '/auth/sessions');
    sessionList.replaceChildren(...sessions.map(sessionItem));
    const others = sessions.filter((/** @type {any} */ session) => !session.current).length;
    endOthers.dataset.spent = others === 0 ? 'true' : 'false';
    endOthers.disabled = others === 0;
  }

  onSubmit(
    profile,
    async () => {
      const name = fieldValue(profile, 'name').trim();
      renderUser(await api('PATCH', '/me', { name: name || null }));
      return 'Profile saved.';
    },
    signedOutElsewhere,
  );

  onSubmit(
    changePassword,
    async () => {
      const answer = await api('POST', '/auth/password/change', {
        current_password: fieldValue(changePassword, 'current_password'),
        new_password: fieldValue(changePassword, 'new_password'),
      });
      changePassword.reset();
      await loadSessions();
      return answer.detail;
    },
    signedOutElsewhere,
  );

  endOthers.addEventListener('click', () =>
    whileBusy(
      sessionsSection,
      sessionsMessage,
      async () => {
        const { ended } = await api('DELETE', '/auth/sessions');
        await loadSessions();
        return ended === 1 ? 'Ended 1 other session.' : `Ended ${ended} other sessions.`;
      },
      signedOutElsewhere,
    ),
  );

  signOut.addEventListener('click', () =>
    whileBusy(signOutSection, signOutSection.querySelector('[data-message]'), async () => {
      await api('POST', '/auth/logout');
      showSignedOut('You have signed out.');
    }),
  );
  signOut.disabled = false;

  (async () => {
    try {
      const user = await api('GET', '/auth/me');
      renderUser(user);
      await loadSessions();
      showMessage(pageMessage, `Signed in as ${user.email ?? user.name ?? 'your Steam account'}.`);
      signedOut.hidden = true;
      signedIn.hidden = false;
    } catch (error) {
      if (error instanceof Problem && error.status === 401) {
        signedIn.hidden = true;
        signedOut.hidden = false;
        showMessage(pageMessage, '');
      } else {
        showMessage(
          pageMessage,
          `Your account could not be loaded: ${messageOf(error)} Reload the page to try again.`,
          'error',
        );
      }
    }
  })();
}

/** @type {Record<string, () => void>} */
const PAGES = {
  'sign-in': signInPage,
  'sign-up': signUpPage,
  'verify-email': verifyEmailPage,
  'forgot-password': forgotPasswordPage,
  'reset-password': resetPasswordPage,
  'magic-link': magicLinkPage,
  account: accountPage,
};

PAGES[document.body.dataset.page ?? '']?.();
