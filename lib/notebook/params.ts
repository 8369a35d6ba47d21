/**
 * Where in parameter space the good trials are, for one study: a scatter of the objective
 * against one parameter, or two parameters against each other coloured by the objective.
 * Without a choice, the two parameters that explain most of the objective's spread
 * (lib/report's paramImportance) are drawn. The best trial is marked with a star.
 */
import { UsageError } from "../errors";
import { paramImportance } from "../report";
import { paramNames } from "../report/tables";
import { colorsFor, MARGIN, title } from "./chart-style";
import { showPlot, type Figure, type PlotOptions } from "./plot";
import { formatParams } from "./table";
import { findStudy, runData, type RunSource } from "./run-source";

export interface ParamsChartOptions {
  /** One or two parameter names (default: the two most important). */
  params?: readonly string[];
}

export function paramsFigure(source: RunSource, study?: string, opts: ParamsChartOptions = {}): Figure {
  const run = runData(source);
  const s = findStudy(run, study);
  const all = run.trials.filter((t) => t.study === s.key);
  const scored = all.filter((t) => t.state === "complete" && typeof t.value === "number" && Number.isFinite(t.value));
  const names = paramNames(all);
  if (names.length === 0) throw new UsageError(`study ${s.key} has no parameters to plot`);
  const chosen = opts.params !== undefined ? [...opts.params] : paramImportance(scored, names).map((p) => p.param).slice(0, 2);
  if (chosen.length < 1 || chosen.length > 2) throw new UsageError(`give one or two parameters of ${s.key}; it has ${names.join(", ")}`);
  for (const p of chosen) if (!names.includes(p)) throw new UsageError(`${s.key} has no parameter "${p}"; it has ${names.join(", ")}`);
  if (scored.length === 0) throw new UsageError(`study ${s.key} has no complete trial yet`);

  const best = scored.reduce((a, b) => ((b.value as number) > (a.value as number) || (b.value === a.value && b.id < a.id) ? b : a));
  const text = scored.map((t) => `#${t.id}<br>${formatParams(t.params)}`);
  const color = colorsFor(run.studies.map((x) => x.strategy)).get(s.strategy) as string;
  const objective = s.objective;
  const layoutBase = { margin: MARGIN, height: 460, hovermode: "closest", legend: { orientation: "h", y: -0.18 } };
  const star = { type: "scatter", mode: "markers", name: `best #${best.id} (${(best.value as number).toPrecision(4)})`, marker: { symbol: "star", size: 16, color: "#d62728", line: { color: "#000", width: 1 } } };

  if (chosen.length === 1) {
    const [p] = chosen;
    return {
      data: [
        { type: "scatter", mode: "markers", name: "trials", x: scored.map((t) => t.params[p]), y: scored.map((t) => t.value), text, hovertemplate: `%{text}<br>${objective} %{y:.4g}<extra></extra>`, marker: { color, size: 8, opacity: 0.7 } },
        { ...star, x: [best.params[p]], y: [best.value] },
      ],
      layout: { ...layoutBase, title: title(`${s.key}: ${objective} by ${p}`), xaxis: { title: { text: p } }, yaxis: { title: { text: objective } } },
    };
  }
  const [px, py] = chosen;
  return {
    data: [
      {
        type: "scatter",
        mode: "markers",
        name: "trials",
        x: scored.map((t) => t.params[px]),
        y: scored.map((t) => t.params[py]),
        text,
        hovertemplate: `%{text}<br>${objective} %{marker.color:.4g}<extra></extra>`,
        marker: { color: scored.map((t) => t.value), colorscale: "Viridis", showscale: true, colorbar: { title: { text: objective } }, size: 10, opacity: 0.85, line: { color: "#333", width: 0.5 } },
      },
      { ...star, x: [best.params[px]], y: [best.params[py]] },
    ],
    layout: { ...layoutBase, title: title(`${s.key}: ${objective} over ${px} × ${py}`), xaxis: { title: { text: px } }, yaxis: { title: { text: py } } },
  };
}

/** Show `paramsFigure` inline (a note outside a notebook). */
export function plotParams(source: RunSource, study?: string, opts: ParamsChartOptions & PlotOptions = {}): void {
  showPlot(paramsFigure(source, study, opts), opts);
}
