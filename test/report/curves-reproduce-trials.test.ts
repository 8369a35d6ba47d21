import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Evaluator } from "../../lib/engine/evaluate";
import { generateReport } from "../../lib/report";
import type { Curve } from "../../lib/report/curves";
import { getStrategy } from "../../lib/strategies/registry";
import { makeRunDir, type Fixture } from "./fixtures";

let fx: Fixture;
let curves: Curve[];
let top: { overall: Array<{ study: string; trial: number; params: Record<string, number>; strategy: string; metrics: Record<string, number> }> };

beforeAll(() => {
  // 5-minute bars over 200 days: ~57,600 bars per curve, thinned to 2,000 points
  fx = makeRunDir({ trials: 8, barMinutes: 5, days: 200, periods: ["90d"], objectives: ["mar"] });
  const r = generateReport(fx.dir, { topN: 4 });
  expect(r.curves).toBe(4);
  expect(r.warnings).toEqual([]);
  curves = JSON.parse(readFileSync(join(fx.dir, "report", "curves.json"), "utf8")).curves;
  top = JSON.parse(readFileSync(join(fx.dir, "report", "top.json"), "utf8"));
});

describe("curves of the shortlist", () => {
  it("are the overall top N, re-evaluated to the journal's numbers", () => {
    expect(curves.map((c) => `${c.study}#${c.trial}`)).toEqual(top.overall.map((e) => `${e.study}#${e.trial}`));
    for (const c of curves) {
      expect(c.reproduced).toBe(true);
      const line = fx.lines.find((l) => l.study === c.study && l.id === c.trial)!;
      expect(c.final_balance).toBe(line.results[0].periods.all.final_balance);
      expect(c.max_drawdown).toBe(line.results[0].periods.all.max_drawdown);
    }
  });

  it("are thinned to at most 2,000 points with the true last equity and deepest drawdown", () => {
    const ev = new Evaluator(fx.bars, fx.costs);
    for (const c of curves) {
      expect(c.bars).toBe(fx.bars.length);
      expect(c.equity.x.length).toBeLessThanOrEqual(2000);
      expect(c.drawdown.x.length).toBeLessThanOrEqual(2000);
      expect(c.equity.y[c.equity.y.length - 1]).toBe(c.final_balance);
      expect(Math.max(...c.drawdown.y)).toBeCloseTo(c.max_drawdown, 12);
      // x is each bar's close time
      expect(c.equity.x[0]).toBe(fx.bars.t[0] + fx.bars.barMs);
      const full = ev.evaluate(getStrategy(c.strategy), c.params, [c.trade_size], { full: true })[0];
      expect(c.fills.total).toBe(full.fills!.length);
      const shown = Math.min(full.fills!.length, 2000);
      expect(c.fills.t).toHaveLength(shown);
      if (shown > 0) {
        expect(c.fills.side[0]).toBe(full.fills![0].side);
        expect(c.fills.equity[0]).toBe(full.fills![0].equity);
      }
      expect(c.periodStart).toBe(fx.bars.t[ev.periodStartBar("90d")]);
    }
  });

  it("are skipped with a warning when the data file changed since the run", () => {
    writeFileSync(fx.dataPath, readFileSync(fx.dataPath, "utf8") + "\n");
    const warnings: string[] = [];
    const r = generateReport(fx.dir, { onWarning: (w) => warnings.push(w) });
    expect(r.curves).toBe(0);
    expect(warnings).toEqual([expect.stringMatching(/curves skipped: .*bars\.csv has changed since the run/)]);
    expect(readFileSync(r.index, "utf8")).toContain("Curves skipped");
  });

  it("use bars passed in, and warn when they do not reproduce the run", () => {
    const warnings: string[] = [];
    const r = generateReport(fx.dir, { bars: fx.bars, topN: 2, onWarning: (w) => warnings.push(w) });
    expect(r.curves).toBe(2);
    expect(warnings).toEqual([]);
    const other = makeRunDir({ days: 200, barMinutes: 5, seed: 99, trials: 1, strategies: ["sma_cross"], objectives: ["mar"] }).bars;
    const w2: string[] = [];
    const r2 = generateReport(fx.dir, { bars: other, topN: 1, onWarning: (w) => w2.push(w) });
    expect(r2.curves).toBe(1);
    expect(w2).toEqual([expect.stringMatching(/trial \d+: \w+ .* differs from the recorded .* the bars or costs are not the run's/)]);
    expect(JSON.parse(readFileSync(join(fx.dir, "report", "curves.json"), "utf8")).curves[0].reproduced).toBe(false);
  });
});
