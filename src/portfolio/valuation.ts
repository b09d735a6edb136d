// What a portfolio is worth: each held item at the latest price of the most
// preferred source that has one (PORTFOLIO_PRICE_SOURCES), gross and net of
// Steam's seller fees, with its 24 h change, its FIFO cost basis from the
// ledger and the P&L. Prices come from the market summary, which ingestion
// keeps current, in one query for all the items; nothing here reads raw
// prices.
//
// Unrealized P&L is on the gross value (the market price), the number
// traders compare with other trackers; the net value beside it says what a
// sale on Steam would really bring.
import { sql } from 'kysely';
import { getItems, type Item } from '../market/catalog/items.js';
import type { PriceSource } from '../market/types.js';
import { arrayLiteral } from '../platform/db/array-literal.js';
import type { Database } from '../platform/db/index.js';
import { SECOND_MS } from '../platform/time.js';
import {
  costBasisOfHeld,
  fifoPositions,
  type ItemPosition,
  type LedgerEntry,
  unrealizedCents,
} from './fifo.js';
import { type HeldItem, heldItems, type ImportRecord, lastImport } from './holdings.js';
import { type LedgerRow, wholeLedger } from './ledger.js';
import { sellerReceivesCents } from './steam-fees.js';

export interface HoldingPrice {
  readonly priceCents: number;
  readonly source: PriceSource;
  readonly observedAt: Date;
  /** Percent; null when the source has no price 24 hours before. */
  readonly change24hPercent: number | null;
}

/** The latest price of each item from the first of `sources` (in order) that has one. */
export async function preferredPrices(
  database: Database,
  itemIds: readonly number[],
  sources: readonly PriceSource[],
): Promise<Map<number, HoldingPrice>> {
  if (itemIds.length === 0 || sources.length === 0) return new Map();
  // One primary-key lookup per item (item_id, source), the first preferred
  // source that has a row winning: a scan of the whole summary filtered by
  // the ids read every wide row of the catalog (bench/portfolio).
  const { rows } = await sql<{
    item_id: number;
    source: PriceSource;
    price_cents: number;
    observed_at: Date;
    change_24h: number | null;
  }>`
    select held.item_id, best.source, best.price_cents, best.observed_at, best.change_24h
    from unnest(${arrayLiteral(itemIds)}::int[]) as held(item_id)
    cross join lateral (
      select s.source, s.price_cents, s.observed_at, s.change_24h
      from unnest(${arrayLiteral(sources)}::text[]) with ordinality as wanted(source, rank)
      join market_summary s on s.item_id = held.item_id and s.source = wanted.source
      order by wanted.rank
      limit 1
    ) best`.execute(database.db);
  return new Map(
    rows.map((row) => [
      row.item_id,
      {
        priceCents: row.price_cents,
        source: row.source,
        observedAt: row.observed_at,
        change24hPercent: row.change_24h,
      },
    ]),
  );
}

/** The change of one unit over 24 hours, in cents, from the price and its percent change. */
function unitChange24h(price: HoldingPrice): number | null {
  if (price.change24hPercent === null) return null;
  const before = Math.round(price.priceCents / (1 + price.change24hPercent / 100));
  return price.priceCents - before;
}

export interface ValuedHolding {
  readonly itemId: number;
  readonly steamQuantity: number;
  readonly manualQuantity: number;
  readonly quantity: number;
  readonly price: HoldingPrice;
  readonly ageSeconds: number;
  readonly stale: boolean;
  readonly valueCents: number;
  readonly netValueCents: number;
  readonly change24hCents: number | null;
  readonly costBasisCents: number | null;
  readonly coveredQuantity: number;
  readonly unrealizedCents: number | null;
  readonly realizedCents: number;
}

export interface PortfolioTotals {
  readonly valueCents: number;
  readonly netValueCents: number;
  readonly change24hCents: number;
  readonly costBasisCents: number;
  readonly unrealizedCents: number;
  readonly realizedCents: number;
  readonly pricedQuantity: number;
  readonly unpricedQuantity: number;
  readonly unmatchedQuantity: number;
  readonly uncoveredQuantity: number;
}

export interface PortfolioValuation {
  /** Every priced holding, most valuable first. */
  readonly holdings: ValuedHolding[];
  readonly unpriced: { readonly itemId: number; readonly quantity: number }[];
  readonly unmatched: { readonly marketHashName: string; readonly quantity: number }[];
  readonly totals: PortfolioTotals;
  readonly lastImport: ImportRecord | null;
}

export interface ValuationOptions {
  readonly priceSources: readonly PriceSource[];
  readonly staleAfterMs: number;
  readonly now: number;
}

