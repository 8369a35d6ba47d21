/**
 * What the dashboard page shows, as one plain JSON document: trials in columns (one
 * array per field, to keep the page small), studies, importances, curves. Numbers are
 * rounded to 6 significant digits for the page; the CSV files keep full precision.
 */
import { basename } from "node:path";
import { PERIOD_KEYS, type PeriodKey } from "../../engine/periods";
import type { TrialParamValue } from "../../optimize/storage/types";
import type { Curve } from "../curves";
import type { Candles } from "../drilldown";
import type { ParetoStudy } from "../pareto";
import { paramImportance, type ParamImportance } from "../importance";
import { metricsOf, type RunData, type StudyInfo } from "../run";
import { paramNames, type StudySummary } from "../tables";

export type RunStatus = "complete" | "running" | "incomplete";

/** How the page formats a column. */
export type Format = "pct" | "num" | "int" | "money";

export interface Badge {
  label: string;
  value: string;
  detail: string;
}

export interface DashboardModel {
  title: string;
  status: RunStatus;
  generated: string;
  run: {
    name: string;
    dir: string;
    created: string;
    sampler: string;
    seed: number;
    trialsPerStudy: number;
    tradeSize: number;
    data: string;
    rows: number;
    gitCommit: string | null;
    done: number;
    planned: number;
  };
  badges: Badge[];
  studies: Array<{ key: string; strategy: string; objective: string; period: PeriodKey; params: string[] } & Omit<StudySummary, "study" | "strategy" | "objective" | "period" | "best"> & { bestTrial: number | null; bestValue: number | null }>;
  objectives: string[];
  periods: readonly PeriodKey[];
  /** Metric columns of the trial tables, in order. */
  metrics: Array<{ key: string; fmt: Format }>;
  params: string[];
  trials: {
    /** Study index into `studies`. */
    s: number[];
    id: number[];
    state: string[];
    value: Array<number | null>;
    p: Record<string, Array<TrialParamValue | null>>;
    /** period -> metric -> value per trial. */
    m: Record<string, Record<string, Array<number | null>>>;
    /** Start and end (ms after `timeBase`) and worker index per trial; null in journals without them. */
    t0: Array<number | null>;
    t1: Array<number | null>;
    w: Array<number | null>;
  };
  /** Unix ms the trial times count from (the earliest start), or null without times. */
  timeBase: number | null;
  importance: Record<string, ParamImportance[]>;
  /** Multi-objective studies' trials and fronts (absent without any). */
  pareto?: ParetoStudy[];
  topN: number;
  curves: Curve[] | null;
  /** Price candles for the drill-down (with the curves), or null. */
  price: Candles | null;
  curvesNote: string;
  /** Points per curve at most (see downsample.ts). */
  maxCurvePoints: number;
  /** Files of report/, relative to the run directory, for the page's links. */
  files: string[];
}

const PAGE_METRICS: Array<{ key: string; fmt: Format }> = [
  { key: "total_return", fmt: "pct" },
  { key: "cagr", fmt: "pct" },
  { key: "max_drawdown", fmt: "pct" },
  { key: "sharpe", fmt: "num" },
  { key: "sortino", fmt: "num" },
  { key: "volatility", fmt: "pct" },
  { key: "win_rate", fmt: "pct" },
  { key: "profit_factor", fmt: "num" },
  { key: "trades", fmt: "int" },
  { key: "swaps", fmt: "int" },
  { key: "fees", fmt: "money" },
  { key: "exposure", fmt: "pct" },
  { key: "final_balance", fmt: "money" },
];

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k); // exact doubles

/**
 * 6 significant digits; non-finite as null. Integer scaling instead of toPrecision (5x
 * faster, and this runs for every metric of every trial): dividing the rounded integer by
 * an exact power of ten gives the double nearest the 6-digit decimal, so it prints short.
 */
export function r6(x: unknown): number | null {
  if (typeof x !== "number" || !Number.isFinite(x)) return null;
  if (x === 0 || Number.isInteger(x) && Math.abs(x) < 1e6) return x;
  const e = Math.floor(Math.log10(Math.abs(x)));
  const k = 5 - e;
  if (k > 0 && k < POW10.length) return Math.round(x * POW10[k]) / POW10[k];
  if (k <= 0 && -k < POW10.length) return Math.round(x / POW10[-k]) * POW10[-k];
  return Number(x.toPrecision(6));
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const short = (x: number) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-2 && x !== 0) ? x.toExponential(2) : x.toFixed(2));

export interface ModelInput {
  run: RunData;
  summaries: StudySummary[];
  status: RunStatus;
  topN: number;
  curves: Curve[] | null;
  price?: Candles | null;
  curvesNote: string;
  maxCurvePoints: number;
  files: string[];
  now?: Date;
  pareto?: ParetoStudy[];
}

