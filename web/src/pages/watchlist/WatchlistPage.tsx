// The signed-in user's watchlist (GET /watchlist): each watched item with
// its latest price from the preferred sources and its 24 h change, its note
// (edited in place) and when it was added, newest first; remove an item
// here, add one with the star on the market or an item's page. Signed out,
// the page says what it is and links to sign in, which comes back here; it
// asks the API for nothing it would refuse.
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { WatchedEntry } from '../../../../src/shared/api-types.js';
import { signInUrl } from '../../api/client.js';
import { useSignedIn } from '../../api/queries.js';
import {
  useSaveNote,
  useToggleWatch,
  useWatchlist,
  WATCHLIST_PAGE_SIZE,
} from '../../api/watchlist.js';
import { useNow } from '../../clock.js';
import { Change, ItemThumb, PriceTag, SimulatedBadge } from '../../components/bits.js';
import { Field, FormMessage, messageOf, onSubmitWith, useAction } from '../account/kit.js';
import './watchlist.css';

const PAGE_PATH = '/watchlist';
const MAX_NOTE = 500;

function SignedOut() {
  return (
    <div className="watchlist-intro">
      <p>
        Your watchlist keeps the items you follow in one place, with their latest prices and a note
        of your own: star an item in the market to add it.
      </p>
      <p>
        <Link className="button-link" to={signInUrl(PAGE_PATH)}>
          Sign in to see your watchlist
        </Link>{' '}
        <span className="muted">
          or <Link to="/sign-up">create an account</Link>.
        </span>
      </p>
    </div>
  );
}

function EditNote({
  entry,
  onDone,
}: {
  entry: WatchedEntry;
  onDone: (message: string | null) => void;
}) {
  const [note, setNote] = useState(entry.note);
  const save = useSaveNote();
  const action = useAction();
  const fields = useRef<HTMLDivElement>(null);
  useEffect(() => fields.current?.querySelector('input')?.focus(), []);
  const name = entry.item.market_hash_name;
  return (
    <form
      className="watchlist-note-form"
      aria-label={`Note for ${name}`}
      aria-busy={action.busy}
      onSubmit={onSubmitWith(() =>
        action.run(async () => {
          await save.mutateAsync({ itemId: entry.item.id, note: note.trim() });
          onDone(`Saved the note for ${name}.`);
          return undefined;
        }),
      )}
    >
      <div ref={fields}>
        <Field
          label="Note"
          type="text"
          maxLength={MAX_NOTE}
          value={note}
          onChange={(event) => setNote(event.target.value)}
        />
      </div>
      <div className="form-actions">
        <button type="submit" className="button" disabled={action.busy}>
          Save
        </button>
        <button type="button" className="button-quiet" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
      <FormMessage outcome={action.outcome} />
    </form>
  );
}

function WatchedRow({
  entry,
  currency,
  now,
  editing,
  onEdit,
  onRemove,
  busy,
  onNoteDone,
}: {
  entry: WatchedEntry;
  currency: string;
  now: number;
  editing: boolean;
  onEdit: () => void;
  onRemove: () => void;
  busy: boolean;
  onNoteDone: (message: string | null) => void;
}) {
  const { item, price } = entry;
  const name = item.market_hash_name;
  return (
    <li className="watched">
      <div className="watched-head">
        <Link to={`/items/${item.id}`} className="item-link watched-item">
          <ItemThumb item={item} />
          <span className="item-text">
            <span className="item-name">{name}</span>
          </span>
        </Link>
        <span className="watched-price">
          {price ? (
            <>
              <PriceTag
                cents={price.price_cents}
                observedAt={price.observed_at}
                stale={price.stale}
                source={price.source}
                now={now}
                currency={currency}
              />
              <Change value={price.change_24h_percent} label="24 hour change" />
            </>
          ) : (
            <span className="no-price">No price yet</span>
          )}
        </span>
      </div>
      <div className="watched-foot">
        <span className={entry.note ? 'watched-note' : 'watched-note muted'}>
          {entry.note || 'No note'}
        </span>
        <span className="row-actions">
          <button type="button" className="button-quiet" aria-expanded={editing} onClick={onEdit}>
            Edit note <span className="visually-hidden">for {name}</span>
          </button>
          <button type="button" className="button-quiet" disabled={busy} onClick={onRemove}>
            Remove <span className="visually-hidden">{name}</span>
          </button>
        </span>
      </div>
      {editing ? <EditNote entry={entry} onDone={onNoteDone} /> : null}
    </li>
  );
}

