// The signed-in user's portfolio (GET /portfolio): the Steam import, the
// totals gross and net of Steam's fees with the P&L, the holdings, what
// could not be valued, the value over time, the holdings added by hand and
// the ledger. Signed out, the page says what it is and links to sign in,
// which brings the user back here.
import { useState } from 'react';
import { Link } from 'react-router';
import { signInUrl } from '../../api/client.js';
import { HOLDINGS_PAGE_SIZE, isSignedOut, usePortfolio } from '../../api/portfolio.js';
import { useNow } from '../../clock.js';
import { SimulatedBadge } from '../../components/bits.js';
import { messageOf } from './bits.js';
import { HoldingsTable, NotValued, Totals } from './Holdings.js';
import { ImportPanel } from './ImportPanel.js';
import { Ledger } from './Ledger.js';
import { ManualHoldings } from './ManualHoldings.js';
import { ValueHistory } from './ValueHistory.js';
import './portfolio.css';

const PAGE_PATH = '/portfolio';

function SignedOut() {
  return (
    <div className="portfolio-intro">
      <p>
        Your portfolio shows what you hold, what it is worth at today's prices and after Steam's
        fees, and what you made: import your CS2 inventory from Steam or add items by hand, and
        record your buys and sells for the cost basis and profit.
      </p>
      <p>
        <Link className="button-link" to={signInUrl(PAGE_PATH)}>
          Sign in to see your portfolio
        </Link>{' '}
        <span className="muted">
          or <Link to="/sign-up">create an account</Link>.
        </span>
      </p>
    </div>
  );
}

export function PortfolioPage() {
  const [limit, setLimit] = useState(HOLDINGS_PAGE_SIZE);
  const portfolio = usePortfolio(limit);
  const now = useNow();
  const data = portfolio.data;
  const simulated = data?.holdings.some((holding) => holding.price.simulated) ?? false;

  return (
    <div className="portfolio-page">
      <div className="page-title">
        <div>
          <h1>Portfolio</h1>
          <p className="lede">What you hold, what it is worth, and what you made.</p>
        </div>
        {simulated ? (
          <p className="simulated-note">
            <SimulatedBadge /> Some holdings are valued at the demo market's simulated prices.
          </p>
        ) : null}
      </div>
      {portfolio.isPending ? (
        <p className="table-note" role="status">
          Loading your portfolio…
        </p>
      ) : isSignedOut(portfolio.error) ? (
        <SignedOut />
      ) : portfolio.isError || !data ? (
        <p className="error" role="alert">
          Your portfolio could not be loaded: {messageOf(portfolio.error)} Reload the page to try
          again.
        </p>
      ) : (
        <>
          <ImportPanel />
          <Totals portfolio={data} />
          <HoldingsTable
            portfolio={data}
            now={now}
            onShowMore={() => setLimit((shown) => shown + HOLDINGS_PAGE_SIZE)}
            loadingMore={portfolio.isPlaceholderData}
          />
          <NotValued portfolio={data} />
          <ValueHistory />
          <ManualHoldings portfolio={data} />
          <Ledger currency={data.currency} />
        </>
      )}
    </div>
  );
}
