// One item: its price chart over a chosen window (GET /items/:id/history),
// its latest price from each source with age and staleness (GET /items/:id),
// and its volatility (GET /items/:id/volatility), each figure explained in a
// line. The item is followed on the live feed while the page is open: a tick
// moves the headline price, its source's row and the chart's last bucket.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { History, ItemDetail, Volatility } from '../../../src/shared/api-types.js';
import type { PriceUpdate } from '../../../src/shared/live-feed.js';
import {
  HISTORY_WINDOWS,
  type HistoryWindow,
  type VolatilityWindow,
} from '../../../src/shared/market-vocabulary.js';
import { ApiError } from '../api/client.js';
import { newerPrice, useFollow, useLivePrice } from '../api/live.js';
import { useHistory, useItem, useVolatility } from '../api/queries.js';
import { type ChartMode, type ChartPoint, PriceChart } from '../charts/PriceChart.js';
import { useNow } from '../clock.js';
import { Change, ItemThumb, PriceTag, SimulatedBadge } from '../components/bits.js';
import { WatchStar } from '../components/WatchStar.js';
import { WindowSwitch } from '../components/WindowSwitch.js';
import { categoryName, compact, money, percent } from '../format.js';
import { NotFoundPage } from './NotFoundPage.js';

const CHART_MODES: readonly ChartMode[] = ['line', 'candles'];

/** The history's buckets in dollars, with a live price folded into the last or a new bucket. */
function chartPoints(history: History, live: PriceUpdate | undefined): ChartPoint[] {
  const points: ChartPoint[] = history.points.map((point) => ({
    time: Date.parse(point.time) / 1000,
    open: point.open_cents / 100,
    high: point.max_cents / 100,
    low: point.min_cents / 100,
    close: point.close_cents / 100,
    volume: point.volume,
  }));
  if (!live || live.source !== history.source) return points;
  const at = Date.parse(live.observed_at) / 1000;
  const price = live.price_cents / 100;
  const last = points[points.length - 1];
  if (last && at < last.time) return points;
  if (last && at < last.time + history.bucket_seconds) {
    points[points.length - 1] = {
      ...last,
      close: price,
      high: Math.max(last.high, price),
      low: Math.min(last.low, price),
    };
  } else {
    const time = Math.floor(at / history.bucket_seconds) * history.bucket_seconds;
    points.push({
      time,
      open: last?.close ?? price,
      high: price,
      low: price,
      close: price,
      volume: live.volume,
    });
  }
  return points;
}

function SourceRow({
  itemId,
  price,
  currency,
  now,
}: {
  itemId: number;
  price: ItemDetail['prices'][number];
  currency: string;
  now: number;
}) {
  const live = useLivePrice(itemId, price.source);
  const shown = newerPrice(price, live);
  const stale = shown?.stale ?? false;
  return (
    <tr className={stale ? 'row-stale' : undefined}>
      <th scope="row">
        {price.source === 'demo' ? 'Demo market' : price.source}{' '}
        {price.simulated ? <SimulatedBadge /> : null}
      </th>
      <td>
        {shown ? (
          <PriceTag
            cents={shown.price_cents}
            observedAt={shown.observed_at}
            stale={stale}
            source={price.source}
            now={now}
            currency={currency}
            live={shown.live}
          />
        ) : null}
      </td>
      <td className="numeric">{compact(live?.volume ?? price.volume)}</td>
      <td className="numeric">{compact(live?.listings ?? price.listings)}</td>
    </tr>
  );
}

interface Metric {
  readonly name: string;
  readonly value: string;
  readonly explain: string;
}

function metricsOf(volatility: Volatility, currency: string): Metric[] {
  const cv = volatility.coefficient_of_variation;
  return [
    {
      name: 'Change',
      value: percent(volatility.percent_change),
      explain: 'How far the price moved from the first to the last observation of the window.',
    },
    {
      name: 'Mean price',
      value: money(volatility.mean_cents, currency),
      explain: 'The average of every observed price in the window.',
    },
    {
      name: 'Standard deviation',
      value: money(volatility.stddev_cents, currency),
      explain: 'How far prices typically sit from that average, in money.',
    },
    {
      name: 'Coefficient of variation',
      value: cv === null ? '–' : `${(cv * 100).toFixed(2)}%`,
      explain:
        'The standard deviation as a share of the mean: volatility comparable across prices.',
    },
    {
      name: 'Trend score',
      value: volatility.trend_score === null ? '–' : volatility.trend_score.toFixed(4),
      explain:
        'The slope of a straight line through the prices, relative to the mean: above 0 rising.',
    },
    {
      name: 'Bollinger %B',
      value:
        volatility.bollinger.percent_b === null ? '–' : volatility.bollinger.percent_b.toFixed(2),
      explain: 'Where the last price sits in the bands: 0 at the lower band, 1 at the upper.',
    },
    {
      name: 'Bollinger bands',
      value: `${money(volatility.bollinger.lower, currency)} – ${money(volatility.bollinger.upper, currency)}`,
      explain: 'The mean plus and minus two standard deviations: the usual range of the price.',
    },
  ];
}

