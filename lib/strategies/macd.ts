import { macdLine, macdSignal } from "./indicators/macd";
import { ema } from "./indicators/rolling";
import type { Strategy } from "./types";

/**
 * MACD = EMA_fast(close) - EMA_slow(close); signal = EMA_signal(MACD), seeded with the mean
 * of the first `signal` MACD values (indicators/macd.ts). w[i] = 1 when MACD[i] > signal[i],
 * else 0; warm-up i < slow + signal - 2.
 */
export const macd: Strategy = {
  name: "macd",
  description: "Long while the MACD line (fast EMA minus slow EMA) is above its signal line.",
  params: [
    { name: "fast", type: "int", low: 2, high: 300, log: true, default: 144, description: "fast EMA length, bars (default: the classic 12 hours, in 5-minute bars)" },
    { name: "slow", type: "int", low: 3, high: 1000, log: true, default: 312, description: "slow EMA length, bars (default: 26 hours)" },
    { name: "signal", type: "int", low: 2, high: 300, log: true, default: 108, description: "signal EMA length, bars (default: 9 hours)" },
  ],
  constraints: [{ description: "fast < slow", check: (p) => (p.fast as number) < (p.slow as number) }],
  fillsEveryBar: true,
  signal({ bars, scratch }, p, w) {
    const fast = p.fast as number;
    const slow = p.slow as number;
    const signal = p.signal as number;
    const n = bars.length;
    const f = scratch.cached(`ema:${fast}`, n, (out) => ema(bars.close, fast, out));
    const s = scratch.cached(`ema:${slow}`, n, (out) => ema(bars.close, slow, out));
    const line = scratch.cached(`macd:${fast}:${slow}`, n, (out) => macdLine(f, s, out));
    const sig = scratch.cached(`macdsig:${fast}:${slow}:${signal}`, n, (out) => macdSignal(line, slow, signal, out));
    const warm = slow + signal - 2;
    for (let i = 0; i < n; i++) w[i] = i >= warm && line[i] > sig[i] ? 1 : 0;
  },
};
