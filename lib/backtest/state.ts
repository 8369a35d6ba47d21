/**
 * What a backtest checkpoint holds (the `state` of state.json, docs/backtest.md): plain JSON,
 * enough to continue in another process: the engine's state (account snapshot, trades so far,
 * sampled equity), the spec to reload the inputs, and readable copies for people.
 */
import type { AccountState } from "../engine/account";
import type { Fill, RoundTrip } from "../engine/metrics";
import { CheckpointError } from "../errors";
import { accountView, type BacktestResult, type EngineState, type EquitySamples } from "./engine";
import type { BacktestSpec } from "./inputs";

export const BACKTEST_STATE_FORMAT = "stratlab-backtest-state";
export const BACKTEST_RESULT_FORMAT = "stratlab-backtest-result";

export interface BacktestState {
  format: typeof BACKTEST_STATE_FORMAT;
  version: 1;
  /** Bars processed; the resume continues at this bar index. */
  bar: number;
  /** Open time (ISO) of the last processed bar, `bar - 1`; null before the first. */
  barTime: string | null;
  /** Equal to the operation's request. */
  request: BacktestSpec;
  /** Readable copies (not read back: `account` is the state). */
  cash: number;
  units: number;
  position: number;
  equity: number;
  /** The kernel's state (`Account.snapshot()`). */
  account: AccountState;
  fills: Fill[];
  roundTrips: RoundTrip[];
  equitySamples: EquitySamples;
}

/** The `final` checkpoint a finished backtest leaves: its result. */
export interface BacktestResultRecord {
  format: typeof BACKTEST_RESULT_FORMAT;
  version: 1;
  request: BacktestSpec;
  result: BacktestResult;
}

export function backtestState(engine: EngineState, spec: BacktestSpec, t: Float64Array): BacktestState {
  const v = accountView(engine.account);
  return {
    format: BACKTEST_STATE_FORMAT,
    version: 1,
    bar: engine.bar,
    barTime: engine.bar > 0 ? new Date(t[engine.bar - 1]).toISOString() : null,
    request: spec,
    cash: v.cash,
    units: v.units,
    position: v.position,
    equity: v.equity,
    account: engine.account,
    fills: engine.fills,
    roundTrips: engine.roundTrips,
    equitySamples: engine.equity,
  };
}

export function engineStateOf(s: BacktestState): EngineState {
  return { bar: s.bar, account: s.account, fills: s.fills, roundTrips: s.roundTrips, equity: s.equitySamples };
}

/** A loaded checkpoint's state, checked to be a backtest state this version reads. */
export function parseBacktestState(raw: unknown, checkpointId: string): BacktestState {
  const s = raw as Partial<BacktestState> | null;
  const samples = s?.equitySamples;
  const bad =
    typeof s !== "object" || s === null ? "is not an object"
    : s.format !== BACKTEST_STATE_FORMAT ? `has format ${JSON.stringify(s.format)}, expected "${BACKTEST_STATE_FORMAT}"`
    : s.version !== 1 ? `has version ${JSON.stringify(s.version)}; this stratlab reads version 1`
    : !Number.isInteger(s.bar) || (s.bar as number) < 0 ? "has no bar index"
    : typeof s.request !== "object" || s.request === null ? "has no request"
    : !Array.isArray(s.account?.st) || !Array.isArray(s.account?.per) ? "has no account snapshot"
    : !Array.isArray(s.fills) || !Array.isArray(s.roundTrips) ? "has no trades"
    : typeof samples !== "object" || samples === null || !Array.isArray(samples.bar) || !Array.isArray(samples.t) || !Array.isArray(samples.equity) ? "has no equity samples"
    : "";
  if (bad) throw new CheckpointError(`checkpoint ${checkpointId}: its state ${bad}; it was not written by a backtest of this stratlab version`);
  return s as BacktestState;
}
