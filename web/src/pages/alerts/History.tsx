// What fired, newest first, 20 a page with "Show older": each alert's title,
// its sentence, when, the item, and where it went: each channel's delivery
// state (pending, sent, failed, skipped) with the reason when there is one.
// A notification arriving in the app frame refetches it.
import { Link } from 'react-router';
import type { AlertFiring } from '../../../../src/shared/api-types.js';
import { useAlertHistory } from '../../api/alerts.js';
import { messageOf } from '../account/kit.js';
import { When } from '../portfolio/bits.js';

function Deliveries({ firing }: { firing: AlertFiring }) {
  const entries = Object.entries(firing.deliveries);
  if (entries.length === 0) return null;
  return (
    <ul className="alert-deliveries" aria-label="Deliveries">
      {entries.map(([channel, delivery]) => (
        <li key={channel} className={`delivery delivery-${delivery.state}`}>
          {channel}: {delivery.state}
          {delivery.reason ? <span className="muted"> ({delivery.reason})</span> : null}
        </li>
      ))}
    </ul>
  );
}

export function AlertHistory() {
  const history = useAlertHistory(true);
  const firings = history.data?.pages.flatMap((page) => page.firings) ?? [];
  return (
    <section className="card" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <p className="card-note">What fired, newest first, and where each alert went.</p>
      {history.isPending ? (
        <p className="table-note" role="status">
          Loading…
        </p>
      ) : history.isError ? (
        <p className="error" role="alert">
          The history could not be loaded: {messageOf(history.error)}
        </p>
      ) : firings.length === 0 ? (
        <p className="table-note">Nothing has fired yet.</p>
      ) : (
        <ol className="alert-history" aria-labelledby="history-heading">
          {firings.map((firing) => (
            <li key={firing.id} className="alert-firing">
              <div className="alert-firing-head">
                <strong>{firing.title}</strong>
                <span className="muted">
                  <When iso={firing.fired_at} />
                </span>
              </div>
              <p className="alert-firing-message">{firing.message}</p>
              <div className="alert-firing-foot">
                {firing.item ? (
                  <Link to={`/items/${firing.item.id}`}>{firing.item.market_hash_name}</Link>
                ) : null}
                <Deliveries firing={firing} />
              </div>
            </li>
          ))}
        </ol>
      )}
      {history.hasNextPage ? (
        <p className="table-more">
          <button
            type="button"
            className="button-quiet"
            disabled={history.isFetchingNextPage}
            onClick={() => history.fetchNextPage()}
          >
            {history.isFetchingNextPage ? 'Loading…' : 'Show older'}
          </button>
        </p>
      ) : null}
    </section>
  );
}
