// Steam's priceoverview answers with prices formatted for display in the
// requested currency ("$1,234.56", "1.234,56€", "1 234,56 pуб.", "1,--€"),
// sometimes HTML-escaped and padded with non-breaking or thin spaces. These
// functions turn them into integer cents, and they are strict on purpose: a
// string that does not carry the requested currency's symbol, or whose
// separators could be read two ways, is null. A missing price costs one
// observation; a misread one (1,234 read as 1.234) corrupts history and
// volatility.

/** The currencies whose Steam formats we read, with Steam's ECurrencyCode ids. */
export const STEAM_CURRENCY_IDS = {
  USD: 1,
  GBP: 2,
  EUR: 3,
  RUB: 5,
  PLN: 6,
  BRL: 7,
  UAH: 18,
  CNY: 23,
} as const;

export type SteamCurrency = keyof typeof STEAM_CURRENCY_IDS;

interface PriceFormat {
  /** How Steam marks the currency, longest first so "CN¥" is tried before "¥". */
  readonly symbols: readonly string[];
  /** The decimal separator; the other of `.` and `,` groups thousands, as may a space. */
  readonly decimal: '.' | ',';
}

const FORMATS: Readonly<Record<SteamCurrency, PriceFormat>> = {
  USD: { symbols: ['$'], decimal: '.' },
  GBP: { symbols: ['£'], decimal: '.' },
  EUR: { symbols: ['€'], decimal: ',' },
  // Steam writes the ruble with a Latin "p" ("pуб."); the all-Cyrillic spelling is accepted too.
  RUB: { symbols: ['pуб.', 'руб.', 'pуб', 'руб', '₽'], decimal: ',' },
  PLN: { symbols: ['zł'], decimal: ',' },
  BRL: { symbols: ['R$'], decimal: ',' },
  UAH: { symbols: ['₴'], decimal: ',' },
  CNY: { symbols: ['CN¥', '¥', '￥'], decimal: '.' },
};

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  nbsp: '\u00a0',
  thinsp: '\u2009',
  ensp: '\u2002',
  emsp: '\u2003',
  dollar: '$',
  euro: '€',
  pound: '£',
  yen: '¥',
};

/** Decodes the entities Steam uses; an entity we do not know makes the string unreadable (null). */
function decodeEntities(text: string): string | null {
  let unknown = false;
  const decoded = text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body.startsWith('#')) {
      const hex = body[1] === 'x' || body[1] === 'X';
      const codePoint = Number.parseInt(body.slice(hex ? 2 : 1), hex ? 16 : 10);
      if (codePoint > 0x10ffff) {
        unknown = true;
        return entity;
      }
      return String.fromCodePoint(codePoint);
    }
    const named = NAMED_ENTITIES[body.toLowerCase()];
    if (named === undefined) unknown = true;
    return named ?? entity;
  });
  return unknown ? null : decoded;
}

/** Entities decoded, every run of whitespace (non-breaking, thin, narrow) one plain space, trimmed. */
function normalize(text: string): string | null {
  const decoded = decodeEntities(text);
  return decoded === null ? null : decoded.replace(/\s+/g, ' ').trim();
}

/** `text` without `token` at its start or end, or null when neither end carries it. */
function withoutAffix(text: string, tokens: readonly string[]): string | null {
  for (const token of tokens) {
    if (text.startsWith(token)) return text.slice(token.length).trim();
    if (text.endsWith(token)) return text.slice(0, -token.length).trim();
  }
  return null;
}

const UNGROUPED = /^(?:0|[1-9]\d*)$/;

/** Whole units from digits grouped in threes by one separator (`.`, `,` or space), or ungrouped. */
function readWholeUnits(text: string, groupSeparators: string): number | null {
  if (UNGROUPED.test(text)) return Number(text);
  const separator = text.match(/\D/)?.[0];
  if (separator === undefined || !groupSeparators.includes(separator)) return null;
  const groups = text.split(separator);
  const [first, ...rest] = groups;
  if (first === undefined || !/^[1-9]\d{0,2}$/.test(first)) return null;
  if (rest.length === 0 || !rest.every((group) => /^\d{3}$/.test(group))) return null;
  return Number(groups.join(''));
}

function readAmount(text: string, decimal: '.' | ','): number | null {
  const group = decimal === '.' ? ',' : '.';
  const parts = text.split(decimal);
  if (parts.length > 2) return null;
  const [whole, fraction] = parts as [string, string | undefined];
  let cents: number;
  if (fraction === undefined) {
    // "1,234" in USD or "1.234" in EUR could be a misplaced decimal; only a space-grouped
    // or ungrouped whole amount is unambiguous without the decimals.
    if (whole.includes(group)) return null;
    cents = 0;
  } else if (fraction === '--') {
    // Steam writes whole amounts in some currencies as "1,--€".
    cents = 0;
  } else if (/^\d{2}$/.test(fraction)) {
    cents = Number(fraction);
  } else {
    return null;
  }
  const units = readWholeUnits(whole, `${group} `);
  if (units === null) return null;
  const total = units * 100 + cents;
  return Number.isSafeInteger(total) ? total : null;
}

/**
 * Cents from a Steam price string in `currency`, or null when the string is
 * missing, in another currency, or not unambiguously readable.
 */
export function parseSteamPrice(text: unknown, currency: SteamCurrency): number | null {
  if (typeof text !== 'string') return null;
  const normalized = normalize(text);
  if (normalized === null) return null;
  const format = FORMATS[currency];
  // Some Steam pages add the ISO code ("$1.23 USD"); the symbol is still required.
  const withoutCode = withoutAffix(normalized, [currency]) ?? normalized;
  const amount = withoutAffix(withoutCode, format.symbols);
  if (amount === null || amount === '') return null;
  return readAmount(amount, format.decimal);
}

/**
 * A Steam volume ("1,234", "1.234", "1 234") as a count, or null. A count has
 * no decimals, so any one consistent thousands separator reads unambiguously.
 */
export function parseSteamVolume(text: unknown): number | null {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text >= 0 ? text : null;
  if (typeof text !== 'string') return null;
  const normalized = normalize(text);
  if (normalized === null) return null;
  const count = readWholeUnits(normalized, ',. ');
  return count !== null && Number.isSafeInteger(count) ? count : null;
}
