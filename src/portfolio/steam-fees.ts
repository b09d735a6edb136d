// Net value after Steam's seller fees. A holding's "net value" is what you
// would actually receive selling it on the Steam Community Market, not the
// price a buyer pays: a $1.00 listing pays its seller 88 cents.
//
// The rule, as Steam's own market script applies it (economy_common.js,
// CalculateAmountToSendForDesiredReceivedAmount and CalculateFeeAmount):
// for a seller amount s (cents), Steam's fee is floor(max(s * 5%, 1)) and the
// game's (publisher) fee, 10% for CS2, is floor(max(s * 10%, 1)); the buyer
// pays s + both fees. buyerPays(s) is strictly increasing but skips some
// prices (s = 19 costs 21, s = 20 costs 23: nobody can list at 22). For a
// buyer price p Steam finds the s with buyerPays(s) = p, and when p falls in
// such a gap the seller gets the largest s with buyerPays(s) < p and Steam's
// fee absorbs the difference. Both cases are "the largest s >= 1 with
// buyerPays(s) <= p"; below 3 cents (1 + 1 + 1) nothing can be sold.
//
// Integer arithmetic throughout: floor(s * 5 / 100) and floor(s * 10 / 100)
// as exact integer divisions, never a product with the float 0.05.

/** Steam's own cut, in percent of the seller's amount. */
export const STEAM_FEE_PERCENT = 5;
/** Valve's cut as CS2's publisher, in percent of the seller's amount. */
export const CS2_GAME_FEE_PERCENT = 10;
/** Each fee is at least this much, however small the sale. */
export const MIN_FEE_CENTS = 1;
/** The cheapest listing: one cent for the seller plus two one-cent fees. */
export const MIN_BUYER_PAYS_CENTS = 3;
/**
 * A trillion dollars: far above any price, and low enough that s * 10 and
 * buyerPays(s) stay exact integers in a Number.
 */
export const MAX_FEE_INPUT_CENTS = 100_000_000_000_000;

export interface SteamSellerFees {
  readonly steamFeeCents: number;
  readonly gameFeeCents: number;
  readonly buyerPaysCents: number;
}

/** floor(n / d) for a non-negative safe integer n, exact at any magnitude. */
function floorDiv(n: number, d: number): number {
  return (n - (n % d)) / d;
}

/** The fees on a seller amount, and what the buyer pays for it. */
export function steamSellerFees(sellerCents: number): SteamSellerFees {
  assertCents(sellerCents, 'sellerCents');
  const steamFeeCents = Math.max(floorDiv(sellerCents * STEAM_FEE_PERCENT, 100), MIN_FEE_CENTS);
  const gameFeeCents = Math.max(floorDiv(sellerCents * CS2_GAME_FEE_PERCENT, 100), MIN_FEE_CENTS);
  return {
    steamFeeCents,
    gameFeeCents,
    buyerPaysCents: sellerCents + steamFeeCents + gameFeeCents,
  };
}

function buyerPays(sellerCents: number): number {
  return steamSellerFees(sellerCents).buyerPaysCents;
}

/**
 * What the seller receives for a listing the buyer pays `buyerPaysCents` for:
 * the largest s >= 1 with buyerPays(s) <= p, or 0 below 3 cents.
 *
 * O(1): for s >= 10, 1.15 s - 2 < buyerPays(s) <= 1.15 s, so the answer lies
 * within two cents of floor(p / 1.15); start there and step, as Steam does.
 */
export function sellerReceivesCents(buyerPaysCents: number): number {
  assertCents(buyerPaysCents, 'buyerPaysCents');
  if (buyerPaysCents < MIN_BUYER_PAYS_CENTS) return 0;
  // floor(p / 1.15) as floor(p * 20 / 23); p * 20 is exact under MAX_FEE_INPUT_CENTS.
  let seller = Math.max(floorDiv(buyerPaysCents * 20, 23), 1);
  while (buyerPays(seller) > buyerPaysCents) seller -= 1;
  while (buyerPays(seller + 1) <= buyerPaysCents) seller += 1;
  return seller;
}

function assertCents(cents: number, name: string): void {
  if (!Number.isInteger(cents) || cents < 0 || cents > MAX_FEE_INPUT_CENTS) {
    throw new RangeError(
      `${name} must be an integer of cents from 0 to ${MAX_FEE_INPUT_CENTS}, got ${cents}`,
    );
  }
}
