/**
 * The records a run directory holds. One finished trial is one line of `trials.jsonl`;
 * the format is documented in docs/file-formats.md ("Run directory").
 */
import type { PeriodKey } from "../../engine/periods";

export type TrialParamValue = number | string | boolean;
export type TrialState = "complete" | "pruned" | "failed";
export const TRIAL_STATES: readonly TrialState[] = ["complete", "pruned", "failed"];

/** The evaluation of one trade size: every metric of every period (EvalResult without curves). */
export interface TrialResult {
  trade_size: number;
  ruined: boolean;
  aborted: boolean;
  over_max_bucket: number;
  periods: Record<PeriodKey, Record<string, number>>;
}

/** One line of trials.jsonl. */
export interface TrialLine {
  /** Format version. */
  v: 1;
  /** Global trial id within the study (0-based, dense). */
  id: number;
  /** Study key, e.g. "sma_cross|mar|1y". */
  study: string;
  params: Record<string, TrialParamValue>;
  /** Objective value for the study (null = failed/pruned). */
  value: number | null;
  state: TrialState;
  /** All metrics for all periods, per trade size. */
  results: TrialResult[];
  /** ISO times the evaluation started and finished (absent in journals written without them). */
  started?: string;
  finished?: string;
  /** Index of the pool worker that evaluated it (absent likewise). */
  worker?: number;
  /**
   * The account was ruined (a swap would have cost its whole notional): the trial is
   * complete, its value null (docs/objectives.md, "Ruined accounts").
   */
  ruined?: true;
  /** Multi-objective studies: one value per objective, in the study's order (value is then null). */
  values?: (number | null)[];
  /** Why the trial failed (state "failed"). */
  error?: string;
}

/** A trial line without its results: what resume needs, and cheap to read. */
export type TrialSummary = Omit<TrialLine, "results">;
