// The signed-in user's account: profile, password, linked providers,
// sessions (end one, or all others) and sign-out. A 401 from any action
// means the session ended elsewhere, and the page says so instead of
// leaving the sign-in page to say it.
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { User } from '../../../../src/shared/api-types.js';
import { ApiError, apiGet, apiSend, forgetCsrfToken } from '../../api/client.js';
import { SIGNED_IN_KEY } from '../../api/queries.js';
import { Field, FormMessage, messageOf, onSubmitWith, useAction } from './kit.js';

interface Session {
  readonly id: string;
  readonly created_at: string;
  readonly last_seen_at: string;
  readonly ip: string;
  readonly user_agent: string;
  readonly current: boolean;
}

interface Providers {
  readonly configured: readonly string[];
  readonly linked:
    | readonly { provider: string; provider_account_id: string; linked_at: string }[]
    | null;
}

const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  google: 'Google',
  github: 'GitHub',
  steam: 'Steam',
};

const LINK_URLS: Readonly<Record<string, string>> = {
  google: '/api/v1/auth/google/link?return_to=/account',
  github: '/api/v1/auth/github/link?return_to=/account',
  steam: '/api/v1/auth/steam?return_to=/account',
};

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function When({ iso }: { iso: string }) {
  return <time dateTime={iso}>{dateFormat.format(new Date(iso))}</time>;
}

const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/Firefox\/|FxiOS/, 'Firefox'],
  [/SamsungBrowser/, 'Samsung Internet'],
  [/Chrom(e|ium)\/|CriOS/, 'Chrome'],
  [/Safari\//, 'Safari'],
];

const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/Windows/, 'Windows'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];

/** "Chrome on Linux" from a user agent; the full string goes in a tooltip. */
function deviceName(userAgent: string): string {
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? 'Unknown device';
}

type View =
  | { readonly state: 'loading' }
  | { readonly state: 'signed-out'; readonly message: string }
  | { readonly state: 'failed'; readonly message: string }
  | { readonly state: 'signed-in'; readonly user: User };

