// The ledger CSV import and the portfolio export: each kind of bad line with
// the line number it is reported on, the shapes real spreadsheets write
// (BOM, CRLF, quoted line breaks, empty rows), the caps, injection-safe
// export, and round trips of real item names.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CsvLineError,
  LEDGER_CSV_COLUMNS,
  type LedgerCsvResult,
  ledgerCsvHeader,
  MAX_REPORTED_CSV_ERRORS,
  type ParsedLedgerRow,
  parseCsv,
  parseLedgerCsv,
  toCsv,
} from '../../src/portfolio/csv.js';

const OPTIONS = { maxRows: 1000, currency: 'USD' };
const KARAMBIT = '★ StatTrak™ Karambit | Fade (Factory New)';

function rowsOf(result: LedgerCsvResult): ParsedLedgerRow[] {
  if (!result.ok) throw new Error(`expected rows, got ${JSON.stringify(result.errors)}`);
  return result.rows;
}

function errorsOf(result: LedgerCsvResult): CsvLineError[] {
  if (result.ok) throw new Error('expected errors, got rows');
  return result.errors;
}

function parse(text: string, options = OPTIONS): LedgerCsvResult {
  return parseLedgerCsv(text, options);
}

describe('ledgerCsvHeader', () => {
  it('lists every column, required ones first', () => {
    expect(ledgerCsvHeader).toBe('date,type,item,quantity,unit_price,fee,currency,note');
    expect(LEDGER_CSV_COLUMNS.filter((column) => column.required).map((c) => c.name)).toEqual([
      'date',
      'type',
      'item',
      'quantity',
      'unit_price',
    ]);
  });
});

describe('parseLedgerCsv: good files', () => {
  it('reads every column into cents, dates and line numbers', () => {
    const text = [
      ledgerCsvHeader,
      `2026-11-30,buy,${KARAMBIT},2,1234.56,1.5,USD,first lot`,
      '2026-11-30T14:05:00Z,sell,AK-47 | Redline (Field-Tested),1,12,,,',
    ].join('\n');
    expect(rowsOf(parse(text))).toEqual([
      {
        line: 2,
        occurredAt: new Date('2026-11-30T00:00:00Z'),
        kind: 'buy',
        item: KARAMBIT,
        quantity: 2,
        unitPriceCents: 123_456,
        feeCents: 150,
        note: 'first lot',
      },
      {
        line: 3,
        occurredAt: new Date('2026-11-30T14:05:00Z'),
        kind: 'sell',
        item: 'AK-47 | Redline (Field-Tested)',
        quantity: 1,
        unitPriceCents: 1200,
        feeCents: 0,
        note: null,
      },
    ]);
  });

  it('takes the columns in any order and any case, optional ones left out', () => {
    const text = 'Unit_Price,ITEM,Quantity,Type,Date\n0.03,Sticker | Foo,5,BUY,2026-01-02\n';
    expect(rowsOf(parse(text))).toEqual([
      {
        line: 2,
        occurredAt: new Date('2026-01-02T00:00:00Z'),
        kind: 'buy',
        item: 'Sticker | Foo',
        quantity: 5,
        unitPriceCents: 3,
        feeCents: 0,
        note: null,
      },
    ]);
  });

  it('reads offsets and fractions of a second as the instant they name', () => {
    const text = [
      'date,type,item,quantity,unit_price',
      '2026-11-30T14:05:00+02:00,buy,x,1,1',
      '2026-11-30T14:05-0530,buy,x,1,1',
      '2026-11-30T14:05:00.123456z,buy,x,1,1',
    ].join('\n');
    expect(rowsOf(parse(text)).map((row) => row.occurredAt.toISOString())).toEqual([
      '2026-11-30T12:05:00.000Z',
      '2026-11-30T19:35:00.000Z',
      '2026-11-30T14:05:00.123Z',
    ]);
  });

  it('reads a BOM, CRLF line ends, quoted commas, quotes and line breaks', () => {
    const text =
      '\uFEFFdate,type,item,quantity,unit_price,note\r\n' +
      `2026-11-30,buy,"${KARAMBIT}",1,100.00,"bought, finally"\r\n` +
      '2026-12-01,buy,"Sticker | ""Quoted"" (Foil)",1,1,"line one\r\nline two"\r\n' +
      '2026-12-02,buy,x,1,1,after the multi-line note\r\n';
    const rows = rowsOf(parse(text));
    expect(rows.map((row) => [row.line, row.item, row.note])).toEqual([
      [2, KARAMBIT, 'bought, finally'],
      [3, 'Sticker | "Quoted" (Foil)', 'line one\r\nline two'],
      // The note spans lines 3 and 4, so this row starts on line 5.
      [5, 'x', 'after the multi-line note'],
    ]);
  });

  it('skips blank lines and all-empty rows, and a trailing empty line', () => {
    const text = 'date,type,item,quantity,unit_price\n\n2026-01-01,buy,x,1,1\n,,,,\n\n';
    expect(rowsOf(parse(text)).map((row) => row.line)).toEqual([3]);
  });

  it('trims spaces around values and accepts the account currency in any case', () => {
    const text =
      'date,type,item,quantity,unit_price,currency\n 2026-01-01 , sell ,  x  , 3 , 0.5 , usd \n';
    expect(rowsOf(parse(text))[0]).toMatchObject({
      kind: 'sell',
      item: 'x',
      quantity: 3,
      unitPriceCents: 50,
    });
  });

  it('a header with no rows is an empty import, not an error', () => {
    expect(parse(`${ledgerCsvHeader}\r\n`)).toEqual({ ok: true, rows: [] });
  });
});

