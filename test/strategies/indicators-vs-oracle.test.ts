/**
 * Indicator kernels against technicalindicators (an independent implementation) on a
 * 4,000-bar seeded random walk: the same warm-up (first defined bar) and values within
 * 1e-9 relative after it. Where the oracle's conventions differ, the comparison is aligned
 * explicitly (see RSI), not loosened.
 */
import * as ti from "technicalindicators";
import { describe, expect, test } from "vitest";
import { atrWilder } from "../../lib/strategies/indicators/atr";
import { macdLine, macdSignal } from "../../lib/strategies/indicators/macd";
import { ema, rollingStd, sma } from "../../lib/strategies/indicators/rolling";
import { rsiWilder } from "../../lib/strategies/indicators/rsi";
import { randomWalkBars } from "./fixtures";

const N = 4000;
const bars = randomWalkBars(N, 20240601);
const closes = Array.from(bars.close);
const highs = Array.from(bars.high);
const lows = Array.from(bars.low);

/** The oracle emits values from its first defined bar on: place them at the end of an n-array. */
function aligned(values: readonly (number | undefined)[], n = N): number[] {
  const out = new Array<number>(n).fill(NaN);
  values.forEach((v, k) => (out[n - values.length + k] = v ?? NaN));
  return out;
}

/**
 * Ours vs the oracle: NaN exactly on the same bars, and |a - b| <= rel * max(|a|, |b|, floor).
 * `floor` is the scale of the inputs for quantities that are differences of prices (MACD,
 * band offsets) and can pass through zero, where a relative error means nothing.
 */
function expectAgree(ours: ArrayLike<number>, oracle: readonly number[], firstDefined: number, rel = 1e-9, floor = 0): void {
  const bad: string[] = [];
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < oracle.length; i++) {
    const a = ours[i];
    const b = oracle[i];
    if (i < firstDefined) {
      if (!(Number.isNaN(a) && Number.isNaN(b))) bad.push(`bar ${i} is warm-up: ours ${a}, oracle ${b}`);
    } else if (!(Number.isFinite(a) && Number.isFinite(b))) {
      bad.push(`bar ${i}: ours ${a}, oracle ${b}`);
    } else {
      const err = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor);
      if (err > worst) {
        worst = err;
        worstAt = i;
      }
    }
  }
  expect(bad.slice(0, 5)).toEqual([]);
  expect(worst, `worst relative difference at bar ${worstAt}`).toBeLessThanOrEqual(rel);
}

const run = (fill: (out: Float64Array) => void): Float64Array => {
  const out = new Float64Array(N);
  fill(out);
  return out;
};

describe.each([2, 14, 50, 200])("period %i", (period) => {
  test("SMA: defined from bar period - 1", () => {
    const ours = run((o) => sma(bars.close, period, o));
    expectAgree(ours, aligned(ti.SMA.calculate({ period, values: closes })), period - 1);
  });

  test("EMA: alpha 2/(n+1), seeded with the SMA of the first n (both libraries)", () => {
    const ours = run((o) => ema(bars.close, period, o));
    expectAgree(ours, aligned(ti.EMA.calculate({ period, values: closes })), period - 1);
  });

  test("RSI: Wilder's averages agree; RSI from them agrees (the oracle rounds its own RSI to 2 decimals)", () => {
    const ours = run((o) => rsiWilder(bars.close, period, o));
    // technicalindicators' RSI is toFixed(2) and maps a zero average loss to 100 even when
    // the average gain is 0 too (ours: 50, the flat-window convention). Its average gain
    // and loss follow the same Wilder seeding, so the RSI is recomputed from them.
    const gain = aligned(ti.AverageGain.calculate({ period, values: closes }));
    const loss = aligned(ti.AverageLoss.calculate({ period, values: closes }));
    const fromAverages = gain.map((g, i) => (loss[i] === 0 ? (g === 0 ? 50 : 100) : 100 - 100 / (1 + g / loss[i])));
    expectAgree(ours, fromAverages, period);
    // And the oracle's published (rounded) RSI within its rounding.
    const rounded = aligned(ti.RSI.calculate({ period, values: closes }));
    let worst = 0;
    for (let i = period; i < N; i++) worst = Math.max(worst, Math.abs(ours[i] - rounded[i]));
    expect(worst).toBeLessThanOrEqual(0.005 + 1e-9);
  });

  test("ATR: Wilder's smoothing of the true range from bar 1, defined from bar period", () => {
    const ours = run((o) => atrWilder(bars.high, bars.low, bars.close, period, o));
    expectAgree(ours, aligned(ti.ATR.calculate({ period, high: highs, low: lows, close: closes })), period);
  });

  test("Bollinger bands (population standard deviation), k = 2", () => {
    const mid = run((o) => sma(bars.close, period, o));
    const sd = run((o) => rollingStd(bars.close, period, mid, o));
    const bb = ti.BollingerBands.calculate({ period, stdDev: 2, values: closes });
    expectAgree(mid, aligned(bb.map((b) => b.middle)), period - 1);
    expectAgree(
      Array.from(mid, (m, i) => m + 2 * sd[i]),
      aligned(bb.map((b) => b.upper)),
      period - 1,
    );
    expectAgree(
      Array.from(mid, (m, i) => m - 2 * sd[i]),
      aligned(bb.map((b) => b.lower)),
      period - 1,
    );
    // The band half-width itself, relative to its own size (a stricter test of the std).
    const width = bb.map((b) => (b.upper - b.lower) / 4);
    expectAgree(sd, aligned(width), period - 1, 1e-9);
  });
});

