/**
 * Equity and drawdown curves of the shortlist. The journal keeps metrics only, so the
 * curves are computed again with the evaluator's full output (`full: true`) on the bars
 * and cost table the run was made from, and checked against the recorded metrics.
 */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { CostTable } from "../costs/cost-table";
import { loadCostTable } from "../costs/load";
import type { Bars } from "../data/bars";
import { loadBars } from "../data/csv";
import { Evaluator } from "../engine/evaluate";
import { hashFile } from "../optimize/storage/manifest";
import { PACKAGE_ROOT } from "../paths";
import { getStrategy } from "../strategies/registry";
import { DEFAULT_MAX_POINTS, downsample, type Series } from "./downsample";
import { roundTrips, type Trips } from "./drilldown";
import type { RunData } from "./run";
import type { TopEntry } from "./tables";

/** Fill markers per curve at most; beyond it an evenly spaced subset is drawn (and the page says so). */
export const MAX_FILL_MARKERS = 2000;

export interface CurveFills {
  /** Open time of the fill bar (Unix ms). */
  t: number[];
  side: Array<"buy" | "sell">;
  price: number[];
  /** Equity at the open of the fill bar, before the swap. */
  equity: number[];
  /** Fills in the whole run (t/side/... may hold fewer). */
  total: number;
}

export interface Curve {
  rank: number;
  study: string;
  strategy: string;
  period: string;
  trial: number;
  params: TopEntry["params"];
  trade_size: number;
  /** Open time of the study period's first bar. */
  periodStart: number;
  /** Bars in the full curve (before thinning). */
  bars: number;
  /** Equity at each bar's close (x = close time, Unix ms), thinned. */
  equity: Series;
  /** 1 - equity / running peak (the peak starts at the trade size), thinned on its own. */
  drawdown: Series;
  fills: CurveFills;
  /** Round trips with P&L, bars held and fees (the drill-down's list). */
  trips: Trips;
  final_balance: number;
  max_drawdown: number;
  /** The re-evaluation gave every metric the journal recorded for the study period. */
  reproduced: boolean;
}

export interface RunInputs {
  bars: Bars;
  costs: CostTable;
}

/** A manifest path: absolute as is; relative tried from the working directory, the run directory, then the package root. */
export function resolveInputPath(path: string, runDir: string): string {
  if (isAbsolute(path)) return path;
  for (const base of [process.cwd(), runDir, PACKAGE_ROOT]) {
    const p = resolve(base, path);
    if (existsSync(p)) return p;
  }
  return resolve(path);
}

/**
 * The bars and costs for the curves: the ones passed in, else the manifest's files,
 * which must still have the sha256 the run recorded. Null (with a warning) when they are
 * missing or changed: the tables do not need them.
 */
export function loadRunInputs(run: RunData, given: Partial<RunInputs>, onWarning: (msg: string) => void): RunInputs | null {
  const load = <T>(kind: "data" | "costs", read: (p: string) => T): T | null => {
    const rec = run.manifest[kind];
    const path = resolveInputPath(rec.path, run.dir);
    if (!existsSync(path)) {
      onWarning(`curves skipped: ${path} (the run's ${kind} file) does not exist; pass --${kind} FILE`);
      return null;
    }
    const sha = hashFile(path);
    if (sha !== rec.sha256) {
      onWarning(`curves skipped: ${path} has changed since the run (sha256 ${sha.slice(0, 12)}, the run recorded ${rec.sha256.slice(0, 12)}); pass --${kind} with the run's file`);
      return null;
    }
    return read(path);
  };
  const bars = given.bars ?? load("data", (p) => loadBars(p, { onWarning }));
  if (bars === null) return null;
  const costs = given.costs ?? load("costs", loadCostTable);
  if (costs === null) return null;
  return { bars, costs };
}

function closeEnough(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Evaluate each shortlisted trial with full output and thin its curves to `maxPoints`. */
export function shortlistCurves(entries: readonly TopEntry[], inputs: RunInputs, opts: { maxPoints?: number; onWarning?: (msg: string) => void } = {}): Curve[] {
  const maxPoints = opts.maxPoints ?? DEFAULT_MAX_POINTS;
  const ev = new Evaluator(inputs.bars, inputs.costs);
  const { t, barMs } = inputs.bars;
  const out: Curve[] = [];
  const missing = new Set<string>();
  for (const e of entries) {
    let strategy;
    try {
      strategy = getStrategy(e.strategy);
    } catch {
      // A user strategy this process does not know (defined in another notebook, a file moved).
      if (!missing.has(e.strategy)) opts.onWarning?.(`curves of ${e.strategy} skipped: it is not defined in this process (run its defineStrategy cell, or keep its --strategy-file where it was)`);
      missing.add(e.strategy);
      continue;
    }
    const r = ev.evaluate(strategy, e.params, [e.trade_size], { full: true })[0];
    const equity = r.equity as Float64Array;
    const n = equity.length;
    const closeT = new Float64Array(n);
    const dd = new Float64Array(n);
    let peak = e.trade_size;
    for (let k = 0; k < n; k++) {
      closeT[k] = t[k] + barMs;
      const v = equity[k];
      if (v > peak) peak = v;
      dd[k] = peak > 0 ? 1 - v / peak : 0;
    }
    const fills = r.fills ?? [];
    const step = fills.length > MAX_FILL_MARKERS ? fills.length / MAX_FILL_MARKERS : 1;
    const shown = step === 1 ? fills : Array.from({ length: MAX_FILL_MARKERS }, (_, i) => fills[Math.floor(i * step)]);
    // Every recorded metric of the study period must come out again (not just the return:
    // a trial that never trades returns 0 on any bars).
    const again = r.periods[e.period] as unknown as Record<string, number>;
    const off = Object.keys(e.metrics).find((k) => typeof again[k] === "number" && !closeEnough(again[k], e.metrics[k]));
    const reproduced = off === undefined;
    if (off !== undefined) {
      opts.onWarning?.(`curve of ${e.study} trial ${e.trial}: ${off} ${again[off]} on ${e.period} differs from the recorded ${e.metrics[off]}; the bars or costs are not the run's`);
    }
    out.push({
      rank: e.rank,
      study: e.study,
      strategy: e.strategy,
      period: e.period,
      trial: e.trial,
      params: e.params,
      trade_size: e.trade_size,
      periodStart: t[ev.periodStartBar(e.period)] ?? t[0],
      bars: n,
      equity: downsample(closeT, equity, maxPoints),
      drawdown: downsample(closeT, dd, maxPoints),
      fills: {
        t: shown.map((f) => f.t),
        side: shown.map((f) => f.side),
        price: shown.map((f) => f.price),
        equity: shown.map((f) => f.equity),
        total: fills.length,
      },
      trips: roundTrips(r.round_trips ?? [], fills),
      final_balance: r.metrics.final_balance,
      max_drawdown: r.metrics.max_drawdown,
      reproduced,
    });
  }
  return out;
}
