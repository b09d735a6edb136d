// What the portfolio forms do with money and times typed in: decimals to
// exact cents by string arithmetic (12.34 * 100 is not 1234 in floats), and
// back, and datetime-local values to ISO times.
import { describe, expect, it } from 'vitest';
import {
  centsFromDecimal,
  decimalFromCents,
  isoFromLocalInput,
  localInputFromIso,
} from '../../web/src/pages/portfolio/money-input.js';

describe('money typed into a form', () => {
  it.each([
    ['12.34', 1234],
    ['0.05', 5],
    ['12', 1200],
    ['12.', 1200],
    ['12,3', 1230],
    [' 1.10 ', 110],
    ['999999999.99', 99_999_999_999],
    // 19.99 * 100 is 1998.9999999999998 in floating point.
    ['19.99', 1999],
  ])('reads %j as %i cents', (input, cents) => {
    expect(centsFromDecimal(input)).toBe(cents);
  });

  it.each(['', '-1', '+1', '1.005', '1e3', '1,234.56', '$5', '1000000000', '.5', 'abc'])(
    'refuses %j',
    (input) => {
      expect(centsFromDecimal(input)).toBeNull();
    },
  );

  it.each([
    [1234, '12.34'],
    [5, '0.05'],
    [0, '0.00'],
    [-5, '-0.05'],
    [-1234, '-12.34'],
  ])('shows %i cents as %j, which reads back the same', (cents, text) => {
    expect(decimalFromCents(cents)).toBe(text);
    if (cents >= 0) expect(centsFromDecimal(text)).toBe(cents);
  });
});

describe('times typed into a form', () => {
  it('turns a datetime-local value into the same instant as ISO, and back', () => {
    const iso = isoFromLocalInput('2026-11-30T14:05');
    expect(iso).toBe(new Date('2026-11-30T14:05').toISOString());
    expect(localInputFromIso(iso as string)).toBe('2026-11-30T14:05');
  });

  it('gives null for an empty or impossible value', () => {
    expect(isoFromLocalInput('')).toBeNull();
    expect(isoFromLocalInput('2026-13-45T99:99')).toBeNull();
  });
});
