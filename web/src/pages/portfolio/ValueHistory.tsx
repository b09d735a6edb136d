// The portfolio's value once a day over 30 days or a year, gross or net of
// Steam's fees. lightweight-charts loads only when there is something to
// draw, so the holdings never wait for it.
import { lazy, Suspense, useState } from 'react';
import { type PortfolioWindow, usePortfolioHistory } from '../../api/portfolio.js';
import type { ChartPoint } from '../../charts/PriceChart.js';
import { WindowSwitch } from '../../components/WindowSwitch.js';
import { messageOf } from './bits.js';
import { NET_VALUE_NOTE } from './Holdings.js';

const PriceChart = lazy(async () => ({
  default: (await import('../../charts/PriceChart.js')).PriceChart,
}));

/** PORTFOLIO_HISTORY_WINDOWS of src/portfolio/schemas.ts, which the app must not bundle. */
const WINDOWS: readonly PortfolioWindow[] = ['30d', '1y'];

const MEASURES = ['value', 'net value'] as const;
type Measure = (typeof MEASURES)[number];

export function ValueHistory() {
  const [window, setWindow] = useState<PortfolioWindow>('30d');
  const [measure, setMeasure] = useState<Measure>('value');
  const history = usePortfolioHistory(window, true);
  const points: ChartPoint[] = (history.data?.points ?? []).map((point) => {
    const value = (measure === 'value' ? point.value_cents : point.net_value_cents) / 100;
    return {
      time: Date.parse(`${point.day}T00:00:00Z`) / 1000,
      open: value,
      high: value,
      low: value,
      close: value,
    };
  });
  return (
    <section className="card" aria-labelledby="history-heading">
      <div className="card-head">
        <h2 id="history-heading">Value over time</h2>
        <div className="chart-controls">
          <WindowSwitch label="Window" options={WINDOWS} value={window} onChange={setWindow} />
          <WindowSwitch label="Measure" options={MEASURES} value={measure} onChange={setMeasure} />
        </div>
      </div>
      {measure === 'net value' ? <p className="card-note">{NET_VALUE_NOTE}</p> : null}
      {points.length > 0 ? (
        <Suspense fallback={<p className="table-note">Loading the chart…</p>}>
          <PriceChart
            points={points}
            mode="line"
            bands={false}
            volume={false}
            label={`Portfolio ${measure} in ${history.data?.currency ?? ''}, once a day over ${window}`}
          />
        </Suspense>
      ) : (
        <p className="table-note">
          {history.isPending
            ? 'Loading…'
            : history.isError
              ? `The history could not be loaded: ${messageOf(history.error)}`
              : 'No history yet. Tracera records your portfolio’s value once a day, after the day’s prices are in; your first import fills in earlier days from price history where it exists.'}
        </p>
      )}
    </section>
  );
}