export function ItemPage() {
  const id = Number(useParams().id);
  const valid = Number.isInteger(id) && id >= 1 && id <= 2_147_483_647;
  const [window, setWindow] = useState<HistoryWindow>('24h');
  const [mode, setMode] = useState<ChartMode>('line');
  const [bands, setBands] = useState(true);
  const [volume, setVolume] = useState(true);
  const volatilityWindow: VolatilityWindow = window === '1y' ? '30d' : window;
  const now = useNow();
  const item = useItem(valid ? id : 0);
  const history = useHistory(valid ? id : 0, window);
  const volatility = useVolatility(valid ? id : 0, volatilityWindow);
  useFollow(valid ? [id] : []);
  const source = history.data?.source ?? item.data?.prices[0]?.source ?? 'demo';
  const live = useLivePrice(id, source);

  if (!valid || (item.error instanceof ApiError && item.error.status === 404)) {
    return <NotFoundPage what="item" />;
  }
  if (item.isError) {
    return (
      <p className="error" role="alert">
        The item could not be loaded: {item.error.message}
      </p>
    );
  }
  if (!item.data) return <p className="table-note">Loading the item…</p>;

  const { item: shownItem, prices, currency } = item.data;
  const primary = prices.find((price) => price.source === source);
  const headline = newerPrice(primary, live);
  const points = history.data ? chartPoints(history.data, live) : [];
  const firstClose = points[0]?.open;
  const lastClose = points[points.length - 1]?.close;
  const windowChange =
    firstClose !== undefined && lastClose !== undefined && firstClose > 0
      ? ((lastClose - firstClose) / firstClose) * 100
      : null;
  const simulated = prices.some((price) => price.simulated) || history.data?.simulated;

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Market</Link> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">{shownItem.market_hash_name}</span>
      </nav>
      <div className="item-head">
        <ItemThumb item={shownItem} size="large" />
        <div className="item-head-text">
          <h1>{shownItem.market_hash_name}</h1>
          <p className="chips">
            <span className="chip">{categoryName(shownItem.category)}</span>
            {shownItem.rarity ? <span className="chip">{shownItem.rarity}</span> : null}
            {shownItem.exterior ? <span className="chip">{shownItem.exterior}</span> : null}
            {shownItem.stattrak ? <span className="chip chip-stattrak">StatTrak™</span> : null}
            {shownItem.souvenir ? <span className="chip chip-souvenir">Souvenir</span> : null}
            {simulated ? <SimulatedBadge /> : null}
          </p>
          <p className="item-actions">
            <Link to={`/alerts?item=${shownItem.id}`}>Alert me</Link>
          </p>
        </div>
        <WatchStar item={shownItem} labelled />
        <div className="item-head-price">
          {headline ? (
            <>
              <PriceTag
                cents={headline.price_cents}
                observedAt={headline.observed_at}
                stale={headline.stale}
                source={source}
                now={now}
                currency={currency}
                live={headline.live}
              />
              <span className="window-change">
                <Change value={windowChange} /> <span className="muted">over {window}</span>
              </span>
            </>
          ) : (
            <span className="no-price">No price yet</span>
          )}
        </div>
      </div>

      <section className="card" aria-labelledby="chart-title">
        <div className="card-head">
          <h2 id="chart-title">Price</h2>
          <div className="chart-controls">
            <WindowSwitch
              label="Window"
              options={HISTORY_WINDOWS}
              value={window}
              onChange={setWindow}
            />
            <WindowSwitch
              label="Chart type"
              options={CHART_MODES}
              value={mode}
              onChange={setMode}
            />
            <label className="toggle">
              <input
                type="checkbox"
                checked={volume}
                onChange={(event) => setVolume(event.target.checked)}
              />
              Volume
            </label>
            <label className="toggle">
              <input
                type="checkbox"
                checked={bands}
                onChange={(event) => setBands(event.target.checked)}
              />
              Bollinger bands
            </label>
          </div>
        </div>
        {points.length > 0 ? (
          <PriceChart
            points={points}
            mode={mode}
            bands={bands}
            volume={volume}
            label={`${shownItem.market_hash_name}, price over ${window}`}
          />
        ) : (
          <p className="table-note">
            {history.isPending ? 'Loading the history…' : 'No prices in this window yet.'}
          </p>
        )}
      </section>

      <div className="grid-2">
        <section className="card" aria-labelledby="sources-title">
          <h2 id="sources-title">Prices by source</h2>
          <table className="plain-table">
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Price</th>
                <th scope="col" className="numeric">
                  Volume
                </th>
                <th scope="col" className="numeric">
                  Listings
                </th>
              </tr>
            </thead>
            <tbody>
              {prices.map((price) => (
                <SourceRow
                  key={price.source}
                  itemId={id}
                  price={price}
                  currency={currency}
                  now={now}
                />
              ))}
            </tbody>
          </table>
          {prices.length === 0 ? (
            <p className="table-note">No source has priced this item yet.</p>
          ) : null}
        </section>

        <section className="card" aria-labelledby="volatility-title">
          <h2 id="volatility-title">Volatility over {volatilityWindow}</h2>
          {volatility.data?.volatility ? (
            <dl className="metrics">
              {metricsOf(volatility.data.volatility, currency).map((metric) => (
                <div key={metric.name} className="metric">
                  <dt>{metric.name}</dt>
                  <dd>
                    <span className="metric-value">{metric.value}</span>
                    <span className="metric-explain">{metric.explain}</span>
                  </dd>
                </div>
              ))}
            </dl>
          ) : (
            <p className="table-note">
              {volatility.isPending
                ? 'Loading…'
                : `Too few prices in this window: volatility needs at least ${volatility.data?.minimum_points ?? 'a few'} observations.`}
            </p>
          )}
        </section>
      </div>
    </>
  );
}
