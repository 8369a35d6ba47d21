/**
 * The optimisation history: every trial's objective value by trial number, and each study's
 * best so far as a step line. One panel per objective (their scales differ), one colour
 * per strategy. Pruned and failed trials have no value and are counted in the title.
 */
import type { RunData } from "../report";
import { axisId, axisKey, colorsFor, MARGIN, title } from "./chart-style";
import type { Figure, PlotOptions, Trace } from "./plot";
import { showPlot } from "./plot";
import { formatParams } from "./table";
import { runData, type RunSource } from "./run-source";

export function historyFigure(source: RunSource): Figure {
  const run: RunData = runData(source);
  const objectives = [...new Set(run.studies.map((s) => s.objective))];
  const periods = new Set(run.studies.map((s) => s.period));
  const colors = colorsFor(run.studies.map((s) => s.strategy));
  const data: Trace[] = [];
  const legend = new Set<string>();
  let noValue = 0;
  for (const s of run.studies) {
    const row = objectives.indexOf(s.objective);
    const trials = run.trials.filter((t) => t.study === s.key);
    const scored = trials.filter((t) => t.state === "complete" && typeof t.value === "number" && Number.isFinite(t.value));
    noValue += trials.length - scored.length;
    const group = periods.size > 1 ? `${s.strategy} ${s.period}` : s.strategy;
    const color = colors.get(s.strategy) as string;
    const axes = { xaxis: axisId("x", row), yaxis: axisId("y", row) };
    data.push({
      type: "scatter",
      mode: "markers",
      name: group,
      legendgroup: group,
      showlegend: !legend.has(group),
      ...axes,
      x: scored.map((t) => t.id),
      y: scored.map((t) => t.value),
      text: scored.map((t) => `${s.key} #${t.id}<br>${formatParams(t.params)}`),
      hovertemplate: "%{text}<br>value %{y:.4g}<extra></extra>",
      marker: { color, size: 6, opacity: 0.55, symbol: periods.size > 1 ? [...periods].indexOf(s.period) : 0 },
    });
    legend.add(group);
    const ids: number[] = [];
    const best: number[] = [];
    let top = -Infinity;
    for (const t of scored) {
      if ((t.value as number) > top) top = t.value as number;
      ids.push(t.id);
      best.push(top);
    }
    data.push({ type: "scatter", mode: "lines", name: `${group} best`, legendgroup: group, showlegend: false, ...axes, x: ids, y: best, line: { color, width: 2, shape: "hv" }, hoverinfo: "skip" });
  }
  const rows = objectives.length;
  const gap = rows > 1 ? 0.08 : 0;
  const h = (1 - gap * (rows - 1)) / rows;
  const layout: Record<string, unknown> = {
    title: title(`Optimisation history: ${run.manifest.name}${noValue > 0 ? ` (${noValue} trials without a value: pruned, failed or ruined)` : ""}`),
    height: 120 + 260 * rows,
    margin: { ...MARGIN, t: 80 },
    legend: { orientation: "h", x: 1, xanchor: "right", y: 1, yanchor: "bottom" },
    hovermode: "closest",
  };
  objectives.forEach((o, k) => {
    const top = 1 - k * (h + gap);
    layout[axisKey("y", k)] = { domain: [Math.max(0, top - h), top], title: { text: o }, anchor: axisId("x", k) };
    layout[axisKey("x", k)] = { anchor: axisId("y", k), ...(k > 0 ? { matches: "x" } : {}), ...(k === rows - 1 ? { title: { text: "trial" } } : {}) };
  });
  return { data, layout };
}

/** Show `historyFigure` inline (a note outside a notebook). */
export function plotHistory(source: RunSource, opts: PlotOptions = {}): void {
  showPlot(historyFigure(source), opts);
}
