/**
 * Wilder's RSI on close (EVALUATOR-CONTRACT): the first average gain and loss are the
 * simple means of the first `n` changes; then avg = (avg * (n - 1) + x) / n.
 * RSI[i] is defined from i = n on (NaN before). With no losses RSI = 100; with neither
 * gains nor losses (a flat window) RSI = 50.
 */
export function rsiWilder(close: Float64Array, n: number, out: Float64Array): Float64Array {
  const len = close.length;
  let gain = 0;
  let loss = 0;
  for (let i = 0; i < len; i++) {
    if (i === 0) {
      out[i] = NaN;
      continue;
    }
    const ch = close[i] - close[i - 1];
    const g = ch > 0 ? ch : 0;
    const l = ch < 0 ? -ch : 0;
    if (i < n) {
      gain += g;
      loss += l;
      out[i] = NaN;
      continue;
    }
    if (i === n) {
      gain = (gain + g) / n;
      loss = (loss + l) / n;
    } else {
      gain = (gain * (n - 1) + g) / n;
      loss = (loss * (n - 1) + l) / n;
    }
    out[i] = loss === 0 ? (gain === 0 ? 50 : 100) : 100 - 100 / (1 + gain / loss);
  }
  return out;
}
