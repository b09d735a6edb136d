// A page cursor for lists ordered by (time, id), newest or oldest first:
// the last row's time and id, base64url, so the next page starts right after
// it even when rows share a time. Read back, only what `encodeTimeIdCursor`
// writes is taken: a four-digit-year ISO time in years 1 to 9999 (JavaScript
// dates reach years the database refuses, which would be a 500) and a safe
// integer id; anything else is null, for the route's 400.

export interface TimeIdPosition {
  readonly at: Date;
  readonly id: number;
}

const CURSOR_FORM = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\|([1-9]\d{0,15})$/;
const EARLIEST_TIME_MS = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST_TIME_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** A valid date in years 1 to 9999, which every backend can store and compare. */
export function isStorableTime(at: Date): boolean {
  const ms = at.getTime();
  return !Number.isNaN(ms) && ms >= EARLIEST_TIME_MS && ms <= LATEST_TIME_MS;
}

export function encodeTimeIdCursor(at: Date, id: number): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

/** The position a cursor names, or null when it is not one this module wrote. */
export function decodeTimeIdCursor(cursor: string): TimeIdPosition | null {
  const match = CURSOR_FORM.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return null;
  const at = new Date(match[1] as string);
  const id = Number(match[2]);
  return isStorableTime(at) && Number.isSafeInteger(id) ? { at, id } : null;
}
