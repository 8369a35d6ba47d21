import { ema } from "./indicators/rolling";
import type { Strategy } from "./types";

/**
 * w[i] = 1 when EMA_fast[i] > EMA_slow[i], else 0; warm-up i < slow - 1. EMA_n of close
 * with alpha = 2/(n+1), seeded with the SMA of the first n closes (indicators/rolling.ts).
 */
export const emaCross: Strategy = {
  name: "ema_cross",
  description: "Long while the fast exponential moving average of close is above the slow one.",
  params: [
    { name: "fast", type: "int", low: 2, high: 500, log: true, default: 96, description: "fast EMA length, bars (default: 8 hours of 5-minute bars)" },
    { name: "slow", type: "int", low: 3, high: 2000, log: true, default: 576, description: "slow EMA length, bars (default: 2 days of 5-minute bars)" },
  ],
  constraints: [{ description: "fast < slow", check: (p) => (p.fast as number) < (p.slow as number) }],
  fillsEveryBar: true,
  signal({ bars, scratch }, p, w) {
    const fast = p.fast as number;
    const slow = p.slow as number;
    const n = bars.length;
    const f = scratch.cached(`ema:${fast}`, n, (out) => ema(bars.close, fast, out));
    const s = scratch.cached(`ema:${slow}`, n, (out) => ema(bars.close, slow, out));
    for (let i = 0; i < n; i++) w[i] = i >= slow - 1 && f[i] > s[i] ? 1 : 0;
  },
};
