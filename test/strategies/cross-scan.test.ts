/**
 * sma_cross's filter and swap scan (lib/strategies/indicators/cross-scan.ts): the swap
 * list from WebAssembly and from the JS loop, in stretches of any length, equals the one
 * `signal` lists, and `signal`'s targets are windowMean's comparison bar for bar, on data
 * made to sit on the filter's margin (exact ties with large prefix sums), flat stretches,
 * extreme magnitudes, a NaN, the bundled data and the real data sets.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Bars } from "../../lib/data/bars";
import { loadBars } from "../../lib/data/csv";
import { ensureDefaultData } from "../../lib/data/generate";
import { DEFAULT_DATA } from "../../lib/paths";
import { Rng } from "../../lib/random/rng";
import { crossScan, crossScanFor, crossTolerance } from "../../lib/strategies/indicators/cross-scan";
import { CROSS_SCAN_WASM } from "../../lib/strategies/indicators/cross-scan-module";
import { assembleWat, KERNEL_DIR, WASM_KERNELS } from "../../lib/strategies/indicators/wasm-build";
import { windowMean, windowSumsOf } from "../../lib/strategies/indicators/window-sums";
import { Scratch } from "../../lib/strategies/scratch";
import { smaCross } from "../../lib/strategies/sma-cross";
import type { SwapList } from "../../lib/strategies/types";
import { BINANCE_CSV, BITMEX_CSV } from "../data/helpers";
import { MINUTE, randomWalkBars } from "../engine/fixtures";

function withClose(close: Float64Array): Bars {
  const b = randomWalkBars(close.length, 5 * MINUTE, 1);
  return { ...b, close };
}

/**
 * Exact ties in real arithmetic: a pattern of period 6 (the same doubles each period), so
 * two windows of whole periods have the same exact mean, on a price whose prefix sums
 * round (the filter's hi-only difference is then rounding noise, not 0).
 */
function tiedBars(n: number, base: number): Bars {
  const pattern = [3, -1, 2, -2, 1, -3];
  const r = Rng.derive(3, "ties");
  const close = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Stretches of the pure pattern, of flat prices, and of noise.
    const zone = Math.floor(i / 2000) % 3;
    close[i] = zone === 0 ? base + 0.37 * pattern[i % 6] : zone === 1 ? base : base + 0.37 * Math.round((r.next() - 0.5) * 8);
  }
  return withClose(close);
}

/** Windows with fast, slow multiples of 6 (ties on tiedBars) and random ones. */
function windowPairs(n: number, count: number, seed: number): [number, number][] {
  const r = Rng.derive(seed, "windows");
  const out: [number, number][] = [];
  while (out.length < count) {
    const six = out.length % 2 === 0;
    const fast = six ? 6 * (1 + Math.floor(r.next() * 40)) : 2 + Math.floor(Math.exp(r.next() * Math.log(250)));
    const slow = six ? fast + 6 * (1 + Math.floor(r.next() * 200)) : fast + 1 + Math.floor(Math.exp(r.next() * Math.log(1800)));
    if (slow <= Math.min(2000, n + 5)) out.push([fast, slow]);
  }
  return out;
}

function signalOf(bars: Bars, fast: number, slow: number): { w: Float64Array; list: number[] } {
  const n = bars.length;
  const w = new Float64Array(n).fill(NaN);
  const swaps: SwapList = { bars: new Int32Array(n), targets: new Float64Array(n), count: -1 };
  smaCross.signal({ bars, scratch: new Scratch(), swaps }, { fast, slow }, w);
  return { w, list: Array.from(swaps.bars.subarray(0, swaps.count)) };
}

function scanOf(scan: ReturnType<typeof crossScan>, n: number, fast: number, slow: number, seed: number): { list: number[]; targets: number[] } {
  const u = Rng.derive(seed, "stretches");
  const swaps: SwapList = { bars: new Int32Array(n), targets: new Float64Array(n), count: 0 };
  for (let from = 0; from < n; ) {
    // Stretches of 1 bar to several WebAssembly calls' worth.
    const to = Math.min(n, from + 1 + Math.floor(Math.exp(u.next() * Math.log(9000))));
    scan.swapRange(fast, slow, swaps, from, to);
    from = to;
  }
  return { list: Array.from(swaps.bars.subarray(0, swaps.count)), targets: Array.from(swaps.targets.subarray(0, swaps.count)) };
}

