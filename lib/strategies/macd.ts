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
    // No closure and no new key string per call (an evaluation allocates under 4 KB in
    // all; docs/benchmarks.md): the compute functions read `args`, the keys are memoised.
    args.close = bars.close;
    args.len = fast;
    const f = scratch.cached(keyOf(EMA, fast, 0, 0), n, emaInto);
    args.len = slow;
    const s = scratch.cached(keyOf(EMA, slow, 0, 0), n, emaInto);
    args.fast = f;
    args.slow = s;
    const line = scratch.cached(keyOf(LINE, fast, slow, 0), n, lineInto);
    args.line = line;
    args.len = slow;
    args.signal = signal;
    const sig = scratch.cached(keyOf(SIGNAL, fast, slow, signal), n, signalInto);
    args.close = args.fast = args.slow = args.line = EMPTY;
    const warm = slow + signal - 2;
    for (let i = 0; i < n; i++) w[i] = i >= warm && line[i] > sig[i] ? 1 : 0;
  },
};

const EMPTY: Float64Array = new Float64Array(0);
/** Inputs of the compute functions below, set just before each `scratch.cached` call. */
const args: { close: Float64Array; len: number; signal: number; fast: Float64Array; slow: Float64Array; line: Float64Array } = { close: EMPTY, len: 0, signal: 0, fast: EMPTY, slow: EMPTY, line: EMPTY };
const emaInto = (out: Float64Array) => void ema(args.close, args.len, out);
const lineInto = (out: Float64Array) => void macdLine(args.fast, args.slow, out);
const signalInto = (out: Float64Array) => void macdSignal(args.line, args.len, args.signal, out);

const EMA = 0;
const LINE = 1;
const SIGNAL = 2;
const KEY_NAMES = ["ema", "macd", "macdsig"];
/** Cache keys ("ema:12", "macd:12:26", "macdsig:12:26:9") by a small-integer code of their parts. */
const keys = [new Map<number, string>(), new Map<number, string>(), new Map<number, string>()];

function keyOf(kind: number, a: number, b: number, c: number): string {
  // Lengths are validated integers within the spec's bounds (<= 1000): the code stays a
  // small integer (no boxed double as a Map key); anything else just builds the string.
  if (!(a >= 0 && a < 1024 && b >= 0 && b < 1024 && c >= 0 && c < 1024)) return keyString(kind, a, b, c);
  const code = a * 1048576 + b * 1024 + c;
  let k = keys[kind].get(code);
  if (k === undefined) keys[kind].set(code, (k = keyString(kind, a, b, c)));
  return k;
}

function keyString(kind: number, a: number, b: number, c: number): string {
  return `${KEY_NAMES[kind]}:${(kind === EMA ? [a] : kind === LINE ? [a, b] : [a, b, c]).join(":")}`;
}
