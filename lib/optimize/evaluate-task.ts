/**
 * Evaluate one task with a given Evaluator: shared by the worker threads and the
 * in-process path, so both give identical numbers.
 */
import type { Evaluator } from "../engine/evaluate";
import { getStrategy } from "../strategies/registry";
import type { Strategy } from "../strategies/types";
import type { EvalTask, TaskResult } from "./task";

const strategies = new Map<string, Strategy>();

function strategyFor(name: string): Strategy {
  let s = strategies.get(name);
  if (s === undefined) strategies.set(name, (s = getStrategy(name)));
  return s;
}

export function evaluateTask(ev: Evaluator, task: EvalTask, worker: number): TaskResult {
  const started = Date.now();
  try {
    const results = ev.evaluate(strategyFor(task.strategy), task.params, task.tradeSizes, { abortDrawdown: task.abortDrawdown });
    return {
      id: task.id,
      study: task.study,
      results: results.map((r) => ({ trade_size: r.trade_size, ruined: r.ruined, aborted: r.aborted, over_max_bucket: r.over_max_bucket, periods: r.periods })),
      started,
      finished: Date.now(),
      worker,
    };
  } catch (e) {
    return { id: task.id, study: task.study, results: [], started, finished: Date.now(), worker, error: (e as Error).message };
  }
}
