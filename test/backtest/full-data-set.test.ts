/**
 * The default data set (210,240 five-minute bars): the resumable backtest, stopped at bar
 * 100,000 and resumed, equals the fast evaluator bit for bit; and the speeds of the engine
 * alone, of a run without checkpoints and of one with the default checkpoints are measured
 * (printed, not asserted: the machine is shared).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { backtest, BacktestEngine, resumeBacktest } from "../../lib/backtest";
import { loadCostTable } from "../../lib/costs/load";
import { loadBars } from "../../lib/data/csv";
import { ensureDefaultData } from "../../lib/data/generate";
import { Evaluator } from "../../lib/engine/evaluate";
import { DEFAULT_COSTS, DEFAULT_DATA } from "../../lib/paths";
import { validateParams } from "../../lib/strategies/params";
import { getStrategy } from "../../lib/strategies/registry";
import { expectSameMetrics } from "./fixtures";

const dir = mkdtempSync(join(tmpdir(), "stratlab-bt-full-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("210,240 bars: stopped at 100,000 and resumed, equal to the evaluator; speeds", async () => {
  ensureDefaultData();
  const bars = loadBars(DEFAULT_DATA);
  expect(bars.length).toBe(210_240);
  const costs = loadCostTable(DEFAULT_COSTS);
  const strategy = getStrategy("sma_cross");
  const params = validateParams(strategy, {});
  const ms = (t0: number) => performance.now() - t0;

  let t0 = performance.now();
  const expected = new Evaluator(bars, costs).evaluate(strategy, params, 10_000, { full: true })[0]!;
  const evaluatorMs = ms(t0);

  t0 = performance.now();
  const engine = new BacktestEngine({ bars, costs, strategy, params, tradeSize: 10_000 });
  engine.runTo();
  const engineMs = ms(t0);
  expectSameMetrics(engine.result(), expected);

  const request = { strategy: "sma_cross" };
  t0 = performance.now();
  const plain = await backtest({ ...request, checkpoint: {} }, { root: join(dir, "plain"), signals: false });
  const plainMs = ms(t0);
  expectSameMetrics(plain.result, expected);

  const root = join(dir, "ck");
  let checkpoints = 0;
  t0 = performance.now();
  const stopped = await backtest(request, { root, signals: false, stopAfterBars: 100_000, onProgress: (e) => void (e.kind === "checkpoint" && checkpoints++) }).catch((e: Error) => e);
  const id = /operation (bt-\S+) cancelled/.exec((stopped as Error).message)![1]!;
  const resumed = await resumeBacktest(id, { root, signals: false, onProgress: (e) => void (e.kind === "checkpoint" && checkpoints++) });
  const checkpointedMs = ms(t0);
  expect(checkpoints).toBe(20); // 10,000 .. 90,000 then 110,000 .. 210,000; the cancel at 100,000 is its own

  const r = resumed.result;
  expectSameMetrics(r, expected);
  expect(r.fills).toEqual(expected.fills);
  expect(r.round_trips).toEqual(expected.round_trips);
  expect(r.equity_samples.equity).toEqual(r.equity_samples.bar.map((b) => expected.equity![b]));
  expect(r.equity_samples.bar).toHaveLength(2_104); // 0, 100, ..., 210,200 (2,103) and 210,239

  const rate = (t: number) => `${((bars.length / t) * 1000 / 1e6).toFixed(2)} M bars/s`;
  console.log(
    [
      `full data set, ${bars.length} bars, sma_cross, ${expected.metrics.swaps} swaps:`,
      `  evaluator (signals + one pass)          ${evaluatorMs.toFixed(0)} ms`,
      `  engine alone, step() per bar            ${engineMs.toFixed(0)} ms (${rate(engineMs)})`,
      `  backtest(), no checkpoints (load+hash)  ${plainMs.toFixed(0)} ms (${rate(plainMs)})`,
      `  backtest() every 10,000 bars, stopped at 100,000 and resumed: ${checkpointedMs.toFixed(0)} ms, ${checkpoints} periodic checkpoints + 1 cancellation`,
    ].join("\n"),
  );
});
