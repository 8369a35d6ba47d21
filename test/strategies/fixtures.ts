/** Bars for strategy tests: hand-written cases and seeded random walks. */
import { resolve } from "node:path";
import { barsFromColumns, type Bars } from "../../lib/data/bars";
import { Scratch } from "../../lib/strategies/scratch";
import type { Params, Strategy } from "../../lib/strategies/types";
import { rng } from "../random/mulberry32";

export const FIVE_MIN = 300_000;
const T0 = Date.UTC(2024, 0, 1);

/** Bars from closes; high/low default to the close (open = previous close). */
export function barsOf(close: ArrayLike<number>, high?: ArrayLike<number>, low?: ArrayLike<number>): Bars {
  const n = close.length;
  const t = Array.from({ length: n }, (_, i) => T0 + i * FIVE_MIN);
  const open = Array.from({ length: n }, (_, i) => close[i === 0 ? 0 : i - 1]);
  return barsFromColumns({
    t,
    open,
    high: high ?? close,
    low: low ?? close,
    close,
    volume: new Array<number>(n).fill(1),
  });
}

export { rng };

/** Standard normal draws (Box-Muller). */
export function normal(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/**
 * A geometric random walk of 5-minute bars: log returns N(0, sigma^2) per bar, of which a
 * gap N(0, (sigma/2)^2) from the previous close to the open (so the true range's gap terms
 * matter), high/low beyond open and close by a half-normal wick.
 */
export function randomWalkBars(n: number, seed: number, sigma = 0.002, start = 100): Bars {
  const z = normal(rng(seed));
  const close = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  let c = start;
  for (let i = 0; i < n; i++) {
    const o = c * Math.exp(0.5 * sigma * z());
    c = o * Math.exp(sigma * z());
    open[i] = o;
    close[i] = c;
    high[i] = Math.max(o, c) * (1 + Math.abs(z()) * sigma * 0.5);
    low[i] = Math.min(o, c) * (1 - Math.abs(z()) * sigma * 0.5);
  }
  const t = Float64Array.from({ length: n }, (_, i) => T0 + i * FIVE_MIN);
  return barsFromColumns({ t, open, high, low, close, volume: new Float64Array(n).fill(1) });
}

/** One signal call as the Evaluator makes it; returns a fresh copy of w. */
export function signalOf(strategy: Strategy, bars: Bars, p: Params, scratch = new Scratch()): number[] {
  const w = new Float64Array(bars.length);
  scratch.beginCall();
  strategy.signal({ bars, scratch }, p, w);
  return Array.from(w);
}

/** Run an indicator kernel into a fresh array (as plain numbers, for toEqual). */
export function series(fill: (out: Float64Array) => void, n: number): number[] {
  const out = new Float64Array(n);
  fill(out);
  return Array.from(out);
}

/** A small trained model (stratlab train on 20 generated days, hidden 8, 8 epochs) for ml_signal; see test/fixtures/models/README.md. */
export const TINY_MODEL = resolve(__dirname, "../fixtures/models/tiny");

/** Parameters a strategy needs besides its defaults in tests: ml_signal's model folder. */
export const TEST_PARAMS: Record<string, Params> = { ml_signal: { model: TINY_MODEL } };
