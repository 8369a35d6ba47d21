/**
 * The dashboard's Pareto section: for each multi-objective study, a scatter of its trials
 * on the first two objectives, the front highlighted and joined. Self-contained (its own
 * data element and script), so it sits beside the page's other charts without touching them.
 */
import type { ParetoStudy } from "../pareto";
import { escapeHtml as h, inlineScript, scriptJson } from "./escape";

const SCRIPT = `(function () {
  var studies = JSON.parse(document.getElementById("pareto-data").textContent);
  studies.forEach(function (s, k) {
    var el = document.getElementById("chart-pareto-" + k);
    if (!el || typeof Plotly === "undefined") return;
    var all = s.trials, front = all.filter(function (t) { return t.front; }).sort(function (a, b) { return a.values[0] - b.values[0]; });
    var label = function (t) { return "trial " + t.id + "<br>" + JSON.stringify(t.params); };
    Plotly.newPlot(el, [
      { type: "scatter", mode: "markers", name: "trials", x: all.map(function (t) { return t.values[0]; }), y: all.map(function (t) { return t.values[1]; }), text: all.map(label), hoverinfo: "x+y+text", marker: { size: 6, color: "#9aa5b1" } },
      { type: "scatter", mode: "lines+markers", name: "Pareto front", x: front.map(function (t) { return t.values[0]; }), y: front.map(function (t) { return t.values[1]; }), text: front.map(label), hoverinfo: "x+y+text", marker: { size: 9, color: "#d1495b" }, line: { shape: "hv", color: "#d1495b" } }
    ], { title: { text: "Pareto front: " + s.study }, xaxis: { title: { text: s.objectives[0] + " (" + s.directions[0] + ")" } }, yaxis: { title: { text: s.objectives[1] + " (" + s.directions[1] + ")" } }, margin: { t: 40 } }, { responsive: true, displaylogo: false });
  });
})();`;

/** The section's HTML, or "" when the run has no multi-objective study. */
export function paretoSection(studies: readonly ParetoStudy[] | undefined): string {
  if (studies === undefined || studies.length === 0) return "";
  const charts = studies.map((s, k) => `<div class="chart" id="chart-pareto-${k}" aria-label="Pareto front of ${h(s.study)}"></div>`).join("");
  return `<section id="pareto"><h2>Pareto fronts</h2><p class="note">Multi-objective studies: every complete trial on the first two objectives; the front (trials no other beats in every objective) in red. Table: report/pareto.csv.</p>${charts}<script type="application/json" id="pareto-data">${scriptJson(studies)}</script><script>${inlineScript(SCRIPT)}</script></section>\n`;
}
