/**
 * The page's own script and style, inlined into index.html. Plain ES2017 and the DOM, no
 * framework: it reads the JSON document in #report-data, builds the trial tables (sort by
 * clicking a header, numeric-aware, again to reverse; filter with the box) and draws the
 * plotly charts. Data only ever reaches the page as text (textContent, setAttribute) or
 * escaped (plotly titles and hover text), never as markup.
 *
 * Kept as a string: the compiler's lib is ES2022 without the DOM, and the page needs the
 * script's text anyway. No backticks or "${" in it.
 */

export const CLIENT_JS = String.raw`(function () {
"use strict";
var D = JSON.parse(document.getElementById("report-data").textContent);
var T = D.trials;
var MAX_ROWS = 500;
var CONFIG = { displaylogo: false, responsive: true };
var N = T.id.length;

function $(id) { return document.getElementById(id); }
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}
// Plotly renders a few HTML tags inside titles and hover text: escape data put there.
function esc(s) { return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }
function isNum(v) { return typeof v === "number" && isFinite(v); }
function fmt(v, kind) {
  if (v === null || v === undefined) return "";
  if (typeof v !== "number") return String(v);
  if (!isFinite(v)) return "";
  if (kind === "pct") return (v * 100).toFixed(2) + "%";
  if (kind === "int") return String(Math.round(v));
  if (kind === "money") return v.toFixed(2);
  var a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}
function studyOf(i) { return D.studies[T.s[i]]; }
function noteIn(div, text) { div.textContent = ""; div.appendChild(el("p", "chart-note", text)); }
function plot(div, data, layout) {
  if (!window.Plotly) { noteIn(div, "plotly.js did not load (report/plotly*.js missing?): charts unavailable"); return; }
  layout.margin = layout.margin || { l: 60, r: 20, t: 40, b: 50 };
  layout.autosize = true; // the container's CSS height sets the size, so resizes keep it
  layout.font = { size: 11 };
  layout.title = { text: layout.title, font: { size: 13 } };
  Plotly.react(div, data, layout, CONFIG);
}

// ---- tables ------------------------------------------------------------------------
function trialColumns(rows, periodOf) {
  var cols = [
    { label: "study", get: function (i) { return studyOf(i).key; } },
    { label: "trial", num: true, fmt: "int", get: function (i) { return T.id[i]; } },
    { label: "state", get: function (i) { return T.state[i]; } },
    { label: "value", num: true, fmt: "num", get: function (i) { return T.value[i]; } }
  ];
  D.params.forEach(function (p) {
    var used = rows.some(function (i) { return T.p[p][i] !== null; });
    if (!used) return;
    var numeric = rows.every(function (i) { return T.p[p][i] === null || typeof T.p[p][i] === "number"; });
    cols.push({ label: "p_" + p, num: numeric, fmt: "num", get: function (i) { return T.p[p][i]; } });
  });
  D.metrics.forEach(function (m) {
    cols.push({ label: m.key, num: true, fmt: m.fmt, get: function (i) { return T.m[periodOf(i)][m.key][i]; } });
  });
  return cols;
}

function compare(col, dir) {
  return function (a, b) {
    var x = col.get(a), y = col.get(b);
    var xe = x === null || x === undefined || (col.num && !isNum(x));
    var ye = y === null || y === undefined || (col.num && !isNum(y));
    if (xe || ye) return xe === ye ? 0 : xe ? 1 : -1; // empty cells last, either way
    if (col.num) return dir * (x - y);
    return dir * String(x).localeCompare(String(y), undefined, { numeric: true, sensitivity: "base" });
  };
}

function TrialTable(host, name, rows, periodOf) {
  var cols = trialColumns(rows, periodOf);
  var state = { col: -1, dir: 1, filter: "" };
  var texts = null;
  var bar = el("div", "table-bar");
  var input = el("input");
  input.type = "search";
  input.placeholder = "filter rows (all words must match)";
  input.setAttribute("aria-label", "filter " + name);
  var count = el("span", "count");
  bar.appendChild(input);
  bar.appendChild(count);
  var scroll = el("div", "table-scroll");
  var table = el("table", "trials");
  table.setAttribute("data-table", name);
  var head = el("tr");
  var ths = cols.map(function (c, k) {
    var th = el("th", c.num ? "num" : "", c.label);
    th.setAttribute("data-col", c.label);
    th.title = "sort by " + c.label + " (click again to reverse)";
    th.addEventListener("click", function () {
      if (state.col === k) state.dir = -state.dir; else { state.col = k; state.dir = 1; }
      render();
    });
    head.appendChild(th);
    return th;
  });
  var thead = el("thead");
  thead.appendChild(head);
  var tbody = el("tbody");
  table.appendChild(thead);
  table.appendChild(tbody);
  scroll.appendChild(table);
  host.appendChild(bar);
  host.appendChild(scroll);
  input.addEventListener("input", function () { state.filter = input.value; render(); });
  // A click on a row asks for that trial's drill-down (drilldown.ts listens).
  tbody.addEventListener("click", function (ev) {
    var tr = ev.target && ev.target.closest ? ev.target.closest("tr[data-i]") : null;
    if (tr) document.dispatchEvent(new CustomEvent("stratlab:trial", { detail: Number(tr.getAttribute("data-i")) }));
  });

  function rowText(i) {
    return cols.map(function (c) { return fmt(c.get(i), c.fmt); }).join(" ").toLowerCase();
  }
  function render() {
    var terms = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
    var list = rows;
    if (terms.length) {
      if (!texts) { texts = {}; rows.forEach(function (i) { texts[i] = rowText(i); }); }
      list = rows.filter(function (i) { return terms.every(function (w) { return texts[i].indexOf(w) >= 0; }); });
    }
    if (state.col >= 0) list = list.slice().sort(compare(cols[state.col], state.dir));
    ths.forEach(function (th, k) {
      th.setAttribute("aria-sort", k === state.col ? (state.dir > 0 ? "ascending" : "descending") : "none");
    });
    var frag = document.createDocumentFragment();
    list.slice(0, MAX_ROWS).forEach(function (i) {
      var tr = el("tr");
      tr.setAttribute("data-i", String(i));
      cols.forEach(function (c) {
        var v = c.get(i);
        var td = el("td", c.num ? "num" : "", fmt(v, c.fmt));
        if (c.num && isNum(v)) td.setAttribute("data-v", String(v));
        tr.appendChild(td);
      });
      frag.appendChild(tr);
    });
    tbody.textContent = "";
    tbody.appendChild(frag);
    count.textContent = list.length + " of " + rows.length + " rows" + (list.length > MAX_ROWS ? " (first " + MAX_ROWS + " shown; filter or sort to see others)" : "");
  }
  // Open sorted as the CSV files are: total return, highest first.
  cols.forEach(function (c, k) { if (c.label === "total_return") { state.col = k; state.dir = -1; } });
  render();
}

function setupTabs() {
  var tabs = Array.prototype.slice.call(document.querySelectorAll("#trial-tabs button"));
  var made = {};
  function show(btn) {
    tabs.forEach(function (b) { b.setAttribute("aria-selected", b === btn ? "true" : "false"); });
    Array.prototype.forEach.call(document.querySelectorAll(".tab-panel"), function (p) { p.hidden = p.id !== "panel-" + btn.getAttribute("data-tab"); });
    var key = btn.getAttribute("data-tab");
    if (made[key]) return;
    made[key] = true;
    var panel = $("panel-" + key);
    var all = [];
    for (var i = 0; i < N; i++) all.push(i);
    var kind = btn.getAttribute("data-kind"), arg = btn.getAttribute("data-arg");
    if (kind === "objective") {
      TrialTable(panel, key, all.filter(function (i) { return studyOf(i).objective === arg; }), function (i) { return studyOf(i).period; });
    } else {
      TrialTable(panel, key, all, function () { return arg; });
    }
  }
  tabs.forEach(function (b) { b.addEventListener("click", function () { show(b); }); });
  if (tabs.length) show(tabs[0]);
}

// ---- study charts ------------------------------------------------------------------
function fillSelect(sel, items, selected) {
  sel.textContent = "";
  items.forEach(function (it) {
    var o = el("option", "", it.label);
    o.value = String(it.value);
    if (String(it.value) === String(selected)) o.selected = true;
    sel.appendChild(o);
  });
}

function studyTrials(si) {
  var out = [];
  for (var i = 0; i < N; i++) if (T.s[i] === si && T.state[i] === "complete" && isNum(T.value[i])) out.push(i);
  return out.sort(function (a, b) { return T.id[a] - T.id[b]; });
}

function hover(i) {
  var s = studyOf(i);
  var parts = ["#" + T.id[i] + "  value " + fmt(T.value[i], "num")];
  s.params.forEach(function (p) { parts.push(p + " = " + fmt(T.p[p][i], "num")); });
  parts.push("return " + fmt(T.m[s.period].total_return[i], "pct") + ", drawdown " + fmt(T.m[s.period].max_drawdown[i], "pct"));
  return parts.map(esc).join("<br>");
}

function drawStudy() {
  var si = Number($("study-select").value);
  var s = D.studies[si];
  var idx = studyTrials(si);
  var label = esc(s.objective + " on " + s.period);
  // History: every complete trial by id, and the best value found so far.
  var best = -Infinity, bx = [], by = [];
  idx.forEach(function (i) { if (T.value[i] > best) best = T.value[i]; bx.push(T.id[i]); by.push(best); });
  plot($("chart-history"), [
    { type: "scatter", mode: "markers", name: "trial", x: idx.map(function (i) { return T.id[i]; }), y: idx.map(function (i) { return T.value[i]; }),
      text: idx.map(hover), hoverinfo: "text", marker: { size: 5, opacity: 0.6 } },
    { type: "scatter", mode: "lines", name: "best so far", x: bx, y: by, line: { shape: "hv", width: 2 } }
  ], { title: "Optimisation history: " + esc(s.key) + " (" + s.complete + " complete, " + s.pruned + " pruned, " + s.failed + " failed)",
       xaxis: { title: { text: "trial id" } }, yaxis: { title: { text: label } }, legend: { orientation: "h", y: -0.2 } });

  var imp = D.importance[s.key] || [];
  var shown = imp.filter(function (r) { return r.importance !== null; }).reverse();
  plot($("chart-importance"), [{
    type: "bar", orientation: "h", x: shown.map(function (r) { return r.importance; }), y: shown.map(function (r) { return esc(r.param); }),
    text: shown.map(function (r) { return r.spearman === null ? "" : "rho " + r.spearman.toFixed(2); }), textposition: "auto",
    hovertext: shown.map(function (r) { return esc(r.param) + ": " + r.importance.toFixed(3) + " (n " + r.n + ", " + r.groups + " groups)"; }), hoverinfo: "text"
  }], { title: "Parameter importance: rank-variance share (epsilon²)" + (shown.length ? "" : " - too few trials"),
        xaxis: { title: { text: "share of objective-rank variance explained" }, range: [0, 1] }, margin: { l: 110, r: 20, t: 40, b: 50 } });

  var ranked = imp.map(function (r) { return r.param; });
  var params = ranked.length ? ranked : s.params;
  var px = $("param-x"), py = $("param-y");
  var keepX = params.indexOf(px.value) >= 0 ? px.value : params[0];
  var keepY = params.indexOf(py.value) >= 0 && py.value !== keepX ? py.value : params.filter(function (p) { return p !== keepX; })[0];
  fillSelect(px, params.map(function (p) { return { value: p, label: p }; }), keepX);
  fillSelect(py, params.map(function (p) { return { value: p, label: p }; }), keepY);
  drawParams();
}

// Log axis for positive parameters spanning 50x or more (lengths searched on a log scale).
function axisType(vals) {
  var lo = Infinity, hi = -Infinity;
  for (var i = 0; i < vals.length; i++) {
    var v = vals[i];
    if (!isNum(v)) { if (v !== null) return "-"; continue; }
    if (v <= 0) return "-";
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi / lo >= 50 ? "log" : "-";
}

function drawParams() {
  var si = Number($("study-select").value);
  var s = D.studies[si];
  var idx = studyTrials(si);
  var x = $("param-x").value, y = $("param-y").value;
  var label = esc(s.objective + " on " + s.period);
  if (!x) { noteIn($("chart-param"), "no parameters"); noteIn($("chart-pair"), "no parameters"); return; }
  var xs = idx.map(function (i) { return T.p[x][i]; });
  plot($("chart-param"), [{ type: "scatter", mode: "markers", x: xs, y: idx.map(function (i) { return T.value[i]; }),
    text: idx.map(hover), hoverinfo: "text", marker: { size: 6, opacity: 0.7 } }],
    { title: esc(x) + " versus " + label, xaxis: { title: { text: esc(x) }, type: axisType(xs) }, yaxis: { title: { text: label } } });
  if (!y || y === x) {
    plot($("chart-pair"), [], { title: "two parameters versus the objective", annotations: [{ text: "this strategy has one parameter", showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5 }],
      xaxis: { visible: false }, yaxis: { visible: false } });
    return;
  }
  var ys = idx.map(function (i) { return T.p[y][i]; });
  plot($("chart-pair"), [{ type: "scatter", mode: "markers", x: xs, y: ys,
    text: idx.map(hover), hoverinfo: "text",
    marker: { size: 8, color: idx.map(function (i) { return T.value[i]; }), colorscale: "Viridis", showscale: true, colorbar: { title: { text: s.objective } }, line: { width: 0.5, color: "#333" } } }],
    { title: esc(x) + " and " + esc(y) + " (colour: " + label + ")", xaxis: { title: { text: esc(x) }, type: axisType(xs) }, yaxis: { title: { text: esc(y) }, type: axisType(ys) } });
}

// ---- curves ------------------------------------------------------------------------
function curveName(c) { return "#" + c.rank + " " + c.study + " #" + c.trial; }

function drawCurves() {
  var C = D.curves;
  if (!C || !C.length) {
    noteIn($("chart-equity"), D.curvesNote);
    noteIn($("chart-drawdown"), D.curvesNote);
    return;
  }
  var sel = Number($("curve-select").value);
  var eq = [], dd = [];
  C.forEach(function (c, k) {
    var on = k === sel;
    var line = { width: on ? 2.5 : 1 };
    eq.push({ type: "scatter", mode: "lines", name: esc(curveName(c)), legendgroup: "c" + k, x: c.equity.x, y: c.equity.y, line: line, opacity: on ? 1 : 0.45 });
    dd.push({ type: "scatter", mode: "lines", name: esc(curveName(c)), legendgroup: "c" + k, showlegend: false, x: c.drawdown.x,
      y: c.drawdown.y.map(function (v) { return -v; }), line: line, opacity: on ? 1 : 0.45 });
  });
  var c = C[sel];
  ["buy", "sell"].forEach(function (side) {
    var k = [];
    c.fills.side.forEach(function (sd, j) { if (sd === side) k.push(j); });
    eq.push({ type: "scatter", mode: "markers", name: side + "s of #" + c.rank, x: k.map(function (j) { return c.fills.t[j]; }), y: k.map(function (j) { return c.fills.equity[j]; }),
      text: k.map(function (j) { return side + " at " + fmt(c.fills.price[j], "money"); }), hoverinfo: "text+x",
      marker: side === "buy" ? { symbol: "triangle-up", color: "#1a9850", size: 8 } : { symbol: "triangle-down", color: "#d73027", size: 8 } });
  });
  var period = { type: "line", xref: "x", yref: "paper", x0: c.periodStart, x1: c.periodStart, y0: 0, y1: 1, line: { dash: "dot", width: 1, color: "#555" } };
  var fillsNote = c.fills.total > c.fills.t.length ? " (markers: " + c.fills.t.length + " of " + c.fills.total + " fills)" : "";
  // One time range and the same margins for both charts, so their x axes line up (fill
  // markers would otherwise pad the equity chart's range); zooming one zooms the other.
  var lo = Infinity, hi = -Infinity;
  C.forEach(function (cv) { var x = cv.equity.x; if (x.length) { lo = Math.min(lo, x[0]); hi = Math.max(hi, x[x.length - 1]); } });
  var range = [lo, hi], margin = { l: 70, r: 20, t: 40, b: 50 };
  plot($("chart-equity"), eq, { title: "Equity at each close, top " + C.length + " by total return; trades of " + esc(curveName(c)) + fillsNote + "; dotted: start of its study period",
    xaxis: { type: "date", range: range }, yaxis: { title: { text: "equity" } }, shapes: [period], legend: { orientation: "h", y: -0.15 }, margin: margin });
  plot($("chart-drawdown"), dd, { title: "Drawdown from the running peak", xaxis: { type: "date", range: range }, yaxis: { tickformat: ".0%", title: { text: "drawdown" } }, shapes: [period], margin: margin });
  linkZoom($("chart-equity"), $("chart-drawdown"));
}

function linkZoom(a, b) {
  if (!window.Plotly || a.linked) return;
  a.linked = b.linked = true;
  var busy = false;
  function follow(from, to) {
    from.on("plotly_relayout", function (ev) {
      if (busy) return;
      var upd = {};
      if (ev["xaxis.range[0]"] !== undefined) { upd["xaxis.range[0]"] = ev["xaxis.range[0]"]; upd["xaxis.range[1]"] = ev["xaxis.range[1]"]; }
      else if (ev["xaxis.autorange"]) upd["xaxis.autorange"] = true;
      else return;
      busy = true;
      Promise.resolve(Plotly.relayout(to, upd)).then(function () { busy = false; }, function () { busy = false; });
    });
  }
  follow(a, b);
  follow(b, a);
}

// ---- start -------------------------------------------------------------------------
// The other page scripts (plots.ts, drilldown.ts, live.ts) use these.
window.stratlab = { D: D, T: T, N: N, $: $, el: el, esc: esc, fmt: fmt, isNum: isNum, noteIn: noteIn, plot: plot, studyOf: studyOf,
  studyTrials: studyTrials, hover: hover, axisType: axisType, fillSelect: fillSelect, curveName: curveName };
fillSelect($("study-select"), D.studies.map(function (s, i) { return { value: i, label: s.key + " (" + s.trials_done + " trials)" }; }), 0);
$("study-select").addEventListener("change", drawStudy);
$("param-x").addEventListener("change", drawParams);
$("param-y").addEventListener("change", drawParams);
if (D.curves && D.curves.length) {
  fillSelect($("curve-select"), D.curves.map(function (c, k) { return { value: k, label: curveName(c) }; }), 0);
  $("curve-select").addEventListener("change", drawCurves);
} else {
  $("curve-select").disabled = true;
}
setupTabs();
if (D.studies.length) drawStudy();
drawCurves();
})();
`;

