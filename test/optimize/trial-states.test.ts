/**
 * Trial states as Optuna users read them: "pruned" only for a trial stopped early by the
 * drawdown bound; a ruined account ran to the end, so it is "complete" with ruined: true
 * and value null (docs/objectives.md, "Ruined accounts").
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runOptimization } from "../../lib/optimize/runner";
import { fixture } from "./cli-fixtures";

const journal = (dir: string) => readFileSync(join(dir, "trials.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));

describe("trial states", () => {
  let fx: ReturnType<typeof fixture>;
  beforeAll(() => {
    fx = fixture(30, 2);
  });

  it("a ruined account is complete, ruined: true, value null; the run is complete", async () => {
    // A 40-unit trade size: the swap costs reach the notional, the account is ruined.
    const out = await runOptimization({ data: fx.data, out: fx.runs, strategies: ["sma_cross"], periods: ["all"], trials: 8, batchSize: 8, tradeSizes: [40], maxWorkers: 1 });
    expect(out.status).toBe("complete");
    const lines = journal(out.dir);
    const ruined = lines.filter((l) => l.results[0].ruined);
    expect(ruined.length).toBeGreaterThan(0);
    for (const l of ruined) expect([l.state, l.ruined, l.value]).toEqual(["complete", true, null]);
    expect(lines.every((l) => l.state !== "pruned")).toBe(true);
  });

  it("a trial stopped by the drawdown bound is pruned, never ruined", async () => {
    const out = await runOptimization({ data: fx.data, out: fx.runs, strategies: ["rsi_reversion"], periods: ["all"], trials: 16, batchSize: 8, abortDrawdown: 0.02, maxWorkers: 1 });
    const lines = journal(out.dir);
    const aborted = lines.filter((l) => l.results[0].aborted);
    expect(aborted.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.state === "pruned").toBe(l.results[0].aborted === true);
    for (const l of aborted) expect([l.value, l.ruined]).toEqual([null, undefined]);
  });
});
