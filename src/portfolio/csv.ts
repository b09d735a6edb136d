// Ledger CSV import and portfolio CSV export (RFC 4180), the trade-history
// file traders ask for. Import is all or nothing: a file with any bad line
// imports no rows, and every bad line is reported with its line number (up
// to MAX_REPORTED_CSV_ERRORS of them), so a user fixes the file once instead
// of once per error. Line numbers are the file's physical lines, 1 being the
// header: a field error names the line its row starts on, a character error
// the line the character is on (a quoted field may span several lines).
//
// Export guards against CSV injection (OWASP): a text cell a spreadsheet
// would read as a formula (starting with = + - @, tab or CR) is prefixed with
// a single quote. Numbers and amounts we produce are written plainly, so a
// loss of -0.05 stays a number in the spreadsheet.
import { formatCents, parseAmountToCents } from './money.js';

export interface LedgerCsvColumn {
  readonly name: string;
  readonly required: boolean;
  readonly description: string;
}

/** The ledger file's columns, for the import and for docs and UI to show. */
export const LEDGER_CSV_COLUMNS: readonly LedgerCsvColumn[] = [
  {
    name: 'date',
    required: true,
    description:
      'ISO 8601 date (2026-11-30, read as UTC) or date-time with an offset (2026-11-30T14:05:00Z)',
  },
  { name: 'type', required: true, description: 'buy or sell' },
  { name: 'item', required: true, description: "the item's market_hash_name" },
  { name: 'quantity', required: true, description: 'a whole number from 1 to 1,000,000' },
  { name: 'unit_price', required: true, description: 'price of one unit, like 12.34' },
  { name: 'fee', required: false, description: 'fee for the whole row, like 0.50; 0 when absent' },
  { name: 'currency', required: false, description: "the account's currency; no conversion" },
  { name: 'note', required: false, description: 'free text, up to 500 characters' },
];

/** The header line of a ledger file with every column, in the usual order. */
export const ledgerCsvHeader = LEDGER_CSV_COLUMNS.map((column) => column.name).join(',');

export const MAX_LEDGER_QUANTITY = 1_000_000;
export const MAX_NOTE_CHARS = 500;
/** Longer than any market_hash_name; bounds what the catalog lookup is given. */
export const MAX_ITEM_NAME_CHARS = 256;
/** Enough to fix a file by; a file with more is reported by count. */
export const MAX_REPORTED_CSV_ERRORS = 100;

export interface CsvLineError {
  /** 1-based physical line of the file; the header is line 1. */
  readonly line: number;
  /** The header name of the column at fault, when one is. */
  readonly column?: string;
  readonly message: string;
}

export interface ParsedLedgerRow {
  /** The line the row starts on, for errors the caller finds (an unknown item). */
  readonly line: number;
  readonly occurredAt: Date;
  readonly kind: 'buy' | 'sell';
  /** market_hash_name as written, trimmed; the caller matches it to the catalog. */
  readonly item: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly feeCents: number;
  readonly note: string | null;
}

export type LedgerCsvResult =
  | { readonly ok: true; readonly rows: ParsedLedgerRow[] }
  | {
      readonly ok: false;
      /** At most MAX_REPORTED_CSV_ERRORS, in line order. */
      readonly errors: CsvLineError[];
      /** How many more errors there were beyond those listed. */
      readonly omittedErrorCount: number;
    };

export interface LedgerCsvOptions {
  /** More data rows than this is one error, and nothing is imported. */
  readonly maxRows: number;
  /** The currency Tracera values the account in (ISO 4217, like USD). */
  readonly currency: string;
}

export interface CsvRecord {
  /** The physical line the record starts on. */
  readonly line: number;
  readonly fields: string[];
}

interface TokenizedRecord extends CsvRecord {
  readonly errors: CsvLineError[];
}

const BOM = '\uFEFF';

/** C0 controls other than tab, LF and CR, and DEL: never in a text file a user meant to write. */
function isForbiddenControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f;
}

function controlCharacterError(line: number, code: number): CsvLineError {
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  return { line, message: `control character U+${hex} is not allowed in a CSV file` };
}

/**
 * RFC 4180 records with their line numbers. Blank lines are skipped. A
 * malformed record (a stray quote, text after a closing quote, a quoted
 * field never closed) carries its error, and reading resumes on the next
 * physical line, so one bad line does not hide the errors after it.
 */
