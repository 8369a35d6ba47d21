/**
 * Equity and drawdown of a run's best trials, with their trades. The curves are lib/report's
 * (`shortlistCurves`: each trial evaluated again with full output on the run's own bars and
 * costs, checked against the journal), so they are the dashboard's curves.
 */
import type { CostTable } from "../costs/cost-table";
import type { Bars } from "../data/bars";
import { UsageError } from "../errors";
import { loadRunInputs, shortlistCurves, topLists, type Curve } from "../report";
import { axisId, colorAt, MARGIN, title } from "./chart-style";
import { showPlot, type Figure, type PlotOptions, type Trace } from "./plot";
import { formatParams } from "./table";
import { runData, type RunSource } from "./run-source";

export interface EquityChartOptions {
  /** Trials drawn (default 5). */
  top?: number;
  /** Rank by this objective's value (its studies only); default: every study by total return on its period, as the dashboard. */
  objective?: string;
  /** Curves whose trades are marked, best first (default 1: the best only; 0 for none). */
  trades?: number;
  /** Trade markers per curve at most, inside the study period, evenly picked (default 400). */
  markers?: number;
  /** Points per curve (default 2,000; the thinning keeps every peak and trough). */
  maxPoints?: number;
  /** The run's bars and costs when already loaded (else the manifest's files, checked by sha256). */
  bars?: Bars;
  costs?: CostTable;
}

export function equityCurves(source: RunSource, opts: EquityChartOptions = {}): Curve[] {
  const run = runData(source);
  const n = opts.top ?? 5;
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`top ${n} must be an integer >= 1`);
  const top = topLists(run, n);
  let entries = top.overall;
  if (opts.objective !== undefined) {
    const list = top.byObjective[opts.objective];
    if (list === undefined) throw new UsageError(`the run has no objective "${opts.objective}"; it has ${Object.keys(top.byObjective).join(", ")}`);
    entries = list;
  }
  const warnings: string[] = [];
  const warn = (w: string) => {
    warnings.push(w);
    console.log(`warning: ${w}`);
  };
  const inputs = loadRunInputs(run, { bars: opts.bars, costs: opts.costs }, warn);
  if (inputs === null) throw new UsageError(`cannot draw the curves of ${run.dir}: ${warnings.join("; ")}`);
  return shortlistCurves(entries, inputs, { maxPoints: opts.maxPoints, onWarning: warn });
}

function evenly<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return [...xs];
  return Array.from({ length: max }, (_, i) => xs[Math.floor((i * xs.length) / max)]);
}

export function equityFigure(curves: readonly Curve[], opts: Pick<EquityChartOptions, "markers" | "trades"> = {}): Figure {
  const maxMarkers = opts.markers ?? 400;
  const marked = opts.trades ?? 1;
  const data: Trace[] = [];
  // The best last, so its curve and trades are drawn on top; legendrank lists it first.
  [...curves].reverse().forEach((c) => {
    const k = curves.indexOf(c);
    const color = colorAt(k);
    const name = `#${c.rank} ${c.strategy} · trial ${c.trial}`;
    const hover = `${c.study} #${c.trial}<br>${formatParams(c.params)}`;
    data.push({ type: "scatter", mode: "lines", name, legendgroup: name, legendrank: 10 * k, x: c.equity.x, y: c.equity.y, line: { color, width: 1.4 }, hovertemplate: `${hover}<br>%{x|%Y-%m-%d %H:%M}<br>equity %{y:.2f}<extra></extra>` });
    data.push({ type: "scatter", mode: "lines", name: `${name} drawdown`, legendgroup: name, showlegend: false, xaxis: axisId("x", 1), yaxis: axisId("y", 1), x: c.drawdown.x, y: c.drawdown.y.map((d) => -d), line: { color, width: 1 }, hovertemplate: `${c.study} #${c.trial}<br>%{x|%Y-%m-%d}<br>drawdown %{y:.1%}<extra></extra>` });
    if (k >= marked || maxMarkers <= 0) return;
    const inPeriod = c.fills.t.map((_, i) => i).filter((i) => c.fills.t[i] >= c.periodStart);
    for (const side of ["buy", "sell"] as const) {
      const idx = evenly(inPeriod.filter((i) => c.fills.side[i] === side), Math.ceil(maxMarkers / 2));
      if (idx.length === 0) continue;
      data.push({
        type: "scatter",
        mode: "markers",
        name: `#${c.rank} ${side}s`,
        legendgroup: name,
        legendrank: 10 * k + (side === "buy" ? 1 : 2),
        x: idx.map((i) => c.fills.t[i]),
        y: idx.map((i) => c.fills.equity[i]),
        customdata: idx.map((i) => c.fills.price[i]),
        hovertemplate: `${side} at %{customdata:.2f}<br>%{x|%Y-%m-%d %H:%M}<extra>${c.strategy} #${c.trial}</extra>`,
        marker: { symbol: side === "buy" ? "triangle-up" : "triangle-down", size: 8, color: side === "buy" ? "#2ca02c" : "#d62728", line: { color: "#fff", width: 0.5 } },
      });
    }
  });
  // The optimised window: trades are marked inside it, the curve runs over all the bars.
  const starts = [...new Set(curves.map((c) => c.periodStart))];
  const shapes = starts.map((t) => ({ type: "line", xref: "x", yref: "paper", x0: t, x1: t, y0: 0, y1: 1, line: { color: "#888", width: 1, dash: "dot" } }));
  const annotations = starts.map((t) => ({ x: t, xref: "x", y: 1, yref: "paper", yanchor: "bottom", text: `${curves.find((c) => c.periodStart === t)?.period} window`, showarrow: false, font: { size: 10, color: "#666" } }));
  return {
    data,
    layout: {
      title: title(`Equity and drawdown of the top ${curves.length}`),
      height: 640,
      margin: MARGIN,
      hovermode: "closest",
      legend: { orientation: "h", y: -0.1 },
      xaxis: { type: "date", anchor: "y", showticklabels: false },
      yaxis: { domain: [0.34, 1], title: { text: "equity" } },
      xaxis2: { type: "date", anchor: "y2", matches: "x" },
      yaxis2: { domain: [0, 0.28], title: { text: "drawdown" }, tickformat: ".0%" },
      shapes,
      annotations,
    },
  };
}

/** Evaluate the top trials again and show their curves inline (a note outside a notebook). */
export function plotEquity(source: RunSource, opts: EquityChartOptions & PlotOptions = {}): void {
  showPlot(equityFigure(equityCurves(source, opts), opts), { maxPoints: 0, ...opts });
}
