import { crossScanFor, crossTolerance } from "./indicators/cross-scan";
import { cachedWindowSums, type WindowSums } from "./indicators/window-sums";
import type { Strategy } from "./types";

/**
 * EVALUATOR-CONTRACT: w[i] = 1 when SMA_fast[i] > SMA_slow[i], else 0; warm-up i < slow - 1.
 * Both means come from the data set's prefix sums of close (indicators/window-sums.ts):
 * one pass, no SMA series computed or cached, within a few ulps of `sma`. Each bar goes
 * through indicators/cross-scan.ts's filter first; `swapRange` lists the swaps alone.
 */
export const smaCross: Strategy = {
  name: "sma_cross",
  description: "Long while the fast simple moving average of close is above the slow one.",
  params: [
    { name: "fast", type: "int", low: 2, high: 500, log: true, default: 96, description: "fast SMA length, bars (default: 8 hours of 5-minute bars)" },
    { name: "slow", type: "int", low: 3, high: 2000, log: true, default: 576, description: "slow SMA length, bars (default: 2 days of 5-minute bars)" },
  ],
  constraints: [{ description: "fast < slow", check: (p) => (p.fast as number) < (p.slow as number) }],
  fillsEveryBar: true,
  signal({ bars, swaps }, p, w) {
    const count = crossSignalFor(bars.close)(p.fast as number, p.slow as number, w, swaps?.bars ?? null, 0, bars.length, 0);
    if (swaps !== undefined) swaps.count = count;
  },
  swapRange({ bars, swaps }, p, from, to) {
    if (swaps === undefined) throw new Error("sma_cross swapRange: no swap list");
    crossScanFor(bars.close).swapRange(p.fast as number, p.slow as number, swaps, from, to);
  },
};

/**
 * Fills w[from..to) (w[0..from) already filled); lists the swap bars of the stretch in
 * `swaps` from index `count` when given and returns the new count (-1 without).
 */
type CrossSignal = (fast: number, slow: number, w: Float64Array, swaps: Int32Array | null, from: number, to: number, count: number) => number;
const kernels = new WeakMap<Float64Array, CrossSignal>();

/**
 * The hot loop, one closure per close array over its prefix sums: V8 treats the captured
 * arrays as constants (measured 1.7x faster than the same loop taking them as arguments).
 */
function crossSignalFor(close: Float64Array): CrossSignal {
  let k = kernels.get(close);
  if (k === undefined) kernels.set(close, (k = crossSignal(close, cachedWindowSums(close))));
  return k;
}

function crossSignal(close: Float64Array, sums: WindowSums): CrossSignal {
  const { hi, lo, run } = sums;
  const n = close.length;
  const tol = crossTolerance(close, sums);
  return (fast, slow, w, swaps, from, to, count) => {
    const warm = Math.min(to, Math.max(from, slow - 1));
    for (let i = from; i < warm; i++) w[i] = 0;
    const start = warm;
    const T = tol * fast * slow;
    let bf = start + 1 - fast; // window starts (prefix indices) of bar i's fast and slow means
    let bs = start + 1 - slow;
    let prev = start > 0 ? w[start - 1] : 0;
    for (let i = start; i < to; i++, bf++, bs++) {
      const h = hi[i + 1];
      // The filter (indicators/cross-scan.ts): the scaled difference of the window sums
      // from hi alone (3 loads, no division); beyond the margin, the exact comparison's sign.
      const a = (h - hi[bf]) * slow - (h - hi[bs]) * fast;
      let x: number;
      if (a > T) x = 1;
      else if (a < -T) x = 0;
      else {
        // Near a tie (or a flat stretch): windowMean (indicators/window-sums.ts), inlined
        // (a call to cross-scan.ts's exactTarget here made the whole loop 1.6x slower).
        const c = close[i];
        const r = run[i];
        const l = lo[i + 1];
        const f = r >= fast ? c : (h - hi[bf] + (l - lo[bf])) / fast;
        const s = r >= slow ? c : (h - hi[bs] + (l - lo[bs])) / slow;
        x = f > s ? 1 : 0;
      }
      w[i] = x;
      // A change of target decided at bar i fills at i + 1 (never after the last bar).
      if (x !== prev) {
        if (swaps !== null && i + 1 < n) swaps[count++] = i + 1;
        prev = x;
      }
    }
    return swaps === null ? -1 : count;
  };
}