describe('parseLedgerCsv: header errors', () => {
  it('an empty file names the header it needs', () => {
    expect(errorsOf(parse(''))).toEqual([
      { line: 1, message: expect.stringContaining(ledgerCsvHeader) },
    ]);
    expect(errorsOf(parse('\uFEFF\n\n'))[0]?.line).toBe(1);
  });

  it('reports unknown, repeated and missing columns, all at once', () => {
    const errors = errorsOf(parse('date,type,item,price,Type,notes\n2026-01-01,buy,x,1,buy,\n'));
    expect(errors).toEqual([
      { line: 1, column: 'price', message: expect.stringContaining('unknown column "price"') },
      { line: 1, column: 'type', message: 'column "type" appears twice' },
      { line: 1, column: 'notes', message: expect.stringContaining('unknown column "notes"') },
      { line: 1, column: 'quantity', message: 'the required column "quantity" is missing' },
      { line: 1, column: 'unit_price', message: 'the required column "unit_price" is missing' },
    ]);
  });

  it('a header on a later line after blank lines keeps its line number', () => {
    expect(errorsOf(parse('\n\ndate,bogus\n'))[0]).toMatchObject({ line: 3, column: 'bogus' });
  });
});

describe('parseLedgerCsv: line errors', () => {
  const header = 'date,type,item,quantity,unit_price,fee,currency,note';
  const good = '2026-01-01,buy,x,1,1.00,,,';

  it.each([
    ['2026-02-30,buy,x,1,1,,,', 'date', 'is not a calendar date'],
    ['1969-12-31,buy,x,1,1,,,', 'date', 'is not a calendar date'],
    ['30/11/2026,buy,x,1,1,,,', 'date', 'is not an ISO 8601 date'],
    ['2026-11-30 14:05:00Z,buy,x,1,1,,,', 'date', 'is not an ISO 8601 date'],
    ['2026-11-30T14:05:00,buy,x,1,1,,,', 'date', 'has a time but no time zone'],
    ['2026-11-30T24:00:00Z,buy,x,1,1,,,', 'date', 'is not a real date and time'],
    ['2026-11-30T14:05:00+25:00,buy,x,1,1,,,', 'date', 'impossible offset'],
    ['2026-01-01,hold,x,1,1,,,', 'type', 'type must be buy or sell'],
    ['2026-01-01,buy,,1,1,,,', 'item', 'item is empty'],
    [`2026-01-01,buy,${'x'.repeat(257)},1,1,,,`, 'item', 'longer than 256'],
    ['2026-01-01,buy,x,0,1,,,', 'quantity', 'from 1 to 1,000,000'],
    ['2026-01-01,buy,x,1000001,1,,,', 'quantity', 'from 1 to 1,000,000'],
    ['2026-01-01,buy,x,1.5,1,,,', 'quantity', 'from 1 to 1,000,000'],
    ['2026-01-01,buy,x,-1,1,,,', 'quantity', 'from 1 to 1,000,000'],
    ['2026-01-01,buy,x,1,,,,', 'unit_price', 'unit_price is empty'],
    ['2026-01-01,buy,x,1,"1,234.56",,,', 'unit_price', 'is not an amount like 12.34'],
    ['2026-01-01,buy,x,1,$5,,,', 'unit_price', 'is not an amount like 12.34'],
    ['2026-01-01,buy,x,1,1.234,,,', 'unit_price', 'is not an amount like 12.34'],
    ['2026-01-01,buy,x,1,1,-0.5,,', 'fee', 'is not an amount like 12.34'],
    [
      '2026-01-01,buy,x,1,1,,EUR,',
      'currency',
      'Tracera values everything in USD and cannot convert EUR',
    ],
    [`2026-01-01,buy,x,1,1,,,${'n'.repeat(501)}`, 'note', 'longer than 500'],
  ])('%s is an error in column %s', (row, column, message) => {
    const errors = errorsOf(parse([header, good, row, good].join('\n')));
    expect(errors).toEqual([{ line: 3, column, message: expect.stringContaining(message) }]);
  });

  it('a note of exactly 500 characters, counted as characters not UTF-16 units, passes', () => {
    const note = '★'.repeat(250) + '😀'.repeat(250); // 500 characters, 750 UTF-16 units
    const rows = rowsOf(parse(`${header}\n2026-01-01,buy,x,1,1,,,${note}\n`));
    expect(rows[0]?.note).toBe(note);
  });

  it('a row whose total would not be an exact number is refused', () => {
    // 1,000,000 * 999,999,999,999.99 dollars passes 2^53 cents
    const errors = errorsOf(parse(`${header}\n2026-01-01,buy,x,1000000,999999999999.99,,,\n`));
    expect(errors).toEqual([{ line: 2, message: expect.stringContaining('too large') }]);
  });

  it('reports a wrong number of fields', () => {
    const errors = errorsOf(parse(`${header}\n${good}\n2026-01-01,buy,x,1\n${good},extra\n`));
    expect(errors).toEqual([
      { line: 3, message: 'the row has 4 fields; the header has 8' },
      { line: 4, message: 'the row has 9 fields; the header has 8' },
    ]);
  });

  it('reports a stray quote in an unquoted field and reads on from the next line', () => {
    const text = `${header}\n2026-01-01,buy,Sticker | 5"Foo,1,1,,,\n2026-01-01,sell,x,1,1,,GBP,\n`;
    expect(errorsOf(parse(text))).toEqual([
      { line: 2, message: expect.stringContaining('a quote inside an unquoted field') },
      { line: 3, column: 'currency', message: expect.stringContaining('cannot convert GBP') },
    ]);
  });

  it('reports text after a closing quote', () => {
    const text = `${header}\n2026-01-01,buy,"x"y,1,1,,,\n${good}\n`;
    expect(errorsOf(parse(text))).toEqual([
      { line: 2, message: expect.stringContaining('text after a closing quote') },
    ]);
  });

  it('reports a quoted field never closed on the line it opens, and stops there', () => {
    const text = `${header}\n${good}\n2026-01-01,buy,"x,1,1,,,\n${good}\n${good}\n`;
    expect(errorsOf(parse(text))).toEqual([
      { line: 3, message: expect.stringContaining('a quoted field is never closed') },
    ]);
  });

  it('reports NUL and other control characters on the line they are on', () => {
    const text = `${header}\n2026-01-01,buy,x\u0000,1,1,,,\n2026-01-01,buy,"a\nb\u001b",1,1,,,\n${good}\u007f\n`;
    expect(errorsOf(parse(text))).toEqual([
      { line: 2, message: 'control character U+0000 is not allowed in a CSV file' },
      { line: 4, message: 'control character U+001B is not allowed in a CSV file' },
      { line: 5, message: 'control character U+007F is not allowed in a CSV file' },
    ]);
  });

  it('allows a tab inside a field', () => {
    expect(rowsOf(parse(`${header}\n2026-01-01,buy,x,1,1,,,a\tb\n`))[0]?.note).toBe('a\tb');
  });

  it('reports a carriage return that is not part of a CRLF', () => {
    const text = `${header}\n2026-01-01,buy,x,1,1,,,a\rb\n${good}\n`;
    expect(errorsOf(parse(text))).toEqual([
      { line: 2, message: 'a carriage return not followed by a line feed' },
    ]);
  });

  it('reports every error of every line and returns no rows', () => {
    const text = [header, good, '2026-13-01,sell,x,0,abc,,,', good, '2026-01-01,swap,,1,1,,,'].join(
      '\r\n',
    );
    const result = parse(text);
    expect(result.ok).toBe(false);
    expect(errorsOf(result).map((error) => [error.line, error.column])).toEqual([
      [3, 'date'],
      [3, 'quantity'],
      [3, 'unit_price'],
      [5, 'type'],
      [5, 'item'],
    ]);
  });

  it(`lists ${MAX_REPORTED_CSV_ERRORS} errors and counts the rest`, () => {
    const bad = Array.from({ length: 150 }, () => '2026-01-01,swap,x,1,1,,,');
    const result = parse([header, ...bad].join('\n'));
    if (result.ok) throw new Error('expected errors');
    expect(result.errors).toHaveLength(100);
    expect(result.errors[0]?.line).toBe(2);
    expect(result.errors[99]?.line).toBe(101);
    expect(result.omittedErrorCount).toBe(50);
  });

  it('a file with more rows than allowed is one error at the first row too many', () => {
    const rows = (count: number) => Array.from({ length: count }, () => good);
    const small = { maxRows: 3, currency: 'USD' };
    expect(rowsOf(parse([header, ...rows(3)].join('\n'), small))).toHaveLength(3);
    expect(parse([header, ...rows(4), 'not,a,row'].join('\n'), small)).toEqual({
      ok: false,
      errors: [{ line: 5, message: expect.stringContaining('more than 3 rows') }],
      omittedErrorCount: 0,
    });
  });
});

