import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { METRIC_KEYS } from "../../lib/engine/metrics";
import { PERIOD_KEYS, type PeriodKey } from "../../lib/engine/periods";
import type { TrialLine } from "../../lib/optimize/storage/types";
import { generateReport, type ReportResult } from "../../lib/report";
import { csvRecords, makeRunDir, type Fixture } from "./fixtures";

let fx: Fixture;
let result: ReportResult;
const studyPeriod = (t: TrialLine) => t.study.split("|")[2] as PeriodKey;
const read = (name: string) => readFileSync(join(fx.dir, "report", name), "utf8");
const num = (s: string) => (s === "" ? Number.NaN : Number(s));

beforeAll(() => {
  fx = makeRunDir({ trials: 14, periods: ["1y", "90d"], pruneIds: [3], failIds: [5] });
  result = generateReport(fx.dir, { topN: 5, curves: false });
});

describe("generateReport tables", () => {
  it("writes every table, the dashboard last", () => {
    const names = result.files.map((f) => f.slice(fx.dir.length + 1));
    expect(names).toEqual([
      "report/objective-mar.csv",
      "report/objective-cps_v2.csv",
      "report/period-30d.csv",
      "report/period-90d.csv",
      "report/period-1y.csv",
      "report/period-all.csv",
      "report/summary.json",
      "report/summary.csv",
      "report/top.json",
      "report/top.csv",
      "index.html", // plotly.js inlined: nothing beside it

    ]);
    expect(result.status).toBe("complete");
    expect(result.trials).toBe(fx.lines.length);
    expect(result.warnings).toEqual([]);
  });

  it("per objective: every trial of its studies, the study period's metrics, by total return descending", () => {
    const rows = csvRecords(read("objective-mar.csv"));
    const mine = fx.lines.filter((t) => t.study.split("|")[1] === "mar");
    expect(rows).toHaveLength(mine.length);
    const returns = rows.map((r) => num(r.total_return));
    const finite = returns.filter(Number.isFinite);
    expect(finite).toEqual([...finite].sort((a, b) => b - a));
    // failed trials (no metrics) come last
    expect(returns.slice(finite.length).every(Number.isNaN)).toBe(true);
    expect(finite.length).toBe(mine.filter((t) => t.results.length > 0).length);
    for (const r of rows) {
      const t = mine.find((x) => x.study === r.study && x.id === Number(r.trial)) as TrialLine;
      expect(t, `${r.study} #${r.trial}`).toBeDefined();
      expect(r.state).toBe(t.state);
      expect(r.period).toBe(studyPeriod(t));
      for (const [k, v] of Object.entries(t.params)) expect(r[`p_${k}`]).toBe(String(v));
      const m = t.results[0]?.periods[studyPeriod(t)];
      for (const k of [...METRIC_KEYS, "mar", "cps_v2"]) expect(r[k]).toBe(m ? String(m[k]) : "");
      expect(r.value).toBe(t.value === null ? "" : String(t.value));
    }
  });

  it("per period: every trial, with that period's metrics", () => {
    for (const p of PERIOD_KEYS) {
      const rows = csvRecords(read(`period-${p}.csv`));
      expect(rows).toHaveLength(fx.lines.length);
      for (const r of rows) {
        const t = fx.lines.find((x) => x.study === r.study && x.id === Number(r.trial)) as TrialLine;
        const m = t.results[0]?.periods[p];
        expect(r.total_return).toBe(m ? String(m.total_return) : "");
        expect(r.max_drawdown).toBe(m ? String(m.max_drawdown) : "");
      }
      const finite = rows.map((r) => num(r.total_return)).filter(Number.isFinite);
      expect(finite).toEqual([...finite].sort((a, b) => b - a));
    }
    // the 30d view really differs from the 1y view for the same trial
    const a = csvRecords(read("period-30d.csv")).find((r) => r.study.endsWith("|1y") && r.state === "complete") as Record<string, string>;
    const b = csvRecords(read("period-1y.csv")).find((r) => r.study === a.study && r.trial === a.trial) as Record<string, string>;
    expect(a.total_return).not.toBe(b.total_return);
  });

  it("keeps a failed trial's error text intact through CSV quoting", () => {
    const rows = csvRecords(read("period-all.csv")).filter((r) => r.state === "failed");
    expect(rows.length).toBe(fx.manifest.studies.length); // one failed id per study
    for (const r of rows) expect(r.error).toBe('simulated failure, with a comma, and a "quote"');
  });

  it("summarises each study: counts, best (ties to the lower id), median, best's metrics in all periods", () => {
    const s = JSON.parse(read("summary.json"));
    expect(s.run.trials_done).toBe(fx.lines.length);
    expect(s.run.status).toBe("complete");
    expect(s.studies).toHaveLength(fx.manifest.studies.length);
    for (const st of s.studies) {
      const mine = fx.lines.filter((t) => t.study === st.study);
      expect(st.trials_done).toBe(mine.length);
      expect(st.complete).toBe(mine.filter((t) => t.state === "complete").length);
      expect(st.pruned).toBe(mine.filter((t) => t.state === "pruned").length);
      expect(st.failed).toBe(mine.filter((t) => t.state === "failed").length);
      expect(st.pruned + st.failed).toBeGreaterThanOrEqual(1);
      const values = mine.filter((t) => t.state === "complete").map((t) => t.value as number);
      const best = Math.max(...values);
      const bestId = Math.min(...mine.filter((t) => t.value === best).map((t) => t.id));
      expect(st.best.value).toBe(best);
      expect(st.best.trial).toBe(bestId);
      const sorted = [...values].sort((a, b) => a - b);
      const h = sorted.length >> 1;
      expect(st.median_value).toBe(sorted.length % 2 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2);
      const t = mine.find((x) => x.id === bestId) as TrialLine;
      for (const p of PERIOD_KEYS) expect(st.best.metrics[p].total_return).toBe(t.results[0].periods[p].total_return);
    }
    const csv = csvRecords(read("summary.csv"));
    expect(csv.map((r) => r.study)).toEqual(fx.manifest.studies);
    expect(Number(csv[0].total_return_30d)).toBe(s.studies[0].best.metrics["30d"].total_return);
  });

  it("ranks top N overall by total return on the study period, per objective by value", () => {
    const top = JSON.parse(read("top.json"));
    expect(top.n).toBe(5);
    expect(top.overall).toHaveLength(5);
    const complete = fx.lines.filter((t) => t.state === "complete");
    const ret = (t: TrialLine) => t.results[0].periods[studyPeriod(t)].total_return;
    const expected = [...complete].sort((a, b) => ret(b) - ret(a)).slice(0, 5);
    expect(top.overall.map((e: { study: string; trial: number }) => `${e.study}#${e.trial}`)).toEqual(expected.map((t) => `${t.study}#${t.id}`));
    expect(top.overall.map((e: { rank: number }) => e.rank)).toEqual([1, 2, 3, 4, 5]);
    for (const o of ["mar", "cps_v2"]) {
      const want = complete
        .filter((t) => t.study.split("|")[1] === o)
        .sort((a, b) => (b.value as number) - (a.value as number))
        .slice(0, 5)
        .map((t) => t.value);
      expect(top.byObjective[o].map((e: { value: number }) => e.value)).toEqual(want);
    }
    const csv = csvRecords(read("top.csv"));
    expect(csv.filter((r) => r.ranking === "overall")).toHaveLength(5);
    expect(csv.filter((r) => r.ranking === "objective:mar")).toHaveLength(5);
  });

  it("marks a run with fewer trials than planned as incomplete", () => {
    const short = makeRunDir({ trials: 3, planned: 10, strategies: ["sma_cross"], objectives: ["mar"] });
    const r = generateReport(short.dir, { curves: false });
    expect(r.status).toBe("incomplete");
    expect(JSON.parse(readFileSync(join(short.dir, "report", "summary.json"), "utf8")).run.trials_planned).toBe(10);
  });
});
