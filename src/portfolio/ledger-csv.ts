// The ledger's CSV import: the file is parsed and checked whole (csv.ts);
// once every line reads, every item name is matched to the catalog and every
// date checked; only a file with no bad line is stored, in one transaction.
// Each error names its line and column.
import type { Database } from '../platform/db/index.js';
import { type CsvLineError, MAX_REPORTED_CSV_ERRORS, parseLedgerCsv } from './csv.js';
import { itemIdsByName } from './holdings.js';
import { addLedgerRows, type LedgerInput } from './ledger.js';
import { MAX_TRADE_CENTS } from './schemas.js';

/** Rows one file may hold: a decade of active trading, and a bounded transaction. */
export const LEDGER_CSV_MAX_ROWS = 10_000;

export interface LedgerCsvImportOptions {
  readonly currency: string;
  readonly now: number;
  /** A trade dated further ahead than this is refused. */
  readonly futureToleranceMs: number;
}

export type LedgerCsvImport =
  | { readonly ok: true; readonly imported: number }
  | { readonly ok: false; readonly detail: string; readonly errors: CsvLineError[] };

function refused(errors: CsvLineError[], omitted: number): LedgerCsvImport {
  const total = errors.length + omitted;
  const more = omitted > 0 ? ` (the first ${errors.length} are listed)` : '';
  return {
    ok: false,
    detail: `The file has ${total} bad ${total === 1 ? 'line' : 'lines'}${more}; nothing was imported.`,
    errors,
  };
}

export async function importLedgerCsv(
  database: Database,
  userId: number,
  text: string,
  options: LedgerCsvImportOptions,
): Promise<LedgerCsvImport> {
  const parsed = parseLedgerCsv(text, { maxRows: LEDGER_CSV_MAX_ROWS, currency: options.currency });
  if (!parsed.ok) return refused(parsed.errors, parsed.omittedErrorCount);
  if (parsed.rows.length === 0) {
    return refused([{ line: 2, message: 'The file has a header but no transactions' }], 0);
  }
  const ids = await itemIdsByName(database, [...new Set(parsed.rows.map((row) => row.item))]);
  const errors: CsvLineError[] = [];
  const inputs: LedgerInput[] = [];
  for (const row of parsed.rows) {
    const itemId = ids.get(row.item);
    if (itemId === undefined) {
      errors.push({
        line: row.line,
        column: 'item',
        message: `No catalog item is named "${row.item}"`,
      });
    }
    for (const [column, cents] of [
      ['unit_price', row.unitPriceCents],
      ['fee', row.feeCents],
    ] as const) {
      if (cents > MAX_TRADE_CENTS) {
        errors.push({
          line: row.line,
          column,
          message: `${column} is above ${MAX_TRADE_CENTS / 100}`,
        });
      }
    }
    if (row.occurredAt.getTime() > options.now + options.futureToleranceMs) {
      errors.push({ line: row.line, column: 'date', message: 'The trade is dated in the future' });
    }
    if (itemId === undefined || errors.length > 0) continue;
    inputs.push({
      kind: row.kind,
      item: { id: itemId, market_hash_name: row.item },
      quantity: row.quantity,
      unitPriceCents: row.unitPriceCents,
      feeCents: row.feeCents,
      currency: options.currency,
      occurredAt: row.occurredAt,
      note: row.note ?? '',
    });
  }
  if (errors.length > 0) {
    const kept = errors.slice(0, MAX_REPORTED_CSV_ERRORS);
    return refused(kept, errors.length - kept.length);
  }
  await addLedgerRows(database, userId, inputs);
  return { ok: true, imported: inputs.length };
}
