// The signed-in user's alerts (/alerts): their rules with a preview of what
// each measures now, the form for a new one (`?item=<id>`, from the item
// page's "Alert me", starts it on that item), what fired and where it went,
// and the webhook. Signed out, the page says what it is for and links to
// sign in, which brings the user back here.
import { Link, useSearchParams } from 'react-router';
import { useAlertRules } from '../../api/alerts.js';
import { signInUrl } from '../../api/client.js';
import { isSignedOut } from '../../api/portfolio.js';
import { useItem, useMarketIndex } from '../../api/queries.js';
import { messageOf } from '../account/kit.js';
import { AlertHistory } from './History.js';
import { Rules } from './Rules.js';
import { WebhookSection } from './Webhook.js';
import './alerts.css';

const PAGE_PATH = '/alerts';
const DEFAULT_CURRENCY = 'USD';

function SignedOut({ back }: { back: string }) {
  return (
    <div className="alerts-intro">
      <p>
        Alerts tell you when something happens to an item: its price crosses a level, it moves past
        a percentage, leaves its Bollinger band, trades at several times its usual volume, or has
        had no fresh price for too long; and when your portfolio's value moves. Each rule fires once
        when its condition becomes true, in the app, by email or to a webhook.
      </p>
      <p>
        <Link className="button-link" to={signInUrl(back)}>
          Sign in to set up alerts
        </Link>{' '}
        <span className="muted">
          or <Link to="/sign-up">create an account</Link>.
        </span>
      </p>
    </div>
  );
}

/** The `?item=` id, or 0 when absent or not an id. */
function itemIdOf(search: URLSearchParams): number {
  const text = search.get('item') ?? '';
  return /^[1-9]\d{0,9}$/.test(text) ? Number(text) : 0;
}

export function AlertsPage() {
  const [search] = useSearchParams();
  const itemId = itemIdOf(search);
  const rules = useAlertRules();
  const signedOut = isSignedOut(rules.error);
  const preselected = useItem(rules.data ? itemId : 0);
  const index = useMarketIndex();
  const currency = index.data?.currency ?? DEFAULT_CURRENCY;

  return (
    <div className="alerts-page">
      <div className="page-title">
        <div>
          <h1>Alerts</h1>
          <p className="lede">Be told when a price crosses a level, moves, or goes quiet, once.</p>
        </div>
      </div>
      {rules.isPending ? (
        <p className="table-note" role="status">
          Loading your alerts…
        </p>
      ) : signedOut ? (
        <SignedOut back={itemId ? `${PAGE_PATH}?item=${itemId}` : PAGE_PATH} />
      ) : rules.isError || !rules.data ? (
        <p className="error" role="alert">
          Your alerts could not be loaded: {messageOf(rules.error)} Reload the page to try again.
        </p>
      ) : (
        <>
          <Rules
            rules={rules.data}
            currency={currency}
            initialItem={preselected.data?.item ?? null}
          />
          <AlertHistory />
          <WebhookSection />
        </>
      )}
    </div>
  );
}
