// What the portfolio is worth: the totals, the holdings table, and the items
// that could not be valued (no price yet, or not in the catalog), each with
// why. Gains and losses carry a sign and an arrow as well as their colour.
import type { Portfolio, PortfolioHolding } from '../../../../src/shared/api-types.js';
import { HOLDINGS_PAGE_SIZE } from '../../api/portfolio.js';
import { Change, PriceTag, SimulatedBadge } from '../../components/bits.js';
import { money, sourceName } from '../../format.js';
import { ItemCell, SignedMoney } from './bits.js';

export const NET_VALUE_NOTE =
  "Net value is what selling on Steam would bring after Steam's 5% and CS2's 10% fees, each at least one cent an item.";

const count = new Intl.NumberFormat('en-US');

export function Totals({ portfolio }: { portfolio: Portfolio }) {
  const { totals, currency } = portfolio;
  const held = totals.priced_quantity + totals.unpriced_quantity + totals.unmatched_quantity;
  return (
    <section aria-labelledby="totals-heading">
      <h2 id="totals-heading" className="visually-hidden">
        Totals
      </h2>
      <dl className="stats portfolio-stats">
        <div className="stat">
          <dt>Value</dt>
          <dd className="stat-value">{money(totals.value_cents, currency)}</dd>
        </div>
        <div className="stat">
          <dt>
            Net value <span className="muted">after fees</span>
          </dt>
          <dd className="stat-value">{money(totals.net_value_cents, currency)}</dd>
        </div>
        <div className="stat">
          <dt>24h change</dt>
          <dd className="stat-value">
            <SignedMoney cents={totals.change_24h_cents} currency={currency} />
          </dd>
        </div>
        <div className="stat">
          <dt>
            Cost basis <abbr title="First in, first out">FIFO</abbr>
          </dt>
          <dd className="stat-value">{money(totals.cost_basis_cents, currency)}</dd>
        </div>
        <div className="stat">
          <dt>Unrealized P&amp;L</dt>
          <dd className="stat-value">
            <SignedMoney cents={totals.unrealized_cents} currency={currency} />
          </dd>
        </div>
        <div className="stat">
          <dt>Realized P&amp;L</dt>
          <dd className="stat-value">
            <SignedMoney cents={totals.realized_cents} currency={currency} />
          </dd>
        </div>
      </dl>
      <p className="card-note portfolio-note">
        {NET_VALUE_NOTE} Cost basis is FIFO: a sell uses up the oldest buys first, and realized
        P&amp;L is what the sells made over the buys they used up. {count.format(held)} items held
        {totals.uncovered_quantity > 0
          ? `; ${count.format(totals.uncovered_quantity)} of them have no buy in the ledger, so they are valued but have no cost basis or unrealized P&L.`
          : '.'}
      </p>
    </section>
  );
}

function QuantityCell({ holding }: { holding: PortfolioHolding }) {
  const both = holding.steam_quantity > 0 && holding.manual_quantity > 0;
  return (
    <>
      {count.format(holding.quantity)}
      {both ? (
        <span className="item-meta quantity-split">
          {holding.steam_quantity} Steam · {holding.manual_quantity} by hand
        </span>
      ) : holding.manual_quantity > 0 ? (
        <span className="item-meta quantity-split">by hand</span>
      ) : null}
    </>
  );
}

function HoldingRow({
  holding,
  currency,
  now,
}: {
  holding: PortfolioHolding;
  currency: string;
  now: number;
}) {
  const { price } = holding;
  const partly = holding.covered_quantity > 0 && holding.covered_quantity < holding.quantity;
  return (
    <tr className={price.stale ? 'row-stale' : undefined}>
      <th scope="row" className="col-item">
        <ItemCell item={holding.item} />
      </th>
      <td>
        <QuantityCell holding={holding} />
      </td>
      <td className="col-price">
        <PriceTag
          cents={price.price_cents}
          observedAt={price.observed_at}
          stale={price.stale}
          source={price.source}
          now={now}
          currency={currency}
        />
        {price.simulated ? (
          <>
            {' '}
            <SimulatedBadge />
          </>
        ) : null}
      </td>
      <td>{money(holding.value_cents, currency)}</td>
      <td className="col-wide">{money(holding.net_value_cents, currency)}</td>
      <td className="col-change">
        <Change value={holding.change_24h_percent} label="24 hour change" />
        {holding.change_24h_cents !== null ? (
          <span className="item-meta">
            <SignedMoney cents={holding.change_24h_cents} currency={currency} />
          </span>
        ) : null}
      </td>
      <td className="col-wide">
        {holding.cost_basis_cents === null ? (
          <span className="muted">No buy recorded</span>
        ) : (
          <>
            {money(holding.cost_basis_cents, currency)}
            {partly ? (
              <span className="item-meta">
                for {holding.covered_quantity} of {holding.quantity}
              </span>
            ) : null}
          </>
        )}
      </td>
      <td>
        <SignedMoney cents={holding.unrealized_cents} currency={currency} />
      </td>
    </tr>
  );
}

