/** Every proposal is a valid, new parameter set: bounds, integer/step grid, constraints, no duplicates. */
import { describe, expect, it } from "vitest";
import { ParamError } from "../../lib/errors";
import { Rng } from "../../lib/random/rng";
import { createSampler, type TrialRecord } from "../../lib/optimize/samplers";
import { satisfies, validateParams } from "../../lib/strategies/params";
import { rsiReversion } from "../../lib/strategies/rsi-reversion";
import { smaCross } from "../../lib/strategies/sma-cross";
import type { Params, Strategy } from "../../lib/strategies/types";
import { edgeHugging, needleSpace, simulate, tinySpace } from "./samplers-fixtures";

const key = (s: Strategy, p: Params) => JSON.stringify(s.params.map((x) => p[x.name]));

/** What every proposal must be; returns the first problem found, or "" (one expect per study keeps the tests fast). */
function problem(strategy: Strategy, p: Params): string {
  if (Object.keys(p).sort().join() !== strategy.params.map((s) => s.name).sort().join()) return `names ${JSON.stringify(p)}`;
  try {
    validateParams(strategy, p); // bounds, integers, choices, constraints
  } catch (e) {
    return String(e);
  }
  if (!satisfies(strategy, p)) return `constraint ${JSON.stringify(p)}`;
  for (const spec of strategy.params) {
    if (spec.type === "choice" || spec.step === undefined) continue;
    const k = ((p[spec.name] as number) - spec.low) / spec.step;
    if (Math.abs(k - Math.round(k)) > 1e-9) return `${spec.name} off the step grid: ${p[spec.name]}`;
    if (String(p[spec.name]).length > 12) return `${spec.name} not cleanly snapped: ${p[spec.name]}`;
  }
  return "";
}

function checkStudy(strategy: Strategy, history: readonly TrialRecord[]): void {
  const problems = history.map((t) => problem(strategy, t.params)).filter((x) => x !== "");
  expect(problems.slice(0, 3)).toEqual([]);
  const keys = history.map((t) => key(strategy, t.params));
  expect(new Set(keys).size).toBe(keys.length);
}

// Noisy, partly failing objectives that pull the searches in different directions.
const smaObjectives: [string, (p: Params) => number | null][] = [
  ["edge-hugging (best at fast just below slow)", edgeHugging],
  ["ratio with failures", (p) => ((p.fast as number) % 7 === 0 ? null : -Math.abs(Math.log((p.slow as number) / (p.fast as number)) - 2))],
];
const rsiObjectives: [string, (p: Params) => number | null][] = [
  ["band squeezed at 50 (best where lower meets upper)", (p) => -((p.upper as number) - (p.lower as number)) - Math.abs((p.period as number) - 14)],
  ["wide band with failures", (p) => ((p.period as number) > 150 ? null : (p.upper as number) - (p.lower as number))],
];

describe("constraints, bounds and novelty over thousands of proposals", () => {
  for (const name of ["random", "tpe", "evolution"] as const) {
    // TPE costs O(history) per proposal, so it runs more, shorter studies.
    const trials = name === "tpe" ? 400 : 2000;
    for (const [label, f] of smaObjectives) {
      it(`${name} on sma_cross, ${label}`, () => {
        const { history } = simulate(createSampler(name), smaCross, f, { trials, batch: 16, seed: 21 });
        expect(history).toHaveLength(trials);
        checkStudy(smaCross, history);
      });
    }
    for (const [label, f] of rsiObjectives) {
      it(`${name} on rsi_reversion, ${label}`, () => {
        const { history } = simulate(createSampler(name), rsiReversion, f, { trials, batch: 16, seed: 22 });
        expect(history).toHaveLength(trials);
        checkStudy(rsiReversion, history);
      });
    }
  }

  it("tpe: 2000 proposals from fixed histories (many batches) are all valid", () => {
    const base = simulate(createSampler("random"), smaCross, edgeHugging, { trials: 64, batch: 16, seed: 5 }).history;
    const tpe = createSampler("tpe");
    const out: Params[] = [];
    for (let k = 0; k < 25; k++) {
      const batch = tpe.propose({ strategy: smaCross, history: base, firstId: 64, count: 80, rng: Rng.derive(5, "extra", k), totalTrials: 1000 });
      expect(new Set(batch.map((p) => key(smaCross, p))).size).toBe(80);
      expect(batch.filter((p) => base.some((t) => key(smaCross, t.params) === key(smaCross, p)))).toEqual([]);
      out.push(...batch);
    }
    expect(out.map((p) => problem(smaCross, p)).filter((x) => x !== "")).toEqual([]);
  });

  for (const name of ["random", "tpe", "evolution"] as const) {
    it(`${name}: a needle-shaped valid region (about 1 point in 300) is still always hit`, () => {
      const { history } = simulate(createSampler(name), needleSpace, (p) => -Math.abs((p.c as number) - 500), { trials: 200, batch: 8, seed: 6 });
      checkStudy(needleSpace, history);
    });
  }
});

describe("small and impossible spaces", () => {
  for (const name of ["random", "tpe", "evolution"] as const) {
    it(`${name}: a 5-point space gives every point once before any repeat, then valid repeats`, () => {
      const { history } = simulate(createSampler(name), tinySpace, (p) => (p.a as number) + (p.flag ? 1 : 0), { trials: 24, batch: 4, seed: 8 });
      const keys = history.map((t) => key(tinySpace, t.params));
      expect(new Set(keys.slice(0, 5)).size).toBe(5);
      expect(history.every((t) => satisfies(tinySpace, t.params))).toBe(true);
    });
  }

  it("a batch larger than the space fills up with valid repeats only after using every point", () => {
    const batch = createSampler("random").propose({ strategy: tinySpace, history: [], firstId: 0, count: 8, rng: Rng.derive(1), totalTrials: 8 });
    expect(new Set(batch.slice(0, 5).map((p) => key(tinySpace, p))).size).toBe(5);
    expect(batch.every((p) => satisfies(tinySpace, p))).toBe(true);
  });

  it("unsatisfiable constraints fail with a ParamError naming them", () => {
    const impossible: Strategy = { ...tinySpace, name: "impossible", constraints: [{ description: "a > 5", check: (p) => (p.a as number) > 5 }] };
    expect(() => createSampler("random").propose({ strategy: impossible, history: [], firstId: 0, count: 1, rng: Rng.derive(1), totalTrials: 8 })).toThrow(
      /impossible: found no parameter set satisfying a > 5/,
    );
  });

  it("an invalid space fails with a ParamError naming the parameter", () => {
    const bad: Strategy = { ...tinySpace, params: [{ name: "len", type: "int", low: 0, high: 10, log: true, default: 1 }], constraints: [] };
    expect(() => createSampler("tpe").propose({ strategy: bad, history: [], firstId: 0, count: 1, rng: Rng.derive(1), totalTrials: 8 })).toThrow(ParamError);
    expect(() => createSampler("grid").propose({ strategy: bad, history: [], firstId: 0, count: 1, rng: Rng.derive(1), totalTrials: 8 })).toThrow(/tiny.len: a log-scale parameter needs low > 0/);
  });
});
