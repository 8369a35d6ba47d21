/** The metric record every evaluation returns, for the whole run and for each period. */
import type { PeriodKey } from "./periods";

export const METRIC_KEYS = [
  "final_balance",
  "total_return",
  "cagr",
  "max_drawdown",
  "sharpe",
  "sortino",
  "volatility",
  "fees",
  "swaps",
  "trades",
  "win_rate",
  "profit_factor",
  "exposure",
] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

export const OBJECTIVE_KEYS = [
  "final_balance",
  "profit_biased",
  "cps_v2_profit_biased",
  "mar",
  "utility",
  "cps",
  "cps_v2",
] as const;
export type ObjectiveKey = (typeof OBJECTIVE_KEYS)[number];

export type Metrics = Record<MetricKey | ObjectiveKey, number> & {
  /** Bars in the period. */
  bars: number;
  /** Open time (Unix ms) of the period's first bar. */
  start: number;
};

/** profit_factor when there are winning round trips and no losing ones (documented cap). */
export const PROFIT_FACTOR_CAP = 100;
/**
 * cagr at most this (1e12 = a trillion-fold a year): annualising a few days of data can
 * overflow to Infinity, which JSON cannot carry and which would make mar/utility infinite.
 */
export const CAGR_CAP = 1e12;
/** sortino when a period has a positive mean return and no losing bar (documented cap). */
export const SORTINO_CAP = 100;

export interface Fill {
  bar: number;
  t: number;
  side: "buy" | "sell";
  /** Target exposure after the fill. */
  target: number;
  price: number;
  notional: number;
  cost: number;
  /** Equity at the open of the fill bar, before the swap. */
  equity: number;
}

export interface RoundTrip {
  entryBar: number;
  exitBar: number;
  entryT: number;
  exitT: number;
  /** Equity at the open of the entry bar, before the entry swap. */
  entryEquity: number;
  /** Equity right after the exit swap. */
  exitEquity: number;
  pnl: number;
  return: number;
}

export interface EvalResult {
  trade_size: number;
  /** A swap would have cost at least its notional; later swaps were skipped. */
  ruined: boolean;
  /** Swaps whose notional exceeded the largest cost bucket (its impact was used). */
  over_max_bucket: number;
  /** The early-abort hook stopped the run; metrics cover bars [0, bars_evaluated). */
  aborted: boolean;
  bars_evaluated: number;
  /** Every metric for the whole run (the same numbers as periods.all). */
  metrics: Metrics;
  periods: Record<PeriodKey, Metrics>;
  /** Full output only: equity at every close. */
  equity?: Float64Array;
  /** Full output only. */
  fills?: Fill[];
  /** Full output only. */
  round_trips?: RoundTrip[];
}
