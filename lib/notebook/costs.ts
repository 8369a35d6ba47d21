/**
 * A cost table in a notebook: impact against swap size as the evaluator applies it (each
 * bucket's impact holds from just above the previous bucket up to its size: round up), and
 * the whole cost of a swap of that size, gas included, as a fraction of it. The title says
 * whether the table was fetched.
 */
import { costOrigin } from "../costs/describe";
import type { CostTable } from "../costs/cost-table";
import { loadCostTable } from "../costs/load";
import { DEFAULT_COSTS } from "../paths";
import { colorAt, MARGIN, title } from "./chart-style";
import { showPlot, type Figure, type PlotOptions } from "./plot";

/** A table, or the path of one (default data/swap_cost_cache.json). */
export type CostTableSource = CostTable | string;

export function costsFigure(source: CostTableSource = DEFAULT_COSTS): Figure {
  const table = typeof source === "string" ? loadCostTable(source) : source;
  const sizes = Array.from(table.sizes);
  const impactPct = Array.from(table.impacts, (x) => x * 100);
  const costPct = sizes.map((n, i) => ((n * table.impacts[i]! + table.gas) / n) * 100);
  const origin = costOrigin(table.meta);
  return {
    data: [
      {
        type: "scatter",
        mode: "lines+markers",
        name: "impact (bucket applies up to its size)",
        x: sizes,
        y: impactPct,
        // "vh": from the previous bucket's size, the line rises at once to this bucket's impact (round up).
        line: { shape: "vh", color: colorAt(0) },
        hovertemplate: "bucket %{x:,}<br>impact %{y:.4f} %<extra></extra>",
      },
      {
        type: "scatter",
        mode: "lines+markers",
        name: `cost of a swap of that size, gas ${table.gas} included`,
        x: sizes,
        y: costPct,
        line: { dash: "dot", color: colorAt(1) },
        hovertemplate: "swap of %{x:,}<br>cost %{y:.4f} %<extra></extra>",
      },
    ],
    layout: {
      title: title(`Swap cost against size — ${origin.fetched ? "fetched" : "NOT fetched data"}`),
      margin: MARGIN,
      xaxis: { title: { text: "swap size (quote currency)" }, type: "log" },
      yaxis: { title: { text: "% of the swap" }, rangemode: "tozero" },
      legend: { orientation: "h", y: -0.2 },
      annotations: [{ text: origin.summary.slice(0, 160), showarrow: false, xref: "paper", yref: "paper", x: 0, y: 1.06, xanchor: "left", font: { size: 11 } }],
    },
  };
}

/** Plot impact against size inline (text outside a notebook). */
export function plotCosts(source: CostTableSource = DEFAULT_COSTS, opts: PlotOptions = {}): void {
  showPlot(costsFigure(source), opts);
}
