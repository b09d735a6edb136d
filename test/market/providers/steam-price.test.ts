// The currency-parsing table: price strings shaped like Steam's priceoverview
// answers in each currency we read, and the cents they mean, or null where a
// string is missing, in another currency, or could be read two ways.
import { describe, expect, it } from 'vitest';
import {
  parseSteamPrice,
  parseSteamVolume,
  STEAM_CURRENCY_IDS,
  type SteamCurrency,
} from '../../../src/market/providers/steam-price.js';

const NBSP = '\u00a0';
const THIN = '\u2009';
const NARROW_NBSP = '\u202f';

const table: Record<SteamCurrency, ReadonlyArray<readonly [unknown, number | null]>> = {
  USD: [
    ['$0.03', 3],
    ['$1.23', 123],
    ['$12.00', 1200],
    ['$1,234.56', 123456],
    ['$1,234,567.89', 123456789],
    ['$1234.56', 123456],
    ['$5', 500],
    ['$1.23 USD', 123],
    ['&#36;1.23', 123],
    ['&#x24;1,234.56', 123456],
    ['&dollar;0.99', 99],
    ['$1.23   ', 123],
    [`$1.23${NBSP}`, 123],
    [' $ 1.23 ', 123],
    ['$1,23', null],
    ['$1.234', null],
    ['$1.2', null],
    ['$1,234', null],
    ['$12,34.56', null],
    ['$1,2345.00', null],
    ['1.23', null],
    ['1,23€', null],
    ['-$1.23', null],
    ['$-1.23', null],
    ['$', null],
    ['', null],
    ['$1.23.45', null],
    ['$01.23', null],
    ['&#36$1.23', null],
    ['&amp;#36;1.23', null],
    ['&bogus;1.23', null],
    [undefined, null],
    [null, null],
    [123, null],
  ],
  GBP: [
    ['£0.03', 3],
    ['£1,234.56', 123456],
    ['&pound;12.50', 1250],
    ['&#163;7.00', 700],
    ['£1,234', null],
    ['$0.03', null],
    ['0.03', null],
  ],
  EUR: [
    ['0,03€', 3],
    ['42,18€', 4218],
    ['42,18\u20ac', 4218],
    ['1.234,56€', 123456],
    ['1.234.567,89€', 123456789],
    [`1${NBSP}234,56€`, 123456],
    [`1${THIN}234,56€`, 123456],
    ['1,--€', 100],
    ['1.234,--€', 123400],
    ['12,50 €', 1250],
    ['0,03&euro;', 3],
    ['0,03&#8364;', 3],
    ['0,03&#x20AC;', 3],
    [`1,23€${NBSP}${NBSP}`, 123],
    ['12€', 1200],
    ['€1,23', 123],
    ['1,23€ EUR', 123],
    ['1.23€', null],
    ['1.234€', null],
    ['1,234€', null],
    ['1,2€', null],
    ['1,-€', null],
    ['1.23,45€', null],
    ['$1.23', null],
    ['1,23', null],
    ['1,23 €€', null],
  ],
  RUB: [
    ['163,80 pуб.', 16380],
    ['1 234,56 pуб.', 123456],
    [`1${NBSP}234,56${NBSP}pуб.`, 123456],
    [`12${NARROW_NBSP}345,00 pуб.`, 1234500],
    ['1 234 pуб.', 123400],
    ['64 pуб.', 6400],
    ['0,50 руб.', 50],
    ['99,99 ₽', 9999],
    ['5,00 pуб', 500],
    ['1.234,56 pуб.', 123456],
    ['1.234 pуб.', null],
    ['1,234 pуб.', null],
    ['1 23,45 pуб.', null],
    ['163,80', null],
    ['163,80 p.', null],
  ],
  PLN: [
    ['0,03zł', 3],
    ['1 234,56zł', 123456],
    [`1${NBSP}234,56zł`, 123456],
    ['12,00 zł', 1200],
    ['1 234zł', 123400],
    ['1,--zł', 100],
    ['1.23zł', null],
    ['1,234zł', null],
    ['1,23', null],
  ],
  BRL: [
    ['R$ 0,03', 3],
    ['R$ 1.234,56', 123456],
    [`R$${NBSP}1.234,56`, 123456],
    ['R$1,23', 123],
    ['R&#36; 4,20', 420],
    ['R$ 1.234', null],
    ['R$ 1.23', null],
    ['$ 1,23', null],
    ['R$ 1,2', null],
  ],
  UAH: [
    ['0,03₴', 3],
    ['1 234,56₴', 123456],
    [`1${THIN}234,56₴`, 123456],
    ['12,50 ₴', 1250],
    ['1,--₴', 100],
    ['1.23₴', null],
    ['1 234,5₴', null],
    ['12,50', null],
  ],
  CNY: [
    ['¥ 12.34', 1234],
    ['¥12.34', 1234],
    ['CN¥ 12.34', 1234],
    ['¥ 1,234.56', 123456],
    ['￥ 0.50', 50],
    ['&yen; 3.00', 300],
    ['&#165; 3.00', 300],
    ['¥ 12,34', null],
    ['¥ 1,234', null],
    ['12.34', null],
    ['$ 12.34', null],
  ],
};

describe('parseSteamPrice', () => {
  for (const [currency, rows] of Object.entries(table) as [
    SteamCurrency,
    (typeof table)[SteamCurrency],
  ][]) {
    describe(currency, () => {
      it.each(rows.map(([text, cents]) => [JSON.stringify(text) ?? String(text), text, cents]))(
        '%s → %s',
        (_label, text, cents) => {
          expect(parseSteamPrice(text, currency)).toBe(cents);
        },
      );
    });
  }

  it('reads a string only in the currency it was asked for', () => {
    expect(parseSteamPrice('1,23€', 'EUR')).toBe(123);
    for (const currency of ['USD', 'GBP', 'RUB', 'PLN', 'BRL', 'UAH', 'CNY'] as const) {
      expect(parseSteamPrice('1,23€', currency)).toBeNull();
    }
  });
});

describe('parseSteamVolume', () => {
  it.each([
    ['0', 0],
    ['7', 7],
    ['1,234', 1234],
    ['1.234', 1234],
    ['1 234', 1234],
    [`1${NBSP}234`, 1234],
    ['12,345,678', 12345678],
    [' 42 ', 42],
    [5, 5],
    ['1,23', null],
    ['1,234.5', null],
    ['1,234 567', null],
    ['-1', null],
    ['1.5', null],
    ['many', null],
    ['', null],
    [-3, null],
    [1.5, null],
    [undefined, null],
  ])('%j → %j', (text, count) => {
    expect(parseSteamVolume(text)).toBe(count);
  });
});

describe('STEAM_CURRENCY_IDS', () => {
  it("uses Steam's ECurrencyCode ids", () => {
    expect(STEAM_CURRENCY_IDS).toEqual({
      USD: 1,
      GBP: 2,
      EUR: 3,
      RUB: 5,
      PLN: 6,
      BRL: 7,
      UAH: 18,
      CNY: 23,
    });
  });
});