function* tokenize(input: string): Generator<TokenizedRecord> {
  const text = input.startsWith(BOM) ? input.slice(BOM.length) : input;
  const length = text.length;
  let index = 0;
  let line = 1;

  const skipRestOfLine = () => {
    const newline = text.indexOf('\n', index);
    index = newline === -1 ? length : newline + 1;
    line += 1;
  };

  while (index < length) {
    const recordLine = line;
    if (text[index] === '\n' || text.startsWith('\r\n', index)) {
      index += text[index] === '\n' ? 1 : 2;
      line += 1;
      continue;
    }
    const fields: string[] = [];
    const errors: CsvLineError[] = [];
    let recordDone = false;

    while (!recordDone) {
      let field = '';
      if (text[index] === '"') {
        const openedOn = line;
        index += 1;
        let closed = false;
        while (index < length) {
          const char = text[index] as string;
          if (char === '"') {
            if (text[index + 1] === '"') {
              field += '"';
              index += 2;
              continue;
            }
            index += 1;
            closed = true;
            break;
          }
          const code = char.charCodeAt(0);
          // One error per line: a file of control characters is one bad line, not a million.
          if (isForbiddenControl(code) && errors.at(-1)?.line !== line) {
            errors.push(controlCharacterError(line, code));
          }
          if (char === '\n') line += 1;
          field += char;
          index += 1;
        }
        if (!closed) {
          errors.push({
            line: openedOn,
            message: 'a quoted field is never closed: a quote is missing or stray',
          });
          yield { line: recordLine, fields, errors };
          return;
        }
        const next = text[index];
        if (
          next !== undefined &&
          next !== ',' &&
          next !== '\n' &&
          !text.startsWith('\r\n', index)
        ) {
          errors.push({
            line,
            message: 'text after a closing quote: double a quote inside a quoted field ("")',
          });
          skipRestOfLine();
          yield { line: recordLine, fields, errors };
          break;
        }
      } else {
        let stray = false;
        while (index < length) {
          const char = text[index] as string;
          if (char === ',' || char === '\n' || char === '\r') break;
          if (char === '"') {
            stray = true;
            break;
          }
          const code = char.charCodeAt(0);
          // One error per line: a file of control characters is one bad line, not a million.
          if (isForbiddenControl(code) && errors.at(-1)?.line !== line) {
            errors.push(controlCharacterError(line, code));
          }
          field += char;
          index += 1;
        }
        if (stray) {
          errors.push({
            line,
            message: 'a quote inside an unquoted field: quote the whole field and double the quote',
          });
          skipRestOfLine();
          yield { line: recordLine, fields, errors };
          break;
        }
      }

      fields.push(field);
      if (text[index] === ',') {
        index += 1;
      } else if (text[index] === '\n') {
        index += 1;
        line += 1;
        recordDone = true;
      } else if (text.startsWith('\r\n', index)) {
        index += 2;
        line += 1;
        recordDone = true;
      } else if (text[index] === '\r') {
        errors.push({ line, message: 'a carriage return not followed by a line feed' });
        skipRestOfLine();
        recordDone = true;
      } else {
        recordDone = true; // end of the text
      }
      if (recordDone) yield { line: recordLine, fields, errors };
    }
  }
}

/** Every record of an RFC 4180 text (CRLF or LF, optional BOM), and every error found. */
export function parseCsv(text: string): { records: CsvRecord[]; errors: CsvLineError[] } {
  const records: CsvRecord[] = [];
  const errors: CsvLineError[] = [];
  for (const record of tokenize(text)) {
    if (record.errors.length > 0) errors.push(...record.errors);
    else records.push({ line: record.line, fields: record.fields });
  }
  return { records, errors };
}

/** Errors, counted past the cap without being kept, so a huge bad file costs no memory. */
class ErrorList {
  readonly kept: CsvLineError[] = [];
  omitted = 0;
  add(error: CsvLineError): void {
    if (this.kept.length < MAX_REPORTED_CSV_ERRORS) this.kept.push(error);
    else this.omitted += 1;
  }
  get count(): number {
    return this.kept.length + this.omitted;
  }
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const MINUTE_MS = 60_000;

/** A UTC instant from calendar fields, or null when a field is out of range (Feb 30, 24:00). */
function utcInstant(fields: readonly number[]): number | null {
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, ms = 0] = fields;
  // Date.UTC reads years 0-99 as 1900-1999; no ledger entry predates 1970.
  if (year < 1970 || hour > 23 || minute > 59 || second > 59) return null;
  const instant = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(instant);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return instant;
}

