/**
 * Trailing periods (EVALUATOR-CONTRACT "Periods"): with daily bars the 30 d, 90 d and 1 y
 * windows land inside a few hundred bars, so each period's start, base, return, drawdown,
 * swaps and fees can be checked against an independent computation from the run's own
 * equity curve and fills.
 */
import { describe, expect, it } from "vitest";
import { barsFromColumns } from "../../lib/data/bars";
import { Evaluator } from "../../lib/engine/evaluate";
import { PERIOD_KEYS, periodStart, type PeriodKey } from "../../lib/engine/periods";
import { costTable, DAY, expectClose, FREE, makeBars, randomExposures, randomWalkBars, runAccount, T0 } from "./fixtures";

const DEX = costTable(1.5, [
  [1000, 0.00055],
  [10000, 0.0008],
  [100000, 0.0025],
]);

describe("period start: the first bar with t[s] >= t[last] + bar - P", () => {
  it("on 400 daily bars: 30d at 370, 90d at 310, 1y at 35, all at 0 (a bar exactly on the boundary is in)", () => {
    const ev = new Evaluator(randomWalkBars(400, DAY, 1), FREE);
    // t[last] + 1 day - 30 days = t0 + 370 days = t[370].
    expect(PERIOD_KEYS.map((k) => ev.periodStartBar(k))).toEqual([370, 310, 35, 0]);
  });

  it("with a gap in the grid, the first bar after the boundary", () => {
    // Daily bars with days 60..69 missing: 90 bars at t0 + d for d in 0..59, 70..99.
    const days = [...Array.from({ length: 60 }, (_, d) => d), ...Array.from({ length: 30 }, (_, d) => 70 + d)];
    const n = days.length;
    const one = (x: number) => Array.from({ length: n }, () => x);
    const bars = barsFromColumns({ t: days.map((d) => T0 + d * DAY), open: one(1), high: one(1), low: one(1), close: one(1), volume: one(1) });
    expect(bars.barMs).toBe(DAY);
    // 30d: boundary t0 + 99 + 1 - 30 = day 70 -> bar 60. 90d: boundary day 10 -> bar 10.
    expect(periodStart(bars.t, DAY, 30 * DAY)).toBe(60);
    expect(periodStart(bars.t, DAY, 90 * DAY)).toBe(10);
    // 35 days: boundary day 65 is in the gap -> first bar after it, day 70 (bar 60).
    expect(periodStart(bars.t, DAY, 35 * DAY)).toBe(60);
    expect(periodStart(bars.t, DAY, 45 * DAY)).toBe(55); // boundary day 55
  });
});

/** One period of a run, computed independently from its equity curve and fills. */
function periodByHand(r: ReturnType<typeof runAccount>, t: Float64Array, s: number, tradeSize: number) {
  const e = Array.from(r.equity!);
  const last = e.length - 1;
  const base = s === 0 ? tradeSize : e[s - 1];
  let peak = base;
  let dd = 0;
  for (let k = s; k <= last; k++) {
    peak = Math.max(peak, e[k]);
    dd = Math.max(dd, 1 - e[k] / peak);
  }
  const fills = r.fills!.filter((f) => f.bar >= s);
  const growth = e[last] / base;
  return {
    base,
    total_return: growth - 1,
    final_balance: tradeSize * growth,
    max_drawdown: dd,
    swaps: fills.length,
    fees: fills.reduce((a, f) => a + f.cost, 0),
    trades: r.round_trips!.filter((rt) => rt.exitBar >= s).length,
    cagr: Math.pow(growth, (365 * DAY) / (t[last] - t[s] + DAY)) - 1,
    bars: last - s + 1,
    start: t[s],
  };
}

