/**
 * An evaluator worker thread: initialised once with the shared bars (no copy) and the
 * cost table; keeps its Evaluator (and its scratch buffers, memoised indicators) for
 * every task it runs. User strategies arrive as code (their source, or a file to load) at
 * init and are registered once.
 */
import { expose } from "threads/worker";
import { parseCostTable, type CostTableJson } from "../costs/cost-table";
import { viewBars, type SharedBars } from "../data/bars";
import { Evaluator } from "../engine/evaluate";
import { evaluateTask } from "./evaluate-task";
import { packResults, type PackedResults } from "./packed-results";
import { adoptSharedDerived, type SharedDerived } from "./shared-derived";
import { loadStrategyCode } from "./strategy-code";
import type { StrategyCode } from "../strategies/define";
import type { EvalTask } from "./task";

let evaluator: Evaluator | null = null;

/**
 * The indicator cache's byte budget per worker: STRATLAB_INDICATOR_CACHE_MB when set to a
 * positive number, else the evaluator's default (32 MB).
 */
function cacheBytes(): number | undefined {
  const mb = Number(process.env.STRATLAB_INDICATOR_CACHE_MB);
  return Number.isFinite(mb) && mb > 0 ? mb * 2 ** 20 : undefined;
}
let workerIndex = -1;

const api = {
  init(shared: SharedBars, costs: CostTableJson, index: number, code: StrategyCode[] = [], derived?: SharedDerived): boolean {
    // User strategies first: built once per worker and cached in its registry.
    for (const c of code) loadStrategyCode(c);
    const bars = viewBars(shared);
    if (derived !== undefined) adoptSharedDerived(bars, derived);
    evaluator = new Evaluator(bars, parseCostTable(costs, "cost table"), { cacheBytes: cacheBytes() });
    workerIndex = index;
    return shared.buffer instanceof SharedArrayBuffer;
  },
  /** The tasks' results, packed (packed-results.ts: the pool unpacks them). */
  evaluate(tasks: EvalTask[]): PackedResults {
    if (evaluator === null) throw new Error("worker used before init");
    const ev = evaluator;
    return packResults(tasks.map((t) => evaluateTask(ev, t, workerIndex)));
  },
};

export type EvaluatorWorker = typeof api;

expose(api);