type FieldResult<T> = { value: T } | { error: string };

function parseLedgerDate(text: string): FieldResult<Date> {
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly !== null) {
    const instant = utcInstant(dateOnly.slice(1, 4).map(Number));
    return instant === null
      ? { error: `"${text}" is not a calendar date from 1970 on` }
      : { value: new Date(instant) };
  }
  const dateTime = DATE_TIME.exec(text);
  if (dateTime === null) {
    return {
      error: `"${text}" is not an ISO 8601 date (2026-11-30) or date-time (2026-11-30T14:05:00Z)`,
    };
  }
  const offset = dateTime[8];
  if (offset === undefined) {
    return {
      error: `"${text}" has a time but no time zone: end it with Z for UTC or an offset like +02:00`,
    };
  }
  const fraction = (dateTime[7] ?? '').padEnd(3, '0').slice(0, 3);
  const instant = utcInstant([
    ...dateTime.slice(1, 7).map((part) => Number(part ?? 0)),
    Number(fraction),
  ]);
  let offsetMinutes = 0;
  if (offset.toUpperCase() !== 'Z') {
    const digits = offset.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2));
    if (hours > 23 || minutes > 59) return { error: `"${text}" has an impossible offset` };
    offsetMinutes = (offset.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  }
  if (instant === null) return { error: `"${text}" is not a real date and time` };
  return { value: new Date(instant - offsetMinutes * MINUTE_MS) };
}

const AMOUNT_HINT =
  'an amount like 12.34: digits, at most two decimals, no sign, currency symbol or thousands separator';

function parseQuantity(text: string): FieldResult<number> {
  const quantity = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
  if (!(quantity >= 1 && quantity <= MAX_LEDGER_QUANTITY)) {
    return { error: `quantity must be a whole number from 1 to 1,000,000, not "${text}"` };
  }
  return { value: quantity };
}

function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/**
 * Ledger rows from a CSV text, or every line error. The header is required;
 * its names are matched case-insensitively, in any order; unknown and
 * repeated names are errors. A row whose fields are all empty is skipped
 * (spreadsheets write those). Dates without a time are midnight UTC; a time
 * with no zone is refused rather than guessed. Whether a date is in the
 * future, and whether an item exists, is the caller's to decide.
 */
