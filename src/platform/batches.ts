// Large inputs go to the database, the store and the event loop a slice at a
// time, so one statement, one reply and one turn of the loop stay bounded.

/** `values` in consecutive slices of at most `size`, in order. */
export function* inBatches<T>(values: readonly T[], size: number): Generator<T[]> {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batch size ${size} is not a positive integer`);
  for (let start = 0; start < values.length; start += size) {
    yield values.slice(start, start + size);
  }
}
