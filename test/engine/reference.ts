/**
 * A deliberately naive reference evaluator: EVALUATOR-CONTRACT transcribed line by line
 * with plain arrays and loops, and every period recomputed from scratch out of the
 * equity curve. It shares no code with lib/engine/account.ts (only the metric types and
 * the objective formulas, which the contract does not fix; see docs/evaluator.md for the
 * definitions the contract leaves to the project: per-bar returns, sample standard
 * deviation, downside deviation, round trips, exposure, the profit-factor cap).
 *
 * Slow on purpose: a second, obviously-correct reading of the contract to cross-check
 * the fast kernel against (test/engine/reference-agreement.test.ts).
 */
import type { Metrics } from "../../lib/engine/metrics";
import { objectives } from "../../lib/engine/objectives";

export interface RefBars {
  t: ArrayLike<number>;
  open: ArrayLike<number>;
  close: ArrayLike<number>;
}

export interface RefCosts {
  gas: number;
  buckets: { size: number; impact: number }[];
}

export interface RefFill {
  bar: number;
  side: "buy" | "sell";
  notional: number;
  cost: number;
  /** Equity at the open of the fill bar, before the swap. */
  equity: number;
}

export interface RefRoundTrip {
  entryBar: number;
  exitBar: number;
  pnl: number;
}

export interface RefResult {
  ruined: boolean;
  over_max_bucket: number;
  /** E[k], equity at every close. */
  equity: number[];
  fills: RefFill[];
  roundTrips: RefRoundTrip[];
  /** Executed target exposure held during each bar (after that bar's open fill). */
  held: number[];
  periods: Record<"30d" | "90d" | "1y" | "all", Metrics>;
  periodStart: Record<"30d" | "90d" | "1y" | "all", number>;
  /**
   * Largest |per-bar return| in each period. Below ~1e-9 the period is flat up to
   * rounding dust (units left at ~1e-17 by `units -= N / open`), and sharpe / sortino
   * are ratios of rounding noise that no two summation orders agree on.
   */
  maxAbsReturn: Record<"30d" | "90d" | "1y" | "all", number>;
}

const DAY = 24 * 60 * 60 * 1000;
const YEAR = 365 * DAY;
/** The period lengths of the contract ("30 d, 90 d, 1 y, all"). */
const PERIODS = { "30d": 30 * DAY, "90d": 90 * DAY, "1y": 365 * DAY, all: Infinity } as const;
/** docs/evaluator.md: profit_factor with winning and no losing round trips. */
const PF_CAP = 100;
const SORTINO_CAP = 100; // documented cap, as lib/engine/metrics.ts
/**
 * "Equity never goes below zero": the kernel does not enforce it yet (fractional targets
 * can borrow; see contract-gaps.test.ts). Flip to true together with the kernel fix
 * proposed there: a close with E <= 0 busts the account (cash = units = 0, ruined).
 */
export const BUST_AT_ZERO = true;

/** cost(N) = N * impact(bucket(N)) + gas, bucket = smallest size >= N (linear scan). */
function costOf(costs: RefCosts, n: number): { cost: number; overMax: boolean } {
  for (const b of costs.buckets) {
    if (b.size >= n) return { cost: n * b.impact + costs.gas, overMax: false };
  }
  const largest = costs.buckets[costs.buckets.length - 1];
  return { cost: n * largest.impact + costs.gas, overMax: true };
}

/**
 * @param barMs the bars' own spacing (the contract's "one bar"); the caller supplies it
 *   so the reference does not depend on how lib/data estimates it.
 */
