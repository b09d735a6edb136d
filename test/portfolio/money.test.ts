// Amount text to cents and back: the accepted shapes, the refused ones (signs,
// separators, symbols, a third decimal), and exactness where a float would slip.
import { describe, expect, it } from 'vitest';
import { formatCents, parseAmountToCents } from '../../src/portfolio/money.js';

describe('parseAmountToCents', () => {
  it.each([
    ['12.34', 1234],
    ['12', 1200],
    ['12.3', 1230],
    ['0.5', 50],
    ['0.05', 5],
    ['0', 0],
    ['0.00', 0],
    ['007.10', 710],
    // 0.29 * 100 is 28.999999999999996 in floats: the digits path gives 29.
    ['0.29', 29],
    ['1.15', 115],
    ['999999999999.99', 99_999_999_999_999],
  ])('%s is %i cents', (text, cents) => {
    expect(parseAmountToCents(text)).toBe(cents);
  });

  it.each([
    '',
    ' ',
    '1,234.56',
    '1 234.56',
    '1,5',
    '12.345',
    '.5',
    '5.',
    '-1.00',
    '+1.00',
    '$1.00',
    '1.00 USD',
    ' 1.00',
    '1.00 ',
    '1e3',
    'NaN',
    'Infinity',
    '0x10',
    '１２', // full-width digits are not \d in an ASCII-only pattern
    '1000000000000', // thirteen integer digits
  ])('%j is refused', (text) => {
    expect(parseAmountToCents(text)).toBeNull();
  });
});

describe('formatCents', () => {
  it.each([
    [1234, '12.34'],
    [-5, '-0.05'],
    [0, '0.00'],
    [5, '0.05'],
    [100, '1.00'],
    [-123456, '-1234.56'],
    [Number.MAX_SAFE_INTEGER, '90071992547409.91'],
    [-Number.MAX_SAFE_INTEGER, '-90071992547409.91'],
  ])('%i cents is %s', (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });

  it('refuses fractions of a cent and unsafe integers', () => {
    expect(() => formatCents(1.5)).toThrow(RangeError);
    expect(() => formatCents(Number.NaN)).toThrow(RangeError);
    expect(() => formatCents(2 ** 53)).toThrow(RangeError);
  });

  it('round-trips every non-negative amount it formats, sampled', () => {
    const samples = [99_999_999_999_999, 12_345_678_901_234, 10_000_000_000_000];
    for (let cents = 0; cents <= 20_000; cents += 1) samples.push(cents);
    expect(samples.filter((cents) => parseAmountToCents(formatCents(cents)) !== cents)).toEqual([]);
  });
});
