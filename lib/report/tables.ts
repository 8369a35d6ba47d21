/**
 * The report's tables, as plain data (columns and rows), from a loaded run:
 *
 * - per objective: every trial of that objective's studies, with the metrics of the
 *   study's own period, sorted by that total return (highest first);
 * - per period: every trial of the run with the metrics of that one period, so a trial
 *   optimised on 1y can be judged on 30d or 90d, sorted by that period's total return;
 * - a summary per study (counts, best and median value, the best trial in every period);
 * - top N per objective (by objective value) and overall (by total return on the study's
 *   period).
 *
 * Metrics are those of the first trade size of the run (the size the studies optimise).
 * Ties keep a fixed order: manifest study order, then trial id.
 */
import { METRIC_KEYS, OBJECTIVE_KEYS } from "../engine/metrics";
import { PERIOD_KEYS, type PeriodKey } from "../engine/periods";
import type { TrialLine, TrialParamValue } from "../optimize/storage/types";
import type { Cell, Table } from "./csv";
import { metricsOf, type RunData, type StudyInfo } from "./run";

/** Every metric, then the objectives not already among them (final_balance is both). */
export const METRIC_COLUMNS: readonly string[] = [...METRIC_KEYS, ...OBJECTIVE_KEYS.filter((k) => !(METRIC_KEYS as readonly string[]).includes(k))];

export const TRIAL_ID_COLUMNS = ["study", "strategy", "objective", "period", "trial", "state", "value", "trade_size", "ruined", "aborted"] as const;

export const DEFAULT_TOP_N = 10;

/** Parameter names in order of first appearance (studies in manifest order, then trial id). */
export function paramNames(trials: readonly TrialLine[]): string[] {
  const seen = new Set<string>();
  for (const t of trials) for (const k in t.params) seen.add(k);
  return [...seen];
}

const num = (x: unknown): number => (typeof x === "number" && Number.isFinite(x) ? x : Number.NaN);

/** The study period's total return at the first trade size (NaN for failed trials). */
export function ownReturn(run: RunData, t: TrialLine): number {
  const s = run.studyByKey.get(t.study) as StudyInfo;
  return num(metricsOf(t, s.period)?.total_return);
}

/** Descending, NaN last; ties by study order, then id. */
function byDesc(run: RunData, key: (t: TrialLine) => number): (a: TrialLine, b: TrialLine) => number {
  const order = (t: TrialLine) => (run.studyByKey.get(t.study) as StudyInfo).index;
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    const xn = Number.isNaN(x);
    const yn = Number.isNaN(y);
    if (xn !== yn) return xn ? 1 : -1;
    if (!xn && x !== y) return y - x;
    return order(a) - order(b) || a.id - b.id;
  };
}

function trialTable(run: RunData, trials: readonly TrialLine[], period: (s: StudyInfo) => PeriodKey, extra: { columns: string[]; cells: (t: TrialLine) => Cell[] } = { columns: [], cells: () => [] }): Table {
  const params = paramNames(trials);
  const columns = [...extra.columns, ...TRIAL_ID_COLUMNS, ...params.map((p) => `p_${p}`), ...METRIC_COLUMNS, "error"];
  const rows = trials.map((t): Cell[] => {
    const s = run.studyByKey.get(t.study) as StudyInfo;
    const r = t.results[0];
    const m = metricsOf(t, period(s));
    const row: Cell[] = extra.cells(t);
    row.push(t.study, s.strategy, s.objective, s.period, t.id, t.state, t.value, r?.trade_size, r?.ruined, r?.aborted);
    for (const p of params) row.push(t.params[p]);
    for (const k of METRIC_COLUMNS) row.push(m ? m[k] : null);
    row.push(t.error);
    return row;
  });
  return { columns, rows };
}

/** Trials of the studies of `objective`, metrics of each study's period, by that total return. */
export function objectiveTable(run: RunData, objective: string): Table {
  const trials = run.trials.filter((t) => (run.studyByKey.get(t.study) as StudyInfo).objective === objective).sort(byDesc(run, (t) => ownReturn(run, t)));
  return trialTable(run, trials, (s) => s.period);
}

/** Every trial with the metrics of `period`, by that period's total return. */
export function periodTable(run: RunData, period: PeriodKey): Table {
  const trials = [...run.trials].sort(byDesc(run, (t) => num(metricsOf(t, period)?.total_return)));
  return trialTable(run, trials, () => period);
}