function Watched({ signedIn }: { signedIn: boolean }) {
  const [limit, setLimit] = useState(WATCHLIST_PAGE_SIZE);
  const [editing, setEditing] = useState<number | null>(null);
  const watchlist = useWatchlist(limit, signedIn);
  const toggle = useToggleWatch();
  const action = useAction();
  const heading = useRef<HTMLHeadingElement>(null);
  const now = useNow();
  const data = watchlist.data;

  if (watchlist.isPending) {
    return (
      <p className="table-note" role="status">
        Loading your watchlist…
      </p>
    );
  }
  if (watchlist.isError || !data) {
    return (
      <p className="error" role="alert">
        Your watchlist could not be loaded: {messageOf(watchlist.error)} Reload the page to try
        again.
      </p>
    );
  }
  const said = (text: string) => {
    action.setOutcome({ text, kind: 'success' });
    heading.current?.focus();
  };
  const simulated = data.items.some((entry) => entry.price?.simulated);
  return (
    <section className="card" aria-labelledby="watched-heading">
      <div className="card-head">
        <h2 id="watched-heading" tabIndex={-1} ref={heading}>
          Watched items
        </h2>
        <span className="muted">
          {data.total} of at most {data.max_items}
        </span>
      </div>
      {simulated ? (
        <p className="simulated-note">
          <SimulatedBadge /> Some prices are the demo market's simulated ones.
        </p>
      ) : null}
      {data.items.length === 0 ? (
        <p className="table-note">
          You watch no items yet. Star an item in the <Link to="/">market</Link> or on its page to
          follow it here.
        </p>
      ) : (
        <ul className="watched-list" aria-labelledby="watched-heading">
          {data.items.map((entry) => (
            <WatchedRow
              key={entry.item.id}
              entry={entry}
              currency={data.currency}
              now={now}
              editing={editing === entry.item.id}
              onEdit={() => setEditing(editing === entry.item.id ? null : entry.item.id)}
              busy={action.busy}
              onRemove={() =>
                action.run(async () => {
                  await toggle.mutateAsync({ itemId: entry.item.id, watch: false });
                  heading.current?.focus();
                  return `Removed ${entry.item.market_hash_name} from your watchlist.`;
                })
              }
              onNoteDone={(message) => {
                setEditing(null);
                if (message) said(message);
              }}
            />
          ))}
        </ul>
      )}
      <FormMessage outcome={action.outcome} />
      {data.total > data.items.length ? (
        <p className="table-more">
          <span className="muted">
            {data.items.length} of {data.total} shown.
          </span>
          <button
            type="button"
            className="button"
            disabled={watchlist.isPlaceholderData}
            onClick={() => setLimit((shown) => shown + WATCHLIST_PAGE_SIZE)}
          >
            {watchlist.isPlaceholderData ? 'Loading…' : 'Show more'}
          </button>
        </p>
      ) : null}
    </section>
  );
}

export function WatchlistPage() {
  const { data: signedIn, isError } = useSignedIn();
  return (
    <div className="watchlist-page">
      <div className="page-title">
        <div>
          <h1>Watchlist</h1>
          <p className="lede">The items you follow, their latest prices and your notes.</p>
        </div>
      </div>
      {signedIn === undefined && !isError ? (
        <p className="table-note" role="status">
          Loading your watchlist…
        </p>
      ) : signedIn ? (
        <Watched signedIn={signedIn} />
      ) : (
        <SignedOut />
      )}
    </div>
  );
}
