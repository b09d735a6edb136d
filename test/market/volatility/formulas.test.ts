// The volatility formulas against values worked out by hand, with the
// arithmetic written beside each expectation, and the edge cases where a
// formula would divide by zero or lose precision.
import { describe, expect, it } from 'vitest';
import {
  bollingerBands,
  coefficientOfVariation,
  MINIMUM_POINTS,
  mean,
  percentChange,
  populationStdDev,
  type Series,
  trendScore,
  volatilityMetrics,
} from '../../../src/market/volatility/formulas.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const WINDOW_START_MS = Date.UTC(2026, 10, 17, 11, 30);
const ONE_HOUR = HOUR_MS;

/** `values[i]` observed `(i + 1) × stepMs` after the window start. */
function series(values: readonly number[], stepMs: number): Series {
  return { timesMs: values.map((_, i) => WINDOW_START_MS + (i + 1) * stepMs), values };
}

describe('a 25-point hour worked out by hand', () => {
  // Five prices of 100, then 90, 110, 90, 110, ... (twenty points, ending on
  // 110), one every 2 minutes from 11:32 to 12:20 in the hour from 11:30.
  const values = [
    ...Array<number>(5).fill(100),
    ...Array.from({ length: 20 }, (_, j) => (j % 2 ? 110 : 90)),
  ];
  const metrics = volatilityMetrics(series(values, 2 * MINUTE_MS), ONE_HOUR);

  it('mean: (5 × 100 + 10 × 90 + 10 × 110) / 25 = 2500 / 25 = 100', () => {
    expect(metrics?.points).toBe(25);
    expect(metrics?.mean_cents).toBe(100);
  });

  it('population σ: deviations 0 (×5) and ±10 (×20), Σ = 2000, σ = √(2000 / 25) = √80', () => {
    expect(metrics?.stddev_cents).toBeCloseTo(Math.sqrt(80), 12); // 8.94427191
  });

  it('percent change: (110 − 100) / 100 × 100 = 10', () => {
    expect(metrics?.percent_change).toBe(10);
  });

  it('coefficient of variation: √80 / 100', () => {
    expect(metrics?.coefficient_of_variation).toBeCloseTo(Math.sqrt(80) / 100, 12);
  });

  it('Bollinger over the last 20 (90/110 alternating): SMA 100, σ20 10, bands 80 and 120, %B (110 − 80) / 40 = 0.75', () => {
    expect(metrics?.bollinger).toEqual({ middle: 100, upper: 120, lower: 80, percent_b: 0.75 });
  });

  it('trend: slope (10/3) / (13/9) = 30/13 cents per hour, × 1 h / 100 = 0.3/13', () => {
    // Times in hours from 11:30 (any origin gives the same slope): t_i = (i + 1) / 30, mean 13/30.
    // Σ(t − t̄)² = Σ(i − 12)² / 900 over i = 0..24 = 1300 / 900 = 13/9.
    // Σ(t − t̄)(x − 100): only the alternating points deviate, by −10 at
    // j = 0, 2, ..., 18 and +10 at j = 1, 3, ..., 19 (t = (j + 6) / 30); the
    // ±10 sum to zero, so this is 10/30 × (Σ odd j − Σ even j) = 10/30 × (100 − 90) = 10/3.
    expect(metrics?.trend_score).toBeCloseTo(30 / 13 / 100, 12); // 0.0230769
  });
});

describe('a straight line', () => {
  // x_i = 100 + 2i for i = 0..19, one every 3 minutes: 40 cents per hour.
  const rising = Array.from({ length: 20 }, (_, i) => 100 + 2 * i);

  it('rising: mean 119, σ = 2√(399/12) = √133, CV √133/119, change +38 %, trend 40 / 119', () => {
    const metrics = volatilityMetrics(series(rising, 3 * MINUTE_MS), ONE_HOUR);
    expect(metrics?.mean_cents).toBe(119);
    expect(metrics?.stddev_cents).toBeCloseTo(Math.sqrt(133), 12);
    expect(metrics?.coefficient_of_variation).toBeCloseTo(Math.sqrt(133) / 119, 12);
    expect(metrics?.percent_change).toBe(38);
    expect(metrics?.trend_score).toBeCloseTo(40 / 119, 12);
    // %B = (138 − (119 − 2√133)) / (4√133) = 0.5 + 19 / (4√133) ≈ 0.91188
    expect(metrics?.bollinger.percent_b).toBeCloseTo(0.5 + 19 / (4 * Math.sqrt(133)), 12);
  });

  it('falling: x_i = 200 − 2i gives change −19 % and trend −40 / 181', () => {
    const falling = Array.from({ length: 20 }, (_, i) => 200 - 2 * i);
    const metrics = volatilityMetrics(series(falling, 3 * MINUTE_MS), ONE_HOUR);
    expect(metrics?.mean_cents).toBe(181);
    expect(metrics?.percent_change).toBe(-19);
    expect(metrics?.trend_score).toBeCloseTo(-40 / 181, 12);
    expect(metrics?.bollinger.percent_b).toBeCloseTo(0.5 - 19 / (4 * Math.sqrt(133)), 12);
  });

  it('the trend score is the relative change over the window, whatever its length', () => {
    // The same 38-cent rise on 119 spread over a day instead of an hour.
    const hourly = trendScore(series(rising, 3 * MINUTE_MS), ONE_HOUR, 119);
    const daily = trendScore(series(rising, 72 * MINUTE_MS), DAY_MS, 119);
    expect(daily).toBeCloseTo(hourly ?? Number.NaN, 12);
  });
});