describe("period metrics", () => {
  it("return, drawdown, swaps, fees and cagr of every period match an independent computation", () => {
    const n = 400;
    const bars = randomWalkBars(n, DAY, 21, 0.03);
    const ev = new Evaluator(bars, DEX);
    for (const [seed, kind] of [
      [31, "binary"],
      [32, "levels"],
      [33, "continuous"],
    ] as const) {
      const w = randomExposures(n, kind, seed);
      const r = ev.account(Float64Array.from(w), 10_000, { full: true });
      for (const key of PERIOD_KEYS) {
        const s = ev.periodStartBar(key);
        const want = periodByHand(r, bars.t, s, 10_000);
        const got = r.periods[key];
        expect(got.bars, `${kind} ${key}`).toBe(want.bars);
        expect(got.start).toBe(want.start);
        expect(got.swaps, `${kind} ${key} swaps`).toBe(want.swaps);
        expect(got.trades, `${kind} ${key} trades`).toBe(want.trades);
        for (const k of ["total_return", "final_balance", "max_drawdown", "fees", "cagr"] as const) {
          expectClose(got[k], want[k], 1e-10, `${kind} ${key} ${k}`);
        }
      }
      expect(r.periods.all.final_balance).toBe(r.equity![n - 1]);
      // The periods really are different windows.
      expect(r.periods["30d"].swaps).toBeLessThan(r.periods.all.swaps);
    }
  });

  it("uses E[s-1] as the base, counts a drop at bar s as drawdown, and counts swaps filled at bars >= s", () => {
    // 40 daily bars: the 30d period starts at bar 10.
    const n = 40;
    const p = Array.from({ length: n }, (_, i) => (i < 10 ? 100 + i : 200 + i));
    p[10] = 80; // bar s opens and closes below E[s-1]'s price; afterwards prices only rise
    const bars = makeBars(p, p, DAY);
    const ev = new Evaluator(bars, FREE);
    expect(ev.periodStartBar("30d")).toBe(10);
    const w = new Array<number>(n).fill(1);
    w[0] = 0; // buy decided at bar 1 -> fills at bar 2
    w[8] = 0; // sell decided at bar 8 -> fills at bar 9 (before s: not in the period)
    // w[9] = 1 again -> buy fills at bar 10 = s (in the period)
    const r = ev.account(Float64Array.from(w), 1000, { full: true });
    expect(r.fills!.map((f) => f.bar)).toEqual([2, 9, 10]);
    const p30 = r.periods["30d"];
    expect(p30.swaps).toBe(1);
    expect(p30.trades).toBe(0); // the round trip 2 -> 9 exited before s
    expect(r.periods.all.trades).toBe(1);
    const e = r.equity!;
    // Base E[9]: all cash after the sell at open[9] = 109.
    expect(e[9]).toBe((1000 / 102) * 109);
    expectClose(p30.total_return, e[n - 1] / e[9] - 1);
    // Equity at bar 10 equals the base (bought at open 80, marked at close 80): no drawdown...
    expect(e[10]).toBe(e[9]);
    // ...so move the drop inside bar s: open at E[s-1]'s level, close at 80.
    const bars2 = makeBars(
      p.map((x, i) => (i === 10 ? 109 : x)),
      p,
      DAY,
    );
    const r2 = new Evaluator(bars2, FREE).account(Float64Array.from(w), 1000, { full: true });
    const e2 = r2.equity!;
    expectClose(r2.periods["30d"].max_drawdown, 1 - e2[10] / e2[9]);
    expect(r2.periods["30d"].max_drawdown).toBeGreaterThan(0.25);
  });

  it("a data set shorter than a period: every period is the whole run", () => {
    const bars = randomWalkBars(20, DAY, 41);
    const ev = new Evaluator(bars, DEX);
    const r = ev.account(Float64Array.from(randomExposures(20, "binary", 42)), 5000);
    for (const key of ["30d", "90d", "1y"] as PeriodKey[]) {
      expect(ev.periodStartBar(key)).toBe(0);
      expect(r.periods[key]).toEqual(r.periods.all);
    }
    expect(r.metrics).toEqual(r.periods.all);
  });

  it("30 days of 5-minute bars form the 30d period exactly (8,640 bars)", () => {
    const bars = randomWalkBars(10_000, 5 * 60_000, 51, 0.001);
    const r = new Evaluator(bars, FREE).account(Float64Array.from(randomExposures(10_000, "binary", 52)), 1000);
    expect(r.periods["30d"].bars).toBe(8640);
    expect(r.periods["90d"].bars).toBe(10_000);
  });
});
