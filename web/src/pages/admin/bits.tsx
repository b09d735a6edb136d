// What the admin pages share: a failed query's message, and a time.
import type { ReactNode } from 'react';
import { messageOf } from '../account/kit.js';

export { Field, FormMessage, messageOf, onSubmitWith, useAction } from '../account/kit.js';

/** A query's failure, said in a sentence; a 401 names what is missing. */
export function LoadError({ what, error }: { what: string; error: unknown }) {
  return (
    <p className="error" role="alert">
      {what} could not be loaded ({messageOf(error)}). Reload the page to try again.
    </p>
  );
}

const dateFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
});

/** A time in the browser's zone, or a dash when there is none. */
export function When({ iso, none = '–' }: { iso: string | null; none?: ReactNode }) {
  if (iso === null) return <span className="muted">{none}</span>;
  return (
    <time dateTime={iso} title={iso}>
      {dateFormat.format(new Date(iso))}
    </time>
  );
}

export const count = new Intl.NumberFormat('en-US');
