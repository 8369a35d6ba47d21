/**
 * Ask/tell: openStudy proposes exactly the trials optimize() runs with the same settings
 * (evaluated here in the test's own loop), records them in the same journal format, and
 * resumes by name; a multi-objective NSGA-II study resumes to the same trials as an
 * uninterrupted one, and its Pareto front is the set of non-dominated trials.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCostTable } from "../../lib/costs/load";
import { loadBars } from "../../lib/data/csv";
import { Evaluator } from "../../lib/engine/evaluate";
import { openStudy, type AskedTrial, type Study } from "../../lib/optimize/open-study";
import { runOptimization } from "../../lib/optimize/runner";
import { dominates } from "../../lib/optimize/samplers/nsga2";
import { getStrategy } from "../../lib/strategies/registry";
import { COSTS, fixture } from "./cli-fixtures";

const journal = (dir: string) => readFileSync(join(dir, "trials.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));

/** A two-objective test function of the params (ZDT1-like on sma_cross's space): deterministic, cheap. */
function twoValues(p: AskedTrial["params"]): [number, number] {
  const x = Math.log(p.fast as number) / Math.log(500);
  const y = Math.log(p.slow as number) / Math.log(2000);
  return [x, 1 - Math.sqrt(x) + y * y]; // maximise the first, minimise the second
}

async function driveMulti(study: Study, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t = study.ask();
    study.tell(t, twoValues(t.params));
  }
}

describe("openStudy: ask/tell", () => {
  let fx: ReturnType<typeof fixture>;
  beforeAll(() => {
    fx = fixture(40, 9);
  });

  it("proposes the trials optimize() runs with the same settings, and resumes by name", async () => {
    const settings = { strategies: ["ema_cross"], objectives: ["mar"], periods: ["all"], trials: 40, batchSize: 8, seed: 3, data: fx.data, out: fx.runs };
    const reference = await runOptimization({ ...settings, name: "via-optimize", maxWorkers: 2 });
    expect(reference.status).toBe("complete");

    const ev = new Evaluator(loadBars(fx.data), loadCostTable(COSTS));
    const strategy = getStrategy("ema_cross");
    const evaluateOne = (t: AskedTrial) => ev.evaluate(strategy, t.params, [10_000])[0].periods.all.mar;
    const open = () => openStudy({ name: "ask-tell", strategy: "ema_cross", objectives: "mar", period: "all", trials: 40, batchSize: 8, seed: 3, data: fx.data, out: fx.runs });
    let study = await open();
    for (let i = 0; i < 21; i++) {
      const t = study.ask();
      study.tell(t, evaluateOne(t));
    }
    study.ask(); // trial 21: asked, never told; asked again after the reopen
    study.tell(study.ask(), 0.5); // 22 and 23 told other values than their mar
    study.tell(study.ask(), 0.5);
    // Batch 3 is proposed from every trial before it: not while trial 21 is out.
    expect(() => study.ask()).toThrow(/^tell the 1 trials asked so far first/);
    study = await open(); // a notebook cell run again: the older handle is closed, the study resumed
    expect(study.trials).toHaveLength(23);
    const told = new Map(study.trials.map((t) => [t.id, t.value]));
    for (;;) {
      let t: AskedTrial;
      try {
        t = study.ask();
      } catch (e) {
        expect((e as Error).message).toMatch(/has used its budget of 40 trials/);
        break;
      }
      study.tell(t, told.get(t.id) ?? evaluateOne(t));
    }
    study.close();
    const got = journal(study.dir);
    expect(got).toHaveLength(40);
    // Trials 21-23 were told 0.5 instead of their mar: only later batches may differ, so compare the first three batches.
    const key = (l: { id: number; params: unknown }) => JSON.stringify([l.id, l.params]);
    const mine = got.filter((l) => l.id < 24).map(key).sort();
    const theirs = reference.trials.filter((l) => l.id < 24).map(key).sort();
    expect(mine).toEqual(theirs);
    for (const l of got.filter((x) => x.id < 21)) expect(l.value).toBe(reference.trials.find((r) => r.id === l.id)?.value);
  });

  it("tells are checked: the number of values, finite numbers, trials out for evaluation", async () => {
    const study = await openStudy({ name: "checks", strategy: "sma_cross", objectives: ["total_return", "max_drawdown"], data: fx.data, out: fx.runs, batchSize: 4 });
    expect(study.search.sampler).toBe("nsga2");
    const t = study.ask();
    expect(() => study.tell(t, 1)).toThrow(/has 2 objectives \(total_return, max_drawdown\); tell 2 values, got 1/);
    expect(() => study.tell(t, [1, Infinity])).toThrow(/finite number or null/);
    study.tell(t, new Error("my evaluation broke"));
    expect(() => study.tell(t, [1, 2])).toThrow(/not out for evaluation/);
    expect(study.trials[0]).toMatchObject({ state: "failed", error: "my evaluation broke" });
    study.close();
  });

  it("an NSGA-II study resumes to the trials of an uninterrupted one; its Pareto front is the non-dominated set", async () => {
    const open = (name: string) => openStudy({ name, strategy: "sma_cross", objectives: ["total_return", "max_drawdown"], period: "all", trials: 64, batchSize: 8, seed: 7, data: fx.data, out: fx.runs });
    const whole = await open("nsga-whole");
    await driveMulti(whole, 64);
    whole.close();

    let parts = await open("nsga-parts");
    await driveMulti(parts, 19);
    parts.ask(); // lost with the session
    parts.close();
    parts = await open("nsga-parts");
    await driveMulti(parts, 64 - 19);
    parts.close();

    const key = (l: { id: number; params: unknown; values: unknown }) => JSON.stringify([l.id, l.params, l.values]);
    expect(journal(parts.dir).map(key)).toEqual(journal(whole.dir).map(key));
    const front = whole.paretoFront;
    expect(front.length).toBeGreaterThan(1);
    const all = whole.trials.map((t) => t.values as number[]);
    const asMax = (v: number[]) => [v[0], -v[1]];
    for (const p of front) expect(all.some((v) => dominates(asMax(v), asMax(p.values)))).toBe(false);
    for (const t of whole.trials) if (!front.some((p) => p.id === t.id)) expect(front.some((p) => dominates(asMax(p.values), asMax(t.values as number[])))).toBe(true);
    // Children of the elite reach the front (not only the random first generation).
    expect(front.some((p) => p.id >= 8)).toBe(true);
  });
});