describe.each([
  [12, 26, 9],
  [5, 35, 5],
  [50, 200, 20],
])("MACD(%i, %i, %i)", (fast, slow, signal) => {
  test("line from bar slow - 1, signal (EMA of the line, SMA-seeded) from slow + signal - 2", () => {
    const line = run((o) => macdLine(run((f) => ema(bars.close, fast, f)), run((s) => ema(bars.close, slow, s)), o));
    const sig = run((o) => macdSignal(line, slow, signal, o));
    const oracle = ti.MACD.calculate({ fastPeriod: fast, slowPeriod: slow, signalPeriod: signal, values: closes, SimpleMAOscillator: false, SimpleMASignal: false });
    // The line is a difference of prices and crosses 0: relative to the price level (~100).
    expectAgree(line, aligned(oracle.map((m) => m.MACD)), slow - 1, 1e-9, 100);
    expectAgree(sig, aligned(oracle.map((m) => m.signal)), slow + signal - 2, 1e-9, 100);
  });
});

describe.each([
  [20, 2],
  [10, 1.5],
])("Keltner channel(%i, x%f)", (period, multiplier) => {
  test("EMA middle, Wilder ATR bands: as technicalindicators with maPeriod = atrPeriod", () => {
    const mid = run((o) => ema(bars.close, period, o));
    const atr = run((o) => atrWilder(bars.high, bars.low, bars.close, period, o));
    const kc = ti.KeltnerChannels.calculate({ maPeriod: period, atrPeriod: period, useSMA: false, multiplier, high: highs, low: lows, close: closes });
    const upper = Array.from(mid, (m, i) => m + multiplier * atr[i]);
    expectAgree(upper, aligned(kc.map((k) => k.upper)), period);
  });
});

describe("rollingStd (O(1) sliding update) against a direct two-pass computation", () => {
  // Volatility that changes by 1000x, and a flat stretch: the update must not drift.
  const n = 30_000;
  const x = new Float64Array(n);
  const walk = randomWalkBars(n, 7).close;
  for (let i = 0; i < n; i++) {
    const scale = i < 10_000 ? 1 : i < 20_000 ? 0.001 : 0.3;
    x[i] = 1000 + (walk[i] - walk[0]) * scale;
  }
  x.fill(x[25_000], 25_000, 26_000);

  test.each([5, 20, 333])("window %i", (period) => {
    const mean = new Float64Array(n);
    sma(x, period, mean);
    const ours = new Float64Array(n);
    rollingStd(x, period, mean, ours);
    let worst = 0;
    for (let i = period - 1; i < n; i++) {
      let ss = 0;
      for (let k = i - period + 1; k <= i; k++) ss += (x[k] - mean[i]) ** 2;
      const want = Math.sqrt(ss / period);
      if (want === 0) expect(ours[i], `bar ${i}`).toBe(0);
      else worst = Math.max(worst, Math.abs(ours[i] - want) / want);
    }
    expect(worst).toBeLessThanOrEqual(1e-9);
    expect(ours[25_999]).toBe(0); // a flat window
  });
});
