/**
 * The fast evaluator: signals once per parameter set, then one pass of the account
 * loop per trade size, every metric of every period in that pass.
 */
import type { CostTable } from "../costs/cost-table";
import type { Bars } from "../data/bars";
import { Scratch } from "../strategies/scratch";
import type { Params, Strategy } from "../strategies/types";
import { Account } from "./account";
import type { EvalResult, Metrics } from "./metrics";
import { PERIOD_KEYS, PERIOD_MS, periodStart, type PeriodKey } from "./periods";

export interface EvaluateOptions {
  /** Also return equity at every close, fills and round trips (for plots). */
  full?: boolean;
  /** Early abort (pruning): stop once the whole-run drawdown exceeds this fraction. */
  abortDrawdown?: number;
}

export class Evaluator {
  readonly scratch = new Scratch();
  private readonly w: Float64Array;
  private readonly periodStarts: number[];

  constructor(
    readonly bars: Bars,
    readonly costs: CostTable,
  ) {
    this.w = new Float64Array(bars.length);
    this.periodStarts = periodStartsOf(bars);
  }

  /** First bar of each period. */
  periodStartBar(key: PeriodKey): number {
    return this.periodStarts[PERIOD_KEYS.indexOf(key)];
  }

  /** Target exposures of `strategy` with `params` (a view of a reused buffer: copy to keep). */
  signals(strategy: Strategy, params: Params): Float64Array {
    this.w.fill(0);
    this.scratch.beginCall();
    strategy.signal({ bars: this.bars, scratch: this.scratch }, params, this.w);
    return this.w;
  }

  /** Evaluate validated params at one or several trade sizes (signals computed once). */
  evaluate(strategy: Strategy, params: Params, tradeSizes: number | readonly number[], opts: EvaluateOptions = {}): EvalResult[] {
    const w = this.signals(strategy, params);
    const sizes = typeof tradeSizes === "number" ? [tradeSizes] : tradeSizes;
    return sizes.map((size) => this.account(w, size, opts));
  }

  /** Run the account loop over given exposures (also used for overlays and tests). */
  account(w: Float64Array, tradeSize: number, opts: EvaluateOptions = {}): EvalResult {
    const b = this.bars;
    const acc = new Account({
      t: b.t,
      open: b.open,
      close: b.close,
      w,
      costs: this.costs,
      tradeSize,
      barMs: b.barMs,
      periodStarts: this.periodStarts,
      abortDrawdown: opts.abortDrawdown,
      full: opts.full,
    });
    acc.run();
    return resultOf(acc, tradeSize);
  }
}

/** Shape an account's metrics into an EvalResult (shared with the resumable backtest). */
export function resultOf(acc: Account, tradeSize: number): EvalResult {
  const list = acc.metrics();
  const periods = {} as Record<PeriodKey, Metrics>;
  PERIOD_KEYS.forEach((k, i) => (periods[k] = list[i]));
  const result: EvalResult = {
    trade_size: tradeSize,
    ruined: acc.ruined,
    over_max_bucket: acc.overMaxBucket,
    aborted: acc.aborted,
    bars_evaluated: acc.next,
    metrics: periods.all,
    periods,
  };
  if (acc.equity !== null) {
    result.equity = acc.equity.subarray(0, acc.next);
    result.fills = acc.fills ?? [];
    result.round_trips = acc.roundTrips ?? [];
  }
  return result;
}

/** The periods' start indices for a bar set (exposed for the backtest engine). */
export function periodStartsOf(bars: Bars): number[] {
  return PERIOD_KEYS.map((k) => periodStart(bars.t, bars.barMs, PERIOD_MS[k]));
}
