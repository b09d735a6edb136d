// FIFO cost basis against hand-computed ledgers: each case writes its
// arithmetic beside the entries, so a failure says which cent moved.
import { describe, expect, it } from 'vitest';
import {
  costBasisOfHeld,
  fifoPositions,
  type ItemPosition,
  type LedgerEntry,
  type OpenLot,
  unrealizedCents,
} from '../../src/portfolio/fifo.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const START = Date.UTC(2026, 0, 1);

let nextId = 1;
function entry(
  kind: 'buy' | 'sell',
  day: number,
  quantity: number,
  unitPriceCents: number,
  feeCents = 0,
  itemKey = 'AK-47 | Redline (Field-Tested)',
  id = nextId++,
): LedgerEntry {
  return {
    id,
    kind,
    itemKey,
    quantity,
    unitPriceCents,
    feeCents,
    occurredAt: new Date(START + day * DAY_MS),
  };
}

function only(entries: LedgerEntry[]): ItemPosition {
  const { items } = fifoPositions(entries);
  expect(items).toHaveLength(1);
  return items[0] as ItemPosition;
}

function lotsOf(position: ItemPosition): Array<[number, number]> {
  return position.openLots.map((lot) => [lot.quantity, lot.costCents]);
}

describe('fifoPositions', () => {
  it('a buy then a sell of one unit realizes the difference', () => {
    // cost 1 * 1000 = 1000; proceeds 1 * 1500 = 1500; realized 1500 - 1000 = 500
    const position = only([entry('buy', 0, 1, 1000), entry('sell', 1, 1, 1500)]);
    expect(position).toMatchObject({
      openLots: [],
      openQuantity: 0,
      openCostCents: 0,
      realizedCents: 500,
      unmatchedSellQuantity: 0,
      sellProceedsCents: 1500,
    });
  });

  it('counts the buy fee in the cost and the sell fee against the proceeds', () => {
    // lot: 2 * 1000 + 30 = 2030; sell 1 of 2: takes 2030 * 1/2 = 1015
    // proceeds 1 * 1500 - 75 = 1425; realized 1425 - 1015 = 410; left: 1 unit, 1015
    const position = only([entry('buy', 0, 2, 1000, 30), entry('sell', 1, 1, 1500, 75)]);
    expect(lotsOf(position)).toEqual([[1, 1015]]);
    expect(position.realizedCents).toBe(410);
    expect(position.sellProceedsCents).toBe(1425);
    expect(position.openQuantity).toBe(1);
    expect(position.openCostCents).toBe(1015);
  });

  it('a sale spanning three lots empties the oldest two and takes part of the third', () => {
    // A: 2 * 100 = 200; B: 3 * 200 + 10 = 610; C: 5 * 300 = 1500
    // sell 7 * 400 - 20 = 2780: A 2 units 200, B 3 units 610, C 2 of 5: 1500 * 2/5 = 600
    // cost 200 + 610 + 600 = 1410; realized 2780 - 1410 = 1370; left C: 3 units, 900
    const position = only([
      entry('buy', 0, 2, 100),
      entry('buy', 1, 3, 200, 10),
      entry('buy', 2, 5, 300),
      entry('sell', 3, 7, 400, 20),
    ]);
    expect(lotsOf(position)).toEqual([[3, 900]]);
    expect(position.openLots[0]?.acquiredAt).toEqual(new Date(START + 2 * DAY_MS));
    expect(position.realizedCents).toBe(1370);
    expect(position.openQuantity).toBe(3);
    expect(position.openCostCents).toBe(900);
  });

  it('partial sales leave the rest of a lot open, oldest lot first', () => {
    // A: 4 * 50 = 200; B: 2 * 80 = 160. sell 1 @ 100: A 1 of 4 = 50; realized 50
    // sell 2 @ 100: A 2 of 3, 150 * 2/3 = 100; realized 200 - 100 = 100; left A 1 unit 50, B
    const position = only([
      entry('buy', 0, 4, 50),
      entry('buy', 1, 2, 80),
      entry('sell', 2, 1, 100),
      entry('sell', 3, 2, 100),
    ]);
    expect(lotsOf(position)).toEqual([
      [1, 50],
      [2, 160],
    ]);
    expect(position.realizedCents).toBe(150);
    expect(position.openQuantity).toBe(3);
    expect(position.openCostCents).toBe(210);
  });

  it('rounds each take half-even and conserves the lot cost to the cent', () => {
    // lot 3 * 100 + 1 = 301
    // sell 1: 301 * 1/3 = 100.33 -> 100; left 2 units, 201
    // sell 1: 201 * 1/2 = 100.5 -> 100 (half to even); left 1 unit, 101
    // sell 1: the last unit takes all 101; takes 100 + 100 + 101 = 301
    // realized (200 - 100) + (200 - 100) + (200 - 101) = 299 = 600 - 301
    const entries = [entry('buy', 0, 3, 100, 1)];
    const afterOne = only([...entries, entry('sell', 1, 1, 200)]);
    expect(lotsOf(afterOne)).toEqual([[2, 201]]);
    const afterTwo = only([...entries, entry('sell', 1, 1, 200), entry('sell', 2, 1, 200)]);
    expect(lotsOf(afterTwo)).toEqual([[1, 101]]);
    const all = only([
      ...entries,
      entry('sell', 1, 1, 200),
      entry('sell', 2, 1, 200),
      entry('sell', 3, 1, 200),
    ]);
    expect(all.openLots).toEqual([]);
    expect(all.realizedCents).toBe(299);
  });

  it('rounds a half up when that reaches the even cent', () => {
    // lot 2 * 1 + 1 = 3; sell 1 @ 0: 3 * 1/2 = 1.5 -> 2 (even); realized 0 - 2 = -2; left 1
    const position = only([entry('buy', 0, 2, 1, 1), entry('sell', 1, 1, 0)]);
    expect(lotsOf(position)).toEqual([[1, 1]]);
    expect(position.realizedCents).toBe(-2);
  });

  it('conserves every lot cost over many uneven takes', () => {
    // 7 lots of 7 units with awkward costs, sold 3 at a time: the takes never
    // add or lose a cent, so realized + open cost = proceeds - total cost + open cost.
    const buys = [0, 1, 2, 3, 4, 5, 6].map((day) => entry('buy', day, 7, 13 + day, day * 3 + 1));
    const totalCost = buys.reduce((sum, b) => sum + b.quantity * b.unitPriceCents + b.feeCents, 0);
    const sells = [10, 11, 12, 13, 14, 15].map((day) => entry('sell', day, 3, 0));
    const position = only([...buys, ...sells]);
    // Proceeds are 0, so realized is minus the cost taken, and open + taken = total.
    expect(position.openQuantity).toBe(49 - 18);
    expect(position.openCostCents - position.realizedCents).toBe(totalCost);
  });

  it('reports units sold beyond the open quantity and realizes only the matched share', () => {
    // lot 2 * 100 = 200; sell 5 * 300 - 50 = 1450; matched 2, unmatched 3
    // matched proceeds 1450 * 2/5 = 580; realized 580 - 200 = 380
    // a later buy opens a new lot: it does not cover the earlier sale after the fact
    const position = only([
      entry('buy', 0, 2, 100),
      entry('sell', 1, 5, 300, 50),
      entry('buy', 2, 1, 500),
    ]);
    expect(position.unmatchedSellQuantity).toBe(3);
    expect(position.realizedCents).toBe(380);
    expect(position.sellProceedsCents).toBe(1450);
    expect(lotsOf(position)).toEqual([[1, 500]]);
  });

  it('a sale with no lots at all realizes nothing but keeps its proceeds', () => {
    // proceeds 1000 - 0 = 1000, no matched units: realized 0, unmatched 1
    const position = only([entry('sell', 0, 1, 1000)]);
    expect(position).toMatchObject({
      realizedCents: 0,
      unmatchedSellQuantity: 1,
      sellProceedsCents: 1000,
      openQuantity: 0,
    });
  });

  it('rounds the matched share of proceeds half-even, negative proceeds too', () => {
    // lot 1 * 100; sell 3 * 0 - 1000 = -1000 (the fee exceeds the price)
    // matched share -1000 * 1/3 = -333.33 -> -333; realized -333 - 100 = -433
    const position = only([entry('buy', 0, 1, 100), entry('sell', 1, 3, 0, 1000)]);
    expect(position.realizedCents).toBe(-433);
    expect(position.sellProceedsCents).toBe(-1000);
    expect(position.unmatchedSellQuantity).toBe(2);
  });

  it('orders entries at the same instant by id', () => {
    // sell id 1 before buy id 2: nothing open when it sells
    const sellFirst = only([
      entry('buy', 0, 1, 100, 0, 'x', 2),
      entry('sell', 0, 1, 150, 0, 'x', 1),
    ]);
    expect(sellFirst.unmatchedSellQuantity).toBe(1);
    expect(lotsOf(sellFirst)).toEqual([[1, 100]]);
    // buy id 1 before sell id 2: realized 150 - 100 = 50
    const buyFirst = only([
      entry('buy', 0, 1, 100, 0, 'x', 1),
      entry('sell', 0, 1, 150, 0, 'x', 2),
    ]);
    expect(buyFirst.unmatchedSellQuantity).toBe(0);
    expect(buyFirst.realizedCents).toBe(50);
  });

  it('gives the same answer for any input order', () => {
    const ledger = [
      entry('buy', 0, 2, 100, 0, 'a'),
      entry('buy', 1, 3, 200, 10, 'a'),
      entry('buy', 1, 4, 33, 1, 'b'),
      entry('sell', 2, 3, 250, 7, 'b'),
      entry('buy', 2, 5, 300, 0, 'a'),
      entry('sell', 3, 7, 400, 20, 'a'),
      entry('sell', 3, 2, 40, 0, 'b'),
      entry('buy', 3, 1, 999, 0, 'a'),
    ];
    const expected = fifoPositions(ledger);
    let seed = 7;
    for (let round = 0; round < 50; round += 1) {
      const shuffled = [...ledger];
      for (let i = shuffled.length - 1; i > 0; i -= 1) {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        const j = seed % (i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j] as LedgerEntry, shuffled[i] as LedgerEntry];
      }
      expect(fifoPositions(shuffled)).toEqual(expected);
    }
  });

  it('keeps items apart, orders them by key and totals them', () => {
    // a: 2 * 100 = 200, sell 1 @ 150: realized 150 - 100 = 50, open 1 unit 100
    // b: 1 * 40 = 40, sell 2 @ 60 - 4 = 116: matched 1, share 58, realized 58 - 40 = 18
    const { items, totals } = fifoPositions([
      entry('buy', 0, 1, 40, 0, 'b'),
      entry('buy', 0, 2, 100, 0, 'a'),
      entry('sell', 1, 1, 150, 0, 'a'),
      entry('sell', 1, 2, 60, 4, 'b'),
    ]);
    expect(items.map((item) => item.itemKey)).toEqual(['a', 'b']);
    expect(totals).toEqual({
      openCostCents: 100,
      realizedCents: 68,
      unmatchedSellQuantity: 1,
      sellProceedsCents: 266,
    });
  });

  it('stays exact where quantity * price * taken passes 2^53', () => {
    // lot 3 * 3,000,000,000,000,001 + 1 = 9,000,000,000,000,004 (just under 2^53 = 9,007,...)
    // sell 1: 9,000,000,000,000,004 / 3 = 3,000,000,000,000,001.33 -> ...001
    // left 2 units, 6,000,000,000,000,003; realized 3,000,000,000,000,001 - ...001 = 0
    const position = only([
      entry('buy', 0, 3, 3_000_000_000_000_001, 1),
      entry('sell', 1, 1, 3_000_000_000_000_001),
    ]);
    expect(lotsOf(position)).toEqual([[2, 6_000_000_000_000_003]]);
    expect(position.realizedCents).toBe(0);
  });

  it('throws rather than return an inexact amount', () => {
    // 1,000,000 * 10,000,000,000 = 10^16 > 2^53
    expect(() => fifoPositions([entry('buy', 0, 1_000_000, 10_000_000_000)])).toThrow(RangeError);
    // two items of 5 * 10^15 each: each exact, their total is not
    expect(() =>
      fifoPositions([
        entry('buy', 0, 1, 5_000_000_000_000_000, 0, 'a'),
        entry('buy', 0, 1, 5_000_000_000_000_000, 0, 'b'),
      ]),
    ).toThrow(/total open cost/);
  });

  it('refuses entries that are not whole units and whole cents', () => {
    expect(() => fifoPositions([entry('buy', 0, 0, 100)])).toThrow(RangeError);
    expect(() => fifoPositions([entry('buy', 0, 1.5, 100)])).toThrow(RangeError);
    expect(() => fifoPositions([entry('buy', 0, 1, 10.5)])).toThrow(RangeError);
    expect(() => fifoPositions([entry('buy', 0, 1, 100, -1)])).toThrow(RangeError);
    const bad = { ...entry('buy', 0, 1, 100), occurredAt: new Date(Number.NaN) };
    expect(() => fifoPositions([bad])).toThrow(RangeError);
  });

  it('an empty ledger has no items and zero totals', () => {
    expect(fifoPositions([])).toEqual({
      items: [],
      totals: {
        openCostCents: 0,
        realizedCents: 0,
        unmatchedSellQuantity: 0,
        sellProceedsCents: 0,
      },
    });
  });
});

