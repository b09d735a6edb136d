// PostgreSQL array literals for bulk statements (`unnest($1::int[], ...)`).
// The driver encodes a JS array by quoting every element and running two
// regular expressions over it; for a 10,000-row batch of numbers, times and
// source names that cost more client time than the rest of the write
// (bench/ingest). Numbers, nulls and plain words need no quoting at all.

/** Characters an unquoted array element may hold without changing its meaning. */
const PLAIN = /^[A-Za-z0-9_.:+-]+$/;

function element(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${value} cannot be stored as a number`);
    return String(value);
  }
  if (PLAIN.test(value) && value.toLowerCase() !== 'null') return value;
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** `values` as a one-dimensional array literal, e.g. `{1,NULL,"a b"}`. */
export function arrayLiteral(values: readonly (number | string | null | undefined)[]): string {
  let literal = '{';
  for (let index = 0; index < values.length; index += 1) {
    if (index > 0) literal += ',';
    literal += element(values[index]);
  }
  return `${literal}}`;
}
