import { atrWilder } from "./indicators/atr";
import { ema } from "./indicators/rolling";
import type { Strategy } from "./types";

/**
 * Keltner channel (C. Keltner; the EMA/ATR form of L. Raschke): middle[i] = EMA_period(close)[i],
 * upper[i] = middle[i] + multiplier * ATR_period[i] (Wilder's ATR, indicators/atr.ts).
 * Enter when close[i] > upper[i]; exit when close[i] < middle[i]; otherwise the previous
 * state; warm-up i < period (the ATR's). The two cannot hold together (upper >= middle).
 */
export const keltnerBreakout: Strategy = {
  name: "keltner_breakout",
  description: "Buy a close above the upper Keltner channel (EMA + multiplier x ATR); sell a close below the EMA.",
  params: [
    { name: "period", type: "int", low: 5, high: 1000, log: true, default: 20, description: "EMA and ATR length, bars" },
    { name: "multiplier", type: "float", low: 0.5, high: 6, step: 0.1, default: 2, description: "channel width, ATRs" },
  ],
  constraints: [],
  fillsEveryBar: true,
  signal({ bars, scratch }, p, w) {
    const period = p.period as number;
    const mult = p.multiplier as number;
    const n = bars.length;
    const { high, low, close } = bars;
    const middle = scratch.cached(`ema:${period}`, n, (out) => ema(close, period, out));
    const atr = scratch.cached(`atr:${period}`, n, (out) => atrWilder(high, low, close, period, out));
    let state = 0;
    for (let i = 0; i < n; i++) {
      if (i < period) {
        w[i] = 0;
        continue;
      }
      const c = close[i];
      const m = middle[i];
      if (c > m + mult * atr[i]) state = 1;
      else if (c < m) state = 0;
      w[i] = state;
    }
  },
};
