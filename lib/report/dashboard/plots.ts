/**
 * Optuna's visualisation set beyond history, slice and importance, as a page script:
 * parallel coordinates, contour of two parameters, a heatmap of the objective aggregated
 * on a grid of two parameters (backtesting.py's plot_heatmaps: best value per cell), the
 * empirical distribution (EDF) of the objective of every study with the selected study's
 * objective, and the timeline of trials per worker (from the journal's start and end
 * times). Runs after client.ts and uses its helpers (window.stratlab); draws when the
 * section nears the viewport, then again when the study or the parameters change. Same rules as client.ts: ES2017, no backticks.
 */

export const PLOTS_HTML = `<section id="more-charts"><h2>More study charts</h2>
<p class="note">For the study and the two parameters chosen above. Parallel coordinates: one line per complete trial across its parameters and objective value (axes scaled to their range, the extremes written at the ends). Heatmap: the best value of the trials in each cell of a grid; contour: their mean, gaps interpolated. EDF: share of trials with an objective value at most x, one line per study of the same objective. Timeline: when each trial ran, per worker.</p>
<div class="grid"><div class="chart" id="chart-parcoords"></div><div class="chart" id="chart-edf"></div><div class="chart" id="chart-contour"></div><div class="chart" id="chart-heatmap"></div></div>
<div class="chart" id="chart-timeline"></div>
</section>`;

