/**
 * The bar-by-bar engine gives the fast evaluator's numbers to the last bit: every metric of
 * every period (Object.is), the flags, every fill and round trip, and equity samples equal
 * to the evaluator's equity at those bars; for every built-in strategy and overlay combos,
 * at a normal and a ruin-prone trade size; uninterrupted, and restored from JSON snapshots
 * taken at arbitrary bars (a resume, without files).
 */
import { describe, expect, test } from "vitest";
import { BacktestEngine, type EngineState } from "../../lib/backtest/engine";
import { parseCostTable } from "../../lib/costs/cost-table";
import { generateBars } from "../../lib/data/generate";
import { Evaluator } from "../../lib/engine/evaluate";
import { validateParams } from "../../lib/strategies/params";
import { getStrategy, strategyNames } from "../../lib/strategies/registry";
import { TEST_PARAMS } from "../strategies/fixtures";
import { expectSameMetrics } from "./fixtures";

const bars = generateBars({ days: 40, seed: 2024 });
const costs = parseCostTable({
  gas: 0.5,
  buckets: [
    { size: 1000, impact: 0.0005 },
    { size: 10000, impact: 0.0008 },
    { size: 100000, impact: 0.0025 },
  ],
});
const NAMES = [...strategyNames(), "sma_cross+regime", "rsi_reversion+regime+volcap"];
// 10,000 trades normally; 40 pays 0.5 gas per swap on ~40, so some strategies ruin.
const SIZES = [10_000, 40];

describe.each(NAMES)("%s", (name) => {
  const strategy = getStrategy(name);
  const params = validateParams(strategy, TEST_PARAMS[name] ?? {});
  const evaluator = new Evaluator(bars, costs);

  test.each(SIZES)("trade size %d: uninterrupted run equals Evaluator.evaluate", (tradeSize) => {
    const expected = evaluator.evaluate(strategy, params, tradeSize, { full: true })[0]!;
    const engine = new BacktestEngine({ bars, costs, strategy, params, tradeSize, equityEvery: 97 });
    engine.runTo();
    const r = engine.result();
    expectSameMetrics(r, expected, name);
    expect(r.fills).toEqual(expected.fills);
    expect(r.round_trips).toEqual(expected.round_trips);
    const s = r.equity_samples;
    expect(s.bar[0]).toBe(0);
    expect(s.bar[s.bar.length - 1]).toBe(bars.length - 1);
    expect(s.bar.every((b, i) => i === 0 || b - s.bar[i - 1]! === 97 || b === bars.length - 1)).toBe(true);
    expect(s.equity).toEqual(s.bar.map((b) => expected.equity![b]));
    expect(s.t).toEqual(s.bar.map((b) => bars.t[b]));
    if (tradeSize === 10_000) expect(expected.metrics.swaps, `${name} must trade on the test data`).toBeGreaterThan(0);
  });

  test("restored from JSON snapshots at arbitrary bars, it still equals the evaluator", () => {
    const tradeSize = 10_000;
    const expected = evaluator.evaluate(strategy, params, tradeSize, { full: true })[0]!;
    let engine = new BacktestEngine({ bars, costs, strategy, params, tradeSize });
    for (const at of [1, 777, 5_003, 5_004, 9_999]) {
      engine.runTo(at);
      const state = JSON.parse(JSON.stringify(engine.state())) as EngineState;
      expect(state.bar).toBe(at);
      // A new engine (signals recomputed), as a resume in another process would build.
      engine = new BacktestEngine({ bars, costs, strategy, params, tradeSize });
      engine.restore(state);
    }
    engine.runTo();
    const r = engine.result();
    expectSameMetrics(r, expected, name);
    expect(r.fills).toEqual(expected.fills);
    expect(r.round_trips).toEqual(expected.round_trips);
  });
});

test("at least one case is ruined, so the ruin flag is compared on a real ruin", () => {
  const ruined = NAMES.some((n) => {
    const s = getStrategy(n);
    return new Evaluator(bars, costs).evaluate(s, validateParams(s, {}), 40)[0]!.ruined;
  });
  expect(ruined).toBe(true);
});

test("a state from another configuration is refused", () => {
  const strategy = getStrategy("sma_cross");
  const params = validateParams(strategy, {});
  const a = new BacktestEngine({ bars, costs, strategy, params, tradeSize: 1000, equityEvery: 50 });
  a.runTo(100);
  const b = new BacktestEngine({ bars, costs, strategy, params, tradeSize: 1000 });
  expect(() => b.restore(a.state())).toThrow(/every 50 bars/);
  const state = a.state();
  state.bar = 99;
  const c = new BacktestEngine({ bars, costs, strategy, params, tradeSize: 1000, equityEvery: 50 });
  expect(() => c.restore(state)).toThrow(/bar 99/);
});