export function AccountPage() {
  const [view, setView] = useState<View>({ state: 'loading' });
  const [sessions, setSessions] = useState<readonly Session[]>([]);
  const [providers, setProviders] = useState<Providers | null>(null);
  const [name, setName] = useState('');
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  const sessionsHeading = useRef<HTMLHeadingElement>(null);
  const profile = useAction();
  const password = useAction();
  const sessionAction = useAction();
  const signOut = useAction();
  const links = useAction();

  const queryClient = useQueryClient();
  const showSignedOut = useCallback(
    (message: string) => {
      forgetCsrfToken();
      // The header's account links follow.
      queryClient.setQueryData(SIGNED_IN_KEY, false);
      setView({ state: 'signed-out', message });
      heading.current?.focus();
    },
    [queryClient],
  );

  /** An action's 401 means this session has ended elsewhere. */
  const signedOutElsewhere = (error: unknown): boolean => {
    if (!(error instanceof ApiError) || error.status !== 401) return false;
    showSignedOut('Your session has ended. Sign in again to continue.');
    return true;
  };

  const loadSessions = useCallback(async () => {
    const answer = await apiGet<{ sessions: Session[] }>('/auth/sessions', {}, undefined, 'throw');
    setSessions(answer.sessions);
  }, []);

  const loadProviders = useCallback(async () => {
    setProviders(await apiGet<Providers>('/auth/providers', {}, undefined, 'throw'));
  }, []);

  useEffect(() => {
    (async () => {
      try {
        const user = await apiGet<User>('/auth/me', {}, undefined, 'throw');
        setName(user.name ?? '');
        await Promise.all([loadSessions(), loadProviders()]);
        setView({ state: 'signed-in', user });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          setView({ state: 'signed-out', message: '' });
        } else {
          setView({
            state: 'failed',
            message: `Your account could not be loaded: ${messageOf(error)} Reload the page to try again.`,
          });
        }
      }
    })();
  }, [loadSessions, loadProviders]);

  const others = sessions.filter((session) => !session.current).length;

  return (
    <div className="account-page">
      <h1 tabIndex={-1} ref={heading}>
        Your account
      </h1>
      <p className="page-message" role="status">
        {view.state === 'loading'
          ? 'Loading your account…'
          : view.state === 'signed-in'
            ? `Signed in as ${view.user.email ?? view.user.name ?? 'your Steam account'}.`
            : view.state === 'failed' || view.state === 'signed-out'
              ? view.message
              : ''}
      </p>
      {view.state === 'signed-out' ? (
        <p>
          You are not signed in. <Link to="/sign-in?next=/account">Sign in</Link> to see your
          account.
        </p>
      ) : null}
      {view.state === 'signed-in' ? (
        <>
          <section className="account-section" aria-labelledby="profile-heading">
            <h2 id="profile-heading">Profile</h2>
            <dl className="facts">
              <dt>Email</dt>
              <dd>{view.user.email ?? 'None yet'}</dd>
              <dt>Email confirmed</dt>
              <dd>{view.user.email ? (view.user.email_verified ? 'Yes' : 'Not yet') : '—'}</dd>
              <dt>Member since</dt>
              <dd>
                <When iso={view.user.created_at} />
              </dd>
            </dl>
            <form
              method="post"
              aria-busy={profile.busy}
              onSubmit={onSubmitWith(() =>
                profile.run(async () => {
                  const trimmed = name.trim();
                  const user = await apiSend<User>(
                    'PATCH',
                    '/me',
                    { name: trimmed || null },
                    'throw',
                  );
                  setView({ state: 'signed-in', user });
                  return 'Profile saved.';
                }, signedOutElsewhere),
              )}
            >
              <Field
                label="Name"
                type="text"
                autoComplete="name"
                maxLength={100}
                hint="Shown to you only for now. Leave it empty to remove it."
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
              <button type="submit" className="button" disabled={profile.busy}>
                Save profile
              </button>
              <FormMessage outcome={profile.outcome} />
            </form>
          </section>

          {view.user.email ? (
            <section className="account-section" aria-labelledby="change-password-heading">
              <h2 id="change-password-heading">Change password</h2>
              <form
                method="post"
                aria-busy={password.busy}
                onSubmit={onSubmitWith(() =>
                  password.run(async () => {
                    const answer = await apiSend<{ detail: string }>(
                      'POST',
                      '/auth/password/change',
                      { current_password: currentPassword, new_password: newPassword },
                      'throw',
                    );
                    setCurrentPassword('');
                    setNewPassword('');
                    await loadSessions();
                    return answer.detail;
                  }, signedOutElsewhere),
                )}
              >
                {/* For password managers: which account this password belongs to. */}
                <input
                  name="username"
                  type="email"
                  autoComplete="username"
                  hidden
                  readOnly
                  value={view.user.email}
                />
                <Field
                  label="Current password"
                  type="password"
                  autoComplete="current-password"
                  required
                  value={currentPassword}
                  onChange={(e) => setCurrentPassword(e.target.value)}
                />
                <Field
                  label="New password"
                  type="password"
                  autoComplete="new-password"
                  required
                  hint="8 to 128 characters; very common passwords are refused. Your other sessions end."
                  value={newPassword}
                  onChange={(e) => setNewPassword(e.target.value)}
                />
                <button type="submit" className="button" disabled={password.busy}>
                  Change password
                </button>
                <FormMessage outcome={password.outcome} />
              </form>
            </section>
          ) : null}

          <section className="account-section" aria-labelledby="providers-heading">
            <h2 id="providers-heading">Other accounts</h2>
            <p>
              Link an account elsewhere to sign in with it too. Each can be linked to one Tracera
              account.
            </p>
            <ul className="provider-list">
              {['google', 'github', 'steam']
                .filter(
                  (provider) => provider === 'steam' || providers?.configured.includes(provider),
                )
                .map((provider) => {
                  const linked = providers?.linked?.find((link) => link.provider === provider);
                  const label = PROVIDER_NAMES[provider] ?? provider;
                  return (
                    <li key={provider}>
                      {linked ? (
                        <>
                          {label}: linked <When iso={linked.linked_at} />{' '}
                          <button
                            type="button"
                            className="button-quiet"
                            disabled={links.busy}
                            onClick={() =>
                              links.run(async () => {
                                await apiSend(
                                  'DELETE',
                                  `/auth/providers/${provider}`,
                                  undefined,
                                  'throw',
                                );
                                await loadProviders();
                                return `Unlinked your ${label} account.`;
                              }, signedOutElsewhere)
                            }
                          >
                            Unlink <span className="visually-hidden">{label}</span>
                          </button>
                        </>
                      ) : (
                        <a href={LINK_URLS[provider]}>Link your {label} account</a>
                      )}
                    </li>
                  );
                })}
            </ul>
            <FormMessage outcome={links.outcome} />
          </section>

          <section
            className="account-section"
            aria-labelledby="sessions-heading"
            aria-busy={sessionAction.busy}
          >
            <h2 id="sessions-heading" tabIndex={-1} ref={sessionsHeading}>
              Sessions
            </h2>
            <p>
              The browsers and devices signed in to your account. Ending a session signs that device
              out.
            </p>
            <ul className="sessions" aria-labelledby="sessions-heading">
              {sessions.map((session) => {
                const device = deviceName(session.user_agent);
                return (
                  <li key={session.id} className="session">
                    <p className="session-device">
                      <strong title={session.user_agent || 'No user agent was sent'}>
                        {device}
                      </strong>
                      {session.current ? (
                        <>
                          {' '}
                          <span className="badge badge-current">This browser</span>
                        </>
                      ) : null}
                    </p>
                    <dl className="facts">
                      <dt>IP address</dt>
                      <dd>{session.ip || 'unknown'}</dd>
                      <dt>Last seen</dt>
                      <dd>
                        <When iso={session.last_seen_at} />
                      </dd>
                      <dt>Signed in</dt>
                      <dd>
                        <When iso={session.created_at} />
                      </dd>
                    </dl>
                    {session.current ? null : (
                      <button
                        type="button"
                        className="button-quiet"
                        disabled={sessionAction.busy}
                        onClick={() =>
                          sessionAction.run(async () => {
                            await apiSend(
                              'DELETE',
                              `/auth/sessions/${encodeURIComponent(session.id)}`,
                              undefined,
                              'throw',
                            );
                            await loadSessions();
                            sessionsHeading.current?.focus();
                            return `Ended the session on ${device}.`;
                          }, signedOutElsewhere)
                        }
                      >
                        End
                        <span className="visually-hidden">
                          {` session: ${device}, ${session.ip || 'unknown IP address'}`}
                        </span>
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
            <button
              type="button"
              className="button"
              disabled={sessionAction.busy || others === 0}
              onClick={() =>
                sessionAction.run(async () => {
                  const { ended } = await apiSend<{ ended: number }>(
                    'DELETE',
                    '/auth/sessions',
                    undefined,
                    'throw',
                  );
                  await loadSessions();
                  return ended === 1 ? 'Ended 1 other session.' : `Ended ${ended} other sessions.`;
                }, signedOutElsewhere)
              }
            >
              End all other sessions
            </button>
            <FormMessage outcome={sessionAction.outcome} />
          </section>

          <section className="account-section" aria-labelledby="sign-out-heading">
            <h2 id="sign-out-heading">Sign out</h2>
            <p>Sign out of Tracera in this browser.</p>
            <button
              type="button"
              className="button"
              disabled={signOut.busy}
              onClick={() =>
                signOut.run(async () => {
                  await apiSend('POST', '/auth/logout', undefined, 'throw');
                  showSignedOut('You have signed out.');
                  return undefined;
                })
              }
            >
              Sign out
            </button>
            <FormMessage outcome={signOut.outcome} />
          </section>
        </>
      ) : null}
    </div>
  );
}