export interface StudySummary {
  study: string;
  strategy: string;
  objective: string;
  period: PeriodKey;
  trials_planned: number;
  trials_done: number;
  complete: number;
  pruned: number;
  failed: number;
  /** Highest value among complete trials; ties go to the lower id (as the runner's checkpoint). */
  best: null | {
    trial: number;
    value: number;
    params: Record<string, TrialParamValue>;
    /** Every metric of every period at the first trade size. */
    metrics: Record<PeriodKey, Record<string, number>>;
  };
  /** Median value of the complete trials (mean of the middle two for an even count), or null. */
  median_value: number | null;
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

export function summarize(run: RunData): StudySummary[] {
  const by = new Map<string, TrialLine[]>(run.studies.map((s) => [s.key, []]));
  for (const t of run.trials) (by.get(t.study) as TrialLine[]).push(t);
  return run.studies.map((s) => {
    const ts = by.get(s.key) as TrialLine[];
    const complete = ts.filter((t) => t.state === "complete" && typeof t.value === "number" && Number.isFinite(t.value));
    let best: TrialLine | null = null;
    for (const t of complete) if (best === null || (t.value as number) > (best.value as number) || (t.value === best.value && t.id < best.id)) best = t;
    const metrics = {} as Record<PeriodKey, Record<string, number>>;
    if (best) for (const p of PERIOD_KEYS) metrics[p] = { ...(metricsOf(best, p) ?? {}) };
    return {
      study: s.key,
      strategy: s.strategy,
      objective: s.objective,
      period: s.period,
      trials_planned: run.planned,
      trials_done: ts.length,
      complete: ts.filter((t) => t.state === "complete").length,
      pruned: ts.filter((t) => t.state === "pruned").length,
      failed: ts.filter((t) => t.state === "failed").length,
      best: best ? { trial: best.id, value: best.value as number, params: { ...best.params }, metrics } : null,
      median_value: median(complete.map((t) => t.value as number)),
    };
  });
}

/** One row per study: counts, best and median value, the best's params and `<metric>_<period>` for every period. */
export function summaryTable(summaries: readonly StudySummary[]): Table {
  const params = paramNames(summaries.flatMap((s) => (s.best ? [{ params: s.best.params } as TrialLine] : [])));
  const metricCols = PERIOD_KEYS.flatMap((p) => METRIC_COLUMNS.map((k) => [p, k] as const));
  const columns = [
    "study", "strategy", "objective", "period", "trials_planned", "trials_done", "complete", "pruned", "failed", "best_trial", "best_value", "median_value",
    ...params.map((p) => `p_${p}`),
    ...metricCols.map(([p, k]) => `${k}_${p}`),
  ];
  const rows = summaries.map((s): Cell[] => [
    s.study, s.strategy, s.objective, s.period, s.trials_planned, s.trials_done, s.complete, s.pruned, s.failed,
    s.best?.trial, s.best?.value, s.median_value,
    ...params.map((p) => s.best?.params[p]),
    ...metricCols.map(([p, k]) => (s.best ? num(s.best.metrics[p][k]) : null)),
  ]);
  return { columns, rows };
}

export interface TopEntry {
  rank: number;
  study: string;
  strategy: string;
  objective: string;
  period: PeriodKey;
  trial: number;
  value: number;
  trade_size: number;
  params: Record<string, TrialParamValue>;
  /** The study period's metrics at the first trade size. */
  metrics: Record<string, number>;
}

export interface TopLists {
  n: number;
  ranking: { overall: string; objective: string };
  /** Complete trials of every study by total return on the study's period. */
  overall: TopEntry[];
  /** Per objective: complete trials of its studies by objective value. */
  byObjective: Record<string, TopEntry[]>;
}

export const RANKING = {
  overall: "complete trials of all studies, by total return on each trial's own study period (first trade size), highest first; ties by study order, then trial id",
  objective: "complete trials of the objective's studies, by the objective value (the number the study maximised), highest first; ties by study order, then trial id",
};

function entry(run: RunData, t: TrialLine, rank: number): TopEntry {
  const s = run.studyByKey.get(t.study) as StudyInfo;
  return {
    rank,
    study: t.study,
    strategy: s.strategy,
    objective: s.objective,
    period: s.period,
    trial: t.id,
    value: t.value as number,
    trade_size: t.results[0].trade_size,
    params: { ...t.params },
    metrics: { ...(metricsOf(t, s.period) ?? {}) },
  };
}

export function topLists(run: RunData, n: number = DEFAULT_TOP_N): TopLists {
  const complete = run.trials.filter((t) => t.state === "complete" && typeof t.value === "number" && Number.isFinite(t.value) && t.results.length > 0);
  const overall = complete
    .filter((t) => Number.isFinite(ownReturn(run, t)))
    .sort(byDesc(run, (t) => ownReturn(run, t)))
    .slice(0, n)
    .map((t, i) => entry(run, t, i + 1));
  const byObjective: Record<string, TopEntry[]> = {};
  for (const o of run.manifest.args.objectives) {
    byObjective[o] = complete
      .filter((t) => (run.studyByKey.get(t.study) as StudyInfo).objective === o)
      .sort(byDesc(run, (t) => t.value as number))
      .slice(0, n)
      .map((t, i) => entry(run, t, i + 1));
  }
  return { n, ranking: RANKING, overall, byObjective };
}

/** top.csv: the overall list, then each objective's; `ranking` says which list a row is in. */
export function topTable(top: TopLists): Table {
  const lists: Array<[string, TopEntry[]]> = [["overall", top.overall], ...Object.entries(top.byObjective).map(([o, l]): [string, TopEntry[]] => [`objective:${o}`, l])];
  const all = lists.flatMap(([, l]) => l);
  const params = paramNames(all.map((e) => ({ params: e.params }) as TrialLine));
  const columns = ["ranking", "rank", "study", "strategy", "objective", "period", "trial", "value", "trade_size", ...params.map((p) => `p_${p}`), ...METRIC_COLUMNS];
  const rows = lists.flatMap(([name, l]) =>
    l.map((e): Cell[] => [name, e.rank, e.study, e.strategy, e.objective, e.period, e.trial, e.value, e.trade_size, ...params.map((p) => e.params[p]), ...METRIC_COLUMNS.map((k) => num(e.metrics[k]))]),
  );
  return { columns, rows };
}
