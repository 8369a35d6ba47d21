/** TPE's pieces against their definitions (Optuna's), and its behaviour on a history. */
import { describe, expect, it } from "vitest";
import { Rng } from "../../lib/random/rng";
import { createSampler, type TrialRecord } from "../../lib/optimize/samplers";
import { erfc, normalMass, observationWeights, ParzenEstimator } from "../../lib/optimize/samplers/parzen";
import { gamma, splitTrials } from "../../lib/optimize/samplers/tpe";
import { smaCross } from "../../lib/strategies/sma-cross";
import { median, rippleBowl, simulate } from "./samplers-fixtures";

describe("normal distribution helpers", () => {
  it("erfc has relative error below 2e-7, tails included", () => {
    // Reference values: erfc(x) to 16 digits (Abramowitz & Stegun table 7.1; scipy.special.erfc).
    const ref: [number, number][] = [
      [0, 1],
      [0.5, 0.4795001221869535],
      [1, 0.1572992070502851],
      [2, 0.004677734981047266],
      [3, 2.209049699858544e-5],
      [5, 1.537459794428035e-12],
      [-1, 1.842700792949715],
    ];
    for (const [x, v] of ref) expect(Math.abs(erfc(x) / v - 1)).toBeLessThan(2e-7);
  });

  it("normalMass gives interval probabilities, narrow and far ones included", () => {
    expect(normalMass(-1, 1)).toBeCloseTo(0.6826894921370859, 7);
    expect(normalMass(0, Infinity)).toBeCloseTo(0.5, 7);
    expect(normalMass(1, 2)).toBeCloseTo(0.1359051219832778, 7);
    expect(normalMass(-2, -1)).toBeCloseTo(0.1359051219832778, 7);
    // A narrow bin: phi(0.5) * 0.01 to within the midpoint rule's O(w^3).
    expect(normalMass(0.495, 0.505) / (0.3520653267642995 * 0.01)).toBeCloseTo(1, 5);
    // Far tail: relative accuracy is kept (mass of [6, 7] = 9.8531e-10).
    expect(normalMass(6, 7) / 9.8531e-10).toBeCloseTo(1, 3);
    expect(normalMass(2, 1)).toBe(0);
  });
});

