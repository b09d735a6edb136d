// A price chart drawn by lightweight-charts: a line or candles, volume bars
// under them, and Bollinger bands over them. The library's own attribution
// logo comes with an inline <style> element, which S24's policy refuses, so
// it is turned off and the attribution is a link under the chart instead.
import {
  CandlestickSeries,
  ColorType,
  createChart,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  LineSeries,
  type SeriesType,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { bollingerBands, type ChartPoint } from './bollinger.js';

export type { ChartPoint };

export type ChartMode = 'line' | 'candles';

const COLORS = {
  text: '#9aa4b2',
  grid: 'rgba(148, 163, 184, 0.08)',
  line: '#5b9dff',
  up: '#22c55e',
  down: '#f05252',
  volume: 'rgba(148, 163, 184, 0.35)',
  band: 'rgba(250, 204, 21, 0.7)',
  middle: 'rgba(250, 204, 21, 0.35)',
};

export function PriceChart({
  points,
  mode,
  bands,
  volume,
  label,
  precision = 2,
}: {
  points: readonly ChartPoint[];
  mode: ChartMode;
  bands: boolean;
  volume: boolean;
  label: string;
  precision?: number;
}) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);

  useEffect(() => {
    if (!container.current) return;
    const created = createChart(container.current, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: 'transparent' },
        textColor: COLORS.text,
        fontFamily: 'Inter, system-ui, sans-serif',
        attributionLogo: false,
      },
      grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false, timeVisible: true, secondsVisible: false },
      crosshair: { mode: 0 },
    });
    chart.current = created;
    return () => {
      created.remove();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const api = chart.current;
    if (!api) return;
    const priceFormat = { type: 'price' as const, precision, minMove: 10 ** -precision };
    const added: ISeriesApi<SeriesType>[] = [];
    if (volume && points.some((point) => point.volume != null)) {
      const bars = api.addSeries(HistogramSeries, {
        priceScaleId: 'volume',
        priceFormat: { type: 'volume' },
        color: COLORS.volume,
        lastValueVisible: false,
        priceLineVisible: false,
      });
      bars.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
      bars.setData(
        points.map((point) => ({
          time: point.time as UTCTimestamp,
          value: point.volume ?? 0,
          color: point.close >= point.open ? 'rgba(34, 197, 94, 0.35)' : 'rgba(240, 82, 82, 0.35)',
        })),
      );
      added.push(bars);
    }
    if (mode === 'candles') {
      const candles = api.addSeries(CandlestickSeries, {
        upColor: COLORS.up,
        downColor: COLORS.down,
        wickUpColor: COLORS.up,
        wickDownColor: COLORS.down,
        borderVisible: false,
        priceFormat,
      });
      candles.setData(
        points.map((point) => ({
          time: point.time as UTCTimestamp,
          open: point.open,
          high: point.high,
          low: point.low,
          close: point.close,
        })),
      );
      added.push(candles);
    } else {
      const line = api.addSeries(LineSeries, { color: COLORS.line, lineWidth: 2, priceFormat });
      line.setData(
        points.map((point) => ({ time: point.time as UTCTimestamp, value: point.close })),
      );
      added.push(line);
    }
    if (bands) {
      const { upper, middle, lower } = bollingerBands(points);
      const band = {
        lineWidth: 1 as const,
        lastValueVisible: false,
        priceLineVisible: false,
        priceFormat,
      };
      for (const [data, color] of [
        [upper, COLORS.band],
        [middle, COLORS.middle],
        [lower, COLORS.band],
      ] as const) {
        const series = api.addSeries(LineSeries, { ...band, color, lineStyle: 2 });
        series.setData(
          data.map((point) => ({ time: point.time as UTCTimestamp, value: point.value })),
        );
        added.push(series);
      }
    }
    api.timeScale().fitContent();
    return () => {
      // On unmount the chart's own cleanup, declared first, runs first and
      // removes the chart with its series; removing them again would throw.
      if (chart.current !== api) return;
      for (const series of added) api.removeSeries(series);
    };
  }, [points, mode, bands, volume, precision]);

  return (
    <figure className="chart">
      <div ref={container} className="chart-canvas" role="img" aria-label={label} />
      <figcaption className="chart-credit">
        Chart by{' '}
        <a href="https://www.tradingview.com/lightweight-charts/" rel="noreferrer">
          TradingView Lightweight Charts™
        </a>
      </figcaption>
    </figure>
  );
}
