/**
 * The Evaluator around the kernel: early abort, several trade sizes in one call, full
 * output versus metrics only, no state carried between calls, and the resumable
 * bar-by-bar path (Account.step / snapshot / restore) giving the same bits as one pass.
 */
import { describe, expect, it } from "vitest";
import { sliceBars } from "../../lib/data/bars";
import { Account } from "../../lib/engine/account";
import { Evaluator, periodStartsOf, resultOf } from "../../lib/engine/evaluate";
import type { EvalResult } from "../../lib/engine/metrics";
import { smaCross } from "../../lib/strategies/sma-cross";
import { costTable, DAY, randomExposures, randomWalkBars } from "./fixtures";

const DEX = costTable(1.5, [
  [1000, 0.00055],
  [10000, 0.0008],
  [100000, 0.0025],
]);
const N = 1500;
const bars = randomWalkBars(N, DAY, 61, 0.03);
const w = Float64Array.from(randomExposures(N, "binary", 62));

/** Everything but the full-output fields. */
function metricsOnly(r: EvalResult): Omit<EvalResult, "equity" | "fills" | "round_trips"> {
  const { equity: _e, fills: _f, round_trips: _r, ...rest } = r;
  return rest;
}

describe("early abort", () => {
  const full = new Evaluator(bars, DEX).account(w, 10_000, { full: true });
  const eq = Array.from(full.equity!);
  /** First bar whose whole-run drawdown (from trade_size) exceeds `bound`, or -1. */
  function firstBreach(bound: number): number {
    let peak = 10_000;
    for (let k = 0; k < eq.length; k++) {
      peak = Math.max(peak, eq[k]);
      if (1 - eq[k] / peak > bound) return k;
    }
    return -1;
  }

  it("stops at the first close where the whole-run drawdown exceeds the bound", () => {
    const bound = full.metrics.max_drawdown / 2;
    const k = firstBreach(bound);
    expect(k).toBeGreaterThan(0);
    expect(k).toBeLessThan(N - 1);
    const r = new Evaluator(bars, DEX).account(w, 10_000, { abortDrawdown: bound, full: true });
    expect(r.aborted).toBe(true);
    expect(r.bars_evaluated).toBe(k + 1);
    expect(Array.from(r.equity!)).toEqual(eq.slice(0, k + 1));
    expect(r.metrics.max_drawdown).toBeGreaterThan(bound);
    // The whole-run metrics are those of a run over bars [0, k] only.
    const truncated = new Evaluator(sliceBars(bars, 0, k + 1), DEX).account(w.subarray(0, k + 1), 10_000);
    expect(r.metrics).toEqual(truncated.metrics);
  });

  it("does not abort when the bound is never exceeded (equal is not exceeded)", () => {
    const r = new Evaluator(bars, DEX).account(w, 10_000, { abortDrawdown: full.metrics.max_drawdown });
    expect(r.aborted).toBe(false);
    expect(r.bars_evaluated).toBe(N);
    expect(metricsOnly(r)).toEqual(metricsOnly(full));
  });
});

describe("evaluate and account calls", () => {
  const params = { fast: 5, slow: 30 };

  it("several trade sizes in one call equal separate calls", () => {
    const ev = new Evaluator(bars, DEX);
    const sizes = [100, 10_000, 2e6];
    const together = ev.evaluate(smaCross, params, sizes);
    const apart = sizes.map((s) => new Evaluator(bars, DEX).evaluate(smaCross, params, s)[0]);
    expect(together).toEqual(apart);
    // Different sizes really give different results (costs do not scale with size).
    expect(together[0].metrics.total_return).not.toBe(together[1].metrics.total_return);
    expect(together[2].over_max_bucket).toBeGreaterThan(0);
  });

  it("full output carries the same metrics as metrics-only output", () => {
    const ev = new Evaluator(bars, DEX);
    const lean = ev.account(w, 10_000);
    const full = ev.account(w, 10_000, { full: true });
    expect(lean.equity).toBeUndefined();
    expect(full.equity).toHaveLength(N);
    expect(metricsOnly(full)).toEqual(lean);
  });

  it("calling account() or evaluate() twice gives identical results", () => {
    const ev = new Evaluator(bars, DEX);
    const a = ev.account(w, 10_000, { full: true });
    ev.evaluate(smaCross, { fast: 3, slow: 7 }, 777); // something else in between
    const b = ev.account(w, 10_000, { full: true });
    expect(b).toEqual(a);
    const e1 = ev.evaluate(smaCross, params, 10_000);
    const e2 = ev.evaluate(smaCross, params, 10_000);
    expect(e2).toEqual(e1);
  });
});

describe("the resumable path", () => {
  it("step by step with a JSON snapshot/restore every 97 bars equals one pass, bit for bit", () => {
    const cfg = { t: bars.t, open: bars.open, close: bars.close, w, costs: DEX, tradeSize: 10_000, barMs: DAY, periodStarts: periodStartsOf(bars), full: true };
    const once = new Account(cfg);
    once.run();
    let acc = new Account(cfg);
    while (!acc.done) {
      acc.step();
      if (acc.next % 97 === 0) {
        const state = JSON.parse(JSON.stringify(acc.snapshot()));
        const resumed = new Account({ ...cfg, full: false });
        resumed.restore(state);
        acc = resumed;
      }
    }
    expect(resultOf(acc, 10_000).periods).toEqual(resultOf(once, 10_000).periods);
    expect(acc.lastEquity).toBe(once.lastEquity);
  });
});