describe('costBasisOfHeld', () => {
  const lot = (quantity: number, costCents: number, day: number): OpenLot => ({
    entryId: day,
    quantity,
    costCents,
    acquiredAt: new Date(START + day * DAY_MS),
  });
  // oldest first: A 2 units 200, B 3 units 610, C 5 units 1500 (10 units, 2310)
  const lots = [lot(2, 200, 0), lot(3, 610, 1), lot(5, 1500, 2)];

  it.each([
    // held, covered, cost, uncovered
    [0, 0, 0, 0],
    [4, 4, 1200, 0], // C 4 of 5: 1500 * 4/5 = 1200
    [5, 5, 1500, 0], // all of C
    [7, 7, 1907, 0], // C 1500 + B 2 of 3: 610 * 2/3 = 406.67 -> 407
    [10, 10, 2310, 0], // every lot: 200 + 610 + 1500
    [12, 10, 2310, 2], // two more than the ledger has: no known cost
  ])('holding %i covers %i units costing %i, %i uncovered', (held, covered, cost, uncovered) => {
    expect(costBasisOfHeld(lots, held)).toEqual({
      coveredQuantity: covered,
      costCents: cost,
      uncoveredQuantity: uncovered,
    });
  });

  it('with no lots, every held unit is uncovered', () => {
    expect(costBasisOfHeld([], 3)).toEqual({
      coveredQuantity: 0,
      costCents: 0,
      uncoveredQuantity: 3,
    });
  });

  it('takes a half cent to the even side', () => {
    // one lot 2 units 3 cents, hold 1: 3 * 1/2 = 1.5 -> 2
    expect(costBasisOfHeld([lot(2, 3, 0)], 1).costCents).toBe(2);
    // 2 units 5 cents, hold 1: 2.5 -> 2
    expect(costBasisOfHeld([lot(2, 5, 0)], 1).costCents).toBe(2);
  });

  it('refuses a negative or fractional held quantity', () => {
    expect(() => costBasisOfHeld(lots, -1)).toThrow(RangeError);
    expect(() => costBasisOfHeld(lots, 1.5)).toThrow(RangeError);
  });
});

describe('unrealizedCents', () => {
  it('is the value of the covered units minus their cost', () => {
    // held 7 of the lots above: cost 1907; 7 * 350 = 2450; 2450 - 1907 = 543
    expect(
      unrealizedCents(350, { coveredQuantity: 7, costCents: 1907, uncoveredQuantity: 0 }),
    ).toBe(543);
    // uncovered units add no value: 2 * 100 - 300 = -100
    expect(unrealizedCents(100, { coveredQuantity: 2, costCents: 300, uncoveredQuantity: 5 })).toBe(
      -100,
    );
  });

  it('refuses a fractional unit value', () => {
    expect(() =>
      unrealizedCents(1.5, { coveredQuantity: 1, costCents: 1, uncoveredQuantity: 0 }),
    ).toThrow(RangeError);
  });
});
