// The portfolio as CSV (GET /portfolio/export.csv): one line per held item
// with its price, values and P&L, then the unpriced and unmatched ones, so a
// spreadsheet holds everything the page shows. Amounts are written in
// currency units with two decimals, as a spreadsheet user would type them.

import type { Item } from '../market/catalog/items.js';
import { type CsvCell, toCsv } from './csv.js';
import type { PortfolioValuation } from './valuation.js';

export const EXPORT_COLUMNS = [
  'item',
  'item_id',
  'quantity',
  'currency',
  'price',
  'price_source',
  'price_observed_at',
  'value',
  'net_value',
  'change_24h',
  'cost_basis',
  'covered_quantity',
  'unrealized_pnl',
  'realized_pnl',
  'status',
] as const;

const money = (cents: number | null): CsvCell => (cents === null ? null : { cents });

export function portfolioCsv(
  valuation: PortfolioValuation,
  items: ReadonlyMap<number, Item>,
  currency: string,
): string {
  const nameOf = (itemId: number) => items.get(itemId)?.market_hash_name ?? null;
  const rows: CsvCell[][] = [
    ...valuation.holdings.map((holding) => [
      nameOf(holding.itemId),
      holding.itemId,
      holding.quantity,
      currency,
      money(holding.price.priceCents),
      holding.price.source,
      holding.price.observedAt.toISOString(),
      money(holding.valueCents),
      money(holding.netValueCents),
      money(holding.change24hCents),
      money(holding.costBasisCents),
      holding.coveredQuantity,
      money(holding.unrealizedCents),
      money(holding.realizedCents),
      holding.stale ? 'stale price' : 'priced',
    ]),
    ...valuation.unpriced.map(({ itemId, quantity }) => [
      nameOf(itemId),
      itemId,
      quantity,
      currency,
      ...Array<null>(10).fill(null),
      'no price',
    ]),
    ...valuation.unmatched.map(({ marketHashName, quantity }) => [
      marketHashName,
      null,
      quantity,
      currency,
      ...Array<null>(10).fill(null),
      'not in the catalog',
    ]),
  ];
  return toCsv([...EXPORT_COLUMNS], rows);
}
