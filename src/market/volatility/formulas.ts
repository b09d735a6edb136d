// The volatility formulas, pure: a series in, plain numbers out (rounding is
// the API's job). Spreads are summed around the mean, never as Σx²/n − μ²,
// which cancels to noise once prices are large next to their spread; the mean
// is taken relative to the first point, so a constant series has exactly
// σ = 0, and the two-pass sum carries a correction term that cancels the
// mean's own rounding error. A quantity that would divide by a zero mean, a
// zero first price or a zero time spread is null, not Infinity or NaN.
import { HOUR_MS } from '../../platform/time.js';

/** Bollinger bands: a simple moving average over this many periods... */
export const BOLLINGER_PERIODS = 20;
/** ...plus and minus this many of its standard deviations. */
export const BOLLINGER_WIDTH = 2;
/** Fewer points in a window and it has no volatility: the bands need their 20 periods. */
export const MINIMUM_POINTS = BOLLINGER_PERIODS;

export interface Bollinger {
  readonly middle: number;
  readonly upper: number;
  readonly lower: number;
  /** Where the last price sits: 0 on the lower band, 1 on the upper; null when the bands meet. */
  readonly percent_b: number | null;
}

export interface VolatilityMetrics {
  readonly points: number;
  readonly mean_cents: number;
  readonly stddev_cents: number;
  readonly percent_change: number | null;
  readonly coefficient_of_variation: number | null;
  readonly trend_score: number | null;
  readonly bollinger: Bollinger;
}

/** A window's points in time order: `timesMs[i]` is when `values[i]` was observed. */
export interface Series {
  readonly timesMs: readonly number[];
  readonly values: readonly number[];
}

function nonEmpty(values: readonly number[]): void {
  if (values.length === 0) throw new RangeError('a series needs at least one point');
}

export function mean(values: readonly number[]): number {
  nonEmpty(values);
  const shift = values[0] as number;
  let sum = 0;
  for (const value of values) sum += value - shift;
  return shift + sum / values.length;
}

/** Population standard deviation: the square root of Σ(x − μ)² / n. */
export function populationStdDev(values: readonly number[], mu: number = mean(values)): number {
  nonEmpty(values);
  let squares = 0;
  let residue = 0;
  for (const value of values) {
    const deviation = value - mu;
    squares += deviation * deviation;
    residue += deviation;
  }
  const variance = (squares - (residue * residue) / values.length) / values.length;
  return variance > 0 ? Math.sqrt(variance) : 0;
}

/** (last − first) / first × 100; null when the first price is zero. */
export function percentChange(first: number, last: number): number | null {
  return first === 0 ? null : ((last - first) / first) * 100;
}

/** σ / μ; null when the mean is zero. */
export function coefficientOfVariation(stddev: number, mu: number): number | null {
  return mu === 0 ? null : stddev / mu;
}

/** SMA ± 2σ of the last 20 points, and %B of the last point. */
export function bollingerBands(values: readonly number[]): Bollinger {
  if (values.length < BOLLINGER_PERIODS) {
    throw new RangeError(`Bollinger bands need ${BOLLINGER_PERIODS} points, got ${values.length}`);
  }
  const recent = values.slice(-BOLLINGER_PERIODS);
  const middle = mean(recent);
  const width = BOLLINGER_WIDTH * populationStdDev(recent, middle);
  const upper = middle + width;
  const lower = middle - width;
  const last = recent[recent.length - 1] as number;
  return {
    middle,
    upper,
    lower,
    percent_b: upper > lower ? (last - lower) / (upper - lower) : null,
  };
}

/**
 * The least-squares slope of price against time in hours, times the window's
 * length in hours, over the mean: the fitted relative change across the whole
 * window (0.1 is a rise of 10 % of the mean), so scores compare across windows
 * and price levels. Null when every point has the same time (no slope can be
 * fitted) or the mean is zero.
 *
 * Hours count from the first point rather than the window's start: a slope
 * does not depend on where time starts, and this way the same points give
 * the same bits whenever they are recomputed, so an unchanged result is not
 * published again.
 */
export function trendScore(series: Series, windowMs: number, mu: number): number | null {
  const { timesMs, values } = series;
  nonEmpty(values);
  const origin = timesMs[0] as number;
  const hours = timesMs.map((time) => (time - origin) / HOUR_MS);
  const meanHour = mean(hours);
  let covariance = 0;
  let spread = 0;
  for (let i = 0; i < values.length; i += 1) {
    const dt = (hours[i] as number) - meanHour;
    covariance += dt * ((values[i] as number) - mu);
    spread += dt * dt;
  }
  if (spread === 0 || mu === 0) return null;
  return ((covariance / spread) * (windowMs / HOUR_MS)) / mu;
}

/** Every metric of one window's series; null below MINIMUM_POINTS. */
export function volatilityMetrics(series: Series, windowMs: number): VolatilityMetrics | null {
  const { values } = series;
  if (values.length !== series.timesMs.length) {
    throw new RangeError('a series needs one time per value');
  }
  if (values.length < MINIMUM_POINTS) return null;
  const mu = mean(values);
  const stddev = populationStdDev(values, mu);
  return {
    points: values.length,
    mean_cents: mu,
    stddev_cents: stddev,
    percent_change: percentChange(values[0] as number, values[values.length - 1] as number),
    coefficient_of_variation: coefficientOfVariation(stddev, mu),
    trend_score: trendScore(series, windowMs, mu),
    bollinger: bollingerBands(values),
  };
}