describe('parseCsv', () => {
  it('keeps each record with the line it starts on', () => {
    expect(parseCsv('a,b\r\n"1\n2",3\n\n4,""\n')).toEqual({
      records: [
        { line: 1, fields: ['a', 'b'] },
        { line: 2, fields: ['1\n2', '3'] },
        { line: 5, fields: ['4', ''] },
      ],
      errors: [],
    });
  });

  it('reads a last record without a line end, and empty fields at the ends', () => {
    expect(parseCsv(',x,').records).toEqual([{ line: 1, fields: ['', 'x', ''] }]);
  });
});

describe('toCsv', () => {
  it('writes CRLF records and quotes only fields that need it', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['plain', 'with, comma'],
          ['say "hi"', 'two\nlines'],
        ],
      ),
    ).toBe('a,b\r\nplain,"with, comma"\r\n"say ""hi""","two\nlines"\r\n');
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+SUM(A1)', "'+SUM(A1)"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['a=b', 'a=b'],
    [KARAMBIT, KARAMBIT],
  ])('the text cell %j is written %j', (cell, written) => {
    expect(toCsv(['h'], [[cell]])).toBe(`h\r\n${written}\r\n`);
  });

  it('writes numbers and amounts plainly, negative ones too, and null as empty', () => {
    expect(
      toCsv(['n', 'amount', 'loss', 'none'], [[-3, { cents: 123_456 }, { cents: -5 }, null]]),
    ).toBe('n,amount,loss,none\r\n-3,1234.56,-0.05,\r\n');
  });

  it('guards the header as well', () => {
    expect(toCsv(['=x'], [])).toBe("'=x\r\n");
  });

  it('refuses rows of the wrong width and non-finite numbers', () => {
    expect(() => toCsv(['a', 'b'], [['1']])).toThrow(RangeError);
    expect(() => toCsv(['a'], [[Number.NaN]])).toThrow(RangeError);
  });

  it('round-trips item names and notes through parseCsv', () => {
    const rows = [
      [KARAMBIT, 'note, with "quotes"\r\nand a line'],
      ['Sticker | Team Liquid (Holo) | Katowice 2014', ''],
      ['AK-47 | Wild Lotus (Factory New)', '日本語 ☆ ünïcödé'],
    ];
    const parsed = parseCsv(toCsv(['item', 'note'], rows));
    expect(parsed.errors).toEqual([]);
    expect(parsed.records.map((record) => record.fields)).toEqual([['item', 'note'], ...rows]);
  });

  it('round-trips a ledger through the import', () => {
    const header = ledgerCsvHeader.split(',');
    const text = `\uFEFF${toCsv(header, [
      [
        '2026-11-30T14:05:00Z',
        'buy',
        KARAMBIT,
        2,
        { cents: 123_456 },
        { cents: 5 },
        'USD',
        'a, "b"\nc',
      ],
      ['2026-12-01', 'sell', KARAMBIT, 1, { cents: 150_000 }, null, null, null],
    ])}`;
    expect(rowsOf(parse(text))).toEqual([
      {
        line: 2,
        occurredAt: new Date('2026-11-30T14:05:00Z'),
        kind: 'buy',
        item: KARAMBIT,
        quantity: 2,
        unitPriceCents: 123_456,
        feeCents: 5,
        note: 'a, "b"\nc',
      },
      {
        line: 4,
        occurredAt: new Date('2026-12-01T00:00:00Z'),
        kind: 'sell',
        item: KARAMBIT,
        quantity: 1,
        unitPriceCents: 150_000,
        feeCents: 0,
        note: null,
      },
    ]);
  });
});

describe('robustness', () => {
  const csvish = fc.string({
    unit: fc.constantFrom('"', ',', '\r', '\n', 'a', '1', '.', '-', ' ', '\u0000', '★', '\uFEFF'),
    maxLength: 80,
  });

  it('any text gives rows or line errors, never a throw', () => {
    fc.assert(
      fc.property(csvish, (body) => {
        for (const text of [body, `${ledgerCsvHeader}\n${body}`]) {
          const result = parse(text, { maxRows: 5, currency: 'USD' });
          if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('toCsv then parseCsv gives back any text that is not formula-like', () => {
    const cell = fc
      .string({
        unit: fc.constantFrom('"', ',', '\r\n', '\n', 'a', ' ', '★', '™', '|'),
        maxLength: 20,
      })
      .filter((text) => !/^[=+\-@\t\r]/.test(text));
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 5 }), (rows) => {
        const parsed = parseCsv(toCsv(['a', 'b'], rows));
        expect(parsed.errors).toEqual([]);
        // parseCsv skips blank lines: a row of two empty cells is written ",", not blank.
        expect(parsed.records.map((record) => record.fields)).toEqual([['a', 'b'], ...rows]);
      }),
      { numRuns: 1000 },
    );
  });
});
