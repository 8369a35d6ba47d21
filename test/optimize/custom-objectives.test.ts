/**
 * Custom objectives: a function of a trial's metrics (every metric of every period), by
 * function in a script and by --objective-file in the CLI; null prunes the trial; the
 * built-ins go through the same registry; a changed objective file is refused on resume.
 */
import { readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { defineObjective, getObjective } from "../../lib/optimize/objectives";
import { runOptimization } from "../../lib/optimize/runner";
import { planStudies } from "../../lib/optimize/study";
import { fixture, parseJson, requireCli, runCli } from "./cli-fixtures";

const lines = (dir: string) => readFileSync(join(dir, "trials.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));

describe("custom objectives", () => {
  let fx: ReturnType<typeof fixture>;
  beforeAll(() => {
    requireCli();
    fx = fixture(40, 7);
  });

  it("a function objective gets every metric of every period; its value is the trial's value, null prunes", async () => {
    defineObjective({ name: "exposure_times_sharpe", value: (t) => (t.periods.all.trades === 0 ? null : t.periods.all.exposure * t.periods[t.period].sharpe) });
    const out = await runOptimization({ data: fx.data, out: fx.runs, strategies: ["sma_cross"], objectives: ["exposure_times_sharpe", "mar"], periods: ["all"], trials: 16, batchSize: 8, maxWorkers: 2 });
    expect(out.status).toBe("complete");
    const got = lines(out.dir);
    const custom = got.filter((l) => l.study === "sma_cross|exposure_times_sharpe|all");
    expect(custom).toHaveLength(16);
    for (const l of custom) {
      const m = l.results[0].periods.all;
      if (m.trades === 0) expect([l.state, l.value]).toEqual(["pruned", null]);
      else expect([l.state, l.value]).toEqual(["complete", m.exposure * m.sharpe]);
    }
    // The built-in goes through the same registry: mar of the study's period.
    for (const l of got.filter((x) => x.study === "sma_cross|mar|all")) expect(l.value).toBe(l.results[0].periods.all.mar);
    expect(getObjective("mar").code).toBeNull();
    expect(out.search.objectives).toEqual(["exposure_times_sharpe", "mar"]);
    expect(JSON.parse(readFileSync(join(out.dir, "manifest.json"), "utf8")).code.objectives.exposure_times_sharpe.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a minimised objective alone is refused in one line (single-objective studies maximise)", () => {
    expect(() => planStudies(["sma_cross"], ["max_drawdown"], ["1y"])).toThrow(/^objective "max_drawdown" is minimised; single-objective studies maximise/);
    expect(() => planStudies(["sma_cross"], ["nope"], ["1y"])).toThrow(/^unknown objective "nope"; available: final_balance, /);
  });

  it("--objective-file: values from the file's function; a changed file is refused on resume", () => {
    const file = join(fx.dir, "objective.ts");
    copyFileSync(resolve(__dirname, "fixtures/objective-file.ts"), file);
    const r = runCli(["optimize", "--data", fx.data, "--objective-file", file, "--objective", "return_minus_dd", "--strategy", "ema_cross", "--period", "all", "--trials", "8", "--batch-size", "8", "--out", fx.runs, "--name", "objfile", "--no-report", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const dir = String(parseJson(r.stdout).dir);
    for (const l of lines(dir)) {
      const p = l.results[0].periods;
      if (p.all.trades < 3) expect(l.state).toBe("pruned");
      else expect(l.value).toBe(p["1y"].total_return - p.all.max_drawdown);
    }
    writeFileSync(file, readFileSync(file, "utf8").replace("< 3", "< 4"));
    const again = runCli(["optimize", "--resume-from", dir, "--no-report"]);
    expect(again.code).toBe(2);
    expect(again.stderr.trim().split("\n").pop()).toMatch(/objective "return_minus_dd" changed since the run was made/);
  });
});
