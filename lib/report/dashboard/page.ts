/**
 * index.html: one page, no server, no network. Text the report inserts is escaped here;
 * the data goes in as JSON in a <script type="application/json"> element that the page's
 * script parses, so nothing from a run is ever parsed as markup.
 */
import { CLIENT_JS, PAGE_CSS } from "./client";
import { DRILLDOWN_CSS, DRILLDOWN_HTML, DRILLDOWN_JS } from "./drilldown";
import { LIVE_CSS, LIVE_JS, liveBanner } from "./live";
import { PLOTS_HTML, PLOTS_JS } from "./plots";
import { escapeHtml as h, inlineScript, scriptJson } from "./escape";
import type { DashboardModel } from "./model";
import { paretoSection } from "./pareto";

export interface PlotlyRef {
  /** Relative URL of plotly.js beside the page, or */
  src?: string;
  /** its source, to inline. */
  inline?: string;
}

function studiesTable(m: DashboardModel): string {
  const head = ["study", "trials", "complete", "pruned", "failed", "best trial", "best value", "median value"];
  const num = (x: number | null) => (x === null ? "" : Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : String(Number(x.toPrecision(5))));
  const rows = m.studies.map(
    (s) =>
      `<tr><td>${h(s.key)}</td><td class="num">${s.trials_done} / ${s.trials_planned}</td><td class="num">${s.complete}</td><td class="num">${s.pruned}</td>` +
      `<td class="num">${s.failed}</td><td class="num">${s.bestTrial ?? ""}</td><td class="num">${h(num(s.bestValue))}</td><td class="num">${h(num(s.median_value))}</td></tr>`,
  );
  return `<table class="plain"><thead><tr>${head.map((c, i) => `<th${i ? ' class="num"' : ""}>${h(c)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function tabs(m: DashboardModel): string {
  const btn = (key: string, kind: string, arg: string, label: string) =>
    `<button type="button" role="tab" data-tab="${h(key)}" data-kind="${h(kind)}" data-arg="${h(arg)}" aria-selected="false">${h(label)}</button>`;
  const obj = m.objectives.map((o) => btn(`objective-${o}`, "objective", o, `objective: ${o}`));
  const per = m.periods.map((p) => btn(`period-${p}`, "period", p, `period: ${p}`));
  const panels = [...m.objectives.map((o) => `objective-${o}`), ...m.periods.map((p) => `period-${p}`)].map((k) => `<div class="tab-panel" id="panel-${h(k)}" role="tabpanel" hidden></div>`);
  return `<nav class="tabs" id="trial-tabs" role="tablist">${obj.join("")}<span class="sep"></span>${per.join("")}</nav>${panels.join("")}`;
}

export function renderPage(m: DashboardModel, plotly: PlotlyRef): string {
  const r = m.run;
  const meta = [
    `created ${r.created}`,
    `sampler ${r.sampler}, seed ${r.seed}`,
    `${r.trialsPerStudy} trials per study`,
    `trade size ${r.tradeSize}`,
    `data ${r.data} (${r.rows} bars)`,
    r.gitCommit ? `commit ${r.gitCommit.slice(0, 10)}` : "",
    `report generated ${m.generated}`,
  ].filter(Boolean);
  const badges = m.badges.map(
    (b) => `<div class="badge status-${h(b.label === "status" ? b.value : "")}"><div class="label">${h(b.label)}</div><div class="value">${h(b.value)}</div><div class="detail" title="${h(b.detail)}">${h(b.detail)}</div></div>`,
  );
  const plotlyTag = plotly.inline !== undefined ? `<script>${inlineScript(plotly.inline)}</script>` : `<script src="${h(plotly.src ?? "")}"></script>`;
  const links = m.files.map((f) => `<a href="${h(f)}">${h(f)}</a>`).join(" · ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>stratlab · ${h(m.title)}</title>
<style>${PAGE_CSS}${DRILLDOWN_CSS}${LIVE_CSS}</style>
${plotlyTag}
</head>
<body>
<header>
<h1>${h(m.title)}</h1>
<div class="meta">${meta.map(h).join(" · ")}</div>
<div class="badges">${badges.join("")}</div>
</header>
${liveBanner(m.status, r.done, r.planned)}
<section id="studies"><h2>Studies</h2>${studiesTable(m)}</section>
${paretoSection(m.pareto)}<section id="study-charts"><h2>Study charts</h2>
<div class="controls"><label>study <select id="study-select"></select></label><label>parameter x <select id="param-x"></select></label><label>parameter y <select id="param-y"></select></label></div>
<div class="grid"><div class="chart" id="chart-history"></div><div class="chart" id="chart-importance"></div><div class="chart" id="chart-param"></div><div class="chart" id="chart-pair"></div></div>
<p class="note">Importance: share of the variance of the objective's ranks explained by the parameter alone (bias-corrected, epsilon²); rho: Spearman correlation. See docs/reports.md.</p>
</section>
${PLOTS_HTML}
<section id="curves"><h2>Top ${m.topN}: equity and drawdown</h2>
<div class="controls"><label>show the trades of <select id="curve-select"></select></label><span class="note">Curves thinned to at most ${m.maxCurvePoints} points each, keeping every bucket's high and low (so peaks and the deepest drawdown are exact).</span></div>
<div class="chart" id="chart-equity"></div><div class="chart" id="chart-drawdown"></div>
</section>
<section id="trials"><h2>Trials</h2>
<p class="note">Per objective: that objective's trials with the metrics of each study's own period. Per period: every trial with that period's metrics. Click a header to sort (again to reverse); click a row for the trial's drill-down (price, trades, equity, drawdown, round trips: computed for the top ${m.topN}). The page shows 6 significant digits, the CSV files full precision.</p>
${tabs(m)}
</section>
${DRILLDOWN_HTML}
<footer>Files: ${links}</footer>
<script type="application/json" id="report-data">${scriptJson(m)}</script>
<script>${inlineScript(CLIENT_JS)}</script>
<script>${inlineScript(PLOTS_JS)}</script>
<script>${inlineScript(DRILLDOWN_JS)}</script>
<script>${inlineScript(LIVE_JS)}</script>
</body>
</html>
`;
}
