// The biggest moves and the most volatile items over a window: gainers and
// losers from GET /movers, the volatile ranking from GET /rankings/volatile.
import { useState } from 'react';
import { Link } from 'react-router';
import type { MarketEntry } from '../../../src/shared/api-types.js';
import {
  type MarketProvider,
  MOVER_WINDOWS,
  type MoverWindow,
} from '../../../src/shared/market-vocabulary.js';
import { newerPrice, useFollow, useLivePrice } from '../api/live.js';
import { useMovers, useVolatile } from '../api/queries.js';
import { useNow } from '../clock.js';
import { Change, ItemThumb, PriceTag, SimulatedBadge } from '../components/bits.js';
import { Sparkline } from '../components/Sparkline.js';
import { WindowSwitch } from '../components/WindowSwitch.js';
import { money } from '../format.js';

const CHANGE_OF: Readonly<Record<MoverWindow, 'change_1h' | 'change_24h' | 'change_7d'>> = {
  '1h': 'change_1h',
  '24h': 'change_24h',
  '7d': 'change_7d',
};

function MoverRow({
  entry,
  window,
  currency,
  source,
  now,
}: {
  entry: MarketEntry;
  window: MoverWindow;
  currency: string;
  source: MarketProvider;
  now: number;
}) {
  const live = useLivePrice(entry.item.id, source);
  const price = newerPrice(entry.price, live);
  const stale = price?.stale ?? false;
  return (
    <li className={`mover${stale ? ' row-stale' : ''}`}>
      <Link to={`/items/${entry.item.id}`} className="item-link">
        <ItemThumb item={entry.item} />
        <span className="item-text">
          <span className="item-name">{entry.item.market_hash_name}</span>
          {price ? (
            <PriceTag
              cents={price.price_cents}
              observedAt={price.observed_at}
              stale={stale}
              source={source}
              now={now}
              currency={currency}
              live={price.live}
            />
          ) : null}
        </span>
      </Link>
      <Sparkline points={entry.sparkline} label={`${entry.item.market_hash_name}, last 7 days`} />
      <Change value={entry[CHANGE_OF[window]]} label={`${window} change`} />
    </li>
  );
}

function MoverList({ window, direction }: { window: MoverWindow; direction: 'up' | 'down' }) {
  const movers = useMovers(window, direction);
  const now = useNow();
  const items = movers.data?.items ?? [];
  useFollow(items.map((entry) => entry.item.id));
  const title = direction === 'up' ? 'Gainers' : 'Losers';
  const id = `movers-${direction}`;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>
        {title} <span className="muted">· {window}</span>
        {movers.data?.simulated ? <SimulatedBadge /> : null}
      </h2>
      {items.length > 0 ? (
        <ol className="movers">
          {items.map((entry) => (
            <MoverRow
              key={entry.item.id}
              entry={entry}
              window={window}
              currency={movers.data?.currency ?? 'USD'}
              source={movers.data?.source ?? 'demo'}
              now={now}
            />
          ))}
        </ol>
      ) : (
        <p className="table-note">
          {movers.isPending
            ? 'Loading…'
            : `No item moved ${direction} over ${window} above the floors (${money(movers.data?.min_price_cents ?? 0, movers.data?.currency)}, volume ${movers.data?.min_volume ?? 0}).`}
        </p>
      )}
    </section>
  );
}

function VolatileList({ window }: { window: MoverWindow }) {
  const ranking = useVolatile(window);
  const items = ranking.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="volatile-title">
      <h2 id="volatile-title">
        Most volatile <span className="muted">· {window}</span>
      </h2>
      <p className="card-note">
        Ranked by coefficient of variation: the standard deviation of the price as a share of its
        mean.
      </p>
      {items.length > 0 ? (
        <table className="plain-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Item</th>
              <th scope="col" className="numeric">
                Variation
              </th>
              <th scope="col" className="numeric col-wide">
                Mean
              </th>
              <th scope="col" className="numeric">
                Change
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((entry) => (
              <tr key={entry.item.id}>
                <td className="numeric muted">{entry.rank}</td>
                <th scope="row">
                  <Link to={`/items/${entry.item.id}`} className="item-link">
                    <ItemThumb item={entry.item} />
                    <span className="item-name">{entry.item.market_hash_name}</span>
                  </Link>
                </th>
                <td className="numeric">
                  {entry.volatility.coefficient_of_variation === null
                    ? '–'
                    : `${(entry.volatility.coefficient_of_variation * 100).toFixed(2)}%`}
                </td>
                <td className="numeric col-wide">
                  {money(entry.volatility.mean_cents, ranking.data?.currency)}
                </td>
                <td className="numeric">
                  <Change value={entry.volatility.percent_change} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="table-note">
          {ranking.isPending ? 'Loading…' : 'Not enough prices yet to rank volatility.'}
        </p>
      )}
    </section>
  );
}

export function MoversPage() {
  const [window, setWindow] = useState<MoverWindow>('24h');
  return (
    <>
      <div className="page-title">
        <div>
          <h1>Movers and volatility</h1>
          <p className="lede">
            The largest rises and falls, and the items whose prices swing most.
          </p>
        </div>
        <WindowSwitch label="Window" options={MOVER_WINDOWS} value={window} onChange={setWindow} />
      </div>
      <div className="grid-2">
        <MoverList window={window} direction="up" />
        <MoverList window={window} direction="down" />
      </div>
      <VolatileList window={window} />
    </>
  );
}
