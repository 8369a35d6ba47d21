/** What crosses between the study runner and the evaluator workers: plain, cloneable data. */
import type { Metrics } from "../engine/metrics";
import type { PeriodKey } from "../engine/periods";
import type { Params } from "../strategies/types";

export interface EvalTask {
  /** Trial id within its study. */
  id: number;
  study: string;
  strategy: string;
  params: Params;
  tradeSizes: number[];
  /** Early-abort bound on whole-run drawdown (pruning), if any. */
  abortDrawdown?: number;
}

export interface TradeSizeResult {
  trade_size: number;
  ruined: boolean;
  aborted: boolean;
  over_max_bucket: number;
  periods: Record<PeriodKey, Metrics>;
}

export interface TaskResult {
  id: number;
  study: string;
  results: TradeSizeResult[];
  /** Unix ms. */
  started: number;
  finished: number;
  worker: number;
  error?: string;
}
