import { rsiWilder } from "./indicators/rsi";
import type { Strategy } from "./types";

/**
 * EVALUATOR-CONTRACT: Wilder's RSI on close; enter when RSI[i] < lower, exit when
 * RSI[i] > upper, otherwise the previous state; warm-up i < period.
 */
export const rsiReversion: Strategy = {
  name: "rsi_reversion",
  description: "Buy oversold (RSI below `lower`), sell overbought (RSI above `upper`).",
  params: [
    { name: "period", type: "int", low: 2, high: 200, log: true, default: 14, description: "RSI length, bars" },
    { name: "lower", type: "float", low: 5, high: 50, step: 0.5, default: 30, description: "enter below this RSI" },
    { name: "upper", type: "float", low: 50, high: 95, step: 0.5, default: 70, description: "exit above this RSI" },
  ],
  constraints: [{ description: "lower < upper", check: (p) => (p.lower as number) < (p.upper as number) }],
  fillsEveryBar: true,
  signal({ bars, scratch }, p, w) {
    const period = p.period as number;
    const lower = p.lower as number;
    const upper = p.upper as number;
    const n = bars.length;
    const rsi = scratch.cached(`rsi:${period}`, n, (out) => rsiWilder(bars.close, period, out));
    let state = 0;
    for (let i = 0; i < n; i++) {
      if (i < period) {
        w[i] = 0;
        continue;
      }
      const r = rsi[i];
      if (r < lower) state = 1;
      else if (r > upper) state = 0;
      w[i] = state;
    }
  },
};
