/**
 * The trial drill-down (backtesting.py's `plot`): a click on a trial row opens price
 * candlesticks with volume, the trial's entries and exits, its equity and its drawdown on
 * one shared time axis, and the list of its round trips with P&L, bars held and fees. The
 * data was computed at report time for the shortlist (report/drilldown.ts); other trials
 * say how to get theirs. Page script after client.ts (window.stratlab); ES2017, no backticks.
 */

export const DRILLDOWN_HTML = `<section id="drilldown" hidden><h2 id="drill-title">Trial</h2>
<p class="note" id="drill-note"></p>
<div class="chart" id="drill-chart"></div>
<h3>Round trips</h3>
<div class="table-scroll"><table class="plain" id="drill-trips"><thead><tr><th>#</th><th>entry</th><th>exit</th><th class="num">entry price</th><th class="num">exit price</th><th class="num">bars held</th><th class="num">P&amp;L</th><th class="num">return</th><th class="num">fees</th></tr></thead><tbody></tbody></table></div>
</section>`;

export const DRILLDOWN_JS = String.raw`(function () {
"use strict";
var S = window.stratlab;
if (!S) return;
var D = S.D, T = S.T, $ = S.$, esc = S.esc;
var MAX_TRIP_ROWS = 500;

function iso(ms) { return new Date(ms).toISOString().slice(0, 16).replace("T", " "); }

function curveOf(i) {
  var key = S.studyOf(i).key, id = T.id[i];
  return (D.curves || []).filter(function (c) { return c.study === key && c.trial === id; })[0] || null;
}

function tripsTable(c) {
  var tb = $("drill-trips").tBodies[0];
  tb.textContent = "";
  var r = c.trips, n = r.pnl.length, from = Math.max(0, n - MAX_TRIP_ROWS);
  var frag = document.createDocumentFragment();
  for (var k = n - 1; k >= from; k--) {
    var tr = S.el("tr");
    [String(r.total - n + k + 1), iso(r.entryT[k]), iso(r.exitT[k]), S.fmt(r.entryPrice[k], "money"), S.fmt(r.exitPrice[k], "money"), String(r.bars[k]),
      S.fmt(r.pnl[k], "money"), S.fmt(r.ret[k], "pct"), S.fmt(r.fees[k], "money")].forEach(function (v, j) {
      var td = S.el("td", j >= 3 ? "num" : "", v);
      if (j === 6) td.style.color = r.pnl[k] > 0 ? "#1a7f37" : "#cf222e";
      tr.appendChild(td);
    });
    frag.appendChild(tr);
  }
  tb.appendChild(frag);
}

function open(i) {
  var sec = $("drilldown");
  sec.hidden = false;
  var s = S.studyOf(i);
  $("drill-title").textContent = "Trial " + s.key + " #" + T.id[i];
  var c = curveOf(i);
  if (!c || !D.price) {
    $("drill-note").textContent = D.curves && D.curves.length
      ? "No drill-down for this trial: the report computes it for the top " + D.topN + " trials by total return (the rows of the Top chart). Run stratlab report DIR --top N for more."
      : D.curvesNote;
    S.noteIn($("drill-chart"), "no drill-down data for this trial");
    $("drill-trips").tBodies[0].textContent = "";
    sec.scrollIntoView({ block: "start" });
    return;
  }
  var P = D.price, r = c.trips;
  $("drill-note").textContent = "Candles of " + P.barsPerCandle + " bar(s); " + r.total + " round trips" + (r.pnl.length < r.total ? " (the last " + r.pnl.length + " listed)" : "") +
    "; final balance " + S.fmt(c.final_balance, "money") + ", max drawdown " + S.fmt(c.max_drawdown, "pct") + ". Zoom any panel: the time axis is shared.";
  var traces = [
    { type: "candlestick", name: "price", x: P.t, open: P.o, high: P.h, low: P.l, close: P.c, xaxis: "x", yaxis: "y", showlegend: false },
    { type: "bar", name: "volume", x: P.t, y: P.v, xaxis: "x", yaxis: "y2", marker: { color: "#9aa5b1" }, showlegend: false },
    { type: "scatter", mode: "markers", name: "entries", x: r.entryT, y: r.entryPrice, xaxis: "x", yaxis: "y", marker: { symbol: "triangle-up", size: 9, color: "#1a9850" } },
    { type: "scatter", mode: "markers", name: "exits", x: r.exitT, y: r.exitPrice, xaxis: "x", yaxis: "y", text: r.pnl.map(function (v) { return "P&L " + S.fmt(v, "money"); }),
      marker: { symbol: "triangle-down", size: 9, color: "#d73027" } },
    { type: "scatter", mode: "lines", name: "equity", x: c.equity.x, y: c.equity.y, xaxis: "x", yaxis: "y3", line: { color: "#2b6cb0" } },
    { type: "scatter", mode: "lines", name: "drawdown", x: c.drawdown.x, y: c.drawdown.y.map(function (v) { return -v; }), xaxis: "x", yaxis: "y4", fill: "tozeroy", line: { color: "#c53030", width: 1 } }
  ];
  S.plot($("drill-chart"), traces, {
    title: "Price, volume, equity and drawdown: " + esc(s.key + " #" + T.id[i]),
    xaxis: { type: "date", rangeslider: { visible: false }, anchor: "y4" },
    yaxis: { domain: [0.52, 1], title: { text: "price" } },
    yaxis2: { domain: [0.42, 0.5], title: { text: "volume" } },
    yaxis3: { domain: [0.2, 0.4], title: { text: "equity" } },
    yaxis4: { domain: [0, 0.18], tickformat: ".0%", title: { text: "drawdown" } },
    shapes: [{ type: "line", xref: "x", yref: "paper", x0: c.periodStart, x1: c.periodStart, y0: 0, y1: 1, line: { dash: "dot", width: 1, color: "#555" } }],
    legend: { orientation: "h", y: -0.08 }, margin: { l: 70, r: 20, t: 40, b: 40 }
  });
  tripsTable(c);
  sec.scrollIntoView({ block: "start" });
}

document.addEventListener("stratlab:trial", function (ev) { open(ev.detail); });
})();
`;

export const DRILLDOWN_CSS = `#drill-chart { height: 760px; } #drilldown h3 { font-size: 13px; margin: 10px 0 4px; } #drill-trips td, #drill-trips th { padding: 2px 8px; }`;
