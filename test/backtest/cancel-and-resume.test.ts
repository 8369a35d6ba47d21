/**
 * Cancel, then resume: the result (metrics bit for bit, trades, sampled equity) equals an
 * uninterrupted run's after one or many cancel/resume cycles, whether the cancel came before
 * the first periodic checkpoint, after one, from code at an arbitrary bar, or before the
 * first bar. Re-running the same request with `resume: true` continues the cancelled run.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { backtest, findResumableBacktest, prepareBacktest, resumeBacktest, type BacktestOutcome, type BacktestResult } from "../../lib/backtest";
import { CancellationToken, OperationRegistry } from "../../lib/checkpoint";
import { loadCostTable } from "../../lib/costs/load";
import { loadBars } from "../../lib/data/csv";
import { Evaluator } from "../../lib/engine/evaluate";
import { CancelledError, RunError } from "../../lib/errors";
import { getStrategy } from "../../lib/strategies/registry";
import { validateParams } from "../../lib/strategies/params";
import { expectSameMetrics, expectSameResult, lab, type Lab } from "./fixtures";

const N = 14_400; // 50 days
let L: Lab;
let uninterrupted: BacktestResult;
let rootNo = 0;
const request = () => ({ strategy: "donchian_breakout", params: { entry: 40, exit: 20 }, data: L.data, costs: L.costs, checkpoint: { everyUnits: 10_000 } });
const freshRoot = () => `${L.root}-${++rootNo}`;

beforeAll(async () => {
  L = lab(N, 21);
  uninterrupted = (await backtest(request(), { root: freshRoot(), signals: false })).result;
});
afterAll(() => L.cleanup());

async function cancelled(p: Promise<BacktestOutcome>): Promise<{ error: CancelledError; id: string }> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CancelledError);
  const id = /operation (bt-\S+) cancelled/.exec((error as Error).message)?.[1];
  expect(id).toBeDefined();
  return { error: error as CancelledError, id: id! };
}

test("the uninterrupted backtest equals the fast evaluator", () => {
  const bars = loadBars(L.data);
  const s = getStrategy("donchian_breakout");
  const expected = new Evaluator(bars, loadCostTable(L.costs)).evaluate(s, validateParams(s, { entry: 40, exit: 20 }), 10_000, { full: true })[0]!;
  expectSameMetrics(uninterrupted, expected);
  expect(uninterrupted.fills).toEqual(expected.fills);
  expect(uninterrupted.metrics.trades).toBeGreaterThan(5);
});

test("cancel at bar 5,000 (before the first periodic checkpoint): a cancellation checkpoint, and resume gives the same result", async () => {
  const root = freshRoot();
  const { error, id } = await cancelled(backtest(request(), { root, signals: false, stopAfterBars: 5_000 }));
  expect(error.exitCode).toBe(130);
  expect(error.message).toMatch(new RegExp(`at unit 5000; saved checkpoint ck-\\S+; resume with: stratlab operations resume ${id}$`));
  const registry = new OperationRegistry({ root });
  expect(registry.get(id).status).toBe("cancelled");
  expect(registry.checkpoints.list({ operationId: id }).map((c) => [c.type, c.unit])).toEqual([["cancellation", 5_000]]);

  const resumed = await resumeBacktest(id, { root, signals: false });
  expectSameResult(resumed.result, uninterrupted);
  expect(resumed.checkpoint?.unit).toBe(5_000);
  expect(resumed.resumedFrom?.id).toBe(id);
  expect(resumed.operation.resumedFrom).toBe(id);
  // The original's checkpoints are gone; the new operation keeps its result only.
  expect(registry.checkpoints.list({ operationId: id })).toEqual([]);
  expect(registry.checkpoints.list({ operationId: resumed.operation.id }).map((c) => c.type)).toEqual(["final"]);
  await expect(resumeBacktest(id, { root, signals: false })).rejects.toThrow(/nothing left to resume/);
});

test("four cancel/resume cycles (before, at and after periodic checkpoints) give the same result", async () => {
  const root = freshRoot();
  let { id } = await cancelled(backtest(request(), { root, signals: false, stopAfterBars: 3_000 }));
  for (const stop of [7_000, 10_000, 12_345]) {
    ({ id } = await cancelled(resumeBacktest(id, { root, signals: false, stopAfterBars: stop })));
    const latest = new OperationRegistry({ root }).checkpoints.latest(id);
    expect([latest?.type, latest?.unit]).toEqual(["cancellation", stop]);
  }
  const done = await resumeBacktest(id, { root, signals: false });
  expect(done.checkpoint?.unit).toBe(12_345);
  expectSameResult(done.result, uninterrupted);
  // Every operation of the chain lost its checkpoints; only the last one's result is kept.
  const registry = new OperationRegistry({ root });
  expect(registry.checkpoints.list().map((c) => [c.operationId, c.type])).toEqual([[done.operation.id, "final"]]);
  expect(registry.list({ type: "backtesting" }).map((o) => o.status)).toEqual(["cancelled", "cancelled", "cancelled", "cancelled", "completed"]);
});

test("a token cancelled by code at an arbitrary bar, and a token cancelled before the first bar", async () => {
  const root = freshRoot();
  const token = new CancellationToken();
  let seen = 0;
  const { id } = await cancelled(
    backtest(request(), {
      root,
      signals: false,
      token,
      progressEveryMs: 0,
      onProgress: (e) => {
        seen = e.unit;
        if (e.unit > 8_000) token.cancel("enough");
      },
    }),
  );
  const registry = new OperationRegistry({ root });
  const at = registry.checkpoints.latest(id)!;
  expect(at.type).toBe("cancellation");
  expect(at.unit).toBeGreaterThan(8_000);
  expect(at.unit).toBeLessThanOrEqual(seen + 1);
  expectSameResult((await resumeBacktest(id, { root, signals: false })).result, uninterrupted);

  const early = new CancellationToken();
  early.cancel("before it began");
  const second = await cancelled(backtest(request(), { root, signals: false, token: early }));
  expect([registry.checkpoints.latest(second.id)?.type, registry.checkpoints.latest(second.id)?.unit]).toEqual(["cancellation", 0]);
  expectSameResult((await resumeBacktest(second.id, { root, signals: false })).result, uninterrupted);
});

describe("resume: true (re-running a notebook cell)", () => {
  test("continues the newest cancelled run of the same request, and only of the same request", async () => {
    const root = freshRoot();
    const { id } = await cancelled(backtest(request(), { root, signals: false, stopAfterBars: 6_000 }));
    // Another request (other params) does not match it and starts afresh.
    const other = await backtest({ ...request(), params: { entry: 30, exit: 20 } }, { root, signals: false, resume: true });
    expect(other.resumedFrom).toBeUndefined();
    // The checkpoint policy is not part of a run's identity.
    const spec = prepareBacktest({ ...request(), checkpoint: { everyUnits: 777 } }).spec;
    expect(findResumableBacktest(spec, { root })?.id).toBe(id);
    const again = await backtest(request(), { root, signals: false, resume: true });
    expect(again.resumedFrom?.id).toBe(id);
    expect(again.checkpoint?.unit).toBe(6_000);
    expectSameResult(again.result, uninterrupted);
    // Nothing left to continue: the next run starts from bar 0.
    expect(findResumableBacktest(spec, { root })).toBeUndefined();
    const third = await backtest(request(), { root, signals: false, resume: true });
    expect(third.resumedFrom).toBeUndefined();
    expectSameResult(third.result, uninterrupted);
  });
});

test("a resume needs a backtest that can be resumed", async () => {
  const root = freshRoot();
  const done = await backtest(request(), { root, signals: false });
  await expect(resumeBacktest(done.operation.id, { root })).rejects.toThrow(/completed; there is nothing to resume/);
  await expect(resumeBacktest("bt-nope", { root })).rejects.toThrow(/bt-nope/);
  const err = await resumeBacktest(done.operation.id, { root }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RunError);
});
