// Steam's seller fees: a hand-computed table, the gaps where no seller amount
// produces the buyer's price, and the O(1) search checked against the
// brute-force definition and against a float re-implementation of Steam's JS.
import { describe, expect, it } from 'vitest';
import {
  MAX_FEE_INPUT_CENTS,
  MIN_BUYER_PAYS_CENTS,
  sellerReceivesCents,
  steamSellerFees,
} from '../../src/portfolio/steam-fees.js';

/** Steam's economy_common.js with CS2's wallet info, floats as Steam has them. */
function steamJsAmountToSend(received: number): { fees: number; amount: number } {
  const walletFeePercent = Number.parseFloat('0.05');
  const publisherFee = Number.parseFloat('0.10');
  const steamFee = Math.floor(Math.max(received * walletFeePercent, 1) + 0);
  const publisher = Math.floor(publisherFee > 0 ? Math.max(received * publisherFee, 1) : 0);
  return { fees: steamFee + publisher, amount: received + steamFee + publisher };
}

function steamJsSellerReceives(amount: number): number {
  const publisherFee = 0.1;
  let iterations = 0;
  let estimate = Math.trunc((amount - 0) / (0.05 + publisherFee + 1));
  let everUndershot = false;
  let fees = steamJsAmountToSend(estimate);
  while (fees.amount !== amount && iterations < 10) {
    if (fees.amount > amount) {
      if (everUndershot) {
        fees = steamJsAmountToSend(estimate - 1);
        // Steam's fee absorbs the gap: the buyer still pays `amount`.
        fees = { fees: fees.fees + (amount - fees.amount), amount };
        break;
      }
      estimate -= 1;
    } else {
      everUndershot = true;
      estimate += 1;
    }
    fees = steamJsAmountToSend(estimate);
    iterations += 1;
  }
  return fees.amount - fees.fees;
}

/** The definition: the largest s >= 1 whose buyer price is at most p, by walking s upward. */
function bruteForceTable(maxBuyerPays: number): Int32Array {
  const table = new Int32Array(maxBuyerPays + 1);
  let seller = 0;
  for (let price = 0; price <= maxBuyerPays; price += 1) {
    while (steamSellerFees(seller + 1).buyerPaysCents <= price) seller += 1;
    table[price] = seller;
  }
  return table;
}

describe('steamSellerFees', () => {
  it.each([
    // s, steam fee, game fee, buyer pays
    [0, 1, 1, 2], // both fees at their one-cent minimum
    [1, 1, 1, 3], // 1*5% = 0.05 -> 1 (minimum); 1*10% = 0.1 -> 1 (minimum); 1+1+1
    [9, 1, 1, 11], // 0.45 -> 1; 0.9 -> 1; 9+1+1
    [10, 1, 1, 12], // 0.5 -> 1; 1.0 -> 1; 10+1+1
    [19, 1, 1, 21], // 0.95 -> 1; 1.9 -> 1; 19+1+1
    [20, 1, 2, 23], // 1.0 -> 1; 2.0 -> 2; 20+1+2
    [88, 4, 8, 100], // 4.4 -> 4; 8.8 -> 8; 88+4+8
    [99, 4, 9, 112], // 4.95 -> 4; 9.9 -> 9; 99+4+9
    [100, 5, 10, 115], // 5 ; 10 ; 100+5+10
    [870, 43, 87, 1000], // 43.5 -> 43; 87; 870+43+87
    [130_436, 6521, 13_043, 150_000], // 6521.8 -> 6521; 13043.6 -> 13043
  ])('seller %i: Steam %i + game %i, buyer pays %i', (seller, steam, game, buyer) => {
    expect(steamSellerFees(seller)).toEqual({
      steamFeeCents: steam,
      gameFeeCents: game,
      buyerPaysCents: buyer,
    });
  });

  it('refuses fractions, negatives and amounts beyond the exact range', () => {
    expect(() => steamSellerFees(1.5)).toThrow(RangeError);
    expect(() => steamSellerFees(-1)).toThrow(RangeError);
    expect(() => steamSellerFees(MAX_FEE_INPUT_CENTS + 1)).toThrow(RangeError);
    expect(() => steamSellerFees(Number.NaN)).toThrow(RangeError);
  });
});

