import { priorMax, priorMin } from "./indicators/rolling";
import type { Strategy } from "./types";

/**
 * EVALUATOR-CONTRACT: in the market after close[i] > max(high[i-entry..i-1]), out after
 * close[i] < min(low[i-exit..i-1]), otherwise the previous state; warm-up i < max(entry, exit).
 * Both windows hold bar i-1, so for valid bars (high >= low) the two cannot hold together:
 * close > upper >= high[i-1] >= low[i-1] >= lower. Should malformed bars allow it, the
 * entry wins.
 */
export const donchianBreakout: Strategy = {
  name: "donchian_breakout",
  description: "Enter on a close above the prior `entry`-bar high; exit on a close below the prior `exit`-bar low.",
  params: [
    { name: "entry", type: "int", low: 2, high: 2000, log: true, default: 288, description: "breakout channel length, bars" },
    { name: "exit", type: "int", low: 2, high: 2000, log: true, default: 144, description: "exit channel length, bars" },
  ],
  constraints: [],
  fillsEveryBar: true,
  signal({ bars, scratch }, p, w) {
    const entry = p.entry as number;
    const exit = p.exit as number;
    const n = bars.length;
    const work = scratch.int32("priorExtreme", n);
    const upper = scratch.cached(`priorMaxHigh:${entry}`, n, (out) => priorMax(bars.high, entry, out, work));
    const lower = scratch.cached(`priorMinLow:${exit}`, n, (out) => priorMin(bars.low, exit, out, work));
    const warm = Math.max(entry, exit);
    const close = bars.close;
    let state = 0;
    for (let i = 0; i < n; i++) {
      if (i < warm) {
        w[i] = 0;
        continue;
      }
      if (close[i] > upper[i]) state = 1;
      else if (close[i] < lower[i]) state = 0;
      w[i] = state;
    }
  },
};
