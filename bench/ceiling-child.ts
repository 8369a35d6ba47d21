/**
 * One single-thread evaluator in a process of its own, for the optimizer bench's machine
 * ceiling: how two such processes at once compare with one alone, no pool involved.
 * Forked with IPC (node dist/bench/ceiling-child.js DATA COSTS TASKS SEED): it warms up,
 * says {"ready": true}, then for each {"from", "to"} evaluates those tasks and answers
 * {"ms": wall time}. Disconnecting ends it.
 */
import { loadCostTable } from "../lib/costs/load";
import { loadBars } from "../lib/data/csv";
import { Evaluator } from "../lib/engine/evaluate";
import { evaluateTask } from "../lib/optimize/evaluate-task";
import type { EvalTask } from "../lib/optimize/task";
import { getStrategy } from "../lib/strategies/registry";
import { freshParams } from "./evaluator";

const [data, costs, count, seed] = process.argv.slice(2);
const ev = new Evaluator(loadBars(data), loadCostTable(costs));
const tasks: EvalTask[] = freshParams(getStrategy("sma_cross"), Number(count), Number(seed)).map((params, id) => ({
  id,
  study: "sma_cross|mar|1y",
  strategy: "sma_cross",
  params,
  tradeSizes: [10_000],
}));
const run = (from: number, to: number): number => {
  const t0 = performance.now();
  for (let i = from; i < to; i++) evaluateTask(ev, tasks[i], 0);
  return performance.now() - t0;
};
run(0, tasks.length); // V8's warm-up, as the pool's workers get
process.on("message", (m: { from: number; to: number }) => process.send!({ ms: run(m.from, m.to) }));
process.on("disconnect", () => process.exit(0));
process.send!({ ready: true });
