/** Tiny bar sets, cost tables and seeded random series for the engine tests. */
import { expect } from "vitest";
import { parseCostTable, type CostTable } from "../../lib/costs/cost-table";
import { barsFromColumns, type Bars } from "../../lib/data/bars";
import { Evaluator, type EvaluateOptions } from "../../lib/engine/evaluate";
import type { EvalResult } from "../../lib/engine/metrics";
import { rng } from "../random/mulberry32";

export const MINUTE = 60_000;
export const DAY = 86_400_000;
export const T0 = Date.UTC(2024, 0, 1);

/** Bars on a regular grid; high/low bracket open and close, volume 1. */
export function makeBars(open: readonly number[], close: readonly number[], barMs = 5 * MINUTE, t0 = T0): Bars {
  if (open.length !== close.length) throw new Error("open and close differ in length");
  const n = open.length;
  return barsFromColumns({
    t: Array.from({ length: n }, (_, i) => t0 + i * barMs),
    open,
    high: open.map((o, i) => Math.max(o, close[i])),
    low: open.map((o, i) => Math.min(o, close[i])),
    close,
    volume: open.map(() => 1),
  });
}

/** A cost table from [size, impact] pairs. */
export function costTable(gas: number, buckets: readonly (readonly [number, number])[]): CostTable {
  return parseCostTable({ gas, buckets: buckets.map(([size, impact]) => ({ size, impact })) });
}

/** No costs at all (one huge bucket with zero impact, no gas). */
export const FREE = costTable(0, [[1e15, 0]]);

/** One account run with full output over explicit exposures. */
export function runAccount(bars: Bars, costs: CostTable, w: readonly number[], tradeSize: number, opts: EvaluateOptions = {}): EvalResult {
  return new Evaluator(bars, costs).account(Float64Array.from(w), tradeSize, { full: true, ...opts });
}

/** |a - b| <= tol * max(1, |a|, |b|): relative for large numbers, absolute near zero. */
export function expectClose(actual: number, expected: number, tol = 1e-12, label = ""): void {
  const scale = Math.max(1, Math.abs(actual), Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tol * scale)) {
    expect.fail(`${label ? label + ": " : ""}${actual} != ${expected} (diff ${actual - expected}, tol ${tol} x ${scale})`);
  }
}

export { rng };

/** A geometric random walk: open[i] = close[i-1] with a small gap, close = open * exp(noise). */
export function randomWalkBars(n: number, barMs: number, seed: number, vol = 0.01, drift = 0): Bars {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const open: number[] = [];
  const close: number[] = [];
  let p = 100;
  for (let i = 0; i < n; i++) {
    const o = p * Math.exp(0.1 * vol * gauss());
    p = o * Math.exp(drift + vol * gauss());
    open.push(o);
    close.push(p);
  }
  return makeBars(open, close, barMs);
}

export type ExposureKind = "binary" | "levels" | "continuous" | "rare";

/**
 * Random target exposures. binary: 0/1 switching with probability 0.05 a bar;
 * levels: {0, .25, .5, .75, 1}, changing with probability 0.1; continuous: a fresh
 * uniform value on 30 % of bars; rare: 0/1 switching with probability 0.005 (long flats).
 */
export function randomExposures(n: number, kind: ExposureKind, seed: number): number[] {
  const r = rng(seed);
  const w: number[] = [];
  let cur = 0;
  for (let i = 0; i < n; i++) {
    if (kind === "binary") {
      if (r() < 0.05) cur = cur === 0 ? 1 : 0;
    } else if (kind === "rare") {
      if (r() < 0.005) cur = cur === 0 ? 1 : 0;
    } else if (kind === "levels") {
      if (r() < 0.1) cur = Math.floor(r() * 5) / 4;
    } else if (r() < 0.3) cur = r() < 0.2 ? 0 : r();
    w.push(cur);
  }
  return w;
}
