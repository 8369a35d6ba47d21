/**
 * The run index page (reports/index.html): a table of runs with a checkbox each; "compare"
 * draws the selected runs' best-so-far histories (one line per run and study) and lists
 * their top trials side by side. Self-contained like the dashboards (plotly inlined, data
 * as JSON in a script element, text only ever set as text). ES2017, no backticks.
 */
import type { RunIndexModel } from "../run-index";
import { PAGE_CSS } from "./client";
import { escapeHtml as h, inlineScript, scriptJson } from "./escape";

const INDEX_JS = String.raw`(function () {
"use strict";
var D = JSON.parse(document.getElementById("index-data").textContent);
function $(id) { return document.getElementById(id); }
function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined && text !== null) e.textContent = text; return e; }
function esc(s) { return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }
function num(v) { if (v === null || v === undefined) return ""; var a = Math.abs(v); return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(3) : String(Number(v.toPrecision(5))); }
function pct(v) { return v === null || v === undefined ? "" : (v * 100).toFixed(2) + "%"; }

var tbody = $("runs").tBodies[0];
D.runs.forEach(function (r, k) {
  var tr = el("tr");
  tr.setAttribute("data-run", String(k));
  var box = el("input");
  box.type = "checkbox";
  box.value = String(k);
  box.setAttribute("aria-label", "select " + r.name);
  var td0 = el("td"); td0.appendChild(box); tr.appendChild(td0);
  var name = el("td");
  if (r.href) { var a = el("a", "", r.name); a.href = r.href; name.appendChild(a); } else name.textContent = r.name;
  tr.appendChild(name);
  tr.appendChild(el("td", "", r.stamp));
  tr.appendChild(el("td", "status-" + r.status, r.status + (r.error ? ": " + r.error : "")));
  tr.appendChild(el("td", "num", r.done + " / " + r.planned));
  var st = el("td");
  r.studies.forEach(function (s) { st.appendChild(el("div", "", s.key + "  best " + num(s.bestValue) + (s.bestTrial === null ? "" : " (#" + s.bestTrial + ")"))); });
  tr.appendChild(st);
  tbody.appendChild(tr);
});

function selected() {
  return Array.prototype.slice.call(document.querySelectorAll("#runs input[type=checkbox]:checked")).map(function (b) { return Number(b.value); });
}
function update() { var n = selected().length; $("compare").disabled = n < 2; $("picked").textContent = n + " selected"; }
tbody.addEventListener("change", update);
update();

function compare() {
  var ks = selected();
  var traces = [];
  ks.forEach(function (k) {
    var r = D.runs[k];
    r.studies.forEach(function (s) {
      if (!s.history.x.length) return;
      traces.push({ type: "scatter", mode: "lines+markers", name: esc(r.name + " · " + s.key), x: s.history.x, y: s.history.y, line: { shape: "hv" } });
    });
  });
  $("comparison").hidden = false;
  if (!window.Plotly) { $("chart-compare").textContent = "plotly.js did not load: charts unavailable"; }
  else Plotly.react($("chart-compare"), traces, { title: { text: "Best value so far by trial id", font: { size: 13 } }, font: { size: 11 }, autosize: true,
    xaxis: { title: { text: "trial id" } }, yaxis: { title: { text: "best objective value so far" } }, legend: { orientation: "h", y: -0.2 }, margin: { l: 60, r: 20, t: 40, b: 50 } },
    { displaylogo: false, responsive: true });
  var tb = $("top").tBodies[0];
  tb.textContent = "";
  ks.forEach(function (k) {
    var r = D.runs[k];
    r.top.forEach(function (t, j) {
      var tr = el("tr");
      [r.name, String(j + 1), t.study, String(t.trial), num(t.value), pct(t.total_return), pct(t.max_drawdown),
        Object.keys(t.params).map(function (p) { return p + "=" + t.params[p]; }).join(" ")].forEach(function (v, c) { tr.appendChild(el("td", c >= 3 && c <= 6 ? "num" : "", v)); });
      tb.appendChild(tr);
    });
  });
  $("comparison").scrollIntoView({ block: "start" });
}
$("compare").addEventListener("click", compare);
})();
`;

export function renderRunIndex(m: RunIndexModel, plotly: string): string {
  const head = ["", "run", "stamp", "status", "trials", "studies: best value (trial)"];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>stratlab · runs</title>
<style>${PAGE_CSS} td { vertical-align: top; } .status-complete { color: #1a7f37; } .status-running { color: #9a6700; } .status-incomplete, .status-unreadable { color: #cf222e; }</style>
<script>${inlineScript(plotly)}</script>
</head>
<body>
<header><h1>Runs</h1><div class="meta">${h(m.runs.length)} runs in ${h(m.root)} · index written ${h(m.generated)} (after every run, and by stratlab report --index)</div></header>
<section id="run-list"><h2>Every run, newest first</h2>
<div class="controls"><button type="button" id="compare" disabled>compare the selected runs</button><span class="note" id="picked"></span><span class="note">Select two or more runs to compare their best-so-far histories and top trials.</span></div>
<div class="table-scroll"><table class="plain" id="runs"><thead><tr>${head.map((c) => `<th>${h(c)}</th>`).join("")}</tr></thead><tbody></tbody></table></div>
</section>
<section id="comparison" hidden><h2>Comparison</h2>
<div class="chart" id="chart-compare"></div>
<h2>Top trials by total return (study period)</h2>
<div class="table-scroll"><table class="plain" id="top"><thead><tr><th>run</th><th>rank</th><th>study</th><th class="num">trial</th><th class="num">value</th><th class="num">total return</th><th class="num">max drawdown</th><th>params</th></tr></thead><tbody></tbody></table></div>
</section>
<script type="application/json" id="index-data">${scriptJson(m)}</script>
<script>${inlineScript(INDEX_JS)}</script>
</body>
</html>
`;
}
