/**
 * The plain rolling-sum SMA (recomputed exactly every smaRecomputeEvery(n) bars) stays
 * within 1e-12 (relative) of the compensated one, on the bundled data and the real data
 * sets (skipped when ../shared/data is absent), for window lengths from 2 to 20,160.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadBars } from "../../lib/data/csv";
import { ensureDefaultData } from "../../lib/data/generate";
import { DEFAULT_DATA } from "../../lib/paths";
import { sma, smaCompensated, smaRecomputeEvery } from "../../lib/strategies/indicators/rolling";
import { windowMean, windowSumsOf } from "../../lib/strategies/indicators/window-sums";
import { Scratch } from "../../lib/strategies/scratch";
import { smaCross } from "../../lib/strategies/sma-cross";
import { BINANCE_CSV, BITMEX_CSV } from "../data/helpers";

const LENGTHS = [2, 3, 17, 96, 576, 1999, 2000, 2049, 5000, 20_160];

function worstRelative(close: Float64Array): number {
  const a = new Float64Array(close.length);
  const b = new Float64Array(close.length);
  const ws = windowSumsOf(close);
  let worst = 0;
  for (const n of LENGTHS) {
    sma(close, n, a);
    smaCompensated(close, n, b);
    // The prefix-sum means of sma_cross, on a sample of bars.
    for (let i = n - 1; i < close.length; i += 97) {
      const rel = Math.abs(windowMean(ws, close, n, i) - b[i]) / Math.abs(b[i]);
      if (rel > worst) worst = rel;
    }
    for (let i = 0; i < close.length; i++) {
      if (i < n - 1) {
        expect(Number.isNaN(a[i])).toBe(true);
        continue;
      }
      const rel = Math.abs(a[i] - b[i]) / Math.abs(b[i]);
      if (rel > worst) worst = rel;
    }
  }
  return worst;
}

describe("sma: rolling sum with exact recomputes", () => {
  it("recomputes at least every 2048 bars, and every n/4 for long windows", () => {
    expect(smaRecomputeEvery(2)).toBe(2048);
    expect(smaRecomputeEvery(20_160)).toBe(5040);
  });

  it("drifts at most 1e-12 from the compensated SMA on a trending random walk", () => {
    const n = 50_000;
    const close = new Float64Array(n);
    let p = 30_000;
    let s = 7;
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      p *= 1 + 0.004 * (s / 2 ** 31 - 0.5) + 0.00002;
      close[i] = Math.round(p * 100) / 100;
    }
    expect(worstRelative(close)).toBeLessThan(1e-12);
  });

  it("on the bundled data", () => {
    ensureDefaultData(DEFAULT_DATA);
    expect(worstRelative(loadBars(DEFAULT_DATA).close)).toBeLessThan(1e-12);
  });

  for (const path of [BINANCE_CSV, BITMEX_CSV]) {
    it.skipIf(!existsSync(path))(`on ${path.split("/").pop()}`, () => {
      expect(worstRelative(loadBars(path).close)).toBeLessThan(1e-12);
    });
  }

  it("sma_cross from prefix sums = the SMA comparison, except on ties within 1e-12", () => {
    ensureDefaultData(DEFAULT_DATA);
    const bars = loadBars(DEFAULT_DATA);
    const n = bars.length;
    const f = new Float64Array(n);
    const s = new Float64Array(n);
    const w = new Float64Array(n);
    let ties = 0;
    for (const [fast, slow] of [
      [2, 3],
      [12, 26],
      [96, 576],
      [480, 1990],
    ]) {
      smaCross.signal({ bars, scratch: new Scratch() }, { fast, slow }, w);
      smaCompensated(bars.close, fast, f);
      smaCompensated(bars.close, slow, s);
      for (let i = 0; i < n; i++) {
        const want = i >= slow - 1 && f[i] > s[i] ? 1 : 0;
        if (w[i] !== want) {
          expect(Math.abs(f[i] - s[i])).toBeLessThanOrEqual(1e-12 * s[i]);
          ties++;
        }
      }
    }
    expect(ties).toBeLessThan(5);
  });

  it("returns a flat window's value exactly", () => {
    const x = Float64Array.from({ length: 5000 }, (_, i) => (i < 100 ? 100 + i : 0.1 * 3));
    const out = new Float64Array(x.length);
    sma(x, 7, out);
    for (let i = 106; i < x.length; i++) expect(out[i]).toBe(0.1 * 3);
  });
});
