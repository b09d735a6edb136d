// Bollinger bands over a chart's closes: a moving mean and a number of
// standard deviations either side, the band the price usually stays in.
// Plain arithmetic, apart from the chart, so a unit test can check it.

export interface ChartPoint {
  /** Seconds since the epoch, the start of the bucket. */
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume?: number | null;
}

export interface BandPoint {
  readonly time: number;
  readonly value: number;
}

/** One point per bucket from the `period`-th on; the population standard deviation, as Bollinger used. */
export function bollingerBands(points: readonly ChartPoint[], period = 20, width = 2) {
  const upper: BandPoint[] = [];
  const middle: BandPoint[] = [];
  const lower: BandPoint[] = [];
  for (let end = period; end <= points.length; end += 1) {
    const closes = points.slice(end - period, end).map((point) => point.close);
    const mean = closes.reduce((sum, close) => sum + close, 0) / period;
    const deviation = Math.sqrt(
      closes.reduce((sum, close) => sum + (close - mean) ** 2, 0) / period,
    );
    const time = points[end - 1]?.time ?? 0;
    upper.push({ time, value: mean + width * deviation });
    middle.push({ time, value: mean });
    lower.push({ time, value: mean - width * deviation });
  }
  return { upper, middle, lower };
}
