/**
 * Average true range (J. W. Wilder, "New Concepts in Technical Trading Systems", 1978).
 * TR[i] = max(high[i] - low[i], |high[i] - close[i-1]|, |low[i] - close[i-1]|) for i >= 1
 * (bar 0 has no previous close, so no true range). ATR is Wilder's smoothing of TR,
 * seeded like Wilder's RSI: ATR[n] = mean(TR[1..n]), then ATR[i] = (ATR[i-1] * (n-1) + TR[i]) / n.
 * Defined from i = n on (NaN before), as in TA-Lib and technicalindicators.
 */
export function atrWilder(high: Float64Array, low: Float64Array, close: Float64Array, n: number, out: Float64Array): Float64Array {
  const len = close.length;
  if (len > 0) out[0] = NaN;
  let avg = 0;
  for (let i = 1; i < len; i++) {
    const h = high[i];
    const l = low[i];
    const pc = close[i - 1];
    let tr = h - l;
    const up = Math.abs(h - pc);
    const down = Math.abs(l - pc);
    if (up > tr) tr = up;
    if (down > tr) tr = down;
    if (i < n) {
      avg += tr;
      out[i] = NaN;
    } else if (i === n) {
      avg = (avg + tr) / n;
      out[i] = avg;
    } else {
      avg = (avg * (n - 1) + tr) / n;
      out[i] = avg;
    }
  }
  return out;
}
