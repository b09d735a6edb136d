// The pages emailed links open: confirm an email address, choose a new
// password, sign in with a link. Opening one sends nothing: only its button
// POSTs the token (S15: mail scanners that follow links must not act), and
// the server sends these pages with `Referrer-Policy: no-referrer` and
// `Cache-Control: no-store` (src/web/pages.ts).
import { useState } from 'react';
import { Link } from 'react-router';
import { apiSend, forgetCsrfToken } from '../../api/client.js';
import {
  Field,
  FormMessage,
  INCOMPLETE_LINK,
  onSubmitWith,
  useAction,
  useLinkToken,
} from './kit.js';

interface Detail {
  readonly detail: string;
}

const MISSING_TOKEN = { text: INCOMPLETE_LINK, kind: 'error' } as const;

export function VerifyEmailPage() {
  const token = useLinkToken();
  const { busy, outcome, run } = useAction();
  const [password, setPassword] = useState('');
  const [spent, setSpent] = useState(false);
  const submit = () =>
    run(async () => {
      const answer = await apiSend<Detail>(
        'POST',
        '/auth/verify-email',
        { token, password },
        'throw',
      );
      setPassword('');
      setSpent(true);
      return answer.detail;
    });
  return (
    <div className="account-page">
      <h1>Confirm your email</h1>
      <p>
        Enter the password you chose when you signed up to finish creating your Tracera account.
      </p>
      <form method="post" onSubmit={onSubmitWith(submit)} aria-busy={busy}>
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          hint="The one you chose on the sign-up form. If you did not sign up, close this page: no account is made without it."
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="button" disabled={busy || spent || !token}>
          Confirm my email
        </button>
        <FormMessage outcome={token ? outcome : MISSING_TOKEN} />
      </form>
      {spent ? (
        <p>
          <Link to="/sign-in">Sign in</Link>
        </p>
      ) : null}
    </div>
  );
}

export function ResetPasswordPage() {
  const token = useLinkToken();
  const { busy, outcome, run } = useAction();
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [spent, setSpent] = useState(false);
  const submit = () =>
    run(async () => {
      if (password !== again) {
        throw new Error('The two passwords differ; type the same new password twice.');
      }
      const answer = await apiSend<Detail>(
        'POST',
        '/auth/password/reset',
        { token, password },
        'throw',
      );
      // Every session of the account has ended, this browser's included.
      forgetCsrfToken();
      setPassword('');
      setAgain('');
      setSpent(true);
      return answer.detail;
    });
  return (
    <div className="account-page">
      <h1>Choose a new password</h1>
      <form method="post" onSubmit={onSubmitWith(submit)} aria-busy={busy}>
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          hint="8 to 128 characters; very common passwords are refused. Every session of your account ends."
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <Field
          label="New password, again"
          type="password"
          autoComplete="new-password"
          required
          value={again}
          onChange={(e) => setAgain(e.target.value)}
        />
        <button type="submit" className="button" disabled={busy || spent || !token}>
          Change password
        </button>
        <FormMessage outcome={token ? outcome : MISSING_TOKEN} />
      </form>
      {spent ? (
        <p>
          <Link to="/sign-in">Sign in with your new password</Link>
        </p>
      ) : null}
      <p>
        Link expired? <Link to="/forgot-password">Ask for a new one</Link>.
      </p>
    </div>
  );
}

export function MagicLinkPage() {
  const token = useLinkToken();
  const { busy, outcome, run } = useAction();
  const [spent, setSpent] = useState(false);
  const submit = () =>
    run(async () => {
      await apiSend('POST', '/auth/magic/verify', { token }, 'throw');
      setSpent(true);
      // Replace: going back would return to a link that has been used.
      window.location.replace('/account');
      return 'Signed in. Opening your account…';
    });
  return (
    <div className="account-page">
      <h1>Sign in with an emailed link</h1>
      <p>
        You opened a sign-in link from your email. Select the button to sign in to Tracera in this
        browser.
      </p>
      <form method="post" onSubmit={onSubmitWith(submit)} aria-busy={busy}>
        <button type="submit" className="button" disabled={busy || spent || !token}>
          Sign me in
        </button>
        <FormMessage outcome={token ? outcome : MISSING_TOKEN} />
      </form>
      <p>
        Did not ask for this link? Ignore it: nobody is signed in until the button is selected.{' '}
        <Link to="/sign-in">Go to sign-in</Link>.
      </p>
    </div>
  );
}
