/**
 * MACD (G. Appel): the MACD line is EMA_fast(close) - EMA_slow(close), defined from
 * i = slow - 1; the signal line is the EMA over `signal` bars of the MACD line, seeded
 * with the mean of its first `signal` values, so defined from i = slow + signal - 2.
 * EMAs as in `ema` (alpha = 2/(n+1), SMA seed). The same conventions as technicalindicators'
 * MACD with SimpleMAOscillator = SimpleMASignal = false.
 */
import { emaFrom } from "./rolling";

/** out[i] = emaFast[i] - emaSlow[i] (NaN while either is NaN). */
export function macdLine(emaFast: Float64Array, emaSlow: Float64Array, out: Float64Array): Float64Array {
  const len = out.length;
  for (let i = 0; i < len; i++) out[i] = emaFast[i] - emaSlow[i];
  return out;
}

/** The signal line: EMA_signal of the MACD line, which starts at i = slow - 1. */
export function macdSignal(line: Float64Array, slow: number, signal: number, out: Float64Array): Float64Array {
  return emaFrom(line, signal, slow - 1, out);
}
