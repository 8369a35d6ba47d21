/**
 * The result helpers turn a run into plain plotly figures and tables, reading it as the
 * reports do: history per objective, parameters of one study, importance, equity of the
 * best, top lists. Outside a notebook they print text.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { rmSync } from "node:fs";
import { UsageError } from "../../lib/errors";
import type { OptimizeResult } from "../../lib/lab/optimize";
import { loadRun } from "../../lib/report";
import { equityCurves, equityFigure } from "../../lib/notebook/equity";
import { historyFigure } from "../../lib/notebook/history";
import { importanceFigure, importanceRows } from "../../lib/notebook/importance";
import { optimize } from "../../lib/notebook/optimize";
import { paramsFigure } from "../../lib/notebook/params";
import { findStudy, runData } from "../../lib/notebook/run-source";
import { showTop, topRows } from "../../lib/notebook/top";
import type { Trace } from "../../lib/notebook/plot";
import { smallStudy } from "./fixtures";

let result: OptimizeResult;
let tmp: string;

beforeAll(async () => {
  const study = smallStudy("charts");
  tmp = study.tmp;
  result = await optimize({ ...study, onProgress: () => {}, onLog: () => {} });
  expect(result.status).toBe("complete");
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const nums = (a: unknown) => a as number[];

describe("sources", () => {
  it("an optimize result, a run directory and a loaded run are the same run", () => {
    const loaded = loadRun(result.dir);
    expect(runData(result).trials).toEqual(loaded.trials);
    expect(runData(result.dir).trials).toEqual(loaded.trials);
    expect(runData(loaded)).toBe(loaded);
  });

  it("finds a study by key, key prefix or strategy, and names the studies when it cannot", () => {
    const run = runData(result);
    expect(findStudy(run).key).toBe("sma_cross|mar|90d");
    expect(findStudy(run, "donchian_breakout|cps_v2").key).toBe("donchian_breakout|cps_v2|90d");
    expect(findStudy(run, "donchian_breakout").key).toBe("donchian_breakout|mar|90d");
    expect(() => findStudy(run, "macd")).toThrow(UsageError);
    expect(() => findStudy(run, "macd")).toThrow(/sma_cross\|mar\|90d/);
  });
});

describe("history", () => {
  it("one panel per objective; per study its scored trials and a best-so-far that never falls", () => {
    const fig = historyFigure(result);
    expect(fig.layout?.yaxis).toBeDefined();
    expect(fig.layout?.yaxis2).toBeDefined();
    expect(fig.layout?.yaxis3).toBeUndefined();
    expect(fig.data).toHaveLength(2 * 4);
    const study = "sma_cross|cps_v2|90d";
    const [dots, best] = fig.data.filter((t) => String(t.text ?? "").includes(study) || (t.name === "sma_cross best" && t.yaxis === "y2"));
    const scored = result.trials.filter((t) => t.study === study && t.value !== null); // a ruined trial is complete without a value
    expect(dots.x).toEqual(scored.map((t) => t.id));
    expect(dots.yaxis).toBe("y2");
    const b = nums(best.y);
    expect(b.every((v, i) => i === 0 || v >= b[i - 1])).toBe(true);
    expect(b[b.length - 1]).toBe(result.best[study]?.value);
  });
});

describe("parameters", () => {
  it("two parameters: a scatter coloured by the objective, the best trial starred", () => {
    const fig = paramsFigure(result, "sma_cross|mar");
    const [trials, star] = fig.data;
    const best = result.best["sma_cross|mar|90d"];
    expect(nums((trials.marker as { color: unknown }).color)).toContain(best?.value);
    expect([star.x, star.y].map((a) => nums(a)[0]).sort()).toEqual([best?.params.fast, best?.params.slow].sort());
  });

  it("one parameter: the objective against it", () => {
    const fig = paramsFigure(result, "donchian_breakout|mar", { params: ["entry"] });
    const scored = result.trials.filter((t) => t.study === "donchian_breakout|mar|90d" && t.state === "complete");
    expect(fig.data[0].x).toEqual(scored.map((t) => t.params.entry));
    expect(fig.data[0].y).toEqual(scored.map((t) => t.value));
  });

  it("an unknown parameter, or three, is a usage error naming the study's parameters", () => {
    expect(() => paramsFigure(result, "sma_cross", { params: ["nope"] })).toThrow(/fast, slow|slow, fast/);
    expect(() => paramsFigure(result, "sma_cross", { params: ["fast", "slow", "fast"] })).toThrow(UsageError);
  });
});

describe("importance", () => {
  it("a bar per study and parameter, labels in the hover (not drawn on the bars)", () => {
    const rows = importanceRows(result);
    expect(rows.map((r) => `${r.study}:${r.param}`).sort()).toEqual(
      ["sma_cross|mar|90d", "sma_cross|cps_v2|90d"].flatMap((s) => [`${s}:fast`, `${s}:slow`]).concat(["donchian_breakout|mar|90d", "donchian_breakout|cps_v2|90d"].flatMap((s) => [`${s}:entry`, `${s}:exit`])).sort(),
    );
    const fig = importanceFigure(result);
    expect(fig.data.map((t) => t.name)).toEqual(["mar", "cps_v2"]);
    for (const t of fig.data) expect(t.text).toBeUndefined();
  });
});

describe("equity", () => {
  it("the top trials evaluated again match the journal; only the best one's trades are marked, inside its period", () => {
    const curves = equityCurves(result, { top: 3 });
    expect(curves).toHaveLength(3);
    expect(curves.every((c) => c.reproduced)).toBe(true);
    const fig = equityFigure(curves);
    const markers = fig.data.filter((t: Trace) => t.mode === "markers");
    expect(markers.length).toBeGreaterThan(0);
    expect(markers.every((t) => String(t.name).startsWith("#1 "))).toBe(true);
    for (const t of markers) expect(Math.min(...nums(t.x))).toBeGreaterThanOrEqual(curves[0].periodStart);
    expect(equityFigure(curves, { trades: 0 }).data.filter((t) => t.mode === "markers")).toHaveLength(0);
  });

  it("ranks by an objective when asked", () => {
    const byMar = equityCurves(result, { top: 2, objective: "mar" });
    expect(byMar.every((c) => c.study.includes("|mar|"))).toBe(true);
    expect(() => equityCurves(result, { objective: "sharpe" })).toThrow(/mar, cps_v2/);
  });
});

describe("top", () => {
  it("a table per objective by value, or one by return; printed as text outside a notebook", () => {
    const tables = topRows(result, 3);
    expect(tables.map((t) => t.caption)).toEqual([expect.stringContaining("by mar"), expect.stringContaining("by cps_v2")]);
    for (const t of tables) {
      const v = t.rows.map((r) => r.value as number);
      expect(v).toEqual([...v].sort((a, b) => b - a));
      expect(t.rows).toHaveLength(3);
    }
    expect(topRows(result, 2, { ranking: "return" })).toHaveLength(1);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    showTop(result, 2);
    expect(log).toHaveBeenCalledTimes(2);
    expect(String(log.mock.calls[0][0])).toMatch(/^rank\s+study\s+trial\s+value\s+params/);
  });
});
