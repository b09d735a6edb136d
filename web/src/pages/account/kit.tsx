// What every account page shares: a form's busy state and outcome message,
// labelled fields, the providers this server offers, and the token of an
// emailed link, read once and taken out of the address bar at once.
import {
  type FormEvent,
  type InputHTMLAttributes,
  type ReactNode,
  useEffect,
  useId,
  useState,
} from 'react';
import { ApiError, apiGet } from '../../api/client.js';
import { pageAfterSignInFrom } from './after-sign-in.js';

export const UNREACHABLE = 'Tracera could not be reached. Check your connection and try again.';
export const INCOMPLETE_LINK =
  'This link is incomplete. Open the link from your email again, or ask for a new one.';

export interface Outcome {
  readonly text: string;
  readonly kind: 'success' | 'error';
}

/** The words to show for a failure: the API's `detail`, or a plain one. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof TypeError) return UNREACHABLE;
  return error instanceof Error ? error.message : UNREACHABLE;
}

/**
 * Runs one action at a time: `busy` while it runs, then its outcome, the
 * text it resolves to or the error's detail. `handled` may take an error
 * over (a 401 that means the session ended) and return true.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const run = async (
    work: () => Promise<string | undefined>,
    handled?: (error: unknown) => boolean,
  ): Promise<void> => {
    setBusy(true);
    setOutcome(null);
    try {
      const text = await work();
      if (text) setOutcome({ text, kind: 'success' });
    } catch (error) {
      if (!handled?.(error)) setOutcome({ text: messageOf(error), kind: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return { busy, outcome, setOutcome, run };
}

/** A form's `role="status"` line; errors say so to screen readers too. */
export function FormMessage({ outcome }: { outcome: Outcome | null }) {
  return (
    <p className={`form-message${outcome ? ` form-message-${outcome.kind}` : ''}`} role="status">
      {outcome?.kind === 'error' ? <span className="visually-hidden">Error: </span> : null}
      {outcome?.text}
    </p>
  );
}

export function Field({
  label,
  hint,
  ...input
}: {
  label: ReactNode;
  hint?: string;
} & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const hintId = useId();
  return (
    <div className="account-field">
      <label htmlFor={id}>{label}</label>
      <input id={id} {...(hint ? { 'aria-describedby': hintId } : {})} {...input} />
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** Submits through `action` instead of the browser; a form without this script cannot submit. */
export function onSubmitWith(action: () => void) {
  return (event: FormEvent) => {
    event.preventDefault();
    action();
  };
}

/** The providers configured on this server (Steam needs no configuration). */
export function useConfiguredProviders(): readonly string[] {
  const [configured, setConfigured] = useState<readonly string[]>([]);
  useEffect(() => {
    apiGet<{ configured: string[] }>('/auth/providers').then(
      (answer) => setConfigured(answer.configured),
      // Without the list, the page still offers what needs no configuration.
      () => setConfigured([]),
    );
  }, []);
  return configured;
}

/**
 * The `?token=` of an emailed link, kept in state and removed from the
 * address bar at once, so it stays out of history, bookmarks and a shared
 * screen. The page sends nothing until its button is pressed.
 */
export function useLinkToken(): string | null {
  const [token] = useState(() => new URLSearchParams(window.location.search).get('token'));
  useEffect(() => {
    const url = new URL(window.location.href);
    if (!url.searchParams.has('token')) return;
    url.searchParams.delete('token');
    window.history.replaceState(
      window.history.state,
      '',
      `${url.pathname}${url.search}${url.hash}`,
    );
  }, []);
  return token || null;
}

/**
 * Where to go once signed in: the page of this site the app sent the user
 * from (`?next=/items/12`), or the account page; never another origin.
 */
export function pageAfterSignIn(): string {
  const next = new URLSearchParams(window.location.search).get('next');
  return pageAfterSignInFrom(next, window.location.origin);
}