export function parseLedgerCsv(text: string, options: LedgerCsvOptions): LedgerCsvResult {
  const errors = new ErrorList();
  const fail = (): LedgerCsvResult => ({
    ok: false,
    errors: errors.kept,
    omittedErrorCount: errors.omitted,
  });
  const records = tokenize(text);

  const first = records.next();
  if (first.done) {
    errors.add({
      line: 1,
      message: `the file is empty; its first line must be the header: ${ledgerCsvHeader}`,
    });
    return fail();
  }
  const header = first.value;
  for (const error of header.errors) errors.add(error);
  if (errors.count > 0) return fail();

  const names = header.fields.map((name) => name.trim().toLowerCase());
  const known = new Map(LEDGER_CSV_COLUMNS.map((column) => [column.name, column]));
  const positions = new Map<string, number>();
  names.forEach((name, position) => {
    if (!known.has(name)) {
      errors.add({
        line: header.line,
        column: name,
        message: `unknown column "${name}"; the columns are ${ledgerCsvHeader}`,
      });
    } else if (positions.has(name)) {
      errors.add({ line: header.line, column: name, message: `column "${name}" appears twice` });
    } else {
      positions.set(name, position);
    }
  });
  for (const column of LEDGER_CSV_COLUMNS) {
    if (column.required && !positions.has(column.name)) {
      errors.add({
        line: header.line,
        column: column.name,
        message: `the required column "${column.name}" is missing`,
      });
    }
  }
  if (errors.count > 0) return fail();

  const currency = options.currency.trim().toUpperCase();
  const rows: ParsedLedgerRow[] = [];
  let dataRows = 0;
  for (const record of records) {
    if (record.errors.length === 0 && record.fields.every((field) => field.trim() === '')) continue;
    dataRows += 1;
    if (dataRows > options.maxRows) {
      return {
        ok: false,
        errors: [
          {
            line: record.line,
            message: `the file has more than ${options.maxRows} rows; split it and import the parts`,
          },
        ],
        omittedErrorCount: 0,
      };
    }
    if (record.errors.length > 0) {
      for (const error of record.errors) errors.add(error);
      continue;
    }
    if (record.fields.length !== names.length) {
      errors.add({
        line: record.line,
        message: `the row has ${record.fields.length} fields; the header has ${names.length}`,
      });
      continue;
    }

    const rowErrorsBefore = errors.count;
    const cell = (name: string): string => {
      const position = positions.get(name);
      return position === undefined ? '' : (record.fields[position] ?? '').trim();
    };
    const check = <T>(column: string, result: FieldResult<T>): T | undefined => {
      if ('error' in result) {
        errors.add({ line: record.line, column, message: result.error });
        return undefined;
      }
      return result.value;
    };

    const occurredAt = check('date', parseLedgerDate(cell('date')));
    const typeText = cell('type').toLowerCase();
    const kind = check<'buy' | 'sell'>(
      'type',
      typeText === 'buy' || typeText === 'sell'
        ? { value: typeText }
        : { error: `type must be buy or sell, not "${cell('type')}"` },
    );
    const itemText = cell('item');
    const item = check(
      'item',
      itemText === ''
        ? { error: 'item is empty: write the market_hash_name' }
        : codePointLength(itemText) > MAX_ITEM_NAME_CHARS
          ? { error: `item is longer than ${MAX_ITEM_NAME_CHARS} characters` }
          : { value: itemText },
    );
    const quantity = check('quantity', parseQuantity(cell('quantity')));
    const unitPriceCents = check(
      'unit_price',
      amountField('unit_price', cell('unit_price'), false),
    );
    const feeCents = check('fee', amountField('fee', cell('fee'), true));
    const rowCurrency = cell('currency').toUpperCase();
    if (rowCurrency !== '' && rowCurrency !== currency) {
      errors.add({
        line: record.line,
        column: 'currency',
        message: `Tracera values everything in ${currency} and cannot convert ${rowCurrency}`,
      });
    }
    const noteText = cell('note');
    if (codePointLength(noteText) > MAX_NOTE_CHARS) {
      errors.add({
        line: record.line,
        column: 'note',
        message: `note is longer than ${MAX_NOTE_CHARS} characters`,
      });
    }
    // Each field that failed added its error above; a row with any is not imported.
    if (
      errors.count > rowErrorsBefore ||
      occurredAt === undefined ||
      kind === undefined ||
      item === undefined ||
      quantity === undefined ||
      unitPriceCents === undefined ||
      feeCents === undefined
    ) {
      continue;
    }
    // The row's total is what the ledger multiplies out; it must stay an exact Number.
    if (!Number.isSafeInteger(quantity * unitPriceCents + feeCents)) {
      errors.add({ line: record.line, message: 'quantity × unit_price is too large to be exact' });
      continue;
    }
    rows.push({
      line: record.line,
      occurredAt,
      kind,
      item,
      quantity,
      unitPriceCents,
      feeCents,
      note: noteText === '' ? null : noteText,
    });
  }
  if (errors.count > 0) return fail();
  return { ok: true, rows };
}

function amountField(column: string, text: string, optional: boolean): FieldResult<number> {
  if (text === '')
    return optional ? { value: 0 } : { error: `${column} is empty: write ${AMOUNT_HINT}` };
  const cents = parseAmountToCents(text);
  return cents === null ? { error: `${column} "${text}" is not ${AMOUNT_HINT}` } : { value: cents };
}

/** An amount cell: written as a plain decimal (formatCents), exact, never prefixed. */
export interface CsvCents {
  readonly cents: number;
}

export type CsvCell = string | number | CsvCents | null;

/** Starts a spreadsheet would read as a formula or a control (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

function textCell(text: string): string {
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function cellText(cell: CsvCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) throw new RangeError(`a CSV number must be finite, got ${cell}`);
    return String(cell);
  }
  if (typeof cell === 'object') return formatCents(cell.cents);
  return textCell(cell);
}

/**
 * RFC 4180 text: CRLF after every record, fields quoted when they hold a
 * comma, quote or line break. Text cells are guarded against formula
 * injection; numbers and `{ cents }` amounts are ours and written plainly.
 * Prepend a BOM (U+FEFF) for Excel to read UTF-8 names like ★ StatTrak™.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header.map(textCell).join(',')];
  for (const [index, row] of rows.entries()) {
    if (row.length !== header.length) {
      throw new RangeError(`row ${index} has ${row.length} cells; the header has ${header.length}`);
    }
    lines.push(row.map(cellText).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
