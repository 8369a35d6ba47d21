/**
 * The bar loop of the shell: one `engine.step()`, then `bridge.updateState(bar, state)`, bar
 * after bar. The bridge decides when to save a periodic checkpoint (the state thunk is built
 * only then), notices cancellation and saves a cancellation checkpoint from the same thunk.
 * Cancellation is only acted on at bar boundaries (inside `updateState` /
 * `yieldToEventLoop`), so a checkpoint's state is always the state as of its unit.
 */
import type { CheckpointMeta, OperationContext, ProgressBridge, ProgressEvent } from "../checkpoint";
import { BacktestEngine, type BacktestResult } from "./engine";
import type { BacktestInputs } from "./inputs";
import { BACKTEST_RESULT_FORMAT, backtestState, type BacktestResultRecord } from "./state";

/** A bridge progress event with the figures a progress line shows. */
export interface BacktestProgress extends ProgressEvent {
  /** The bar this run started from (0, or a resumed checkpoint's bar). */
  startBar: number;
  /** Bars per second since this run started. */
  barsPerSecond: number;
  /** Estimated time to the last bar (Infinity before the rate is known). */
  etaMs: number;
}

export interface LoopOptions {
  /** Cancel once this many bars are processed (an absolute bar count: a resume past it runs on). */
  stopAfterBars?: number;
  /** Save the result as a `final` checkpoint (default true). */
  saveResult?: boolean;
  /** Called with the `final` checkpoint when saved. */
  onFinal?: (meta: CheckpointMeta) => void;
}

/** Bars between looks at the event loop (signals, timers); the bridge itself yields at most every 50 ms. */
const YIELD_MASK = 1023;

export function engineFor(inputs: BacktestInputs): BacktestEngine {
  return new BacktestEngine({
    bars: inputs.bars,
    costs: inputs.costs,
    strategy: inputs.strategy,
    params: inputs.params,
    tradeSize: inputs.spec.tradeSize,
    equityEvery: inputs.spec.equityEvery,
  });
}

/** Runs `engine` from its current bar to the end under `bridge`; returns the result. */
export async function runLoop(ctx: OperationContext, bridge: ProgressBridge, engine: BacktestEngine, inputs: BacktestInputs, opts: LoopOptions = {}): Promise<BacktestResult> {
  const { spec, bars } = inputs;
  const build = () => backtestState(engine.state(), spec, bars.t);
  const n = engine.n;
  const stop = opts.stopAfterBars ?? -1;
  // The state as of the start: a cancel before the first bar still leaves a checkpoint.
  bridge.updateState(engine.bar, build);
  while (!engine.done) {
    engine.step();
    const bar = engine.bar;
    // A checkpoint of a finished run would be deleted at once; and nothing is left to cancel.
    if (bar >= n) break;
    if (bar === stop) ctx.token.cancel(`stopped after ${stop} bars as asked`);
    bridge.updateState(bar, build);
    if ((bar & YIELD_MASK) === 0) await bridge.yieldToEventLoop();
  }
  const result = engine.result();
  if (opts.saveResult !== false) {
    // Through JSON: a non-finite figure (cagr over a few bars can overflow) becomes null, as in --json.
    const record: BacktestResultRecord = { format: BACKTEST_RESULT_FORMAT, version: 1, request: spec, result: JSON.parse(JSON.stringify(result)) as BacktestResult };
    const meta = bridge.saveFinal(record, undefined, engine.bar);
    opts.onFinal?.(meta);
  }
  return result;
}

/** Adds rate and ETA to the bridge's events. */
export function withRate(onProgress: ((e: BacktestProgress) => void) | undefined, startBar: number): ((e: ProgressEvent) => void) | undefined {
  if (onProgress === undefined) return undefined;
  return (e) => {
    const seconds = e.elapsedMs / 1000;
    const barsPerSecond = seconds > 0 ? (e.unit - startBar) / seconds : 0;
    const etaMs = e.total !== undefined && barsPerSecond > 0 ? ((e.total - e.unit) / barsPerSecond) * 1000 : e.total === e.unit ? 0 : Infinity;
    onProgress({ ...e, startBar, barsPerSecond, etaMs });
  };
}
