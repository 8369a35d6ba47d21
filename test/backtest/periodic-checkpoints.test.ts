/**
 * Periodic checkpoints happen where the policy says (every N bars from zero, or every M
 * minutes of an injected clock), never at the last bar; after success only the `final`
 * checkpoint with the result is left; and the checkpoint state holds what docs/backtest.md
 * says: bar, bar time, request, account snapshot and readable copies, trades so far, samples.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { backtest, type BacktestProgress, type BacktestResultRecord, type BacktestState } from "../../lib/backtest";
import { OperationRegistry } from "../../lib/checkpoint";
import { loadCostTable } from "../../lib/costs/load";
import { loadBars } from "../../lib/data/csv";
import { Evaluator } from "../../lib/engine/evaluate";
import { CancelledError } from "../../lib/errors";
import { getStrategy } from "../../lib/strategies/registry";
import { expectSameResult, lab, type Lab } from "./fixtures";

const N = 15_000;
let L: Lab;
beforeAll(() => {
  L = lab(N, 5);
});
afterAll(() => L.cleanup());

const request = () => ({ strategy: "sma_cross", params: { fast: 12, slow: 48 }, data: L.data, costs: L.costs });

describe("every 10,000 bars on 15,000 bars", () => {
  test("exactly one periodic checkpoint, at bar 10,000; afterwards only the final one with the result", async () => {
    const events: BacktestProgress[] = [];
    const root = `${L.root}-a`;
    const out = await backtest({ ...request(), checkpoint: { everyUnits: 10_000 } }, { root, signals: false, onProgress: (e) => events.push(e) });
    expect(events.filter((e) => e.kind === "checkpoint").map((e) => e.unit)).toEqual([10_000]);
    expect(events.filter((e) => e.kind === "final").map((e) => e.unit)).toEqual([N]);
    const registry = new OperationRegistry({ root });
    const left = registry.checkpoints.list({ operationId: out.operation.id });
    expect(left.map((c) => c.type)).toEqual(["final"]);
    expect(out.final?.id).toBe(left[0]!.id);
    const record = registry.checkpoints.load<BacktestResultRecord>(left[0]!.id).state;
    expect(record.format).toBe("stratlab-backtest-result");
    expect(record.result).toEqual(JSON.parse(JSON.stringify(out.result)));
    expect(record.request).toEqual(out.operation.request);
    expect(out.operation.status).toBe("completed");
  });

  test("a run of 20,000 bars checkpoints at 10,000 only (not at the last bar)", async () => {
    const L2 = lab(20_000, 6);
    try {
      const units: number[] = [];
      await backtest({ ...request(), data: L2.data, checkpoint: { everyUnits: 10_000 } }, { root: L2.root, signals: false, onProgress: (e) => e.kind === "checkpoint" && units.push(e.unit) });
      expect(units).toEqual([10_000]);
    } finally {
      L2.cleanup();
    }
  });
});

test("every M minutes: checkpoints follow the (injected) clock, and the result is unchanged", async () => {
  let now = Date.UTC(2025, 0, 1);
  // 10 ms per clock read: the bridge then reads the clock on every bar, so one minute is 6,000 bars.
  const registry = new OperationRegistry({ root: `${L.root}-clock`, clock: { now: () => (now += 10) } });
  const units: number[] = [];
  const timed = await backtest({ ...request(), checkpoint: { everyMinutes: 1 } }, { registry, signals: false, onProgress: (e) => e.kind === "checkpoint" && units.push(e.unit) });
  expect(units.length).toBeGreaterThanOrEqual(1);
  expect(units.length).toBeLessThanOrEqual(3);
  const plain = await backtest({ ...request(), checkpoint: {} }, { root: `${L.root}-plain`, signals: false });
  expectSameResult(timed.result, plain.result);
});

test("the checkpoint state: bar, time, request, account, trades so far and samples as of its bar", async () => {
  const root = `${L.root}-state`;
  const err = await backtest({ ...request(), checkpoint: { everyUnits: 10_000 } }, { root, signals: false, stopAfterBars: 12_000 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CancelledError);
  const registry = new OperationRegistry({ root });
  const [op] = registry.list({ type: "backtesting" });
  const cks = registry.checkpoints.list({ operationId: op!.id });
  expect(cks.map((c) => [c.type, c.unit])).toEqual([
    ["periodic", 10_000],
    ["cancellation", 12_000],
  ]);
  const bars = loadBars(L.data);
  const strategy = getStrategy("sma_cross");
  const full = new Evaluator(bars, loadCostTable(L.costs)).evaluate(strategy, { fast: 12, slow: 48 }, 10_000, { full: true })[0]!;
  for (const c of cks) {
    const s = registry.checkpoints.load<BacktestState>(c.id).state;
    const k = s.bar - 1;
    expect(s.format).toBe("stratlab-backtest-state");
    expect(s.bar).toBe(c.unit);
    expect(s.barTime).toBe(new Date(bars.t[k]!).toISOString());
    expect(s.request).toEqual(op!.request);
    expect(s.request.data.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The readable copies are the account's: equity = cash + units * close, position = last fill's target.
    expect(s.equity).toBe(full.equity![k]);
    expect(s.cash + s.units * bars.close[k]!).toBe(s.equity);
    const fills = full.fills!.filter((f) => f.bar < s.bar);
    expect(s.position).toBe(fills.length ? fills[fills.length - 1]!.target : 0);
    expect(s.position === 0 ? s.cash : s.units * bars.close[k]!).toBeCloseTo(s.equity, 6);
    expect(s.fills).toEqual(fills);
    expect(s.roundTrips).toEqual(full.round_trips!.filter((r) => r.exitBar < s.bar));
    expect(s.equitySamples.bar).toEqual(Array.from({ length: s.bar / 100 }, (_, i) => i * 100));
    expect(s.equitySamples.equity).toEqual(s.equitySamples.bar.map((b) => full.equity![b]));
    expect(s.account.st.length).toBeGreaterThan(4);
  }
});
