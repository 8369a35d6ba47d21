/**
 * A strategy is a pure function from bars and parameters to a target exposure per bar
 * (EVALUATOR-CONTRACT "Decisions and fills"), plus the search space the optimiser uses.
 */
import type { Bars } from "../data/bars";
import type { Scratch } from "./scratch";

export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

interface ParamBase {
  readonly name: string;
  readonly description?: string;
}
export interface IntParam extends ParamBase {
  readonly type: "int";
  readonly low: number;
  readonly high: number;
  readonly step?: number;
  readonly log?: boolean;
  readonly default: number;
}
export interface FloatParam extends ParamBase {
  readonly type: "float";
  readonly low: number;
  readonly high: number;
  /** Values are snapped to low + k * step when given. */
  readonly step?: number;
  readonly log?: boolean;
  readonly default: number;
}
export interface ChoiceParam extends ParamBase {
  readonly type: "choice";
  readonly choices: readonly ParamValue[];
  readonly default: ParamValue;
  /**
   * Also accept any non-empty string (e.g. a model folder path) given by the caller; samplers
   * still only propose `choices`.
   */
  readonly anyString?: boolean;
}
export type ParamSpec = IntParam | FloatParam | ChoiceParam;

export interface Constraint {
  /** Shown to users, e.g. "fast < slow". */
  readonly description: string;
  readonly check: (p: Params) => boolean;
}

export interface SignalContext {
  readonly bars: Bars;
  /** Reusable buffers: the hot path allocates nothing per bar, nor per call once warm. */
  readonly scratch: Scratch;
  /**
   * Optional: where a strategy that sees its own swaps as it fills `w` may list them (the
   * event-driven account then needs no scan of `w`). Left with count -1 otherwise.
   */
  readonly swaps?: SwapList;
}

/**
 * The bars j where a swap may fill, ascending: w[j-1] != w[j-2] (w[-1] = 0), 1 <= j < n.
 * `count` = -1 means "not listed" (the evaluator scans w). Code that changes `w` after a
 * strategy listed its swaps (an overlay, a strategy wrapping another) must set it back to -1.
 * `targets[k]` = w[bars[k] - 1], the target that swap fills: written by `swapRange` (which
 * writes no w), not by `signal`.
 */
export interface SwapList {
  readonly bars: Int32Array;
  readonly targets: Float64Array;
  count: number;
}

export interface Strategy {
  readonly name: string;
  readonly description: string;
  readonly params: readonly ParamSpec[];
  readonly constraints: readonly Constraint[];
  /**
   * Fill `w[0..n)` with the target exposure in [0, 1] decided at each bar's close;
   * 0 during warm-up.
   */
  readonly signal: (ctx: SignalContext, p: Params, w: Float64Array) => void;
  /**
   * True when `signal` writes every w[i] itself (warm-up zeros included): the evaluator then
   * hands it the buffer as the last call left it instead of zeroing 8 bytes a bar first.
   * Leave unset when unsure; a wrong `true` leaves stale targets in w.
   */
  readonly fillsEveryBar?: boolean;
  /**
   * Optional: the signal's swaps alone, by stretches of bars, for the event path to compute
   * only as far as the account needs them (an account ruined at bar k needs nothing after
   * k) and no target between two swaps. Appends the swaps decided at bars [from, to) to
   * `ctx.swaps`, bars and targets (count starts at 0, from = 0 first, then each call's
   * `to`; the target before `from` is the last listed, 0 if none). Writes no w. Must give
   * exactly `signal`'s swap list, and targets equal to its w, once every stretch is done.
   */
  readonly swapRange?: (ctx: SignalContext, p: Params, from: number, to: number) => void;
}
