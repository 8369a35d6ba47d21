/**
 * The constant-product pool (Uniswap v2, x * y = k), so a cost table can be built offline
 * from a pool's reserves and fee. docs/costs.md derives it.
 *
 * A swap of notional N (quote currency) into a pool whose quote-side reserve is R and whose
 * fee is f (0.003 = 0.3 %) loses, against the pool's mid price, the fraction
 *
 *     impact(N) = 1 - (1 - f) * R / (R + (1 - f) * N)  =  (f * R + (1 - f) * N) / (R + (1 - f) * N)
 *
 * Selling the base side gives the same fraction (its reserve times the mid price is R), so
 * only R and f matter. impact(0) = f; it rises with N and stays below 1.
 */
export function ammImpact(size: number, reserveQuote: number, fee: number): number {
  const inAfterFee = (1 - fee) * size;
  return 1 - ((1 - fee) * reserveQuote) / (reserveQuote + inAfterFee);
}

/** Why reserves or a fee cannot be used, or undefined. */
export function checkPool(reserveQuote: number, fee: number): string | undefined {
  if (!(reserveQuote > 0) || !Number.isFinite(reserveQuote)) return `the quote reserve ${reserveQuote} must be a number > 0 (quote currency)`;
  if (!(fee >= 0 && fee < 1)) return `the fee ${fee} must be a fraction in [0, 1) (0.003 = 0.3 %)`;
  return undefined;
}
