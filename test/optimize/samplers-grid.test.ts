/** The grid: sized to the budget, valid points only, each once, in a seeded order; then random new points. */
import { describe, expect, it } from "vitest";
import { Rng } from "../../lib/random/rng";
import { createSampler, GridSampler, planGrid, type TrialRecord } from "../../lib/optimize/samplers";
import { allocateLevels, gridValues } from "../../lib/optimize/samplers/grid";
import { levelCount } from "../../lib/optimize/samplers/space";
import { satisfies } from "../../lib/strategies/params";
import { rsiReversion } from "../../lib/strategies/rsi-reversion";
import { smaCross } from "../../lib/strategies/sma-cross";
import type { Params, Strategy } from "../../lib/strategies/types";
import { probeSpace, tinySpace } from "./samplers-fixtures";

const key = (s: Strategy, p: Params) => JSON.stringify(s.params.map((x) => p[x.name]));

/** The batches of a grid study with `budget` trials. */
function walk(strategy: Strategy, budget: number, B: number, seed: number): Params[][] {
  const g = createSampler("grid");
  const batches: Params[][] = [];
  const history: TrialRecord[] = [];
  for (let k = 0; k * B < budget; k++) {
    const batch = g.propose({ strategy, history: history.slice(), firstId: k * B, count: B, rng: Rng.derive(seed, "s", k), totalTrials: budget, seed });
    batches.push(batch);
    batch.forEach((params, i) => history.push({ id: k * B + i, params, value: 0 }));
  }
  return batches;
}

describe("grid sizing", () => {
  for (const [strategy, budget] of [
    [smaCross, 100],
    [smaCross, 1000],
    [rsiReversion, 200],
    [rsiReversion, 5000],
    [probeSpace, 300],
  ] as const) {
    it(`${strategy.name}, budget ${budget}: valid points only, between 80% of the budget and the budget`, () => {
      const points = planGrid(strategy, budget);
      expect(points.length).toBeLessThanOrEqual(budget);
      expect(points.length).toBeGreaterThanOrEqual(0.8 * budget);
      expect(points.every((p) => satisfies(strategy, p))).toBe(true);
      expect(new Set(points.map((p) => key(strategy, p))).size).toBe(points.length);
    });
  }

  it("spans each numeric range: both ends appear (or the top level allowed by a constraint)", () => {
    const points = planGrid(smaCross, 200);
    const fast = points.map((p) => p.fast as number);
    const slow = points.map((p) => p.slow as number);
    expect(Math.min(...fast)).toBe(2);
    expect(Math.max(...slow)).toBe(2000);
    expect(Math.min(...slow)).toBeLessThan(10);
    expect(Math.max(...fast)).toBeGreaterThan(250);
  });

  it("spaces log parameters evenly in log space, floats on their step", () => {
    const fast = gridValues(smaCross.params[0], 9) as number[];
    expect(fast[0]).toBe(2);
    expect(fast[fast.length - 1]).toBe(500);
    // Ratios of successive levels about (500/2)^(1/8) = 1.99.
    for (let i = 1; i < fast.length; i++) expect(fast[i] / fast[i - 1]).toBeGreaterThan(1.6);
    const lower = gridValues(rsiReversion.params[1], 7) as number[];
    expect(lower).toEqual([5, 12.5, 20, 27.5, 35, 42.5, 50]);
    expect(gridValues(probeSpace.params[2], 1)).toEqual(["a", "b", "c"]); // choices: all
    expect(gridValues(probeSpace.params[3], 100)).toEqual([0, 0.25, 0.5, 0.75, 1]); // capped at every level
    expect(gridValues(smaCross.params[0], 1)).toEqual([smaCross.params[0].default]); // one level: the default
  });

  it("allocates levels within the target, and no single level can be added", () => {
    for (const target of [10, 100, 777, 5000]) {
      const levels = allocateLevels(probeSpace.params, target);
      const size = levels.reduce((x, y) => x * y, 1);
      expect(size).toBeLessThanOrEqual(Math.max(target, 3)); // the 3 choices are always all there
      probeSpace.params.forEach((spec, i) => {
        if (spec.type === "choice") return expect(levels[i]).toBe(3);
        expect(levels[i]).toBeLessThanOrEqual(levelCount(spec));
        if (levels[i] < levelCount(spec)) expect((size / levels[i]) * (levels[i] + 1)).toBeGreaterThan(target);
      });
    }
  });
});

describe("grid proposals", () => {
  it("batch k takes points [k*B, k*B + B): the whole grid once, then new random points", () => {
    const batches = walk(smaCross, 100, 8, 4);
    const all = batches.flat();
    const grid = new GridSampler().points(smaCross, 100, 4);
    expect(grid.length).toBeLessThan(100);
    expect(all.slice(0, grid.length)).toEqual(grid);
    expect(all).toHaveLength(104);
    expect(batches.every((b) => b.length === 8)).toBe(true);
    expect(new Set(all.map((p) => key(smaCross, p))).size).toBe(all.length);
    expect(all.every((p) => satisfies(smaCross, p))).toBe(true);
  });

  it("the order is a shuffle by the study seed, not by the batch RNG", () => {
    const g = new GridSampler();
    const a = g.points(smaCross, 100, 1);
    const b = g.points(smaCross, 100, 2);
    expect(b).not.toEqual(a);
    expect(new Set(b.map((p) => key(smaCross, p)))).toEqual(new Set(a.map((p) => key(smaCross, p))));
    // The batch RNG does not matter.
    const ctx = { strategy: smaCross, history: [], firstId: 16, count: 8, totalTrials: 100, seed: 1 };
    expect(createSampler("grid").propose({ ...ctx, rng: Rng.derive(1) })).toEqual(createSampler("grid").propose({ ...ctx, rng: Rng.derive(99) }));
    // A shuffle: the first points of the order do not all share the lowest fast level.
    expect(new Set(a.slice(0, 10).map((p) => p.fast)).size).toBeGreaterThan(3);
  });

  it("a space smaller than the budget is enumerated completely, then repeats valid points", () => {
    const all = walk(tinySpace, 24, 4, 1).flat();
    expect(all).toHaveLength(24);
    expect(new Set(all.slice(0, 5).map((p) => key(tinySpace, p))).size).toBe(5);
    expect(all.every((p) => satisfies(tinySpace, p))).toBe(true);
  });

  it("rsi_reversion: float levels on the 0.5 step, lower < upper everywhere", () => {
    const all = walk(rsiReversion, 300, 16, 2).flat();
    expect(all).toHaveLength(304);
    for (const p of all) {
      expect(((p.lower as number) * 2) % 1).toBe(0);
      expect(((p.upper as number) * 2) % 1).toBe(0);
      expect(p.lower as number).toBeLessThan(p.upper as number);
    }
  });
});
