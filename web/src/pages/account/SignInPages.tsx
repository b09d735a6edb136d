// Sign up, sign in (password, emailed link, the configured providers) and
// forgot password: the anonymous account pages. Each request carries the
// CSRF token (S8), so a page elsewhere cannot sign a visitor in as someone else.
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { apiSend } from '../../api/client.js';
import { flowErrorText } from './flow-errors.js';
import {
  Field,
  FormMessage,
  onSubmitWith,
  pageAfterSignIn,
  useAction,
  useConfiguredProviders,
} from './kit.js';

interface Detail {
  readonly detail: string;
}

function PasswordSignIn() {
  const { busy, outcome, run } = useAction();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const submit = () =>
    run(async () => {
      await apiSend('POST', '/auth/login', { email, password }, 'throw');
      setDone(true);
      const next = pageAfterSignIn();
      // A full load: the account page and the header start from the new session.
      window.location.assign(next);
      return next === '/account'
        ? 'Signed in. Opening your account…'
        : 'Signed in. Taking you back…';
    });
  return (
    <section className="account-section" aria-labelledby="password-heading">
      <h2 id="password-heading">With your password</h2>
      <form method="post" onSubmit={onSubmitWith(submit)} aria-busy={busy}>
        <Field
          label="Email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="button" disabled={busy || done}>
          Sign in
        </button>
        <FormMessage outcome={outcome} />
      </form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
    </section>
  );
}

function LinkSignIn() {
  const { busy, outcome, run } = useAction();
  const [email, setEmail] = useState('');
  const submit = () =>
    run(
      async () => (await apiSend<Detail>('POST', '/auth/magic/request', { email }, 'throw')).detail,
    );
  return (
    <section className="account-section" aria-labelledby="magic-heading">
      <h2 id="magic-heading">With an emailed link</h2>
      <p>
        We email you a link that signs you in once, without a password. It expires after a few
        minutes.
      </p>
      <form method="post" onSubmit={onSubmitWith(submit)} aria-busy={busy}>
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <button type="submit" className="button" disabled={busy}>
          Email me a sign-in link
        </button>
        <FormMessage outcome={outcome} />
      </form>
    </section>
  );
}

export function SignInPage() {
  const [params] = useSearchParams();
  const configured = useConfiguredProviders();
  const code = params.get('error');
  return (
    <div className="account-page">
      <h1>Sign in</h1>
      {code ? (
        <p className="notice" role="alert">
          {flowErrorText(code)}
        </p>
      ) : null}
      <PasswordSignIn />
      <LinkSignIn />
      <section className="account-section" aria-labelledby="providers-heading">
        <h2 id="providers-heading">With another account</h2>
        <p>
          The provider confirms who you are; Tracera never sees your password there. The first time,
          this creates a Tracera account, with the provider's verified email address if it gives
          one.
        </p>
        <ul className="provider-list">
          {configured.includes('google') ? (
            <li>
              <a href="/api/v1/auth/google">Sign in with Google</a>
            </li>
          ) : null}
          {configured.includes('github') ? (
            <li>
              <a href="/api/v1/auth/github">Sign in with GitHub</a>
            </li>
          ) : null}
          <li>
            <a href="/api/v1/auth/steam/login">Sign in with Steam</a>
          </li>
        </ul>
      </section>
      <p>
        New to Tracera? <Link to="/sign-up">Create an account</Link>.
      </p>
    </div>
  );
}

export function SignUpPage() {
  const { busy, outcome, run } = useAction();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = () =>
    run(async () => {
      const trimmed = name.trim();
      const answer = await apiSend<Detail>(
        'POST',
        '/auth/signup',
        { email, password, ...(trimmed ? { name: trimmed } : {}) },
        'throw',
      );
      setName('');
      setEmail('');
      setPassword('');
      return answer.detail;
    });
  return (
    <div className="account-page">
      <h1>Create an account</h1>
      <form method="post" onSubmit={onSubmitWith(submit)} aria-busy={busy}>
        <Field
          label={
            <>
              Name <span className="optional">(optional)</span>
            </>
          }
          type="text"
          autoComplete="name"
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          hint="8 to 128 characters. A passphrase of a few unrelated words works well; very common passwords are refused."
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="button" disabled={busy}>
          Create account
        </button>
        <FormMessage outcome={outcome} />
      </form>
      <p>We send you an email to confirm the address before you can sign in.</p>
      <p>
        Already have an account? <Link to="/sign-in">Sign in</Link>.
      </p>
    </div>
  );
}

export function ForgotPasswordPage() {
  const { busy, outcome, run } = useAction();
  const [email, setEmail] = useState('');
  const submit = () =>
    run(
      async () =>
        (await apiSend<Detail>('POST', '/auth/password/forgot', { email }, 'throw')).detail,
    );
  return (
    <div className="account-page">
      <h1>Forgot your password?</h1>
      <p>
        Enter the email address of your account and we will email you a link to choose a new
        password.
      </p>
      <form method="post" onSubmit={onSubmitWith(submit)} aria-busy={busy}>
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <button type="submit" className="button" disabled={busy}>
          Email me a reset link
        </button>
        <FormMessage outcome={outcome} />
      </form>
      <p>
        Remembered it? <Link to="/sign-in">Sign in</Link>, or ask for a sign-in link there instead.
      </p>
    </div>
  );
}
