// Cost basis by FIFO, and the profit it implies. A sale is matched against
// the oldest units still held, the convention tax authorities and most
// trackers use, so "what did the skins I still hold cost me" has one answer.
//
// Costs are exact cents. A buy's fee is part of its cost; a sell's fee comes
// off its proceeds. When a sale takes k of a lot's r remaining units, it
// takes round-half-even(C * k / r) of the lot's remaining cost C and leaves
// the rest with the lot, so the takes from a lot always add up to what it
// cost: no cent is lost or created. Half-even, unlike always rounding down,
// does not push cost systematically onto the units sold last.
//
// A sale of more units than the ledger holds (bought before the ledger
// starts, or elsewhere) is not an error: the units with no lot have unknown
// cost, so they are counted in unmatchedSellQuantity and only the matched
// units' share of the proceeds enters realized P&L.
//
// Arithmetic is in BigInt: quantity * unit price can pass 2^53 for legal
// inputs. Results come back as Numbers and a RangeError is thrown if one
// would not be exact (totals beyond 90 trillion dollars).

export interface LedgerEntry {
  readonly id: number;
  readonly kind: 'buy' | 'sell';
  /** The item's catalog id or market_hash_name: entries group by equality. */
  readonly itemKey: string;
  /** Whole units, at least 1. */
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly feeCents: number;
  readonly occurredAt: Date;
}

export interface OpenLot {
  /** The buy this lot came from. */
  readonly entryId: number;
  readonly quantity: number;
  /** What the remaining units of the lot cost, their share of the buy's fee included. */
  readonly costCents: number;
  readonly acquiredAt: Date;
}

export interface ItemPosition {
  readonly itemKey: string;
  /** Oldest first. */
  readonly openLots: readonly OpenLot[];
  readonly openQuantity: number;
  readonly openCostCents: number;
  /** Matched proceeds minus the cost of the units they took. */
  readonly realizedCents: number;
  /** Units sold with no open lot to take them from: their cost is unknown. */
  readonly unmatchedSellQuantity: number;
  /** Every sale's quantity * unit price - fee, matched or not. */
  readonly sellProceedsCents: number;
}

export interface FifoTotals {
  readonly openCostCents: number;
  readonly realizedCents: number;
  readonly unmatchedSellQuantity: number;
  readonly sellProceedsCents: number;
}

export interface FifoResult {
  /** One per item key, ordered by key. */
  readonly items: readonly ItemPosition[];
  readonly totals: FifoTotals;
}

export interface HeldCostBasis {
  /** Held units that have a cost: min(held, open). */
  readonly coveredQuantity: number;
  readonly costCents: number;
  /** Held units beyond the ledger's open quantity: no known cost. */
  readonly uncoveredQuantity: number;
}

interface MutableLot {
  readonly entryId: number;
  readonly acquiredAt: Date;
  quantity: bigint;
  cost: bigint;
}

/** round-half-even(numerator / denominator) for numerator >= 0, denominator > 0. */
function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder > denominator) return quotient + 1n;
  if (twiceRemainder === denominator && quotient % 2n === 1n) return quotient + 1n;
  return quotient;
}

/** Sign-aware round-half-even, for proceeds that a large fee made negative. */
function divideHalfEvenSigned(numerator: bigint, denominator: bigint): bigint {
  return numerator < 0n
    ? -divideHalfEven(-numerator, denominator)
    : divideHalfEven(numerator, denominator);
}

/** The cost of k of a lot's r remaining units whose remaining cost is C. */
function shareOfCost(cost: bigint, taken: bigint, remaining: bigint): bigint {
  return taken === remaining ? cost : divideHalfEven(cost * taken, remaining);
}

function toExactNumber(value: bigint, what: string): number {
  const result = Number(value);
  if (!Number.isSafeInteger(result)) {
    throw new RangeError(`${what} of ${value} cents is beyond exact Number range`);
  }
  return result;
}

function assertEntry(entry: LedgerEntry): void {
  const wholeCents = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (!Number.isSafeInteger(entry.quantity) || entry.quantity < 1) {
    throw new RangeError(`ledger entry ${entry.id}: quantity must be a whole number >= 1`);
  }
  if (!wholeCents(entry.unitPriceCents) || !wholeCents(entry.feeCents)) {
    throw new RangeError(`ledger entry ${entry.id}: prices and fees are whole cents >= 0`);
  }
  if (Number.isNaN(entry.occurredAt.getTime())) {
    throw new RangeError(`ledger entry ${entry.id}: occurredAt is not a valid date`);
  }
}

/** Time order, ties by id: the same ledger gives the same answer in any input order. */
function byTimeThenId(a: LedgerEntry, b: LedgerEntry): number {
  return a.occurredAt.getTime() - b.occurredAt.getTime() || a.id - b.id;
}