describe("Optuna's TPE definitions", () => {
  it("gamma(n) = min(ceil(0.1 n), 25)", () => {
    expect([0, 1, 10, 11, 100, 249, 250, 251, 1000].map(gamma)).toEqual([0, 1, 1, 2, 10, 25, 25, 25, 25]);
  });

  it("weights: 1 for the 25 latest observations, a ramp from 1/n for older ones", () => {
    expect(observationWeights(3)).toEqual([1, 1, 1]);
    const w = observationWeights(30);
    expect(w).toHaveLength(30);
    expect(w[0]).toBeCloseTo(1 / 30, 12);
    expect(w[4]).toBeCloseTo(1, 12); // numpy.linspace(1/30, 1, 5) ends at 1
    expect(w.slice(5)).toEqual(new Array(25).fill(1));
    expect(observationWeights(26)[0]).toBeCloseTo(1 / 26, 12);
  });

  it("splits by value: the best gamma(n) are good, failed trials are bad, both in id order", () => {
    const t = (id: number, value: number | null): TrialRecord => ({ id, params: {}, value });
    const history = [t(0, 1), t(1, null), t(2, 5), t(3, 5), t(4, -1), t(5, 3), t(6, null), t(7, 0), t(8, 2), t(9, 4), t(10, Number.NaN), t(11, 0.5)];
    const { good, bad } = splitTrials(history); // n = 12: gamma = 2
    expect(good.map((x) => x.id)).toEqual([2, 3]);
    expect(bad.map((x) => x.id)).toEqual([0, 1, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(splitTrials([t(0, 2), t(1, 2)]).good.map((x) => x.id)).toEqual([0]); // ties: lower id first
    expect(splitTrials([t(0, null), t(1, null)]).good).toEqual([]);
  });
});

describe("Parzen estimator", () => {
  it("is a probability over the bins of a grid axis (sums to 1)", () => {
    // An int parameter 1..20: axis [0.5, 20.5], bins of width 1.
    const pe = new ParzenEstimator([{ kind: "numeric", a: 0.5, b: 20.5 }], [[3], [4], [18], [10]], { priorWeight: 1, multivariate: false });
    let total = 0;
    for (let v = 1; v <= 20; v++) total += Math.exp(pe.logPdf([{ lo: v - 0.5, hi: v + 0.5 }]));
    expect(total).toBeCloseTo(1, 6);
    // More mass near the observations than far from them.
    expect(pe.logPdf([{ lo: 3.5, hi: 4.5 }])).toBeGreaterThan(pe.logPdf([{ lo: 13.5, hi: 14.5 }]));
  });

  it("is a density over a continuous axis (integrates to 1), in several dimensions too", () => {
    for (const multivariate of [false, true]) {
      const pe = new ParzenEstimator(
        [
          { kind: "numeric", a: 0, b: 1 },
          { kind: "choice", n: 3 },
        ],
        [
          [0.1, 0],
          [0.15, 0],
          [0.9, 2],
        ],
        { priorWeight: 1, multivariate },
      );
      let total = 0;
      const steps = 2000;
      for (let i = 0; i < steps; i++) for (let c = 0; c < 3; c++) total += Math.exp(pe.logPdf([{ x: (i + 0.5) / steps }, { index: c }])) / steps;
      expect(total).toBeCloseTo(1, 3);
    }
  });

  it("samples follow the mixture: the share of draws in an interval matches the density's integral", () => {
    const pe = new ParzenEstimator([{ kind: "numeric", a: 0, b: 10 }], [[2], [2.2], [1.9], [2.1]], { priorWeight: 1, multivariate: false });
    const xs = pe.sample(Rng.derive(3), 20_000).map((s) => s[0]);
    expect(xs.every((x) => x >= 0 && x <= 10)).toBe(true);
    for (const [lo, hi] of [
      [1, 3],
      [0, 0.5],
      [6, 10],
    ]) {
      let mass = 0;
      for (let i = 0; i < 1000; i++) mass += (Math.exp(pe.logPdf([{ x: lo + ((hi - lo) * (i + 0.5)) / 1000 }])) * (hi - lo)) / 1000;
      const share = xs.filter((x) => x >= lo && x < hi).length / xs.length;
      expect(Math.abs(share - mass)).toBeLessThan(0.015); // sd <= 0.0035
    }
  });
});

describe("TPE sampler", () => {
  it("starts at random: fewer trials than n_startup_trials give the random sampler's batch", () => {
    const past = simulate(createSampler("random"), smaCross, rippleBowl, { trials: 8, batch: 8, seed: 2 }).history;
    const ctx = { strategy: smaCross, history: past, firstId: 8, count: 8, rng: Rng.derive(2, "study", 1), totalTrials: 100 };
    expect(createSampler("tpe").propose(ctx)).toEqual(createSampler("random").propose({ ...ctx, rng: Rng.derive(2, "study", 1) }));
    expect(createSampler("tpe", { n_startup_trials: 8 }).propose({ ...ctx, rng: Rng.derive(2, "study", 1) })).not.toEqual(
      createSampler("random").propose({ ...ctx, rng: Rng.derive(2, "study", 1) }),
    );
  });

  it("concentrates proposals near the good trials", () => {
    const past = simulate(createSampler("random"), smaCross, rippleBowl, { trials: 64, batch: 16, seed: 3 }).history;
    const dist = (p: { fast: unknown; slow: unknown }) => Math.hypot(Math.log((p.fast as number) / 12), Math.log((p.slow as number) / 150));
    const ctx = (name: "tpe" | "random") =>
      createSampler(name).propose({ strategy: smaCross, history: past, firstId: 64, count: 32, rng: Rng.derive(3, "study", 4), totalTrials: 200 });
    const tpe = median(ctx("tpe").map((p) => dist(p as never)));
    const random = median(ctx("random").map((p) => dist(p as never)));
    // Seeds 3..8 give ratios 0.40..0.49 (gamma keeps 7 of 64 trials; the prior and the
    // magic clip keep kernels wide this early); random itself gives about 1.
    expect(tpe).toBeLessThan(0.6 * random);
  });

  it("constant liar spreads a batch: the members are further apart than with independent draws", () => {
    const past = simulate(createSampler("random"), smaCross, rippleBowl, { trials: 64, batch: 16, seed: 4 }).history;
    const spread = (constant_liar: boolean) => {
      const batch = createSampler("tpe", { constant_liar }).propose({ strategy: smaCross, history: past, firstId: 64, count: 16, rng: Rng.derive(4, "study", 4), totalTrials: 200 });
      const logs = batch.map((p) => [Math.log(p.fast as number), Math.log(p.slow as number)]);
      const d: number[] = [];
      for (let i = 0; i < logs.length; i++) for (let j = i + 1; j < logs.length; j++) d.push(Math.hypot(logs[i][0] - logs[j][0], logs[i][1] - logs[j][1]));
      return median(d);
    };
    expect(spread(true)).toBeGreaterThan(2 * spread(false)); // seeds 3..8: 4.6 to 11 times
  });

  it("counts failed trials as bad: a region that only fails is avoided", () => {
    // Every trial with slow > 300 failed; the others are equally good.
    const past = simulate(createSampler("random"), smaCross, (p) => ((p.slow as number) > 300 ? null : 0), { trials: 80, batch: 16, seed: 5 }).history;
    const batch = createSampler("tpe").propose({ strategy: smaCross, history: past, firstId: 80, count: 32, rng: Rng.derive(5, "study", 5), totalTrials: 200 });
    const failing = batch.filter((p) => (p.slow as number) > 300).length / batch.length;
    const prior = past.filter((t) => t.value === null).length / past.length; // about 0.4
    expect(failing).toBeLessThan(prior / 2);
  });

  it("multivariate mode proposes valid, distinct points too", () => {
    const { history } = simulate(createSampler("tpe", { multivariate: true }), smaCross, rippleBowl, { trials: 96, batch: 8, seed: 6 });
    expect(new Set(history.map((t) => `${t.params.fast},${t.params.slow}`)).size).toBe(96);
    expect(history.every((t) => (t.params.fast as number) < (t.params.slow as number))).toBe(true);
  });
});
