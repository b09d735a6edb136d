// The Tracera CS2 index: its value now (GET /index, then the live feed) and
// its history over a chosen window (GET /index/history).
import { useState } from 'react';
import { HISTORY_WINDOWS, type HistoryWindow } from '../../../src/shared/market-vocabulary.js';
import { useLiveIndex } from '../api/live.js';
import { useIndexHistory, useMarketIndex } from '../api/queries.js';
import { type ChartMode, type ChartPoint, PriceChart } from '../charts/PriceChart.js';
import { Change, SimulatedBadge } from '../components/bits.js';
import { WindowSwitch } from '../components/WindowSwitch.js';
import { dateTime } from '../format.js';

const CHART_MODES: readonly ChartMode[] = ['line', 'candles'];

export function IndexPage() {
  const [window, setWindow] = useState<HistoryWindow>('7d');
  const [mode, setMode] = useState<ChartMode>('line');
  const index = useMarketIndex();
  const history = useIndexHistory(window);
  const live = useLiveIndex();
  const current = index.data?.index;
  const fresh =
    live && current && live.source === index.data?.source && live.computed_at > current.computed_at
      ? live
      : null;
  const points: ChartPoint[] = (history.data?.points ?? []).map((point) => ({
    time: Date.parse(point.time) / 1000,
    open: point.open,
    high: point.high,
    low: point.low,
    close: point.close,
  }));

  return (
    <>
      <div className="page-title">
        <div>
          <h1>Tracera CS2 index</h1>
          <p className="lede">
            One number for the whole market: a basket of liquid items, weighted by value, that
            started at {current ? current.base.toFixed(0) : 'its base'}.
          </p>
        </div>
        {index.data?.simulated ? (
          <p className="simulated-note">
            <SimulatedBadge /> Computed from the demo market's simulated prices.
          </p>
        ) : null}
      </div>

      {current ? (
        <dl className="stats">
          <div className="stat">
            <dt>Value</dt>
            <dd className="stat-value">{(fresh?.value ?? current.value).toFixed(2)}</dd>
          </div>
          <div className="stat">
            <dt>24h change</dt>
            <dd className="stat-value">
              <Change value={fresh ? fresh.change_24h : current.change_24h} />
            </dd>
          </div>
          <div className="stat">
            <dt>Basket</dt>
            <dd className="stat-value">{current.basket_size} items</dd>
          </div>
          <div className="stat">
            <dt>Computed</dt>
            <dd className="stat-value stat-small">
              {dateTime(fresh?.computed_at ?? current.computed_at)}
            </dd>
          </div>
        </dl>
      ) : (
        <p className="table-note">
          {index.isPending ? 'Loading the index…' : 'No item qualifies for the basket yet.'}
        </p>
      )}

      <section className="card" aria-labelledby="index-chart-title">
        <div className="card-head">
          <h2 id="index-chart-title">History</h2>
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
          </div>
        </div>
        {points.length > 0 ? (
          <PriceChart
            points={points}
            mode={mode}
            bands={false}
            volume={false}
            label={`Tracera CS2 index over ${window}`}
          />
        ) : (
          <p className="table-note">
            {history.isPending ? 'Loading…' : 'No index values in this window yet.'}
          </p>
        )}
      </section>
    </>
  );
}
