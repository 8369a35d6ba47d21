/**
 * NSGA-II pieces against their definitions (Deb et al. 2002): fronts equal a brute-force
 * dominance count, crowding distances a hand computation; and a multi-objective run from
 * the CLI: the Pareto front in the JSON, pareto.csv/json in the report, the dashboard's scatter.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Rng } from "../../lib/random/rng";
import { crowdingDistance, dominates, nonDominatedFronts } from "../../lib/optimize/samplers/nsga2";
import { canonicalTrials, fixture, journalLines, parseJson, requireCli, runCli, runDirNamed, startCli, waitUntil } from "./cli-fixtures";

describe("NSGA-II", () => {
  it("non-dominated sorting: front r holds exactly the points dominated only by points of fronts < r", () => {
    const rng = Rng.derive(1, "nsga2-test", 0);
    for (let round = 0; round < 20; round++) {
      const pts = Array.from({ length: 40 }, () => [rng.int(0, 6), rng.int(0, 6), rng.int(0, 6)]);
      const fronts = nonDominatedFronts(pts);
      expect(fronts.flat().sort((a, b) => a - b)).toEqual(pts.map((_, i) => i));
      const rank = new Map<number, number>();
      fronts.forEach((f, r) => f.forEach((i) => rank.set(i, r)));
      for (let i = 0; i < pts.length; i++) {
        const dominators = pts.map((_, j) => j).filter((j) => dominates(pts[j], pts[i]));
        const expected = dominators.length === 0 ? 0 : 1 + Math.max(...dominators.map((j) => rank.get(j) as number));
        expect(rank.get(i)).toBe(expected);
      }
    }
  });

  it("crowding distance: boundaries infinite, inner points the sum of normalised neighbour gaps", () => {
    const pts = [
      [0, 4],
      [1, 2],
      [2, 1],
      [4, 0],
    ];
    const d = crowdingDistance(pts, [0, 1, 2, 3]);
    expect(d.get(0)).toBe(Infinity);
    expect(d.get(3)).toBe(Infinity);
    expect(d.get(1)).toBeCloseTo((2 - 0) / 4 + (4 - 1) / 4, 12);
    expect(d.get(2)).toBeCloseTo((4 - 1) / 4 + (2 - 0) / 4, 12);
  });

  it("a multi-objective CLI run: Pareto front in the JSON, pareto.csv and the dashboard's scatter; after kill -9 it resumes to the same trials", async () => {
    requireCli();
    const fx = fixture(30, 4);
    const args = (name: string, extra: string[] = []) => ["optimize", "--data", fx.data, "--strategy", "sma_cross", "--objective", "total_return/max_drawdown", "--period", "all", "--trials", "48", "--batch-size", "8", "--out", fx.runs, "--name", name, "--json", ...extra];
    const r = runCli(args("whole"));
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson(r.stdout) as { dir: string; search: { sampler: string }; studies: Array<{ pareto_front: Array<{ id: number; values: number[] }> }> };
    expect(doc.search.sampler).toBe("nsga2");
    const front = doc.studies[0].pareto_front;
    expect(front.length).toBeGreaterThan(0);
    const lines = readFileSync(join(doc.dir, "trials.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const asMax = (v: number[]) => [v[0], -v[1]];
    for (const p of front) expect(lines.some((l) => dominates(asMax(l.values), asMax(p.values)))).toBe(false);
    const csv = readFileSync(join(doc.dir, "report", "pareto.csv"), "utf8").trim().split("\n");
    expect(csv).toHaveLength(front.length + 1);
    expect(existsSync(join(doc.dir, "report", "objective-total_return_vs_max_drawdown.csv"))).toBe(true);
    expect(readFileSync(join(doc.dir, "index.html"), "utf8")).toContain('id="chart-pareto-0"');

    const child = startCli(args("killed", ["--no-report"]));
    await waitUntil(() => (runDirNamed(fx.runs, "killed") !== null && journalLines(join(runDirNamed(fx.runs, "killed")!, "trials.jsonl")) >= 12) || child.exited(), 60_000, 1);
    child.proc.kill("SIGKILL");
    expect((await child.done).signal, "killed before the end").toBe("SIGKILL");
    const resumed = runCli(args("killed", ["--no-report"]));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(canonicalTrials(String(parseJson(resumed.stdout).dir))).toEqual(canonicalTrials(doc.dir));
  });
});