export function buildModel(inp: ModelInput): DashboardModel {
  const { run, summaries } = inp;
  const m = run.manifest;
  const metrics = [...PAGE_METRICS, ...m.args.objectives.filter((o) => !o.includes("/") && !PAGE_METRICS.some((p) => p.key === o)).map((key) => ({ key, fmt: "num" as Format }))];
  const params = paramNames(run.trials);
  const trials: DashboardModel["trials"] = { s: [], id: [], state: [], value: [], p: {}, m: {}, t0: [], t1: [], w: [] };
  const timeOf = (iso: unknown) => (typeof iso === "string" ? Date.parse(iso) : NaN);
  let timeBase = Infinity;
  for (const t of run.trials) {
    const ms = timeOf(t.started);
    if (ms < timeBase) timeBase = ms;
  }
  for (const p of params) trials.p[p] = [];
  for (const period of PERIOD_KEYS) {
    trials.m[period] = {};
    for (const k of metrics) trials.m[period][k.key] = [];
  }
  for (const t of run.trials) {
    trials.s.push((run.studyByKey.get(t.study) as StudyInfo).index);
    trials.id.push(t.id);
    trials.state.push(t.state);
    trials.value.push(r6(t.value));
    for (const p of params) trials.p[p].push(t.params[p] ?? null);
    const t0 = timeOf(t.started);
    const t1 = timeOf(t.finished);
    trials.t0.push(Number.isFinite(t0) ? t0 - timeBase : null);
    trials.t1.push(Number.isFinite(t1) ? t1 - timeBase : null);
    trials.w.push(typeof t.worker === "number" ? t.worker : null);
    for (const period of PERIOD_KEYS) {
      const mm = metricsOf(t, period);
      for (const k of metrics) trials.m[period][k.key].push(mm ? r6(mm[k.key]) : null);
    }
  }

  const byStudy = new Map<string, typeof run.trials>(run.studies.map((s) => [s.key, []]));
  for (const t of run.trials) byStudy.get(t.study)?.push(t);
  const importance: Record<string, ParamImportance[]> = {};
  const studyParams = new Map<string, string[]>();
  for (const s of run.studies) {
    const ts = (byStudy.get(s.key) ?? []).filter((t) => t.state === "complete");
    const names = paramNames(byStudy.get(s.key) ?? []);
    studyParams.set(s.key, names);
    importance[s.key] = paramImportance(ts, names);
  }

  const done = run.trials.length;
  const planned = run.planned * run.studies.length;
  const counts = { complete: 0, pruned: 0, failed: 0 };
  for (const t of run.trials) counts[t.state]++;
  const bestOf = (metric: string) => {
    let best: { v: number; label: string } | null = null;
    for (const t of run.trials) {
      if (t.state !== "complete") continue;
      const s = run.studyByKey.get(t.study) as StudyInfo;
      const v = metricsOf(t, s.period)?.[metric];
      if (typeof v === "number" && Number.isFinite(v) && (best === null || v > best.v)) best = { v, label: `${t.study} #${t.id}` };
    }
    return best;
  };
  const ret = bestOf("total_return");
  const mar = bestOf("mar");
  const sharpe = bestOf("sharpe");
  const badges: Badge[] = [
    { label: "status", value: inp.status, detail: inp.status === "running" ? "intermediate report" : inp.status === "incomplete" ? "resume the run to finish it" : "every study has its trials" },
    { label: "trials done", value: `${done} / ${planned}`, detail: `${counts.complete} complete · ${counts.pruned} pruned · ${counts.failed} failed` },
    { label: "best return", value: ret ? pct(ret.v) : "–", detail: ret ? `${ret.label} (study period)` : "no complete trial" },
    { label: "best MAR", value: mar ? short(mar.v) : "–", detail: mar ? `${mar.label} (study period)` : "no complete trial" },
    { label: "best Sharpe", value: sharpe ? short(sharpe.v) : "–", detail: sharpe ? `${sharpe.label} (study period)` : "no complete trial" },
  ];

  return {
    title: m.name,
    status: inp.status,
    generated: (inp.now ?? new Date()).toISOString(),
    run: {
      name: m.name,
      dir: run.dir,
      created: m.created,
      sampler: m.args.sampler,
      seed: m.args.seed,
      trialsPerStudy: m.args.trials,
      tradeSize: m.args.tradeSizes[0],
      data: basename(m.data.path),
      rows: m.data.rows,
      gitCommit: m.gitCommit,
      done,
      planned,
    },
    badges,
    studies: run.studies.map((s, i) => {
      const sum = summaries[i];
      return {
        key: s.key,
        strategy: s.strategy,
        objective: s.objective,
        period: s.period,
        params: studyParams.get(s.key) ?? [],
        trials_planned: sum.trials_planned,
        trials_done: sum.trials_done,
        complete: sum.complete,
        pruned: sum.pruned,
        failed: sum.failed,
        median_value: r6(sum.median_value),
        bestTrial: sum.best?.trial ?? null,
        bestValue: r6(sum.best?.value),
      };
    }),
    objectives: [...m.args.objectives],
    periods: PERIOD_KEYS,
    metrics,
    params,
    trials,
    timeBase: Number.isFinite(timeBase) ? timeBase : null,
    importance,
    topN: inp.topN,
    curves: inp.curves?.map(roundCurve) ?? null,
    price: inp.price ?? null,
    curvesNote: inp.curvesNote,
    maxCurvePoints: inp.maxCurvePoints,
    files: inp.files,
    ...(inp.pareto !== undefined && inp.pareto.length > 0 ? { pareto: inp.pareto } : {}),
  };
}

/** Curves for the page: values to 6 significant digits (times stay exact). */
function roundCurve(c: Curve): Curve {
  const ys = (xs: number[]) => xs.map((x) => r6(x) ?? 0);
  return {
    ...c,
    equity: { x: c.equity.x, y: ys(c.equity.y) },
    drawdown: { x: c.drawdown.x, y: ys(c.drawdown.y) },
    fills: { ...c.fills, price: ys(c.fills.price), equity: ys(c.fills.equity) },
    trips: { ...c.trips, entryPrice: ys(c.trips.entryPrice), exitPrice: ys(c.trips.exitPrice), pnl: ys(c.trips.pnl), ret: ys(c.trips.ret), fees: ys(c.trips.fees) },
  };
}
