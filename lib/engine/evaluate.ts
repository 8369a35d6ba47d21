/**
 * The fast evaluator: signals once per parameter set, then one pass of the account
 * loop per trade size, every metric of every period in that pass.
 */
import type { CostTable } from "../costs/cost-table";
import type { Bars } from "../data/bars";
import { DEFAULT_CACHE_BYTES, Scratch } from "../strategies/scratch";
import type { Params, SignalContext, Strategy, SwapList } from "../strategies/types";
import { Account, accountBuffers, type AccountBuffers, type DenseRule, type LazyEvents } from "./account";
import { closeIndexOf } from "./close-index";
import type { EvalResult, Metrics } from "./metrics";
import { PERIOD_KEYS, PERIOD_MS, periodStart, type PeriodKey } from "./periods";

/**
 * Which account path runs: "per-bar" (the reference kernel, also the backtest's),
 * "events" (event-driven: swaps and period starts per bar, the runs between them in
 * closed form), or "auto": events when there are few enough swaps (piecewise-constant
 * targets), per-bar otherwise (continuously varying targets, e.g. +volcap). Full output
 * always runs per bar.
 */
export const ACCOUNT_PATHS = ["auto", "per-bar", "events"] as const;
export type AccountPath = (typeof ACCOUNT_PATHS)[number];

/**
 * "auto" takes the event path while swaps are fewer than one per this many bars (about
 * where the two paths cost the same, docs/evaluator.md "Choice of path").
 */
export const EVENT_PATH_MIN_BARS_PER_SWAP = 30;
/**
 * With the swaps listed by the strategy, "auto" starts on the event path whatever their
 * number and hands over to the per-bar kernel after this fraction of the bars if the rest
 * is still dense: most dense parameter sets ruin the account early, and after ruin the
 * event path has nothing left to do.
 */
export const EVENT_PATH_DENSE_FROM = 0.25;

export interface EvaluateOptions {
  /** Account path (default "auto"). */
  path?: AccountPath;
  /** Also return equity at every close, fills and round trips (for plots). */
  full?: boolean;
  /** Early abort (pruning): stop once the whole-run drawdown exceeds this fraction. */
  abortDrawdown?: number;
}

export interface EvaluatorOptions {
  /** Byte budget of the memoised indicator series (default 32 MB, DEFAULT_CACHE_BYTES). */
  cacheBytes?: number;
}

export class Evaluator {
  readonly scratch: Scratch;
  private readonly w: Float64Array;
  /** Bars where a swap may fill (the changes of w), for the event path. */
  private readonly events: Int32Array;
  /** The same buffer as a strategy may fill it while computing w (SignalContext.swaps). */
  private readonly swapList: SwapList;
  private readonly context: SignalContext;
  private readonly periodStarts: number[];
  private readonly buffers: AccountBuffers;
  /**
   * The last Account run, kept alive on purpose. An Account's final hidden class (its
   * fields added one by one) is reachable from the class only through V8's weak
   * transitions, and the optimised code of runAccount, Account, runEvents and metrics
   * checks it: with no Account left alive, a full GC kills that map and deoptimises all four
   * ("weak objects" in --trace-deopt). The next evaluations then ran in baseline code, about
   * 25 KB allocated each instead of 3 KB and slower, until re-optimised (docs/benchmarks.md).
   */
  private lastAccount: Account | null = null;
  /** Hand-over rules of "auto" (account.ts DenseRule): at once, or after a quarter of the bars. */
  private readonly sparse: DenseRule;
  private readonly dense: DenseRule;
  private readonly lazy: LazySignal;

