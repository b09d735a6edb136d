// The web app's own arithmetic, which no server test sees: how numbers and
// ages read, which price is newer, and the Bollinger bands the item chart
// draws. Pure modules of web/src, run in Node.
import { describe, expect, it } from 'vitest';
import { bollingerBands, type ChartPoint } from '../../web/src/charts/bollinger.js';
import { age, compact, direction, money, percent } from '../../web/src/format.js';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

describe('how the web app writes numbers', () => {
  it('writes cents as money in the market currency', () => {
    expect(money(1951)).toBe('$19.51');
    expect(money(182_925)).toBe('$1,829.25');
    expect(money(5, 'EUR')).toBe('€0.05');
  });

  it('signs changes, with a true minus, and a dash when there is none', () => {
    expect(percent(4.951)).toBe('+4.95%');
    expect(percent(-3.4201)).toBe('−3.42%');
    expect(percent(0)).toBe('0.00%');
    expect(percent(null)).toBe('–');
    expect(percent(Number.NaN)).toBe('–');
    expect([direction(2), direction(-1), direction(0), direction(null)]).toEqual([
      'up',
      'down',
      'flat',
      'flat',
    ]);
  });

  it('says how old a price is in the largest whole unit', () => {
    expect(age(ago(2), NOW)).toBe('just now');
    expect(age(ago(45), NOW)).toBe('45s ago');
    expect(age(ago(12 * 60 + 5), NOW)).toBe('12m ago');
    expect(age(ago(3 * 3600), NOW)).toBe('3h ago');
    expect(age(ago(2 * 86_400 + 10), NOW)).toBe('2d ago');
    // A clock a little behind the server's never shows a price from the future.
    expect(age(ago(-30), NOW)).toBe('just now');
  });

  it('shortens volumes', () => {
    expect(compact(52_000)).toBe('52K');
    expect(compact(940)).toBe('940');
    expect(compact(null)).toBe('–');
  });
});

describe('Bollinger bands on the item chart', () => {
  const points: ChartPoint[] = [2, 4, 4, 4, 5, 5, 7, 9].map((close, index) => ({
    time: index * 3600,
    open: close,
    high: close,
    low: close,
    close,
  }));

  it('start at the period-th bucket, a mean with two standard deviations either side', () => {
    const { upper, middle, lower } = bollingerBands(points, 8);
    // Mean 5, population standard deviation 2.
    expect(middle).toEqual([{ time: 7 * 3600, value: 5 }]);
    expect(upper).toEqual([{ time: 7 * 3600, value: 9 }]);
    expect(lower).toEqual([{ time: 7 * 3600, value: 1 }]);
  });

  it('draw nothing with fewer buckets than the period', () => {
    expect(bollingerBands(points, 20).middle).toEqual([]);
  });
});
