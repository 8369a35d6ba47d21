/**
 * The bar-by-bar backtest engine: the functional core of the resumable backtest. No files,
 * no clock, no checkpoint service: the shell (`run.ts`) drives `step()` and hands
 * `state()` to the progress bridge.
 *
 * It is the fast evaluator taken apart: the same signals (computed by an `Evaluator`, a pure
 * function of bars and params, so recomputed on resume rather than stored) and the same
 * account kernel (`Account.step()` is `Account.run()` over one bar), so every metric equals
 * `Evaluator.evaluate` to the last bit, with or without any number of snapshot/restore
 * cycles in between (test/backtest/same-metrics-as-evaluator.test.ts).
 */
import type { CostTable } from "../costs/cost-table";
import type { Bars } from "../data/bars";
import { Account, accountStateView, type AccountState } from "../engine/account";
import { Evaluator, periodStartsOf, resultOf } from "../engine/evaluate";
import type { EvalResult, Fill, RoundTrip } from "../engine/metrics";
import type { Params, Strategy } from "../strategies/types";

export const DEFAULT_EQUITY_EVERY = 100;

/**
 * Equity at the close of bars 0, every, 2*every, ... and of the last bar: a curve for plots
 * that survives a resume (the kernel's per-bar equity is not part of its state).
 */
export interface EquitySamples {
  every: number;
  bar: number[];
  /** Open time of each sampled bar (Unix ms). */
  t: number[];
  equity: number[];
}

export interface BacktestEngineConfig {
  bars: Bars;
  costs: CostTable;
  strategy: Strategy;
  /** Validated parameters (`validateParams`). */
  params: Params;
  tradeSize: number;
  /** Sample equity every this many bars (default 100). */
  equityEvery?: number;
}

/** The engine's part of a checkpoint: everything needed to continue, as plain JSON. */
export interface EngineState {
  /** Bars processed: the next bar to process. */
  bar: number;
  account: AccountState;
  fills: Fill[];
  roundTrips: RoundTrip[];
  equity: EquitySamples;
}

/** The evaluator's result without the per-bar equity, plus trades and the sampled curve. */
export interface BacktestResult extends Omit<EvalResult, "equity" | "fills" | "round_trips"> {
  strategy: string;
  params: Params;
  fills: Fill[];
  round_trips: RoundTrip[];
  equity_samples: EquitySamples;
}

/** Readable copies of the account for people reading a checkpoint. */
export interface AccountView {
  cash: number;
  units: number;
  /** Executed target exposure. */
  position: number;
  /** Equity at the close of the last processed bar. */
  equity: number;
}

export class BacktestEngine {
  readonly n: number;
  readonly equityEvery: number;
  private readonly account: Account;
  private readonly bars: Bars;
  private readonly strategyName: string;
  private readonly params: Params;
  private readonly tradeSize: number;
  private samples: EquitySamples;

  constructor(cfg: BacktestEngineConfig) {
    const every = cfg.equityEvery ?? DEFAULT_EQUITY_EVERY;
    if (!Number.isInteger(every) || every < 1) throw new RangeError(`equityEvery ${every} must be a positive integer`);
    const { bars } = cfg;
    // This evaluator is the engine's own, so its signal buffer is never overwritten.
    const w = new Evaluator(bars, cfg.costs).signals(cfg.strategy, cfg.params);
    this.account = new Account({
      t: bars.t,
      open: bars.open,
      close: bars.close,
      w,
      costs: cfg.costs,
      tradeSize: cfg.tradeSize,
      barMs: bars.barMs,
      periodStarts: periodStartsOf(bars),
      full: true,
    });
    this.n = bars.length;
    this.bars = bars;
    this.equityEvery = every;
    this.strategyName = cfg.strategy.name;
    this.params = cfg.params;
    this.tradeSize = cfg.tradeSize;
    this.samples = { every, bar: [], t: [], equity: [] };
  }

  /** Bars processed so far (the next bar to process). */
  get bar(): number {
    return this.account.next;
  }

  get done(): boolean {
    return this.account.done;
  }

  /** Process the next bar: fill at its open, mark at its close, sample equity when due. */
  step(): void {
    const acc = this.account;
    acc.step();
    const k = acc.next - 1;
    if (k % this.equityEvery === 0 || k === this.n - 1) {
      const s = this.samples;
      s.bar.push(k);
      s.t.push(this.bars.t[k]);
      s.equity.push(acc.lastEquity);
    }
  }

  /** Process bars up to (not including) `bar`. */
  runTo(bar: number = this.n): void {
    const end = Math.min(bar, this.n);
    while (this.account.next < end && !this.account.done) this.step();
  }

  /** The state as of `bar` (fresh copies: later steps do not change it). */
  state(): EngineState {
    const acc = this.account;
    const s = this.samples;
    return {
      bar: acc.next,
      account: acc.snapshot(),
      fills: acc.fills!.slice(),
      roundTrips: acc.roundTrips!.slice(),
      equity: { every: s.every, bar: s.bar.slice(), t: s.t.slice(), equity: s.equity.slice() },
    };
  }

  /** Continue from a state taken by an engine with the same bars, costs, strategy, params and trade size. */
  restore(state: EngineState): void {
    if (state.equity.every !== this.equityEvery) throw new RangeError(`state samples equity every ${state.equity.every} bars, this engine every ${this.equityEvery}`);
    this.account.restore(state.account);
    if (this.account.next !== state.bar) throw new RangeError(`state says bar ${state.bar}, its account snapshot says ${this.account.next}`);
    this.account.restoreRecords(state.fills, state.roundTrips);
    const e = state.equity;
    this.samples = { every: e.every, bar: e.bar.slice(), t: e.t.slice(), equity: e.equity.slice() };
  }

  /** Cash, units, position and equity now. */
  view(): AccountView {
    return accountView(this.account.snapshot());
  }

  /** Metrics of every period over the bars processed so far, trades and the sampled curve. */
  result(): BacktestResult {
    const { equity: _perBar, fills, round_trips, ...rest } = resultOf(this.account, this.tradeSize);
    const s = this.samples;
    return {
      strategy: this.strategyName,
      params: { ...this.params },
      ...rest,
      fills: (fills ?? []).slice(),
      round_trips: (round_trips ?? []).slice(),
      equity_samples: { every: s.every, bar: s.bar.slice(), t: s.t.slice(), equity: s.equity.slice() },
    };
  }
}

export function accountView(s: AccountState): AccountView {
  return accountStateView(s);
}
