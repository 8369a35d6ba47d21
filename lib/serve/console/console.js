// The stratlab service console: plain browser JavaScript served from the package (no build
// step, no CDN). Lists operations with live progress (the events stream), starts backtests
// and optimisations, cancels and resumes, shows checkpoints (with delete), results and runs.
"use strict";
(function () {
  // A token given as /#token=... is kept for this tab and sent as a bearer token.
  var m = /[#&]token=([^&]+)/.exec(location.hash);
  if (m) { sessionStorage.setItem("stratlab-token", decodeURIComponent(m[1])); history.replaceState(null, "", location.pathname); }
  var token = sessionStorage.getItem("stratlab-token");
  var streams = {};      // operation id -> AbortController of its events stream
  var progress = {};     // operation id -> latest progress from the stream
  var selected = null;
  var $ = function (id) { return document.getElementById(id); };

  function headers(json) {
    var h = {};
    if (json) h["content-type"] = "application/json";
    if (token) h.authorization = "Bearer " + token;
    return h;
  }
  function api(method, path, body) {
    return fetch(path, { method: method, headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body) }).then(function (r) {
      return r.json().then(function (doc) {
        if (!r.ok) throw new Error(doc.error || "HTTP " + r.status);
        return doc;
      });
    });
  }
  function showError(e) { $("error").textContent = e ? String(e.message || e) : ""; }
  function el(tag, attrs, children) {
    var n = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") n.textContent = attrs[k];
      else if (k === "class") n.className = attrs[k];
      else if (k.slice(0, 2) === "on") n.addEventListener(k.slice(2), attrs[k]);
      else n.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c != null) n.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return n;
  }
  function pct(p) { return p && p.total ? Math.round((100 * p.unit) / p.total) + "%" : ""; }
  function fmt(x) { return typeof x === "number" ? (Math.abs(x) >= 1000 || Number.isInteger(x) ? String(Math.round(x * 100) / 100) : x.toPrecision(6)) : x == null ? "" : String(x); }

  // ---- the events stream (fetch, so a bearer token can be sent) -----------------------
  function follow(id) {
    if (streams[id]) return;
    var ctrl = new AbortController();
    streams[id] = ctrl;
    fetch("/operations/" + encodeURIComponent(id) + "/events", { headers: headers(false), signal: ctrl.signal }).then(function (r) {
      var reader = r.body.getReader();
      var decoder = new TextDecoder();
      var buf = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) return;
          buf += decoder.decode(chunk.value, { stream: true });
          var i;
          while ((i = buf.indexOf("\n\n")) >= 0) {
            var block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            var ev = /^event: (.*)$/m.exec(block);
            var data = /^data: (.*)$/m.exec(block);
            if (!ev || !data) continue;
            var d = JSON.parse(data[1]);
            if (ev[1] === "end") { delete streams[id]; refresh(); return; }
            progress[id] = d;
            drawProgress(id);
          }
          return pump();
        });
      }
      return pump();
    }).catch(function () { /* aborted or the server went away: the next refresh retries */ }).then(function () { delete streams[id]; });
  }
  function drawProgress(id) {
    var row = document.querySelector('tr[data-id="' + id + '"]');
    var p = progress[id];
    if (!row || !p || !p.total) return;
    var bar = row.querySelector("progress");
    bar.max = p.total;
    bar.value = p.unit;
    row.querySelector(".pct").textContent = p.unit + "/" + p.total + " " + pct(p);
    if (p.checkpoint) row.querySelector(".ck").textContent = p.checkpoint.kind + " @ " + p.checkpoint.unit;
  }

  // ---- operations --------------------------------------------------------------------
  function act(path, id) {
    showError(null);
    return api("POST", "/operations/" + encodeURIComponent(id) + "/" + path).then(function (op) {
      if (path === "resume") selected = op.id;
      refresh();
    }, showError);
  }
  function drawOperations(ops) {
    var body = $("operations").querySelector("tbody");
    body.textContent = "";
    $("no-ops").hidden = ops.length > 0;
    ops.slice().reverse().forEach(function (o) {
      var p = progress[o.id] || o.progress;
      var live = o.status === "running" || o.status === "queued";
      // Once resumed, the newer operation is the one to resume (the server answers 409 here).
      var canResume = (o.status === "cancelled" || o.status === "failed" || o.status === "interrupted") && !o.resumed_by;
      var links = [];
      if (o.dashboard) links.push(el("a", { href: o.dashboard, target: "_blank", text: "dashboard" }));
      if (o.resumed_from) links.push(el("span", { class: "muted", text: " from " + o.resumed_from }));
      if (o.resumed_by) links.push(el("span", { class: "muted", text: " resumed by " + o.resumed_by }));
      var row = el("tr", { "data-id": o.id, "data-status": o.status, class: o.id === selected ? "selected" : "" }, [
        el("td", {}, [el("a", { href: "#", class: "op-link", text: o.id, onclick: function (e) { e.preventDefault(); select(o.id); } })]),
        el("td", { text: o.type }),
        el("td", { class: "status status-" + o.status, text: o.status, title: o.error || "" }),
        el("td", {}, [el("progress", { max: p && p.total ? p.total : 1, value: p && p.total ? p.unit : 0 }), " ", el("span", { class: "pct", text: p && p.total ? p.unit + "/" + p.total + " " + pct(p) : "" })]),
        el("td", { class: "ck", text: o.latest_checkpoint ? o.latest_checkpoint.kind + " @ " + o.latest_checkpoint.unit : "" }),
        el("td", {}, links),
        el("td", {}, [
          live ? el("button", { class: "cancel", text: "Cancel", onclick: function () { act("cancel", o.id); } }) : null,
          canResume ? el("button", { class: "resume", text: "Resume", onclick: function () { act("resume", o.id); } }) : null,
        ]),
      ]);
      body.appendChild(row);
      if (live) follow(o.id);
    });
  }
  function select(id) {
    selected = id;
    refresh();
  }
  function drawDetail() {
    if (!selected) { $("detail").hidden = true; return Promise.resolve(); }
    return Promise.all([api("GET", "/operations/" + encodeURIComponent(selected)), api("GET", "/checkpoints?operation=" + encodeURIComponent(selected))]).then(function (r) {
      var op = r[0];
      $("detail").hidden = false;
      $("detail-id").textContent = op.id;
      $("detail").setAttribute("data-status", op.status);
      $("detail-summary").textContent = op.type + ", " + op.status + (op.error ? " (" + op.error + ")" : "");
      var body = $("checkpoints").querySelector("tbody");
      body.textContent = "";
      r[1].checkpoints.forEach(function (c) {
        body.appendChild(el("tr", { "data-checkpoint": c.id }, [
          el("td", { text: c.id }), el("td", { text: c.kind }), el("td", { class: "num", text: fmt(c.unit) }),
          el("td", { text: c.created_at }), el("td", { class: "num", text: String(c.bytes) }),
          el("td", {}, [el("button", { class: "delete", text: "Delete", onclick: function () {
            api("DELETE", "/checkpoints/" + encodeURIComponent(c.id)).then(refresh, showError);
          } })]),
        ]));
      });
      drawResult(op);
    }, function (e) { selected = null; showError(e); });
  }
  function drawResult(op) {
    var box = $("result");
    box.textContent = "";
    var res = op.result;
    if (!res || !res.periods) {
      if (res && res.best) box.appendChild(el("pre", { text: JSON.stringify(res.best, null, 1) }));
      return;
    }
    var periods = Object.keys(res.periods);
    var metrics = Object.keys(res.periods[periods[0]]);
    box.appendChild(el("h3", { text: "Result: " + res.strategy + " " + JSON.stringify(res.params) }));
    var t = el("table", { id: "metrics" }, [el("thead", {}, [el("tr", {}, [el("th", { text: "metric" })].concat(periods.map(function (p) { return el("th", { text: p }); })))])]);
    var tb = el("tbody");
    metrics.forEach(function (k) {
      tb.appendChild(el("tr", { "data-metric": k }, [el("td", { text: k })].concat(periods.map(function (p) {
        var v = res.periods[p][k];
        return el("td", { class: "num", "data-period": p, "data-value": JSON.stringify(v), text: fmt(v) });
      }))));
    });
    t.appendChild(tb);
    box.appendChild(t);
  }

  // ---- runs --------------------------------------------------------------------------
  function drawRuns(runs) {
    var body = $("runs").querySelector("tbody");
    body.textContent = "";
    $("no-runs").hidden = runs.length > 0;
    runs.slice().reverse().forEach(function (r) {
      var best = Object.keys(r.best).map(function (k) { return r.best[k] ? k + ": " + fmt(r.best[k].value) : k + ": -"; }).join("; ");
      body.appendChild(el("tr", { "data-run": r.name }, [
        el("td", { text: r.name }), el("td", { class: "num", text: r.trials_done + (r.trials_planned ? "/" + r.trials_planned : "") }),
        el("td", { text: best }),
        el("td", {}, [r.dashboard ? el("a", { href: r.dashboard, target: "_blank", text: "dashboard" }) : el("span", { class: "muted", text: "not yet" })]),
      ]));
    });
  }

  var refreshing = null;
  function refresh() {
    if (refreshing) return refreshing;
    refreshing = Promise.all([api("GET", "/operations"), api("GET", "/runs")]).then(function (r) {
      $("conn").textContent = "connected";
      drawOperations(r[0].operations);
      drawRuns(r[1].runs);
      return drawDetail();
    }, function (e) { $("conn").textContent = "not connected"; showError(e); }).then(function () { refreshing = null; });
    return refreshing;
  }

  // ---- the start form ----------------------------------------------------------------
  function syncType() { document.body.className = "type-" + $("f-type").value; }
  $("f-type").addEventListener("change", syncType);
  syncType();
  $("start-form").addEventListener("submit", function (e) {
    e.preventDefault();
    showError(null);
    var type = $("f-type").value;
    var body = { type: type, strategy: $("f-strategy").value.trim() };
    var num = function (id, key) { var v = $(id).value; if (v !== "") body[key] = Number(v); };
    var str = function (id, key) { var v = $(id).value.trim(); if (v !== "") body[key] = v; };
    str("f-data", "data");
    num("f-trade-size", "trade_size");
    if (type === "backtest") {
      var params = $("f-params").value.trim();
      if (params) {
        try { body.params = JSON.parse(params); } catch (err) { showError("params: not valid JSON (" + err.message + ")"); return; }
      }
      num("f-checkpoint-every", "checkpoint_every");
    } else {
      str("f-objective", "objective"); str("f-period", "period"); num("f-trials", "trials"); str("f-sampler", "sampler");
    }
    api("POST", "/operations", body).then(function (op) {
      $("start-msg").textContent = "started " + op.id;
      selected = op.id;
      refresh();
    }, showError);
  });

  refresh();
  setInterval(refresh, 2000);
})();
