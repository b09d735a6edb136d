// Money typed into a form, to integer cents and back, by string arithmetic:
// "12.34" is 1234 cents exactly, where 12.34 * 100 would be 1233.9999999999998.
// Plain functions, no React, so a Node test can run them.

/** At most this many whole units: far above any item's price, and still an exact integer. */
const MAX_WHOLE_DIGITS = 9;
const DECIMAL = new RegExp(`^(\\d{1,${MAX_WHOLE_DIGITS}})(?:[.,](\\d{0,2}))?$`);

/** "12.34", "12,3", "12." or "12" as cents; null for anything else (a sign, a third decimal). */
export function centsFromDecimal(input: string): number | null {
  const match = DECIMAL.exec(input.trim());
  if (!match) return null;
  const whole = match[1] as string;
  const fraction = (match[2] ?? '').padEnd(2, '0');
  return Number.parseInt(whole, 10) * 100 + Number.parseInt(fraction, 10);
}

/** Cents as the decimal a form shows for editing: 1234 is "12.34", 5 is "0.05". */
export function decimalFromCents(cents: number): string {
  const whole = Math.trunc(cents / 100);
  const fraction = String(Math.abs(cents % 100)).padStart(2, '0');
  return `${cents < 0 && whole === 0 ? '-' : ''}${whole}.${fraction}`;
}

/** An ISO time as the value of `<input type="datetime-local">`, in the browser's time zone. */
export function localInputFromIso(iso: string): string {
  const date = new Date(iso);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(
    date.getHours(),
  )}:${pad(date.getMinutes())}`;
}

/** A `datetime-local` value (the browser's time zone) as an ISO time; null when empty or invalid. */
export function isoFromLocalInput(value: string): string | null {
  if (!value) return null;
  const time = new Date(value).getTime();
  return Number.isFinite(time) ? new Date(time).toISOString() : null;
}
