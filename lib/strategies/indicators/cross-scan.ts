/**
 * sma_cross's swaps without a target array: the bars where the fast window mean of close
 * crosses the slow one, for the event path (Strategy.swapRange), which needs the swap list
 * and not the 210,240 targets between the swaps.
 *
 * Each bar goes through a filter first: the difference of the two window sums from the
 * prefix sums `hi` alone (three loads, no division), whose sign is the exact comparison's
 * beyond a margin (crossTolerance; docs/strategies.md, "sma_cross: the filter"). The bars
 * within the margin (ties, flat stretches: under one bar per evaluation on the bundled
 * data) are decided exactly, as `windowMean` (window-sums.ts) and sma_cross's `signal` do.
 * So the list is `signal`'s bit for bit (test/strategies/cross-scan.test.ts).
 *
 * The filter runs in WebAssembly (cross-scan.wat, four bars per step in SIMD lanes) where
 * the engine has it, and in the JS loop below otherwise; both give the same list.
 */
import type { SwapList } from "../types";
import { CROSS_SCAN_WASM } from "./cross-scan-module";
import { cachedWindowSums, type WindowSums } from "./window-sums";

export interface CrossScan {
  /**
   * Appends the swaps decided at bars [from, to) to `swaps`: the fill bar i + 1 of each
   * bar i whose target (1 when SMA_fast > SMA_slow, else 0; 0 in the warm-up i < slow - 1)
   * differs from bar i - 1's, when i + 1 < n, and that target. Calls go from 0 in
   * consecutive stretches; the target before `from` is the last one listed (0 if none).
   */
  swapRange(fast: number, slow: number, swaps: SwapList, from: number, to: number): void;
  readonly engine: "wasm" | "js";
}

/**
 * The filter's margin per unit of fast * slow. With u = 2^-53 and M, E, C the largest
 * |hi|, |lo|, |close|: the filter's a = (hi[i+1] - hi[i+1-fast]) * slow - (...) * fast is
 * within fast*slow*u*(2M + 7C) of the exact fast*slow*(F - S) (F, S the exact means), and
 * each mean `windowMean` computes within u*(E + 3C) of the exact one; so when |a| exceeds
 * the sum, F - S and windowMean's comparison both have a's sign. Taken twice over, plus a
 * term for subnormal results. A NaN or infinite value, or values so large a product
 * could overflow: Infinity (every bar exact).
 */
export function crossTolerance(close: Float64Array, sums: WindowSums): number {
  let t = tolerances.get(sums);
  if (t === undefined) tolerances.set(sums, (t = toleranceOf(close, sums)));
  return t;
}

/** One per data set: sma_cross's signal kernel and its scan share it. */
const tolerances = new WeakMap<WindowSums, number>();

function toleranceOf(close: Float64Array, sums: WindowSums): number {
  const { hi, lo } = sums;
  let m = 0;
  let e = 0;
  let c = 0;
  for (let k = 0; k < hi.length; k++) {
    const a = Math.abs(hi[k]);
    const b = Math.abs(lo[k]);
    if (a > m) m = a;
    if (b > e) e = b;
    if (a !== a || b !== b) return Infinity;
  }
  for (let k = 0; k < close.length; k++) {
    const a = Math.abs(close[k]);
    if (a > c) c = a;
    if (a !== a) return Infinity;
  }
  // The filter's products are at most fast * slow * C (about): none may overflow.
  const n = close.length;
  if (!Number.isFinite(4 * n * n * (m + e + c))) return Infinity;
  return 2 * (2 ** -53 * (2 * m + 2 * e + 13 * c) + 2 ** -1000);
}

/** Bars per call into WebAssembly (its swap output holds one per bar). */
const WASM_STRETCH = 4096;

const scans = new WeakMap<Float64Array, CrossScan>();
let wasmModule: WebAssembly.Module | null | undefined;

/** One scan per close array (a worker's bars live as long as the worker). */
export function crossScanFor(close: Float64Array): CrossScan {
  let s = scans.get(close);
  if (s === undefined) scans.set(close, (s = crossScan(close, cachedWindowSums(close))));
  return s;
}

export interface CrossScanOptions {
  /** "js" forces the JS loop; by default WebAssembly when the engine has it. */
  engine?: "auto" | "js";
  /** The margin per unit of fast * slow instead of crossTolerance's (tests: a wrong one must show). */
  tolerance?: number;
}

export function crossScan(close: Float64Array, sums: WindowSums, { engine = "auto", tolerance }: CrossScanOptions = {}): CrossScan {
  const tol = tolerance ?? crossTolerance(close, sums);
  const wasm = engine === "auto" && Number.isFinite(tol) ? wasmScan(close, sums, tol) : null;
  return wasm ?? jsScan(close, sums, tol);
}

