// The frame of every page: the brand, the sections, the market index live in
// the header, and the account links. The index comes from GET /index and is
// then kept current by the feed's `{"type":"index"}` messages. A signed-in
// user's alert notifications show as toasts over every page.
import { NavLink, Outlet, ScrollRestoration } from 'react-router';
import { useFeedConnected, useLiveIndex } from '../api/live.js';
import { useMarketIndex, useSignedIn } from '../api/queries.js';
import { AlertToasts } from './AlertToasts.js';
import { Change, SimulatedBadge } from './bits.js';

function IndexTicker() {
  const { data } = useMarketIndex();
  const live = useLiveIndex();
  const connected = useFeedConnected();
  if (!data?.index) return null;
  const fresh =
    live && live.source === data.source && live.computed_at > data.index.computed_at ? live : null;
  const value = fresh?.value ?? data.index.value;
  const change = fresh ? fresh.change_24h : data.index.change_24h;
  return (
    <NavLink to="/index" className="index-ticker">
      <span className="index-ticker-name">CS2 index</span>
      <span className="index-ticker-value">{value.toFixed(2)}</span>
      <Change value={change} label="24 hour change" />
      {data.simulated ? <SimulatedBadge /> : null}
      <span
        className={`live-dot${connected ? ' is-on' : ''}`}
        title={connected ? 'Live' : 'Connecting to the live feed'}
      />
    </NavLink>
  );
}

/** Sign in and sign up, unless this browser is signed in (and until that is known). */
function AccountLinks() {
  const { data: signedIn } = useSignedIn();
  return (
    <nav aria-label="Account" className="account-links">
      <NavLink to="/account">Account</NavLink>
      {signedIn ? null : (
        <>
          <NavLink to="/sign-in">Sign in</NavLink>
          <NavLink to="/sign-up" className="button-link">
            Sign up
          </NavLink>
        </>
      )}
    </nav>
  );
}

/** The signed-in user's notifications; a visitor opens no socket for them. */
function Notifications() {
  const { data: signedIn } = useSignedIn();
  return signedIn ? <AlertToasts /> : null;
}

export function Layout() {
  return (
    <>
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <header className="site-header">
        <div className="site-header-inner">
          <NavLink to="/" className="brand" aria-label="Tracera home">
            <svg viewBox="0 0 24 24" className="brand-mark" aria-hidden="true">
              <path d="M3 17l5-6 4 4 8-10" fill="none" strokeWidth="2.5" />
            </svg>
            <span>Tracera</span>
          </NavLink>
          <nav aria-label="Sections" className="sections">
            <NavLink to="/" end>
              Market
            </NavLink>
            <NavLink to="/movers">Movers</NavLink>
            <NavLink to="/index">Index</NavLink>
            <NavLink to="/portfolio">Portfolio</NavLink>
            <NavLink to="/watchlist">Watchlist</NavLink>
            <NavLink to="/alerts">Alerts</NavLink>
          </nav>
          <IndexTicker />
          <AccountLinks />
        </div>
      </header>
      <main id="content" className="page">
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>
          Tracera tracks Counter-Strike 2 item prices: every price shows its source and its age, and
          simulated prices say so. <a href="/api/docs">API reference</a>
        </p>
      </footer>
      <Notifications />
      <ScrollRestoration />
    </>
  );
}