export const PAGE_CSS = `
:root { --fg: #1d2329; --muted: #5f6b76; --line: #d9dee3; --bg: #f6f7f9; --accent: #2b6cb0; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header, section, footer { max-width: 1500px; margin: 0 auto; padding: 12px 20px; }
h1 { font-size: 20px; margin: 8px 0 2px; }
h2 { font-size: 15px; margin: 4px 0 10px; }
.meta, .note, footer { color: var(--muted); }
.badges { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 10px; }
.badge { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; flex: 1 1 0; min-width: 150px; max-width: 300px; }
.badge .label { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.badge .value { font-size: 20px; font-weight: 600; }
.badge .detail { font-size: 11px; color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.badge.status-complete .value { color: #1a7f37; } .badge.status-running .value { color: #9a6700; } .badge.status-incomplete .value { color: #cf222e; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin-top: 12px; }
.controls { display: flex; gap: 16px; flex-wrap: wrap; margin-bottom: 8px; align-items: center; }
select, input[type=search] { font: inherit; padding: 3px 6px; border: 1px solid var(--line); border-radius: 4px; }
input[type=search] { width: 320px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 8px; }
.chart { height: 380px; border: 1px solid #eef0f2; border-radius: 6px; }
#chart-equity { height: 480px; } #chart-drawdown { height: 300px; margin-top: 8px; }
.chart-note { color: var(--muted); padding: 24px; margin: 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eef0f2; white-space: nowrap; text-align: left; }
th.num, td.num { text-align: right; }
table.plain th { background: var(--bg); }
.tabs { display: flex; flex-wrap: wrap; gap: 4px; margin-bottom: 8px; }
.tabs button { font: inherit; border: 1px solid var(--line); background: var(--bg); border-radius: 6px; padding: 4px 10px; cursor: pointer; }
.tabs button[aria-selected=true] { background: var(--accent); color: #fff; border-color: var(--accent); }
.tabs .sep { width: 12px; }
.table-bar { display: flex; gap: 12px; align-items: center; margin-bottom: 6px; }
.count { color: var(--muted); }
.table-scroll { max-height: 560px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
table.trials thead th { position: sticky; top: 0; background: var(--bg); cursor: pointer; user-select: none; }
table.trials th[aria-sort=ascending]::after { content: " \\25B2"; }
table.trials th[aria-sort=descending]::after { content: " \\25BC"; }
table.trials tbody tr:hover { background: #f0f6ff; cursor: pointer; }
a { color: var(--accent); }
`;