/** signal = windowMean's comparison bar for bar; both scans = signal's list, targets = w. */
function checkAll(label: string, bars: Bars, pairs: [number, number][]): void {
  const close = bars.close;
  const n = bars.length;
  const sums = windowSumsOf(close);
  const scans = [crossScan(close, sums), crossScan(close, sums, { engine: "js" })];
  expect(scans[0].engine).toBe(Number.isFinite(crossTolerance(close, sums)) ? "wasm" : "js");
  for (const [fast, slow] of pairs) {
    const at = `${label} fast ${fast} slow ${slow}`;
    const { w, list } = signalOf(bars, fast, slow);
    for (let i = 0; i < n; i++) {
      const x = i < slow - 1 ? 0 : windowMean(sums, close, fast, i) > windowMean(sums, close, slow, i) ? 1 : 0;
      if (w[i] !== x) expect(w[i], `${at} bar ${i}`).toBe(x);
    }
    for (const scan of scans) {
      const got = scanOf(scan, n, fast, slow, fast * 7919 + slow);
      expect(got.list, `${at} ${scan.engine}`).toEqual(list);
      expect(got.targets, `${at} ${scan.engine}`).toEqual(list.map((j) => w[j - 1]));
    }
  }
}

describe("sma_cross: the filter and the swap scan", () => {
  it("the embedded WebAssembly is cross-scan.wat assembled (npm run wasm)", async () => {
    for (const k of WASM_KERNELS) {
      const bytes = await assembleWat(k.wat, readFileSync(join(KERNEL_DIR, k.wat), "utf8"));
      expect(Buffer.from(bytes).toString("base64"), `${k.module} is stale: run npm run wasm`).toBe(CROSS_SCAN_WASM);
    }
  });

  it("runs in WebAssembly on this engine", () => {
    const bars = randomWalkBars(3_000, 5 * MINUTE, 2);
    expect(crossScanFor(bars.close).engine).toBe("wasm");
  });

  it("ties on large prices sit on the margin: a zero margin lists other swaps", () => {
    const bars = tiedBars(12_000, 123_456.789);
    const sums = windowSumsOf(bars.close);
    let differ = 0;
    let exactTies = 0;
    for (const [fast, slow] of windowPairs(bars.length, 20, 1).filter(([f]) => f % 6 === 0)) {
      const { list } = signalOf(bars, fast, slow);
      for (const engine of ["auto", "js"] as const) {
        const zero = scanOf(crossScan(bars.close, sums, { engine, tolerance: 0 }), bars.length, fast, slow, 9);
        if (JSON.stringify(zero.list) !== JSON.stringify(list)) differ++;
      }
      for (let i = slow - 1; i < 2000; i++) if (windowMean(sums, bars.close, fast, i) === windowMean(sums, bars.close, slow, i)) exactTies++;
    }
    expect(exactTies).toBeGreaterThan(100);
    expect(differ).toBeGreaterThan(2);
  });

  it("ties, flat stretches and noise on a large price", () => {
    checkAll("ties", tiedBars(12_000, 123_456.789), windowPairs(12_000, 24, 2));
  });

  it("random walks at extreme magnitudes, and a NaN close (every bar then exact)", () => {
    // 1e290: a filter product could overflow, so every bar is decided exactly.
    for (const scale of [1e-9, 1, 1e12, 1e290]) {
      const b = randomWalkBars(8_000, 5 * MINUTE, 5, 0.004);
      checkAll(`scale ${scale}`, withClose(b.close.map((c) => c * scale)), windowPairs(8_000, 12, 3));
    }
    const nan = randomWalkBars(5_000, 5 * MINUTE, 6, 0.004).close.slice();
    nan[3_000] = NaN;
    checkAll("NaN at 3000", withClose(nan), windowPairs(5_000, 6, 4));
  });

  it("the bundled data set", () => {
    ensureDefaultData(DEFAULT_DATA);
    checkAll("default_5m", loadBars(DEFAULT_DATA), windowPairs(210_000, 12, 5));
  });

  for (const [label, csv] of [
    ["Binance BTC/USDT 5m", BINANCE_CSV],
    ["BitMEX XBTUSD 5m (flat stretches)", BITMEX_CSV],
  ] as const) {
    it.skipIf(!existsSync(csv))(label, () => {
      checkAll(label, loadBars(csv), windowPairs(200_000, 8, 6));
    });
  }
});