/** The exact target at bar i (i >= slow - 1): windowMean's comparison, inlined. */
function exactTarget(close: Float64Array, hi: Float64Array, lo: Float64Array, run: Int32Array, fast: number, slow: number, i: number): number {
  const c = close[i];
  const r = run[i];
  const h = hi[i + 1];
  const l = lo[i + 1];
  const bf = i + 1 - fast;
  const bs = i + 1 - slow;
  const f = r >= fast ? c : (h - hi[bf] + (l - lo[bf])) / fast;
  const s = r >= slow ? c : (h - hi[bs] + (l - lo[bs])) / slow;
  return f > s ? 1 : 0;
}

/** Lists a change of target to x decided at bar i: filled at i + 1, never after the last bar. */
function listSwap(swaps: SwapList, n: number, i: number, x: number): void {
  if (i + 1 < n) {
    swaps.bars[swaps.count] = i + 1;
    swaps.targets[swaps.count++] = x;
  }
}

/** The target before bar `from` of consecutive stretches: the last listed, 0 if none. */
function targetBefore(swaps: SwapList): number {
  return swaps.count > 0 ? swaps.targets[swaps.count - 1] : 0;
}

function jsScan(close: Float64Array, sums: WindowSums, tol: number): CrossScan {
  const { hi, lo, run } = sums;
  const n = close.length;
  return {
    engine: "js",
    swapRange(fast, slow, swaps, from, to) {
      let prev = targetBefore(swaps);
      const T = tol * fast * slow;
      let bf = Math.max(from, slow - 1) + 1 - fast;
      let bs = bf + fast - slow;
      for (let i = Math.max(from, slow - 1); i < to; i++, bf++, bs++) {
        const h = hi[i + 1];
        const a = (h - hi[bf]) * slow - (h - hi[bs]) * fast;
        const x = a > T ? 1 : a < -T ? 0 : exactTarget(close, hi, lo, run, fast, slow, i);
        if (x !== prev) {
          listSwap(swaps, n, i, x);
          prev = x;
        }
      }
    },
  };
}

interface ScanExports {
  scan(i: number, to: number, t: number, fast: number, slow: number, n: number, out: number): number;
  count: WebAssembly.Global;
  prev: WebAssembly.Global;
}

/** null when the engine has no WebAssembly (or no SIMD): the JS loop then. */
function wasmScan(close: Float64Array, sums: WindowSums, tol: number): CrossScan | null {
  const { hi, lo, run } = sums;
  const n = close.length;
  let ex: ScanExports;
  let out: Int32Array;
  const OUT = (8 * (n + 1) + 15) & ~15;
  if (wasmModule === undefined) {
    try {
      wasmModule = new WebAssembly.Module(Buffer.from(CROSS_SCAN_WASM, "base64"));
    } catch {
      wasmModule = null; // no WebAssembly, or no SIMD
    }
  }
  if (wasmModule === null) return null;
  try {
    const memory = new WebAssembly.Memory({ initial: Math.ceil((OUT + 4 * WASM_STRETCH) / 65536) });
    ex = new WebAssembly.Instance(wasmModule, { env: { memory } }).exports as unknown as ScanExports;
    new Float64Array(memory.buffer, 0, n + 1).set(hi);
    out = new Int32Array(memory.buffer, OUT, WASM_STRETCH);
  } catch {
    return null; // no memory for these bars
  }
  const { scan, count: gCount, prev: gPrev } = ex;
  return {
    engine: "wasm",
    swapRange(fast, slow, swaps, from, to) {
      let prev = targetBefore(swaps);
      const T = tol * fast * slow;
      for (let i = Math.max(from, slow - 1); i < to; ) {
        const end = Math.min(to, i + WASM_STRETCH);
        gCount.value = 0;
        gPrev.value = prev;
        i = scan(i, end, T, fast, slow, n, OUT);
        // The certain swaps it listed (at most one a bar): targets alternate 0 / 1.
        const c = gCount.value;
        for (let k = 0; k < c; k++) {
          prev = 1 - prev;
          swaps.bars[swaps.count] = out[k];
          swaps.targets[swaps.count++] = prev;
        }
        prev = gPrev.value;
        if (i < end) {
          // It stopped at a bar the filter cannot decide: decided exactly here.
          const x = exactTarget(close, hi, lo, run, fast, slow, i);
          if (x !== prev) {
            listSwap(swaps, n, i, x);
            prev = x;
          }
          i++;
        }
      }
    },
  };
}
