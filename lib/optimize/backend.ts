/**
 * Where trials are evaluated. The runner proposes and journals; a backend only turns tasks
 * into results. The embedded default is the local worker pool (pool.ts); lib/scale adds a
 * Redis job queue (BullMQ) whose workers run on other machines. Same tasks, same numbers.
 */
import type { CostTable } from "../costs/cost-table";
import type { Bars } from "../data/bars";
import type { EvalTask, TaskResult } from "./task";

export interface TrialEvaluator {
  /** Evaluation slots (local threads; for a queue, the coordinator's local estimate). */
  readonly size: number;
  /**
   * Results in task order; `onChunk` sees results as soon as they exist, so the caller can
   * journal them before the rest arrive.
   */
  evaluate(tasks: readonly EvalTask[], onChunk?: (results: TaskResult[]) => void): Promise<TaskResult[]>;
  close(): Promise<void>;
}

/** What a backend other than the local pool needs to know about the run it serves. */
export interface EvaluatorContext {
  bars: Bars;
  costs: CostTable;
  workers: number;
  /** The run directory, its name and creation time (a stable identity across restarts). */
  run: { dir: string; name: string; created: string };
  paths: { data: string; costs: string };
  signal?: AbortSignal;
  onLog: (line: string) => void;
}

export type StartEvaluator = (ctx: EvaluatorContext) => Promise<TrialEvaluator>;