export const PLOTS_JS = String.raw`(function () {
"use strict";
var S = window.stratlab;
if (!S) return;
var D = S.D, T = S.T, $ = S.$, esc = S.esc, isNum = S.isNum;
var GRID = 12;

function numericParam(p, idx) { return idx.every(function (i) { return T.p[p][i] === null || typeof T.p[p][i] === "number"; }); }

// Axis of one parameter: categories for text/boolean values, bins (log-spaced when the
// dashboard draws the parameter on a log axis) for numbers.
function binsOf(p, idx, n) {
  var vals = idx.map(function (i) { return T.p[p][i]; });
  if (!numericParam(p, idx)) {
    var cats = [];
    vals.forEach(function (v) { var s = String(v); if (cats.indexOf(s) < 0) cats.push(s); });
    cats.sort();
    return { labels: cats, of: function (v) { return cats.indexOf(String(v)); } };
  }
  var nums = vals.filter(isNum);
  var log = S.axisType(nums) === "log";
  var f = log ? Math.log : function (v) { return v; };
  var lo = Infinity, hi = -Infinity;
  nums.forEach(function (v) { var u = f(v); if (u < lo) lo = u; if (u > hi) hi = u; });
  var distinct = [];
  nums.forEach(function (v) { if (distinct.indexOf(v) < 0 && distinct.length <= n) distinct.push(v); });
  if (distinct.length <= n) {
    distinct.sort(function (a, b) { return a - b; });
    return { labels: distinct, of: function (v) { return distinct.indexOf(v); } };
  }
  var w = (hi - lo) / n || 1;
  var labels = [];
  for (var k = 0; k < n; k++) { var c = lo + (k + 0.5) * w; labels.push(Number((log ? Math.exp(c) : c).toPrecision(3))); }
  return { labels: labels, of: function (v) { return isNum(v) ? Math.min(n - 1, Math.max(0, Math.floor((f(v) - lo) / w))) : -1; } };
}

// z[row y][col x] of the trials in each cell: "max" or "mean"; counts for the hover.
function gridOf(idx, px, py, n, agg) {
  var bx = binsOf(px, idx, n), by = binsOf(py, idx, n);
  var z = [], cnt = [];
  for (var r = 0; r < by.labels.length; r++) { z.push(bx.labels.map(function () { return null; })); cnt.push(bx.labels.map(function () { return 0; })); }
  idx.forEach(function (i) {
    var c = bx.of(T.p[px][i]), r = by.of(T.p[py][i]), v = T.value[i];
    if (c < 0 || r < 0 || !isNum(v)) return;
    var k = cnt[r][c]++;
    if (agg === "max") z[r][c] = z[r][c] === null || v > z[r][c] ? v : z[r][c];
    else z[r][c] = z[r][c] === null ? v : z[r][c] + (v - z[r][c]) / (k + 1);
  });
  return { x: bx.labels, y: by.labels, z: z, n: cnt };
}

function selected() {
  var si = Number($("study-select").value);
  return { si: si, s: D.studies[si], idx: S.studyTrials(si), x: $("param-x").value, y: $("param-y").value };
}

// Parallel coordinates as SVG lines (plotly's parcoords needs WebGL: seconds to draw in a
// browser without a GPU). Each axis is scaled to [0, 1] (log for log-axis parameters,
// categories evenly spaced); lines are grouped in bands of the objective, coloured along
// Viridis, the best band drawn last (on top).
var BANDS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];
function drawParcoords(c) {
  var div = $("chart-parcoords");
  if (!c.s.params.length || c.idx.length < 2) { S.noteIn(div, "parallel coordinates: needs parameters and two complete trials"); return; }
  var axes = c.s.params.map(function (p) {
    var vals = c.idx.map(function (i) { return T.p[p][i]; });
    if (!numericParam(p, c.idx)) {
      var cats = [];
      vals.forEach(function (v) { if (cats.indexOf(String(v)) < 0) cats.push(String(v)); });
      cats.sort();
      return { label: p, lo: cats[0], hi: cats[cats.length - 1], y: vals.map(function (v) { return cats.length > 1 ? cats.indexOf(String(v)) / (cats.length - 1) : 0.5; }) };
    }
    var log = S.axisType(vals) === "log";
    var f = log ? Math.log : function (v) { return v; };
    var lo = Infinity, hi = -Infinity;
    vals.forEach(function (v) { if (isNum(v)) { if (v < lo) lo = v; if (v > hi) hi = v; } });
    return { label: p + (log ? " (log)" : ""), lo: lo, hi: hi, y: vals.map(function (v) { return !isNum(v) ? null : hi > lo ? (f(v) - f(lo)) / (f(hi) - f(lo)) : 0.5; }) };
  });
  var values = c.idx.map(function (i) { return T.value[i]; });
  var vlo = Math.min.apply(null, values), vhi = Math.max.apply(null, values);
  axes.push({ label: c.s.objective, lo: vlo, hi: vhi, y: values.map(function (v) { return vhi > vlo ? (v - vlo) / (vhi - vlo) : 0.5; }) });
  var bands = BANDS.map(function () { return { x: [], y: [] }; });
  c.idx.forEach(function (i, k) {
    var b = bands[Math.min(BANDS.length - 1, Math.floor(axes[axes.length - 1].y[k] * BANDS.length))];
    axes.forEach(function (a, j) { b.x.push(j); b.y.push(a.y[k]); });
    b.x.push(null); b.y.push(null);
  });
  var traces = bands.map(function (b, k) {
    return { type: "scatter", mode: "lines", x: b.x, y: b.y, hoverinfo: "skip", showlegend: false, connectgaps: false, line: { width: 1, color: BANDS[k] }, opacity: 0.45 };
  });
  // Invisible markers carry the colour bar of the objective.
  traces.push({ type: "scatter", mode: "markers", x: [0], y: [0], hoverinfo: "skip", showlegend: false,
    marker: { size: 0.1, opacity: 0, color: [vlo], cmin: vlo, cmax: vhi, colorscale: "Viridis", showscale: true, colorbar: { title: { text: esc(c.s.objective) } } } });
  var ann = [];
  axes.forEach(function (a, j) {
    ann.push({ x: j, y: 1.02, yanchor: "bottom", text: esc(S.fmt(a.hi, "num")), showarrow: false, font: { size: 10 } });
    ann.push({ x: j, y: -0.02, yanchor: "top", text: esc(S.fmt(a.lo, "num")), showarrow: false, font: { size: 10 } });
  });
  S.plot(div, traces, { title: "Parallel coordinates: " + esc(c.s.key) + " (" + c.idx.length + " trials; colour: " + esc(c.s.objective) + ")",
    xaxis: { tickvals: axes.map(function (_, j) { return j; }), ticktext: axes.map(function (a) { return esc(a.label); }), showgrid: true, gridcolor: "#888", zeroline: false, range: [-0.2, axes.length - 0.8] },
    yaxis: { visible: false, range: [-0.1, 1.1] }, annotations: ann, margin: { l: 30, r: 20, t: 40, b: 40 } });
}

function drawGrids(c) {
  var label = esc(c.s.objective + " on " + c.s.period);
  var cdiv = $("chart-contour"), hdiv = $("chart-heatmap");
  if (!c.x || !c.y || c.x === c.y) {
    S.noteIn(cdiv, "contour: needs two parameters");
    S.noteIn(hdiv, "heatmap: needs two parameters");
    return;
  }
  var axes = { xaxis: { title: { text: esc(c.x) }, type: "category" }, yaxis: { title: { text: esc(c.y) }, type: "category" } };
  var mean = gridOf(c.idx, c.x, c.y, GRID * 2, "mean");
  S.plot(cdiv, [{ type: "contour", x: mean.x.map(String), y: mean.y.map(String), z: mean.z, connectgaps: true, colorscale: "Viridis", contours: { coloring: "heatmap" }, colorbar: { title: { text: esc(c.s.objective) } } }],
    { title: "Contour: mean " + label + " over " + esc(c.x) + " and " + esc(c.y), xaxis: axes.xaxis, yaxis: axes.yaxis });
  var best = gridOf(c.idx, c.x, c.y, GRID, "max");
  var text = best.z.map(function (row, r) { return row.map(function (v, k) { return best.n[r][k] ? "best " + S.fmt(v, "num") + " of " + best.n[r][k] + " trials" : "no trial"; }); });
  S.plot(hdiv, [{ type: "heatmap", x: best.x.map(String), y: best.y.map(String), z: best.z, text: text, hoverinfo: "x+y+text", colorscale: "Viridis", colorbar: { title: { text: esc(c.s.objective) } } }],
    { title: "Heatmap: best " + label + " per cell of " + esc(c.x) + " x " + esc(c.y), xaxis: axes.xaxis, yaxis: axes.yaxis });
}

function drawEdf(c) {
  var traces = [];
  D.studies.forEach(function (s, si) {
    if (s.objective !== c.s.objective) return;
    var v = S.studyTrials(si).map(function (i) { return T.value[i]; }).sort(function (a, b) { return a - b; });
    if (!v.length) return;
    traces.push({ type: "scatter", mode: "lines", name: esc(s.key), x: v, y: v.map(function (_, k) { return (k + 1) / v.length; }),
      line: { shape: "hv", width: si === c.si ? 3 : 1.5 } });
  });
  if (!traces.length) { S.noteIn($("chart-edf"), "EDF: no complete trial"); return; }
  S.plot($("chart-edf"), traces, { title: "Empirical distribution of " + esc(c.s.objective) + " (complete trials)",
    xaxis: { title: { text: esc(c.s.objective) } }, yaxis: { title: { text: "share of trials with value <= x" }, range: [0, 1.02] }, legend: { orientation: "h", y: -0.25 } });
}

function drawTimeline() {
  var div = $("chart-timeline");
  if (D.timeBase === null) { S.noteIn(div, "timeline: this run's journal has no start/end times"); return; }
  var by = {};
  for (var i = 0; i < S.N; i++) {
    if (T.t0[i] === null || T.t1[i] === null || T.w[i] === null) continue;
    var st = T.state[i];
    var tr = by[st] || (by[st] = { x: [], y: [], text: [] });
    var label = "worker " + T.w[i];
    var txt = esc(S.studyOf(i).key + " #" + T.id[i] + " (" + st + ", " + ((T.t1[i] - T.t0[i]) / 1000).toFixed(2) + " s)");
    tr.x.push(D.timeBase + T.t0[i], D.timeBase + T.t1[i], null);
    tr.y.push(label, label, null);
    tr.text.push(txt, txt, null);
  }
  var colours = { complete: "#2b6cb0", pruned: "#d69e2e", failed: "#c53030" };
  var traces = Object.keys(by).map(function (st) {
    return { type: "scatter", mode: "lines", name: st, x: by[st].x, y: by[st].y, text: by[st].text, hoverinfo: "text", connectgaps: false, line: { width: 10, color: colours[st] || "#555" } };
  });
  if (!traces.length) { S.noteIn(div, "timeline: no trial has start/end times"); return; }
  S.plot(div, traces, { title: "Timeline: trials per worker (" + S.N + " trials)", xaxis: { type: "date" }, yaxis: { type: "category", categoryorder: "category ascending" }, legend: { orientation: "h", y: -0.2 } });
}

function drawAll() {
  var c = selected();
  if (!c.s) return;
  drawParcoords(c);
  drawGrids(c);
  drawEdf(c);
}
// Drawn when the section comes near the viewport: the page's first charts appear as fast
// as without these five, and a reader who never scrolls here costs nothing.
var drawn = false;
function start() {
  if (drawn) return;
  drawn = true;
  if (D.studies.length) drawAll();
  drawTimeline();
}
function redraw() { if (drawn) drawAll(); }
$("study-select").addEventListener("change", redraw);
$("param-x").addEventListener("change", redraw);
$("param-y").addEventListener("change", redraw);
if (typeof IntersectionObserver === "function") {
  var io = new IntersectionObserver(function (es) {
    if (es.some(function (e) { return e.isIntersecting; })) { io.disconnect(); start(); }
  }, { rootMargin: "300px" });
  io.observe($("more-charts"));
} else start();
})();
`;
