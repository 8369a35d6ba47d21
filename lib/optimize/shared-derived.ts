/**
 * Per-data-set structures every evaluation reads (sma_cross's prefix sums of close, the
 * event path's close index), built once in SharedArrayBuffers by the pool and adopted by
 * each worker thread: one copy for the pool instead of one per worker. Less memory, and
 * two workers no longer stream two copies of the same 20 MB through one shared L3 cache
 * (docs/benchmarks.md, "Issue 10, round 3").
 */
import type { Bars } from "../data/bars";
import { adoptCloseIndex, CloseIndex, type CloseIndexArrays } from "../engine/close-index";
import { adoptWindowSums, windowSumsOf, type WindowSums } from "../strategies/indicators/window-sums";

export interface SharedDerived {
  readonly windowSums: WindowSums;
  readonly closeIndex: CloseIndexArrays;
}

export function buildSharedDerived(bars: Bars): SharedDerived {
  return { windowSums: windowSumsOf(bars.close, true), closeIndex: new CloseIndex(bars.close, undefined, true).arrays() };
}

/** In a worker: use them for its view of the same bars. */
export function adoptSharedDerived(bars: Bars, d: SharedDerived): void {
  adoptWindowSums(bars.close, d.windowSums);
  adoptCloseIndex(bars.close, d.closeIndex);
}
