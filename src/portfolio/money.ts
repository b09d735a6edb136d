// Money in the portfolio is integer cents (minor units), never floats: a
// ledger's totals must add up to the cent, and 0.1 + 0.2 does not. This
// module is the one place text becomes cents and cents become text.
//
// Accepted amounts are plain decimals: `12`, `12.3`, `12.34`, at most twelve
// integer digits and two decimals. No sign, no currency symbol, no thousands
// separator: `1,234.56` is refused rather than guessed, because in half the
// world's spreadsheets `1,234` means one point two three four.

/** At most 999,999,999,999.99: its cents stay far inside Number's exact range. */
const AMOUNT_PATTERN = /^(\d{1,12})(?:\.(\d{1,2}))?$/;

const CENTS_PER_UNIT = 100;

/**
 * The cents a plain decimal amount means (`12.34` → 1234, `0.5` → 50), or
 * null when the text is not such an amount. Built from the digit strings, so
 * no binary fraction is ever involved.
 */
export function parseAmountToCents(text: string): number | null {
  const match = AMOUNT_PATTERN.exec(text);
  if (match === null) return null;
  const units = Number.parseInt(match[1] ?? '0', 10);
  const fraction = (match[2] ?? '').padEnd(2, '0');
  return units * CENTS_PER_UNIT + Number.parseInt(fraction, 10);
}

/**
 * Cents as a plain decimal with two places and no grouping: 1234 → `12.34`,
 * -5 → `-0.05`. The inverse of parseAmountToCents for non-negative amounts.
 */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) {
    throw new RangeError(`formatCents expects a safe integer of cents, got ${cents}`);
  }
  const sign = cents < 0 ? '-' : '';
  const magnitude = Math.abs(cents);
  const rest = magnitude % CENTS_PER_UNIT;
  // A multiple of 100 divides exactly; dividing first could round up near 2^53.
  const units = (magnitude - rest) / CENTS_PER_UNIT;
  return `${sign}${units}.${String(rest).padStart(2, '0')}`;
}
