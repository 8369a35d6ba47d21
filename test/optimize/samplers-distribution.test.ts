/** The random sampler's distribution: log-uniform on log scales, fair integer ends, uniform choices and steps. */
import { describe, expect, it } from "vitest";
import { Rng } from "../../lib/random/rng";
import { createSampler } from "../../lib/optimize/samplers";
import { axisOf, fromAxis, sampleParams, toAxis } from "../../lib/optimize/samplers/space";
import { smaCross } from "../../lib/strategies/sma-cross";
import type { IntParam, Params } from "../../lib/strategies/types";
import { chiSquare, probeSpace } from "./samplers-fixtures";

/** 20k independent draws of the probe space (no history: duplicates are irrelevant here). */
function draws(n = 20_000): Params[] {
  const rng = Rng.derive(31);
  return Array.from({ length: n }, () => sampleParams(probeSpace, rng));
}

describe("random sampling of one parameter", () => {
  const sample = draws();

  it("a log-scale float is uniform over decades", () => {
    const counts = [0, 0, 0, 0];
    for (const p of sample) counts[Math.min(3, Math.floor(Math.log10(p.lr as number) + 4))]++;
    // Uniform on a linear scale would put 90% in the top decade.
    expect(chiSquare(counts, [0.25, 0.25, 0.25, 0.25])).toBeLessThan(20); // 3 df
    expect(sample.every((p) => (p.lr as number) >= 1e-4 && (p.lr as number) <= 1)).toBe(true);
  });

  it("a log-scale int gives each value the log-width of its bin (n = 1 about 14%)", () => {
    // P(n = v) = log((v + 0.5) / (v - 0.5)) / log(1000.5 / 0.5): the discrete log-uniform.
    const total = Math.log(1000.5 / 0.5);
    const p = (v: number) => Math.log((v + 0.5) / (v - 0.5)) / total;
    const buckets = [1, 2, 3, 4];
    const counts = [...buckets.map((v) => sample.filter((s) => s.n === v).length), sample.filter((s) => (s.n as number) > 4).length];
    const probs = [...buckets.map(p), 1 - buckets.reduce((s, v) => s + p(v), 0)];
    expect(chiSquare(counts, probs)).toBeLessThan(25); // 4 df
    expect(sample.every((s) => Number.isInteger(s.n) && (s.n as number) >= 1 && (s.n as number) <= 1000)).toBe(true);
  });

  it("a linear int gives its end values the same share as the others", () => {
    const counts = [0, 1, 2, 3, 4].map((v) => sample.filter((s) => s.k === v).length);
    expect(chiSquare(counts, new Array(5).fill(0.2))).toBeLessThan(25);
  });

  it("a stepped float takes only its levels, each equally often", () => {
    const levels = [0, 0.25, 0.5, 0.75, 1];
    expect(sample.every((s) => levels.includes(s.x as number))).toBe(true);
    const counts = levels.map((v) => sample.filter((s) => s.x === v).length);
    expect(chiSquare(counts, new Array(5).fill(0.2))).toBeLessThan(25);
  });

  it("choices are uniform", () => {
    const counts = ["a", "b", "c"].map((c) => sample.filter((s) => s.mode === c).length);
    expect(chiSquare(counts, [1 / 3, 1 / 3, 1 / 3])).toBeLessThan(20);
  });

  it("fromAxis inverts toAxis on grid values, and the axis spans the bins", () => {
    const spec = smaCross.params[0] as IntParam;
    const { a, b } = axisOf(spec);
    expect(a).toBeCloseTo(Math.log(1.5), 12);
    expect(b).toBeCloseTo(Math.log(500.5), 12);
    for (const v of [2, 3, 17, 499, 500]) expect(fromAxis(spec, toAxis(spec, v))).toBe(v);
    expect(fromAxis(spec, a)).toBe(2);
    expect(fromAxis(spec, b)).toBe(500);
  });
});

describe("random sampler over sma_cross", () => {
  it("is log-uniform conditional on fast < slow (fast <= 31 about 69% of the time, not 6%)", () => {
    // First batches of 200 studies: within a long study, refusing repeats thins out the
    // dense low corner of a log scale, which would bias this count.
    const s = createSampler("random");
    const proposals: Params[] = [];
    for (let k = 0; k < 200; k++) proposals.push(...s.propose({ strategy: smaCross, history: [], firstId: 0, count: 16, rng: Rng.derive(2, "s", k), totalTrials: 16 }));
    const low = proposals.filter((p) => (p.fast as number) <= 31).length / proposals.length;
    // Exactly: P(fast = f) is proportional to its log-bin width times P(slow > f), as
    // rejecting fast >= slow conditions the independent log-uniform draws.
    const slowAbove = (f: number) => Math.log(2000.5 / (f + 0.5)) / Math.log(2000.5 / 2.5);
    let below = 0;
    let all = 0;
    for (let f = 2; f <= 500; f++) {
      const w = Math.log((f + 0.5) / (f - 0.5)) * slowAbove(f);
      all += w;
      if (f <= 31) below += w;
    }
    expect(below / all).toBeCloseTo(0.689, 3); // uniform sampling would give 6%
    expect(Math.abs(low - below / all)).toBeLessThan(0.03); // sd 0.008
  });
});
