/**
 * The three EVALUATOR-CONTRACT strategies on small hand-computed cases: exact w arrays
 * including warm-up, window boundaries, RSI seeding and conventions, precedence.
 */
import { describe, expect, test } from "vitest";
import { donchianBreakout } from "../../lib/strategies/donchian-breakout";
import { priorMax, priorMin, sma } from "../../lib/strategies/indicators/rolling";
import { rsiWilder } from "../../lib/strategies/indicators/rsi";
import { validateParams } from "../../lib/strategies/params";
import { rsiReversion } from "../../lib/strategies/rsi-reversion";
import { smaCross } from "../../lib/strategies/sma-cross";
import { barsOf, series, signalOf } from "./fixtures";

describe("sma_cross", () => {
  // close:        1    2    3    4    5    4     3    2    3     4    2
  // SMA2 = (c[i-1]+c[i])/2:
  //              NaN  1.5  2.5  3.5  4.5  4.5   3.5  2.5  2.5   3.5  3
  // SMA3 = (c[i-2]+c[i-1]+c[i])/3:
  //              NaN  NaN  2    3    4    13/3  4    3    8/3   3    3
  // w = SMA2 > SMA3, 0 for i < slow - 1 = 2; at i = 10 the two are equal (3 = 3): not above.
  const close = [1, 2, 3, 4, 5, 4, 3, 2, 3, 4, 2];

  test("SMA values are the window means", () => {
    expect(series((o) => sma(Float64Array.from(close), 2, o), close.length)).toEqual([NaN, 1.5, 2.5, 3.5, 4.5, 4.5, 3.5, 2.5, 2.5, 3.5, 3]);
    expect(series((o) => sma(Float64Array.from(close), 3, o), close.length)).toEqual([NaN, NaN, 2, 3, 4, 13 / 3, 4, 3, 8 / 3, 3, 3]);
  });

  test("w = 1 exactly when SMA_fast > SMA_slow, 0 during warm-up and on equality", () => {
    expect(signalOf(smaCross, barsOf(close), { fast: 2, slow: 3 })).toEqual([0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0]);
  });

  test("warm-up is slow - 1 bars even where the fast SMA already leads", () => {
    // Rising closes: SMA2 > SMA4 wherever both exist (i >= 3); SMA2 exists from i = 1.
    expect(signalOf(smaCross, barsOf([1, 2, 3, 4, 5, 6]), { fast: 2, slow: 4 })).toEqual([0, 0, 0, 1, 1, 1]);
  });

  test("fast < slow is enforced", () => {
    expect(() => validateParams(smaCross, { fast: 50, slow: 50 })).toThrow(/fast < slow/);
  });
});

describe("donchian_breakout", () => {
  // Bars with high = close + 1, low = close - 1.
  const close = [10, 10, 10, 12, 13, 13, 11, 9, 10, 12, 8, 8, 15];
  const high = close.map((c) => c + 1); // 11 11 11 13 14 14 12 10 11 13  9  9 16
  const low = close.map((c) => c - 1); //   9  9  9 11 12 12 10  8  9 11  7  7 14
  const bars = barsOf(close, high, low);

  test("the channels exclude the current bar: out[i] = max/min of x[i-n..i-1]", () => {
    const deque = new Int32Array(close.length);
    // max(high[i-3..i-1]): from i = 3.
    expect(series((o) => priorMax(bars.high, 3, o, deque), close.length)).toEqual([NaN, NaN, NaN, 11, 13, 14, 14, 14, 14, 12, 13, 13, 13]);
    // min(low[i-2..i-1]): from i = 2.
    expect(series((o) => priorMin(bars.low, 2, o, deque), close.length)).toEqual([NaN, NaN, 9, 9, 9, 11, 12, 10, 8, 8, 9, 7, 7]);
  });

  test("entry 3, exit 2", () => {
    // warm-up i < max(3, 2) = 3.
    // i=3  c=12 > max(h0..h2)=11: enter          i=4  c=13 vs 13 (not >), > min(l2,l3)=9: hold 1
    // i=5  c=13 < 14, > min(l3,l4)=11: hold 1     i=6  c=11 < min(l4,l5)=12: exit
    // i=7  c=9 < 10: stay out                     i=8  c=10 < max(h5..h7)=14: 0
    // i=9  c=12 = max(h6..h8)=12, not above: 0   i=10 c=8 < 9: 0      i=11 c=8 > 7, < 13: 0
    // i=12 c=15 > max(h9..h11)=13: enter.
    // A window including bar i could never be broken (high[i] >= close[i]): no entries at all.
    expect(signalOf(donchianBreakout, bars, { entry: 3, exit: 2 })).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1]);
  });

  test("entry 2, exit 3", () => {
    // i=3  c=12 > max(h1,h2)=11: enter            i=4,5: hold (13 not > 13; 13 < 14)
    // i=6  c=11 vs min(l3..l5)=11: not below, hold 1   i=7 c=9 < min(l4..l6)=10: exit
    // i=8  c=10 < max(h6,h7)=12: 0                i=9  c=12 > max(h7,h8)=11: enter
    // i=10 c=8 vs min(l7..l9)=8: not below, hold  i=11 c=8 > min(l8..l10)=7: hold   i=12: hold
    expect(signalOf(donchianBreakout, bars, { entry: 2, exit: 3 })).toEqual([0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1]);
  });

  test("entry beats exit on one bar only with malformed bars (high < low)", () => {
    // entry = exit = 1: upper = high[i-1], lower = low[i-1]. Bar 1 has high 5 < low 15,
    // so close[2] = 10 is both above the upper (5) and below the lower (15): entry wins.
    const b = barsOf([10, 10, 10], [10, 5, 10], [10, 15, 10]);
    expect(signalOf(donchianBreakout, b, { entry: 1, exit: 1 })).toEqual([0, 0, 1]);
  });
});