/** Ledger rows keyed as FIFO groups them: by catalog item, or by name when unmatched. */
export function ledgerKey(itemId: number | null, marketHashName: string): string {
  return itemId === null ? `name:${marketHashName}` : `item:${itemId}`;
}

function ledgerEntries(rows: readonly LedgerRow[]): LedgerEntry[] {
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    itemKey: ledgerKey(row.itemId, row.marketHashName),
    quantity: row.quantity,
    unitPriceCents: row.unitPriceCents,
    feeCents: row.feeCents,
    occurredAt: row.occurredAt,
  }));
}

const quantityOf = (held: HeldItem) => held.steamQuantity + held.manualQuantity;

/** Values `held` against the ledger's FIFO positions. */
export async function valueHoldings(
  database: Database,
  held: readonly HeldItem[],
  ledger: readonly LedgerRow[],
  options: ValuationOptions,
): Promise<Omit<PortfolioValuation, 'lastImport'>> {
  const matched = held.filter(
    (entry): entry is HeldItem & { itemId: number } => entry.itemId !== null,
  );
  const ids = matched.map((entry) => entry.itemId);
  const prices = await preferredPrices(database, ids, options.priceSources);
  const fifo = fifoPositions(ledgerEntries(ledger));
  const positions = new Map<string, ItemPosition>(fifo.items.map((p) => [p.itemKey, p]));

  const holdings: ValuedHolding[] = [];
  const unpriced: PortfolioValuation['unpriced'] = [];
  const totals = {
    valueCents: 0,
    netValueCents: 0,
    change24hCents: 0,
    costBasisCents: 0,
    unrealizedCents: 0,
    realizedCents: fifo.totals.realizedCents,
    pricedQuantity: 0,
    unpricedQuantity: 0,
    unmatchedQuantity: 0,
    uncoveredQuantity: 0,
  };
  for (const entry of matched) {
    const quantity = quantityOf(entry);
    const price = prices.get(entry.itemId);
    if (!price) {
      unpriced.push({ itemId: entry.itemId, quantity });
      totals.unpricedQuantity += quantity;
      continue;
    }
    const position = positions.get(ledgerKey(entry.itemId, entry.marketHashName));
    const basis = costBasisOfHeld(position?.openLots ?? [], quantity);
    const covered = basis.coveredQuantity > 0;
    const unitChange = unitChange24h(price);
    const ageMs = Math.max(0, options.now - price.observedAt.getTime());
    const valued: ValuedHolding = {
      itemId: entry.itemId,
      steamQuantity: entry.steamQuantity,
      manualQuantity: entry.manualQuantity,
      quantity,
      price,
      ageSeconds: Math.floor(ageMs / SECOND_MS),
      stale: ageMs > options.staleAfterMs,
      valueCents: price.priceCents * quantity,
      netValueCents: sellerReceivesCents(price.priceCents) * quantity,
      change24hCents: unitChange === null ? null : unitChange * quantity,
      costBasisCents: covered ? basis.costCents : null,
      coveredQuantity: basis.coveredQuantity,
      unrealizedCents: covered ? unrealizedCents(price.priceCents, basis) : null,
      realizedCents: position?.realizedCents ?? 0,
    };
    holdings.push(valued);
    totals.valueCents += valued.valueCents;
    totals.netValueCents += valued.netValueCents;
    totals.change24hCents += valued.change24hCents ?? 0;
    totals.costBasisCents += valued.costBasisCents ?? 0;
    totals.unrealizedCents += valued.unrealizedCents ?? 0;
    totals.pricedQuantity += quantity;
    totals.uncoveredQuantity += basis.uncoveredQuantity;
  }
  const unmatched = held
    .filter((entry) => entry.itemId === null)
    .map((entry) => ({ marketHashName: entry.marketHashName, quantity: quantityOf(entry) }));
  totals.unmatchedQuantity = unmatched.reduce((sum, entry) => sum + entry.quantity, 0);
  holdings.sort((a, b) => b.valueCents - a.valueCents || a.itemId - b.itemId);
  return { holdings, unpriced, unmatched, totals };
}

/** The user's whole portfolio, valued now. */
export async function valuePortfolio(
  database: Database,
  userId: number,
  options: ValuationOptions,
): Promise<PortfolioValuation> {
  const [held, ledger, last] = await Promise.all([
    heldItems(database, userId),
    wholeLedger(database, userId),
    lastImport(database, userId),
  ]);
  const valuation = await valueHoldings(database, held, ledger, options);
  return { ...valuation, lastImport: last };
}

/** The catalog items of `itemIds`, by id: only for the rows an answer shows. */
export async function itemsById(
  database: Database,
  itemIds: readonly number[],
): Promise<Map<number, Item>> {
  const items = await getItems(database, itemIds);
  return new Map(items.map((item) => [item.id, item]));
}