export function referenceAccount(bars: RefBars, w: ArrayLike<number>, costs: RefCosts, tradeSize: number, barMs: number): RefResult {
  const n = bars.t.length;
  let cash = tradeSize;
  let units = 0;
  let ruined = false;
  let overMax = 0;
  let held = 0;
  const equity: number[] = [];
  const heldAt: number[] = [];
  const fills: RefFill[] = [];
  const roundTrips: RefRoundTrip[] = [];
  let entry: { bar: number; equity: number } | null = null;

  for (let j = 0; j < n; j++) {
    // "The target decided at bar i is executed at the open of bar i+1"; w[-1] = 0.
    if (j >= 1) {
      const i = j - 1;
      const target = w[i];
      const previous = i >= 1 ? w[i - 1] : 0;
      if (target !== previous && !ruined) {
        const eOpen = cash + units * bars.open[j];
        const notional = Math.abs(target - previous) * eOpen;
        const { cost, overMax: over } = costOf(costs, notional);
        if (over) overMax++;
        if (notional <= cost || Number.isNaN(notional)) {
          // "The first time a swap would have N <= cost(N)": ruined, skipped, no fee.
          ruined = true;
        } else {
          const buy = target > previous;
          if (buy) {
            cash -= notional;
            units += (notional - cost) / bars.open[j];
          } else {
            units -= notional / bars.open[j];
            cash += notional - cost;
            // docs/evaluator.md: holdings worth <= 1e-12 of the sell are rounding dust.
            if (Math.abs(units) * bars.open[j] <= 1e-12 * notional) units = 0;
          }
          fills.push({ bar: j, side: buy ? "buy" : "sell", notional, cost, equity: eOpen });
          // Round trip: from a swap that leaves 0 to the swap that returns to 0.
          if (buy && held === 0) entry = { bar: j, equity: eOpen };
          if (target === 0 && entry !== null) {
            roundTrips.push({ entryBar: entry.bar, exitBar: j, pnl: cash + units * bars.open[j] - entry.equity });
            entry = null;
          }
          held = target;
        }
      }
    }
    let e = cash + units * bars.close[j];
    if (BUST_AT_ZERO && !(e > 0)) {
      // Bust: nothing is held any more, so the bar counts as out of the market.
      cash = 0;
      units = 0;
      e = 0;
      held = 0;
      ruined = true;
    }
    heldAt.push(held);
    equity.push(e);
  }

  const periods = {} as Record<keyof typeof PERIODS, Metrics>;
  const periodStart = {} as Record<keyof typeof PERIODS, number>;
  const maxAbsReturn = {} as Record<keyof typeof PERIODS, number>;
  for (const key of Object.keys(PERIODS) as (keyof typeof PERIODS)[]) {
    let s = 0;
    if (PERIODS[key] !== Infinity) {
      const from = bars.t[n - 1] + barMs - PERIODS[key];
      while (s < n - 1 && !(bars.t[s] >= from)) s++;
    }
    periodStart[key] = s;
    periods[key] = periodMetrics(bars, equity, heldAt, fills, roundTrips, s, tradeSize, barMs);
    let biggest = 0;
    for (let k = s; k < n; k++) {
      const prev = k === 0 ? tradeSize : equity[k - 1];
      if (prev > 0) biggest = Math.max(biggest, Math.abs(equity[k] / prev - 1));
    }
    maxAbsReturn[key] = biggest;
  }
  return { ruined, over_max_bucket: overMax, equity, fills, roundTrips, held: heldAt, periods, periodStart, maxAbsReturn };
}

/** Every metric of the trailing window [s, last], from scratch. */
function periodMetrics(
  bars: RefBars,
  equity: number[],
  held: number[],
  fills: RefFill[],
  roundTrips: RefRoundTrip[],
  s: number,
  tradeSize: number,
  barMs: number,
): Metrics {
  const last = equity.length - 1;
  const base = s === 0 ? tradeSize : equity[s - 1];
  const eLast = equity[last];

  // Per-bar returns r[k] = E[k] / E[k-1] - 1 for k in [s, last], E[-1] = trade_size.
  const returns: number[] = [];
  for (let k = s; k <= last; k++) {
    const prev = k === 0 ? tradeSize : equity[k - 1];
    returns.push(prev > 0 ? equity[k] / prev - 1 : 0);
  }
  const nR = returns.length;
  let sum = 0;
  for (const r of returns) sum += r;
  const mean = sum / nR;
  let ss = 0;
  for (const r of returns) ss += (r - mean) * (r - mean);
  const sd = nR > 1 ? Math.sqrt(ss / (nR - 1)) : 0;
  let neg = 0;
  for (const r of returns) if (r < 0) neg += r * r;
  const downside = Math.sqrt(neg / nR);
  const perYear = Math.sqrt(YEAR / barMs);

  // Drawdown over the base and E[s..last].
  let peak = base;
  let maxDd = 0;
  for (let k = s; k <= last; k++) {
    peak = Math.max(peak, equity[k]);
    if (peak > 0) maxDd = Math.max(maxDd, 1 - equity[k] / peak);
  }

  let swaps = 0;
  let fees = 0;
  for (const f of fills) {
    if (f.bar >= s) {
      swaps++;
      fees += f.cost;
    }
  }
  let trades = 0;
  let wins = 0;
  let grossWin = 0;
  let grossLoss = 0;
  for (const rt of roundTrips) {
    if (rt.exitBar < s) continue;
    trades++;
    if (rt.pnl > 0) {
      wins++;
      grossWin += rt.pnl;
    } else grossLoss += -rt.pnl;
  }
  let inMarket = 0;
  for (let k = s; k <= last; k++) if (held[k] > 0) inMarket++;

  const growth = base > 0 ? eLast / base : 0;
  const span = bars.t[last] - bars.t[s] + barMs;
  const m = {
    final_balance: s === 0 ? eLast : tradeSize * growth,
    total_return: growth - 1,
    cagr: growth > 0 ? Math.min(1e12, Math.pow(growth, YEAR / span) - 1) : -1, // CAGR_CAP, docs/evaluator.md
    max_drawdown: maxDd,
    sharpe: sd > 0 ? (mean / sd) * perYear : 0,
    sortino: downside > 0 ? Math.min(SORTINO_CAP, (mean / downside) * perYear) : mean > 0 ? SORTINO_CAP : 0,
    volatility: sd * perYear,
    fees,
    swaps,
    trades,
    win_rate: trades > 0 ? wins / trades : 0,
    profit_factor: grossLoss > 0 ? Math.min(PF_CAP, grossWin / grossLoss) : grossWin > 0 ? PF_CAP : 0,
    exposure: inMarket / nR,
  };
  return { ...m, ...objectives(m, base > 0 ? base : tradeSize), bars: nR, start: bars.t[s] };
}
