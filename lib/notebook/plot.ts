/**
 * Inline plotly figures in a notebook, offline. Each figure is one output with two
 * representations: plotly's own MIME type (`application/vnd.plotly.v1+json`, drawn by
 * JupyterLab, VS Code and any viewer with plotly support, with their own copy of the
 * library) and HTML (for the classic notebook and HTML exports). The HTML of the first
 * figure of a kernel session embeds plotly.js (the report's bundle from node_modules, no
 * CDN), later figures reuse `window.Plotly`; where the front end has plotly
 * (`plotlyLibrary()`: the jupyterlab-plotly extension is installed, or
 * STRATLAB_NOTEBOOK_PLOTLY=frontend), no figure embeds it, so a saved notebook stays small.
 * Long line traces are thinned to about `maxPoints` (min and max of each bucket, so spikes
 * and drawdowns survive) to keep notebooks small.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { plotlySource } from "../report/dashboard/plotly";
import { cellDisplay, displayBundle, escapeHtml, scriptJson } from "./display";

/** plotly's MIME type for a figure ({ data, layout, config }). */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** "embed": the session's first figure carries plotly.js; "frontend": the front end has it, never embed. */
export type PlotlyLibrary = "embed" | "frontend";

/**
 * Where plotly.js comes from for the HTML of inline plots: STRATLAB_NOTEBOOK_PLOTLY
 * ("embed" or "frontend") when set, else "frontend" when Jupyter's plotly extension
 * (labextensions/jupyterlab-plotly) is installed in a Jupyter data folder, else "embed".
 */
export function plotlyLibrary(env: NodeJS.ProcessEnv = process.env): PlotlyLibrary {
  const forced = env.STRATLAB_NOTEBOOK_PLOTLY;
  if (forced === "embed" || forced === "frontend") return forced;
  const dirs = [...(env.JUPYTER_PATH ?? "").split(delimiter).filter(Boolean), join(homedir(), ".local", "share", "jupyter"), "/usr/local/share/jupyter", "/usr/share/jupyter"];
  return dirs.some((d) => existsSync(join(d, "labextensions", "jupyterlab-plotly"))) ? "frontend" : "embed";
}

/** A plotly trace: plain data (typed arrays are fine). */
export type Trace = Record<string, unknown> & { type?: string; x?: ArrayLike<unknown>; y?: ArrayLike<unknown> };

export interface Figure {
  data: Trace[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

export interface PlotOptions {
  /** Points per line trace after thinning (default 4,000; 0 keeps every point). */
  maxPoints?: number;
  /** Pixel height of the plot (default: layout.height or 420). */
  height?: number;
  /** Embed plotly.js again even if this session already did (e.g. after reloading the page). */
  embed?: boolean;
}

let embedded = false;

/**
 * Whether the caller's output should carry plotly.js: true once per kernel session (the
 * first output that asks, unless the front end has plotly).
 */
export function claimPlotlyEmbed(): boolean {
  if (embedded || plotlyLibrary() !== "embed") return false;
  embedded = true;
  return true;
}
let plots = 0;

/** Keep the first and last point and, per bucket, the points with the lowest and highest y. */
export function thinTrace(trace: Trace, maxPoints: number): Trace {
  const { x, y } = trace;
  const n = y?.length ?? 0;
  const isLine = trace.type === undefined || trace.type === "scatter" || trace.type === "scattergl";
  if (!isLine || maxPoints <= 0 || y === undefined || n <= maxPoints || (x !== undefined && x.length !== n)) return trace;
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const size = n / buckets;
  const keep: number[] = [0];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(n, Math.floor((b + 1) * size));
    let lo = from;
    let hi = from;
    for (let i = from; i < to; i++) {
      const v = Number(y[i]);
      if (v < Number(y[lo])) lo = i;
      if (v > Number(y[hi])) hi = i;
    }
    keep.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  keep.push(n - 1);
  const idx = keep.filter((v, i) => i === 0 || v !== keep[i - 1]);
  const pick = (a: ArrayLike<unknown>) => idx.map((i) => a[i]);
  return { ...trace, ...(x !== undefined ? { x: pick(x) } : { x: idx }), y: pick(y) };
}

/** The figure as drawn: long lines thinned, a height, plain arrays (typed arrays copied). */
export function plotFigure(figure: Figure, opts: PlotOptions = {}): { data: Trace[]; layout: Record<string, unknown>; config: Record<string, unknown> } {
  const maxPoints = opts.maxPoints ?? 4000;
  const layout = { ...(figure.layout ?? {}) };
  const height = opts.height ?? (typeof layout.height === "number" ? layout.height : 420);
  const fig = { data: figure.data.map((t) => thinTrace(t, maxPoints)), layout: { height, ...layout }, config: { responsive: true, displaylogo: false, ...(figure.config ?? {}) } };
  // Through JSON: the MIME bundle is sent as JSON, and typed arrays must become arrays.
  return JSON.parse(scriptJson(fig)) as ReturnType<typeof plotFigure>;
}

/** plotly.js itself as an HTML script element (defines window.Plotly in the page). */
export function plotlyScriptHtml(): string {
  return `<script type="text/javascript">${plotlySource().replace(/<\/script/gi, "<\\/script")}</script>\n`;
}

/** The HTML for one figure; `withLibrary` prepends plotly.js itself. */
export function plotHtml(figure: Figure, opts: PlotOptions & { withLibrary?: boolean } = {}): string {
  const id = `stratlab-plot-${process.pid}-${++plots}`;
  const fig = plotFigure(figure, opts);
  const height = fig.layout.height as number;
  const library = opts.withLibrary ? plotlyScriptHtml() : "";
  // Later outputs wait briefly for the library: cells can render before the first one's script ran.
  const draw = `(function () {
  var fig = ${scriptJson(fig)};
  var el = document.getElementById(${JSON.stringify(id)});
  var tries = 0;
  (function draw() {
    if (window.Plotly) { window.Plotly.newPlot(el, fig.data, fig.layout, fig.config); return; }
    if (++tries < 100) { setTimeout(draw, 100); return; }
    el.textContent = ${JSON.stringify("plotly.js is not loaded in this page: restart the kernel and run the notebook again, or call showPlot(fig, { embed: true })")};
  })();
})();`;
  return `${library}<div id="${escapeHtml(id)}" style="width:100%;min-height:${height}px"></div>\n<script type="text/javascript">${draw}</script>`;
}

/** Show a plotly figure inline in the notebook; outside one, print a one-line note. */
export function showPlot(figure: Figure, opts: PlotOptions = {}): void {
  const display = cellDisplay();
  if (display === undefined) {
    console.log(`[plot: ${figure.data.length} trace(s)${typeof figure.layout?.title === "string" ? ` "${figure.layout.title}"` : ""}; shown inline in a notebook]`);
    return;
  }
  const withLibrary = opts.embed === true || (!embedded && plotlyLibrary() === "embed");
  const fig = plotFigure(figure, opts);
  const html = plotHtml(fig, { ...opts, maxPoints: 0, withLibrary });
  const title = typeof figure.layout?.title === "string" ? figure.layout.title : (figure.layout?.title as { text?: unknown } | undefined)?.text;
  const bundle = { [PLOTLY_MIME]: fig, "text/html": html, "text/plain": `[plot: ${figure.data.length} trace(s)${typeof title === "string" ? ` "${title}"` : ""}]` };
  if (!displayBundle(bundle)) display.html(html);
  if (withLibrary) embedded = true;
}
