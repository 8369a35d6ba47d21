/**
 * The worker pool (real threads) gives the in-process evaluator's results byte for byte:
 * every built-in strategy and an overlay, random parameter sets, two trade sizes (one that
 * ruins), one failing task. The pool's workers adopt the per-data-set structures built once
 * by the pool (shared-derived.ts: prefix sums, close index, in SharedArrayBuffers) and
 * send their results packed (packed-results.ts); neither may change a bit, nor the key
 * order of a result (a journal line is its JSON).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseCostTable } from "../../lib/costs/cost-table";
import { generateBars } from "../../lib/data/generate";
import { Evaluator } from "../../lib/engine/evaluate";
import { evaluateTask } from "../../lib/optimize/evaluate-task";
import { packResults, unpackResults } from "../../lib/optimize/packed-results";
import { EvaluatorPool } from "../../lib/optimize/pool";
import { RandomSampler } from "../../lib/optimize/samplers";
import type { EvalTask } from "../../lib/optimize/task";
import { Rng } from "../../lib/random/rng";
import { getStrategy, strategyNames } from "../../lib/strategies/registry";
import { TEST_PARAMS } from "../strategies/fixtures";
import { requireDist } from "./journal-fixtures";

const bars = generateBars({ days: 40, seed: 17 });
const costs = parseCostTable({ gas: 0.5, buckets: [{ size: 1000, impact: 0.0005 }, { size: 100000, impact: 0.002 }] });

function tasks(): EvalTask[] {
  const out: EvalTask[] = [];
  for (const name of [...strategyNames(), "sma_cross+regime"]) {
    const s = getStrategy(name);
    const sets = new RandomSampler().propose({ strategy: s, history: [], firstId: 0, count: 4, rng: Rng.derive(3, "pool-test", name), totalTrials: 4 });
    for (const p of sets) out.push({ id: out.length, study: `${name}|mar|all`, strategy: name, params: { ...p, ...TEST_PARAMS[name.split("+")[0]!] }, tradeSizes: [5, 10_000] });
  }
  out.push({ id: out.length, study: "nosuch|mar|all", strategy: "no_such_strategy", params: {}, tradeSizes: [1000] });
  return out;
}

describe("worker pool = in-process evaluator", () => {
  let pool: EvaluatorPool;
  beforeAll(async () => {
    requireDist();
    pool = await EvaluatorPool.start(bars, costs, 2);
  });
  afterAll(async () => pool?.close());

  test("every built-in, random parameters, two trade sizes, a failing task: the same JSON", async () => {
    const ts = tasks();
    const fromPool = await pool.evaluate(ts);
    const ev = new Evaluator(bars, costs);
    const local = ts.map((t) => evaluateTask(ev, t, 0));
    expect(fromPool.map((r) => r.id)).toEqual(ts.map((t) => t.id));
    let ruined = 0;
    for (const [i, r] of fromPool.entries()) {
      const { started: _s, finished: _f, worker: _w, ...mine } = r;
      const { started: _s2, finished: _f2, worker: _w2, ...theirs } = local[i]!;
      expect(JSON.stringify(mine), JSON.stringify(ts[i])).toBe(JSON.stringify(theirs));
      if (r.results.some((x) => x.ruined)) ruined++;
    }
    expect(fromPool.at(-1)!.error).toMatch(/no_such_strategy/);
    expect(ruined, "trade size 5 ruins some").toBeGreaterThan(0);
  });

  test("packing is exact: doubles bit for bit (-0, tiny, huge), flags, errors, key order", () => {
    const ev = new Evaluator(bars, costs);
    const rs = tasks().slice(0, 6).map((t) => evaluateTask(ev, t, 1));
    rs[0]!.results[0]!.periods.all.sharpe = -0;
    rs[0]!.results[0]!.periods["30d"].fees = 5e-324;
    rs[1]!.results[1]!.periods["1y"].cagr = 1.7976931348623157e308;
    rs[2]!.error = "a message";
    const back = unpackResults(packResults(rs));
    expect(JSON.stringify(back)).toBe(JSON.stringify(rs));
    expect(Object.is(back[0]!.results[0]!.periods.all.sharpe, -0)).toBe(true);
    expect(back).toEqual(rs);
  });
});
