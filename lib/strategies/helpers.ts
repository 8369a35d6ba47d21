/**
 * Indicator helpers for your own strategies (`import { sma, ema, ... } from "stratlab"`):
 * the kernels the built-ins use, with the output buffer optional. In a signal, pass a
 * buffer from `scratch` (or memoise with `scratch.cached`) so repeated evaluations
 * allocate nothing. Every series is NaN before its first full window.
 *
 * A self-contained signal (defineStrategy in a notebook) may call these by name: workers
 * bind exactly the names in HELPER_NAMES (docs/api.md, "What a signal may use").
 */
import { atrWilder } from "./indicators/atr";
import { rsiWilder } from "./indicators/rsi";
import { ema as emaKernel, priorMax, priorMin, rollingStd as rollingStdKernel, sma as smaKernel } from "./indicators/rolling";

const buf = (x: { length: number }, out?: Float64Array) => out ?? new Float64Array(x.length);

/** Simple moving average of the last n values (compensated running sum). */
export function sma(x: Float64Array, n: number, out?: Float64Array): Float64Array {
  return smaKernel(x, n, buf(x, out));
}

/** Exponential moving average, alpha = 2 / (n + 1), seeded with the mean of the first n values. */
export function ema(x: Float64Array, n: number, out?: Float64Array): Float64Array {
  return emaKernel(x, n, buf(x, out));
}

/** Wilder's RSI over n bars, in [0, 100]. */
export function rsi(close: Float64Array, n: number, out?: Float64Array): Float64Array {
  return rsiWilder(close, n, buf(close, out));
}

/** Wilder's average true range over n bars. */
export function atr(bars: { high: Float64Array; low: Float64Array; close: Float64Array }, n: number, out?: Float64Array): Float64Array {
  return atrWilder(bars.high, bars.low, bars.close, n, buf(bars.close, out));
}

/** Donchian channel of the n bars *before* each bar: upper = max(high), lower = min(low). */
export function donchian(bars: { high: Float64Array; low: Float64Array }, n: number, out?: { upper: Float64Array; lower: Float64Array }): { upper: Float64Array; lower: Float64Array } {
  const work = new Int32Array(bars.high.length);
  const upper = priorMax(bars.high, n, out?.upper ?? buf(bars.high), work);
  const lower = priorMin(bars.low, n, out?.lower ?? buf(bars.low), work);
  return { upper, lower };
}

/** Rolling maximum of the n values before i (bar i excluded, so comparing x[i] with it is a breakout). */
export function rollingMax(x: Float64Array, n: number, out?: Float64Array): Float64Array {
  return priorMax(x, n, buf(x, out), new Int32Array(x.length));
}

/** Rolling minimum of the n values before i. */
export function rollingMin(x: Float64Array, n: number, out?: Float64Array): Float64Array {
  return priorMin(x, n, buf(x, out), new Int32Array(x.length));
}

/** Rolling mean of the last n values (the same as sma). */
export const rollingMean = sma;

/** Rolling population standard deviation of the last n values. */
export function rollingStd(x: Float64Array, n: number, out?: Float64Array): Float64Array {
  const mean = smaKernel(x, n, new Float64Array(x.length));
  return rollingStdKernel(x, n, mean, buf(x, out));
}

/** The helpers by name: what a self-contained signal finds in scope on a worker. */
export const HELPERS = { sma, ema, rsi, atr, donchian, rollingMax, rollingMin, rollingMean, rollingStd } as const;
export const HELPER_NAMES = Object.keys(HELPERS) as (keyof typeof HELPERS)[];