describe('sellerReceivesCents', () => {
  it.each([
    [0, 0], // nothing sells for free
    [1, 0], // below the 3-cent minimum listing
    [2, 0], // buyerPays(0) is 2, but a listing is at least 1 cent for the seller
    [3, 1], // 1 + 1 + 1
    [4, 2], // 2 + 1 + 1
    [11, 9], // 9 + 1 + 1
    [12, 10], // 10 + 1 + 1
    [21, 19], // 19 + 1 + 1
    [22, 19], // gap: buyerPays(19) = 21, buyerPays(20) = 23; Steam's fee takes 2
    [23, 20], // 20 + 1 + 2
    [100, 88], // 88 + 4 + 8; buyerPays(89) = 89 + 4 + 8 = 101
    [112, 99], // 99 + 4 + 9
    [113, 99], // gap: buyerPays(100) = 115
    [114, 99], // gap, two cents wide
    [115, 100], // 100 + 5 + 10
    [1000, 870], // 870 + 43 + 87; buyerPays(871) = 871 + 43 + 87 = 1001
    [150_000, 130_436], // 130436 + 6521 + 13043; buyerPays(130435) = 149999
  ])('a buyer paying %i cents leaves the seller %i', (buyer, seller) => {
    expect(sellerReceivesCents(buyer)).toBe(seller);
  });

  it('equals the largest s with buyerPays(s) <= p for every p from 0 to 200,000', () => {
    const expected = bruteForceTable(200_000);
    let mismatches = 0;
    for (let price = 0; price <= 200_000; price += 1) {
      if (sellerReceivesCents(price) !== expected[price]) mismatches += 1;
    }
    expect(mismatches).toBe(0);
  });

  it('equals the definition for large prices, up to the largest accepted', () => {
    const samples = [
      1_000_000,
      9_999_999,
      123_456_789,
      2 ** 31,
      2 ** 40 + 7,
      99_999_999_999_999,
      MAX_FEE_INPUT_CENTS - 1,
      MAX_FEE_INPUT_CENTS,
    ];
    for (let k = 0; k < 2000; k += 1) samples.push(1_000_000 + k * 7_919_413);
    const wrong = samples.filter((price) => {
      const seller = sellerReceivesCents(price);
      return !(
        steamSellerFees(seller).buyerPaysCents <= price &&
        steamSellerFees(seller + 1).buyerPaysCents > price
      );
    });
    expect(wrong).toEqual([]);
  });

  it('lands on an exact seller amount wherever one exists, else in the gap below', () => {
    const wrong: number[] = [];
    let gapPrices = 0;
    for (let seller = 1; seller <= 50_000; seller += 1) {
      const paid = steamSellerFees(seller).buyerPaysCents;
      if (sellerReceivesCents(paid) !== seller) wrong.push(paid);
      const next = steamSellerFees(seller + 1).buyerPaysCents;
      // Every price strictly between two listings pays the lower seller amount.
      for (let price = paid + 1; price < next; price += 1) {
        gapPrices += 1;
        if (sellerReceivesCents(price) !== seller) wrong.push(price);
      }
    }
    expect(wrong).toEqual([]);
    // About one price in eight is a gap: the check above is not vacuous.
    expect(gapPrices).toBeGreaterThan(5000);
  });

  it('never decreases as the buyer price grows', () => {
    const decreasesAt: number[] = [];
    let previous = 0;
    for (let price = 0; price <= 200_000; price += 1) {
      const seller = sellerReceivesCents(price);
      if (seller < previous) decreasesAt.push(price);
      previous = seller;
    }
    expect(decreasesAt).toEqual([]);
  });

  it("agrees with a float re-implementation of Steam's own script", () => {
    // From 3 cents: below the minimum Steam's loop walks to s = 0 or -1.
    let mismatches = 0;
    for (let price = MIN_BUYER_PAYS_CENTS; price <= 200_000; price += 1) {
      if (sellerReceivesCents(price) !== steamJsSellerReceives(price)) mismatches += 1;
    }
    expect(mismatches).toBe(0);
  });

  it('refuses prices it cannot compute exactly', () => {
    expect(() => sellerReceivesCents(-3)).toThrow(RangeError);
    expect(() => sellerReceivesCents(3.5)).toThrow(RangeError);
    expect(() => sellerReceivesCents(MAX_FEE_INPUT_CENTS + 1)).toThrow(RangeError);
  });
});
