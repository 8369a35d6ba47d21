/**
 * Trailing periods of one run (EVALUATOR-CONTRACT "Periods"): period P starts at the
 * first bar s with t[s] >= t[last] + bar - P.
 */
import { MS_PER_DAY } from "../data/bars";

export type PeriodKey = "30d" | "90d" | "1y" | "all";
export const PERIOD_KEYS: readonly PeriodKey[] = ["30d", "90d", "1y", "all"];

export const PERIOD_MS: Readonly<Record<PeriodKey, number>> = {
  "30d": 30 * MS_PER_DAY,
  "90d": 90 * MS_PER_DAY,
  "1y": 365 * MS_PER_DAY,
  all: Number.POSITIVE_INFINITY,
};

export function isPeriodKey(x: string): x is PeriodKey {
  return (PERIOD_KEYS as readonly string[]).includes(x);
}

/** First bar index of the trailing window of length `periodMs` (0 for "all" or a window longer than the data). */
export function periodStart(t: Float64Array, barMs: number, periodMs: number): number {
  const n = t.length;
  if (n === 0 || !Number.isFinite(periodMs)) return 0;
  const from = t[n - 1] + barMs - periodMs;
  let lo = 0;
  let hi = n - 1;
  if (t[0] >= from) return 0;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid] >= from) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