describe("Wilder's RSI", () => {
  test("first averages are simple means of the first `period` changes", () => {
    // close 10 11 12 11 11 13 12; changes +1 +1 -1 0 +2 -1; period 3.
    // i=3: gain = (1+1+0)/3 = 2/3, loss = (0+0+1)/3 = 1/3, RS = 2, RSI = 100 - 100/3 = 200/3.
    //      (Wilder's recursion started from 0 instead would give 10/27 vs 9/27: RSI 52.6.)
    // i=4: change 0: gain = (2/3*2 + 0)/3 = 4/9, loss = 2/9, RS = 2: RSI 200/3.
    // i=5: +2: gain = (4/9*2 + 2)/3 = 26/27, loss = (2/9*2)/3 = 4/27, RS = 6.5: RSI = 100 - 100/7.5 = 260/3.
    // i=6: -1: gain = 52/81, loss = (4/27*2 + 1)/3 = 35/81: RSI = 100 * 52/87 = 5200/87.
    const rsi = series((o) => rsiWilder(Float64Array.from([10, 11, 12, 11, 11, 13, 12]), 3, o), 7);
    expect(rsi.slice(0, 3)).toEqual([NaN, NaN, NaN]);
    const want = [200 / 3, 200 / 3, 260 / 3, 5200 / 87];
    want.forEach((v, k) => expect(rsi[3 + k]).toBeCloseTo(v, 10));
  });

  test("a flat window gives 50, no losses give 100, no gains give 0", () => {
    expect(series((o) => rsiWilder(Float64Array.from([5, 5, 5, 5, 5, 5]), 3, o), 6)).toEqual([NaN, NaN, NaN, 50, 50, 50]);
    // Rising then flat: the average gain decays but stays > 0, the average loss stays 0.
    expect(series((o) => rsiWilder(Float64Array.from([1, 2, 3, 4, 4, 4, 4]), 3, o), 7)).toEqual([NaN, NaN, NaN, 100, 100, 100, 100]);
    expect(series((o) => rsiWilder(Float64Array.from([9, 8, 7, 6, 5]), 3, o), 5)).toEqual([NaN, NaN, NaN, 0, 0]);
  });
});

describe("rsi_reversion", () => {
  // period 2; close 10 9 8 9 10 11 10 9 8; changes -1 -1 +1 +1 +1 -1 -1 -1.
  // RSI = 100 * gain / (gain + loss):
  //  i=2: gain (0+0)/2 = 0, loss (1+1)/2 = 1           -> 0
  //  i=3: +1: gain (0+1)/2 = 0.5, loss (1+0)/2 = 0.5    -> 50
  //  i=4: +1: gain 0.75, loss 0.25                      -> 75
  //  i=5: +1: gain 0.875, loss 0.125                    -> 87.5
  //  i=6: -1: gain 0.4375, loss 0.5625                  -> 43.75
  //  i=7: -1: gain 0.21875, loss 0.78125                -> 21.875
  //  i=8: -1: gain 0.109375, loss 0.890625              -> 10.9375
  const bars = barsOf([10, 9, 8, 9, 10, 11, 10, 9, 8]);

  test("RSI values", () => {
    expect(series((o) => rsiWilder(bars.close, 2, o), 9)).toEqual([NaN, NaN, 0, 50, 75, 87.5, 43.75, 21.875, 10.9375]);
  });

  test("enter below lower, exit above upper, otherwise hold; warm-up i < period", () => {
    // lower 30, upper 70: in at i=2 (0), hold at 50, out at 75, hold out at 43.75, in at 21.875.
    expect(signalOf(rsiReversion, bars, { period: 2, lower: 30, upper: 70 })).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 1]);
  });

  test("thresholds are strict: RSI equal to a threshold holds the state", () => {
    // lower 21.875, upper 75: RSI 75 at i=4 is not above upper (stay in until 87.5 at i=5);
    // RSI 21.875 at i=7 is not below lower (stay out until 10.9375 at i=8).
    expect(signalOf(rsiReversion, bars, { period: 2, lower: 21.875, upper: 75 })).toEqual([0, 0, 1, 1, 1, 0, 0, 0, 1]);
  });

  test("a flat series sits at RSI 50: entered only when lower > 50", () => {
    const flat = barsOf([5, 5, 5, 5, 5]);
    expect(signalOf(rsiReversion, flat, { period: 2, lower: 30, upper: 70 })).toEqual([0, 0, 0, 0, 0]);
    expect(signalOf(rsiReversion, flat, { period: 2, lower: 55, upper: 70 })).toEqual([0, 0, 1, 1, 1]);
  });

  test("lower < upper is enforced, so entry and exit never compete", () => {
    expect(() => validateParams(rsiReversion, { lower: 50, upper: 50 })).toThrow(/lower < upper/);
  });
});
