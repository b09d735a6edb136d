// The star that watches an item, on each market row and an item's page. A
// toggle button: its name stays "Watch <item>" and aria-pressed says whether
// it is on, as the ARIA practices ask of toggle buttons (a name that flips
// to "Unwatch" as well would announce the state twice); the tooltip says
// what a click will do. Signed out, it is a link to sign in that comes back
// to this page, so a visitor's page asks the API for nothing it would refuse.
import { Link, useLocation } from 'react-router';
import { ApiError, signInUrl } from '../api/client.js';
import { useSignedIn } from '../api/queries.js';
import { useToggleWatch, useWatchedIds } from '../api/watchlist.js';

export function WatchStar({
  item,
  labelled = false,
}: {
  item: { readonly id: number; readonly market_hash_name: string };
  /** Shows the word "Watch" beside the star (the item page), not only the star. */
  labelled?: boolean;
}) {
  const { data: signedIn } = useSignedIn();
  const watched = useWatchedIds(signedIn === true);
  const toggle = useToggleWatch();
  const location = useLocation();
  const name = item.market_hash_name;
  const className = `watch-star${labelled ? ' watch-star-labelled' : ''}`;

  // Until it is known whether this browser is signed in: the star's room, nothing to press.
  if (signedIn === undefined) return <span className={`${className} is-pending`} />;
  if (!signedIn) {
    return (
      <Link
        className={className}
        to={signInUrl(location.pathname + location.search)}
        title={`Sign in to watch ${name}`}
        aria-label={`Sign in to watch ${name}`}
      >
        <span aria-hidden="true">☆</span>
        {labelled ? ' Watch' : null}
      </Link>
    );
  }
  const on = watched.data?.has(item.id) ?? false;
  const refused =
    toggle.error instanceof ApiError
      ? toggle.error.detail
      : toggle.error
        ? 'Tracera could not be reached; try again.'
        : null;
  return (
    <>
      <button
        type="button"
        className={`${className}${on ? ' is-on' : ''}`}
        aria-pressed={on}
        aria-label={labelled ? undefined : `Watch ${name}`}
        title={on ? `Unwatch ${name}` : `Watch ${name}`}
        disabled={watched.isPending}
        onClick={() => toggle.mutate({ itemId: item.id, watch: !on })}
      >
        <span aria-hidden="true">{on ? '★' : '☆'}</span>
        {labelled ? (
          <>
            {' '}
            Watch<span className="visually-hidden"> {name}</span>
          </>
        ) : null}
      </button>
      {refused ? (
        <span className="watch-star-error" role="alert">
          {refused}
        </span>
      ) : null}
    </>
  );
}