function positionOfItem(itemKey: string, entries: readonly LedgerEntry[]): ItemPosition {
  const lots: MutableLot[] = [];
  let realized = 0n;
  let proceedsTotal = 0n;
  let unmatched = 0n;

  for (const entry of [...entries].sort(byTimeThenId)) {
    const quantity = BigInt(entry.quantity);
    const gross = quantity * BigInt(entry.unitPriceCents);
    const fee = BigInt(entry.feeCents);
    if (entry.kind === 'buy') {
      lots.push({
        entryId: entry.id,
        acquiredAt: entry.occurredAt,
        quantity,
        cost: gross + fee,
      });
      continue;
    }

    const proceeds = gross - fee;
    proceedsTotal += proceeds;
    let toMatch = quantity;
    let matchedCost = 0n;
    while (toMatch > 0n && lots.length > 0) {
      const lot = lots[0] as MutableLot;
      const taken = toMatch < lot.quantity ? toMatch : lot.quantity;
      const cost = shareOfCost(lot.cost, taken, lot.quantity);
      matchedCost += cost;
      lot.cost -= cost;
      lot.quantity -= taken;
      toMatch -= taken;
      if (lot.quantity === 0n) lots.shift();
    }
    unmatched += toMatch;
    const matched = quantity - toMatch;
    if (matched > 0n) {
      // Only the matched units' share of the sale counts: the rest has no cost to set against.
      const matchedProceeds =
        matched === quantity ? proceeds : divideHalfEvenSigned(proceeds * matched, quantity);
      realized += matchedProceeds - matchedCost;
    }
  }

  const openLots = lots.map((lot) => ({
    entryId: lot.entryId,
    quantity: toExactNumber(lot.quantity, 'lot quantity'),
    costCents: toExactNumber(lot.cost, 'lot cost'),
    acquiredAt: lot.acquiredAt,
  }));
  const openQuantity = lots.reduce((sum, lot) => sum + lot.quantity, 0n);
  const openCost = lots.reduce((sum, lot) => sum + lot.cost, 0n);
  return {
    itemKey,
    openLots,
    openQuantity: toExactNumber(openQuantity, 'open quantity'),
    openCostCents: toExactNumber(openCost, 'open cost'),
    realizedCents: toExactNumber(realized, 'realized P&L'),
    unmatchedSellQuantity: toExactNumber(unmatched, 'unmatched quantity'),
    sellProceedsCents: toExactNumber(proceedsTotal, 'sell proceeds'),
  };
}

/** Open lots, realized P&L and proceeds per item of a user's ledger, with totals. */
export function fifoPositions(entries: readonly LedgerEntry[]): FifoResult {
  const byItem = new Map<string, LedgerEntry[]>();
  for (const entry of entries) {
    assertEntry(entry);
    const list = byItem.get(entry.itemKey);
    if (list === undefined) byItem.set(entry.itemKey, [entry]);
    else list.push(entry);
  }
  const keys = [...byItem.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const items = keys.map((key) => positionOfItem(key, byItem.get(key) ?? []));

  let openCost = 0n;
  let realized = 0n;
  let unmatched = 0n;
  let proceeds = 0n;
  for (const item of items) {
    openCost += BigInt(item.openCostCents);
    realized += BigInt(item.realizedCents);
    unmatched += BigInt(item.unmatchedSellQuantity);
    proceeds += BigInt(item.sellProceedsCents);
  }
  return {
    items,
    totals: {
      openCostCents: toExactNumber(openCost, 'total open cost'),
      realizedCents: toExactNumber(realized, 'total realized P&L'),
      unmatchedSellQuantity: toExactNumber(unmatched, 'total unmatched quantity'),
      sellProceedsCents: toExactNumber(proceeds, 'total sell proceeds'),
    },
  };
}

/**
 * The cost of the units actually held, when holdings (a Steam import, or
 * added by hand) differ from the ledger. Covers min(held, open) units,
 * taken from the NEWEST lots: FIFO has already sold the oldest, so units the
 * user no longer holds are assumed to be the oldest ones.
 */
export function costBasisOfHeld(openLots: readonly OpenLot[], heldQuantity: number): HeldCostBasis {
  if (!Number.isSafeInteger(heldQuantity) || heldQuantity < 0) {
    throw new RangeError(`heldQuantity must be a whole number >= 0, got ${heldQuantity}`);
  }
  let toCover = BigInt(heldQuantity);
  let cost = 0n;
  for (let index = openLots.length - 1; index >= 0 && toCover > 0n; index -= 1) {
    const lot = openLots[index] as OpenLot;
    const quantity = BigInt(lot.quantity);
    const taken = toCover < quantity ? toCover : quantity;
    cost += shareOfCost(BigInt(lot.costCents), taken, quantity);
    toCover -= taken;
  }
  const uncoveredQuantity = toExactNumber(toCover, 'uncovered quantity');
  return {
    coveredQuantity: heldQuantity - uncoveredQuantity,
    costCents: toExactNumber(cost, 'held cost'),
    uncoveredQuantity,
  };
}

/**
 * Unrealized P&L of the covered units at a unit value (market price, or the
 * net after Steam's fees): value of the covered units minus their cost.
 * Uncovered units have no cost, so they have no P&L either.
 */
export function unrealizedCents(unitValueCents: number, basis: HeldCostBasis): number {
  if (!Number.isSafeInteger(unitValueCents)) {
    throw new RangeError(`unitValueCents must be a whole number of cents, got ${unitValueCents}`);
  }
  const value = BigInt(unitValueCents) * BigInt(basis.coveredQuantity);
  return toExactNumber(value - BigInt(basis.costCents), 'unrealized P&L');
}