  constructor(
    readonly bars: Bars,
    readonly costs: CostTable,
    options: EvaluatorOptions = {},
  ) {
    this.scratch = new Scratch(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
    this.w = new Float64Array(bars.length);
    this.events = new Int32Array(bars.length);
    this.swapList = { bars: this.events, targets: new Float64Array(bars.length), count: -1 };
    this.context = { bars, scratch: this.scratch, swaps: this.swapList };
    this.periodStarts = periodStartsOf(bars);
    this.buffers = accountBuffers(this.periodStarts.length);
    this.sparse = { from: 0, barsPerSwap: EVENT_PATH_MIN_BARS_PER_SWAP };
    this.dense = { from: Math.floor(bars.length * EVENT_PATH_DENSE_FROM), barsPerSwap: EVENT_PATH_MIN_BARS_PER_SWAP };
    this.lazy = new LazySignal(this.context, this.w, this.swapList);
  }

  /** First bar of each period. */
  periodStartBar(key: PeriodKey): number {
    return this.periodStarts[PERIOD_KEYS.indexOf(key)];
  }

  /** Target exposures of `strategy` with `params` (a view of a reused buffer: copy to keep). */
  signals(strategy: Strategy, params: Params): Float64Array {
    // Zeroing 1.7 MB per call cost a quarter of an event-path evaluation: skipped for the
    // strategies that write every bar (Strategy.fillsEveryBar).
    if (strategy.fillsEveryBar !== true) this.w.fill(0);
    this.scratch.beginCall();
    this.swapList.count = -1;
    strategy.signal(this.context, params, this.w);
    return this.w;
  }

  /** Evaluate validated params at one or several trade sizes (signals computed once). */
  evaluate(strategy: Strategy, params: Params, tradeSizes: number | readonly number[], opts: EvaluateOptions = {}): EvalResult[] {
    const single = typeof tradeSizes === "number" ? tradeSizes : tradeSizes.length === 1 ? tradeSizes[0] : undefined;
    if (single !== undefined && strategy.swapRange !== undefined && !opts.full && opts.path !== "per-bar") {
      // One account on the event path: the swaps are listed as far as the account needs
      // them, and w is written only where the account reads it (LazySignal.targets).
      this.scratch.beginCall();
      this.swapList.count = 0;
      this.lazy.begin(strategy, params);
      return [this.runAccount(this.w, single, opts, 0, true, this.lazy)];
    }
    const w = this.signals(strategy, params);
    const listed = this.swapList.count;
    const nEvents = opts.full || opts.path === "per-bar" ? -1 : listed >= 0 ? listed : this.scanSwaps(w, opts);
    const complete = listed >= 0;
    if (typeof tradeSizes === "number") return [this.runAccount(w, tradeSizes, opts, nEvents, complete)];
    const out: EvalResult[] = [];
    for (const size of tradeSizes) out.push(this.runAccount(w, size, opts, nEvents, complete));
    return out;
  }

  /** Run the account over given exposures (also used for overlays and tests). */
  account(w: Float64Array, tradeSize: number, opts: EvaluateOptions = {}): EvalResult {
    return this.runAccount(w, tradeSize, opts, opts.full || opts.path === "per-bar" ? -1 : this.scanSwaps(w, opts), false);
  }

  /** The swap bars of w into this.events; for "auto", only as far as it takes to decide. */
  private scanSwaps(w: Float64Array, opts: EvaluateOptions): number {
    const n = w.length;
    return swapBars(w, this.events, opts.path === "events" ? n : Math.floor((n - 1) / EVENT_PATH_MIN_BARS_PER_SWAP));
  }

  /**
   * nEvents: the swap bars in this.events, or -1 for the per-bar path; `listed`: the list
   * is the strategy's own, complete whatever its length (a scan stops early).
   */
  private runAccount(w: Float64Array, tradeSize: number, opts: EvaluateOptions, nEvents: number, listed: boolean, lazy?: LazySignal): EvalResult {
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
      buffers: this.buffers,
    });
    this.lastAccount = acc;
    const n = b.length;
    if (lazy !== undefined) acc.runEvents(closeIndexOf(b.close), this.events, 0, opts.path === "events" ? undefined : this.dense, lazy);
    else if (nEvents < 0) acc.run();
    else if (opts.path === "events") acc.runEvents(closeIndexOf(b.close), this.events, nEvents);
    else if (nEvents * EVENT_PATH_MIN_BARS_PER_SWAP < n) acc.runEvents(closeIndexOf(b.close), this.events, nEvents, this.sparse);
    else if (listed) acc.runEvents(closeIndexOf(b.close), this.events, nEvents, this.dense);
    else acc.run();
    return resultOf(acc, tradeSize);
  }
}

/** Bars a lazy signal computes per step: small beside the data, large beside a run between swaps. */
export const LAZY_SIGNAL_STRETCH = 4096;

/**
 * The event path's lazy signal (account.ts LazyEvents) over Strategy.swapRange; one per
 * Evaluator, reused. w holds targets only where the account asked for them.
 */
class LazySignal implements LazyEvents {
  private strategy: Strategy | null = null;
  private params: Params = {};
  private known = 0;
  /** The swaps decided before the last `targets` call's first bar (fill bar <= it). */
  private k = 0;

  constructor(
    private readonly context: SignalContext,
    private readonly w: Float64Array,
    private readonly swaps: SwapList,
  ) {}

  begin(strategy: Strategy, params: Params): void {
    this.strategy = strategy;
    this.params = params;
    this.known = 0;
    this.k = 0;
  }

  get complete(): boolean {
    return this.known >= this.w.length;
  }

  more(): number {
    const n = this.w.length;
    if (this.known < n) {
      const to = Math.min(n, this.known + LAZY_SIGNAL_STRETCH);
      this.strategy!.swapRange!(this.context, this.params, this.known, to);
      this.known = to;
    }
    return this.swaps.count;
  }

  targets(a: number, b: number): void {
    const { w } = this;
    const { bars, targets, count } = this.swaps;
    // The swap decided at bar d is bars[k] = d + 1. Calls go forward (a backward step
    // is a bar or two): k walks from the last call's.
    let k = this.k;
    while (k > 0 && bars[k - 1] > a) k--;
    while (k < count && bars[k] <= a) k++;
    this.k = k;
    let x = k > 0 ? targets[k - 1] : 0;
    for (let i = a; i < b; i++) {
      while (k < count && bars[k] <= i + 1) x = targets[k++];
      w[i] = x;
    }
  }
}

/**
 * The bars j where a swap may fill, in order: w[j-1] != w[j-2] (w[-1] = 0; the last
 * decision is never executed). Returns their count; stops once it exceeds `stopAfter`
 * (then returns stopAfter + 1, and the list is incomplete).
 */
export function swapBars(w: Float64Array, out: Int32Array, stopAfter = w.length): number {
  const n = w.length;
  let count = 0;
  let prev = 0;
  for (let j = 1; j < n; j++) {
    const x = w[j - 1];
    if (x !== prev) {
      if (count === stopAfter) return count + 1;
      out[count++] = j;
    }
    prev = x;
  }
  return count;
}

/** Shape an account's metrics into an EvalResult (shared with the resumable backtest). */
export function resultOf(acc: Account, tradeSize: number): EvalResult {
  const list = acc.metrics();
  // PERIOD_KEYS order, written out: one literal, no per-call closures.
  const periods: Record<PeriodKey, Metrics> = { "30d": list[0], "90d": list[1], "1y": list[2], all: list[3] };
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
