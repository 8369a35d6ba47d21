import { atrWilder } from "./indicators/atr";
import type { Strategy } from "./types";

/**
 * Supertrend (O. Seban), as in the common TradingView script: ATR = Wilder's ATR(period)
 * (indicators/atr.ts, defined from i = period), mid = (high + low) / 2,
 *   basicUpper = mid + multiplier * ATR,  basicLower = mid - multiplier * ATR,
 * bands ratchet while price respects them (at i = period they are the basic bands):
 *   upper[i] = close[i-1] < upper[i-1] ? min(basicUpper[i], upper[i-1]) : basicUpper[i]
 *   lower[i] = close[i-1] > lower[i-1] ? max(basicLower[i], lower[i-1]) : basicLower[i]
 * Out of the market until close[i] > upper[i-1] (enter); in until close[i] < lower[i-1]
 * (exit); otherwise the previous state. Warm-up i < period + 1 (the first decision needs
 * the bands of the bar before). Each rule is only tested in the state it leaves.
 */
export const supertrend: Strategy = {
  name: "supertrend",
  description: "Long while price is above the ATR trailing band (Supertrend): enter above the upper band, exit below the lower.",
  params: [
    { name: "period", type: "int", low: 5, high: 1000, log: true, default: 10, description: "ATR length, bars" },
    { name: "multiplier", type: "float", low: 1, high: 8, step: 0.1, default: 3, description: "band distance, ATRs" },
  ],
  constraints: [],
  fillsEveryBar: true,
  signal({ bars, scratch }, p, w) {
    const period = p.period as number;
    const mult = p.multiplier as number;
    const n = bars.length;
    const { high, low, close } = bars;
    const atr = scratch.cached(`atr:${period}`, n, (out) => atrWilder(high, low, close, period, out));
    let upper = NaN;
    let lower = NaN;
    let state = 0;
    for (let i = 0; i < n; i++) {
      if (i < period) {
        w[i] = 0;
        continue;
      }
      const mid = (high[i] + low[i]) / 2;
      const off = mult * atr[i];
      const bu = mid + off;
      const bl = mid - off;
      if (i === period) {
        upper = bu;
        lower = bl;
        w[i] = 0;
        continue;
      }
      // Decide against the previous bar's bands, then move them to this bar.
      const c = close[i];
      if (state === 0 && c > upper) state = 1;
      else if (state === 1 && c < lower) state = 0;
      const pc = close[i - 1];
      upper = pc < upper && upper < bu ? upper : bu;
      lower = pc > lower && lower > bl ? lower : bl;
      w[i] = state;
    }
  },
};