export function HoldingsTable({
  portfolio,
  now,
  onShowMore,
  loadingMore,
}: {
  portfolio: Portfolio;
  now: number;
  /** Asks for the next holdings, the most valuable first. */
  onShowMore: () => void;
  loadingMore: boolean;
}) {
  const { holdings, currency, price_sources, holdings_count } = portfolio;
  const hidden = holdings_count - holdings.length;
  return (
    <section className="card" aria-labelledby="holdings-heading">
      <div className="card-head">
        <h2 id="holdings-heading">Holdings</h2>
        <a className="button-quiet" href="/api/v1/portfolio/export.csv" download>
          Download as CSV
        </a>
      </div>
      {holdings.length === 0 ? (
        <p className="table-note">
          No valued holdings yet. Import your Steam inventory, or add holdings by hand below.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="market-table holdings-table">
            <caption className="visually-hidden">
              Holdings by item, valued at the first price found among{' '}
              {price_sources.map(sourceName).join(', ')}
            </caption>
            <thead>
              <tr>
                <th scope="col" className="col-item">
                  Item
                </th>
                <th scope="col">Quantity</th>
                <th scope="col">Price</th>
                <th scope="col">Value</th>
                <th scope="col" className="col-wide">
                  Net value
                </th>
                <th scope="col">24h</th>
                <th scope="col" className="col-wide">
                  Cost basis (FIFO)
                </th>
                <th scope="col">Unrealized P&amp;L</th>
              </tr>
            </thead>
            <tbody>
              {holdings.map((holding) => (
                <HoldingRow key={holding.item.id} holding={holding} currency={currency} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {hidden > 0 ? (
        <p className="table-more">
          <span className="muted">
            Showing the {holdings.length} most valuable of {holdings_count} items; the totals count
            them all.
          </span>{' '}
          <button
            type="button"
            className="button-quiet"
            onClick={onShowMore}
            disabled={loadingMore}
          >
            {loadingMore ? 'Loading…' : `Show ${Math.min(hidden, HOLDINGS_PAGE_SIZE)} more`}
          </button>
        </p>
      ) : null}
      <p className="card-note portfolio-table-note">
        Prices come from {price_sources.map(sourceName).join(', then ')}; a stale price is greyed
        and says so.
      </p>
    </section>
  );
}

export function NotValued({ portfolio }: { portfolio: Portfolio }) {
  const { unpriced, unmatched } = portfolio;
  if (unpriced.length === 0 && unmatched.length === 0) return null;
  return (
    <section className="card" aria-labelledby="not-valued-heading">
      <h2 id="not-valued-heading">Not valued</h2>
      {unpriced.length > 0 ? (
        <>
          <h3>No price yet</h3>
          <p className="card-note">
            In the catalog, but no source has priced them yet: they count once a price arrives.
          </p>
          <ul className="plain-list">
            {unpriced.map((holding) => (
              <li key={holding.item.id}>
                <ItemCell item={holding.item} /> <span className="muted">× {holding.quantity}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {unmatched.length > 0 ? (
        <>
          <h3>Not in the catalog</h3>
          <p className="card-note">
            Steam named these items, but Tracera's catalog does not know the name, so they are kept
            and shown here without a value.
          </p>
          <ul className="plain-list">
            {unmatched.map((holding) => (
              <li key={holding.market_hash_name}>
                {holding.market_hash_name} <span className="muted">× {holding.quantity}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
