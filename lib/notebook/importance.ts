/**
 * Parameter importance of every study of a run (lib/report's paramImportance: the
 * bias-corrected share of the objective's rank variance a parameter explains on its own,
 * docs/reports.md): horizontal bars, one group per strategy parameter, one bar per
 * objective (and period).
 */
import { paramImportance, type ParamImportance } from "../report";
import { paramNames } from "../report/tables";
import { colorAt, MARGIN, title } from "./chart-style";
import { showPlot, type Figure, type PlotOptions, type Trace } from "./plot";
import { runData, type RunSource } from "./run-source";

export interface StudyImportance extends ParamImportance {
  study: string;
  strategy: string;
  objective: string;
  period: string;
}

/** One row per study and parameter, each study's most important first. */
export function importanceRows(source: RunSource): StudyImportance[] {
  const run = runData(source);
  return run.studies.flatMap((s) => {
    const trials = run.trials.filter((t) => t.study === s.key);
    const complete = trials.filter((t) => t.state === "complete");
    return paramImportance(complete, paramNames(trials)).map((p) => ({ study: s.key, strategy: s.strategy, objective: s.objective, period: s.period, ...p }));
  });
}

export function importanceFigure(source: RunSource): Figure {
  const rows = importanceRows(source);
  const periods = new Set(rows.map((r) => r.period));
  const series = [...new Set(rows.map((r) => (periods.size > 1 ? `${r.objective} ${r.period}` : r.objective)))];
  // Categories top to bottom in the order strategies and their parameters first appear.
  const categories = [...new Set(rows.map((r) => `${r.strategy} · ${r.param}`))];
  const data: Trace[] = series.map((name, k) => {
    const mine = rows.filter((r) => (periods.size > 1 ? `${r.objective} ${r.period}` : r.objective) === name && r.importance !== null);
    return {
      type: "bar",
      orientation: "h",
      name,
      y: mine.map((r) => `${r.strategy} · ${r.param}`),
      x: mine.map((r) => r.importance),
      hovertext: mine.map((r) => `${r.study}<br>importance ${(r.importance as number).toFixed(3)}<br>spearman ${r.spearman === null ? "–" : r.spearman.toFixed(2)} · ${r.n} trials, ${r.groups} groups`),
      hovertemplate: "%{hovertext}<extra></extra>",
      marker: { color: colorAt(k) },
    };
  });
  return {
    data,
    layout: {
      title: title("Parameter importance (epsilon², rank-based)"),
      barmode: "group",
      height: Math.max(320, 110 + categories.length * 24 * Math.max(1, series.length)),
      margin: { ...MARGIN, l: 170 },
      xaxis: { title: { text: "share of the objective's rank variance explained" }, range: [0, 1] },
      yaxis: { categoryorder: "array", categoryarray: [...categories].reverse(), automargin: true },
      legend: { orientation: "h", y: -0.15 },
    },
  };
}

/** Show `importanceFigure` inline (a note outside a notebook). */
export function plotImportance(source: RunSource, opts: PlotOptions = {}): void {
  showPlot(importanceFigure(source), opts);
}
