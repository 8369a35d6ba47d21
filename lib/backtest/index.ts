/**
 * The resumable bar-by-bar backtest: the evaluator's kernel driven one bar at a time, with
 * checkpoints, cancellation and resume through lib/checkpoint. See docs/backtest.md.
 * Importing it registers the resumer for `backtesting` operations.
 */
export { BacktestEngine, DEFAULT_EQUITY_EVERY, accountView, type AccountView, type BacktestEngineConfig, type BacktestResult, type EngineState, type EquitySamples } from "./engine";
export {
  DEFAULT_CHECKPOINT_EVERY_BARS,
  DEFAULT_TRADE_SIZE,
  prepareBacktest,
  reloadBacktest,
  sameRun,
  type BacktestInputs,
  type BacktestRequest,
  type BacktestSpec,
  type LoadInputsOptions,
} from "./inputs";
export { type BacktestProgress } from "./loop";
export { findResumableBacktest, resumeBacktest, type BacktestOutcome, type BacktestRunOptions, type RegistryOptions } from "./resume";
export { backtest, type BacktestOptions } from "./run";
export { BACKTEST_RESULT_FORMAT, BACKTEST_STATE_FORMAT, parseBacktestState, type BacktestResultRecord, type BacktestState } from "./state";