describe('edge cases', () => {
  it(`${MINIMUM_POINTS - 1} points are too few; ${MINIMUM_POINTS} are enough`, () => {
    const values = Array.from({ length: MINIMUM_POINTS }, (_, i) => 100 + i);
    expect(volatilityMetrics(series(values.slice(1), MINUTE_MS), ONE_HOUR)).toBeNull();
    expect(volatilityMetrics(series(values, MINUTE_MS), ONE_HOUR)?.points).toBe(MINIMUM_POINTS);
    expect(() => bollingerBands(values.slice(1))).toThrow(RangeError);
  });

  it('a constant series: σ exactly 0, no change, flat trend, bands closed and no %B', () => {
    expect(volatilityMetrics(series(Array(30).fill(250), MINUTE_MS), ONE_HOUR)).toEqual({
      points: 30,
      mean_cents: 250,
      stddev_cents: 0,
      percent_change: 0,
      coefficient_of_variation: 0,
      trend_score: 0,
      bollinger: { middle: 250, upper: 250, lower: 250, percent_b: null },
    });
  });

  it('a constant series of fractional rollup averages is exactly constant too', () => {
    const values = Array<number>(720).fill(1234.1);
    expect(mean(values)).toBe(1234.1);
    expect(populationStdDev(values)).toBe(0);
  });

  it('a first price of zero has no percent change', () => {
    expect(percentChange(0, 5)).toBeNull();
    const values = [0, ...Array<number>(19).fill(10)];
    expect(volatilityMetrics(series(values, MINUTE_MS), ONE_HOUR)?.percent_change).toBeNull();
  });

  it('a zero mean has no coefficient of variation and no trend score', () => {
    expect(coefficientOfVariation(0, 0)).toBeNull();
    expect(volatilityMetrics(series(Array(20).fill(0), MINUTE_MS), ONE_HOUR)).toEqual({
      points: 20,
      mean_cents: 0,
      stddev_cents: 0,
      percent_change: null,
      coefficient_of_variation: null,
      trend_score: null,
      bollinger: { middle: 0, upper: 0, lower: 0, percent_b: null },
    });
  });

  it('points sharing a time still fit: t = 0, 0, 1, 1 h and x = 100, 102, 110, 112 give slope 10 / 1 = 10', () => {
    // t̄ = 0.5, x̄ = 106; Σ(t − t̄)(x − x̄) = 0.5 × (6 + 4 + 4 + 6) = 10; Σ(t − t̄)² = 4 × 0.25 = 1.
    const shared = {
      timesMs: [0, 0, HOUR_MS, HOUR_MS].map((t) => WINDOW_START_MS + t),
      values: [100, 102, 110, 112],
    };
    expect(trendScore(shared, ONE_HOUR, 106)).toBeCloseTo(10 / 106, 12);
  });

  it('points all at one time have no slope', () => {
    const instant = { timesMs: [5, 5, 5].map((t) => WINDOW_START_MS + t), values: [1, 2, 3] };
    expect(trendScore(instant, ONE_HOUR, 2)).toBeNull();
  });

  it('σ stays exact far from zero, where Σx²/n − μ² would cancel to nothing', () => {
    // 1e9 ± 1 alternating: σ = 1. In doubles, Σx²/n and μ² are both about 1e18,
    // whose spacing is 128, so the naive formula cannot see a variance of 1.
    const values = Array.from({ length: 40 }, (_, i) => 1e9 + (i % 2 ? 1 : -1));
    expect(populationStdDev(values)).toBe(1);
    expect(mean(values)).toBe(1e9);
  });

  it('a series needs one time per value, and at least one point', () => {
    expect(() => volatilityMetrics({ timesMs: [1], values: [1, 2] }, ONE_HOUR)).toThrow(RangeError);
    expect(() => mean([])).toThrow(RangeError);
  });
});
