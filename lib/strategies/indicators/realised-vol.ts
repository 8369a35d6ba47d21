/**
 * Realised variance per bar from log returns r[i] = ln(close[i] / close[i-1]):
 * RV_n[i] = (1/n) * sum_{k=i-n+1..i} r[k]^2, the mean of squared returns, not demeaned
 * (the usual high-frequency estimator: the mean of 5-minute returns is noise next to
 * their spread). Defined from i = n on, where the window starts at bar 1 or later.
 */
import { smaCompensated } from "./rolling";

/** out[i] = ln(close[i] / close[i-1])^2; out[0] = 0 (no return before bar 0). */
export function squaredLogReturns(close: Float64Array, out: Float64Array): Float64Array {
  const len = close.length;
  if (len > 0) out[0] = 0;
  for (let i = 1; i < len; i++) {
    const r = Math.log(close[i] / close[i - 1]);
    out[i] = r * r;
  }
  return out;
}

/** out[i] = RV_n[i] from the squared returns; NaN for i < n. */
export function realisedVariance(squaredReturns: Float64Array, n: number, out: Float64Array): Float64Array {
  smaCompensated(squaredReturns, n, out);
  // sma fills from i = n - 1, a window that holds the placeholder at bar 0.
  if (n - 1 < out.length) out[n - 1] = NaN;
  return out;
}
