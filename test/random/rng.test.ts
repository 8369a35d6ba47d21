import { sampleCorrelation } from "simple-statistics";
import { describe, expect, it } from "vitest";
import { Rng } from "../../lib/random/rng";
import { chiSquare } from "../optimize/samplers-fixtures";

const draws = (r: Rng, n: number) => Array.from({ length: n }, () => r.next());

describe("Rng determinism", () => {
  it("pins the first outputs (journals replay from them; changing them breaks every stored run)", () => {
    const r = Rng.derive(42);
    expect([r.uint32(), r.uint32(), r.uint32(), r.uint32(), r.uint32()]).toEqual([2823549614, 648545206, 638533090, 1121079646, 2010386070]);
    const s = Rng.derive(1, "sma_cross|mar|1y", 3);
    expect([s.next(), s.next(), s.next()]).toEqual([0.9667396294353219, 0.9766312899384921, 0.02048760261253524]);
  });

  it("gives the same stream for the same seed and keys", () => {
    expect(draws(Rng.derive(7, "study", 3), 50)).toEqual(draws(Rng.derive(7, "study", 3), 50));
  });

  it("gives different streams for different seeds, keys, key types and key splits", () => {
    const streams = [
      Rng.derive(7),
      Rng.derive(8),
      Rng.derive(7, 0),
      Rng.derive(7, 1),
      Rng.derive(7, "1"),
      Rng.derive(7, "study", 3),
      Rng.derive(7, "study", 4),
      Rng.derive(7, "stud", "y", 3),
      Rng.derive(7, "study3"),
      Rng.derive(7, 0.5),
      Rng.derive(2 ** 40),
      Rng.derive(2 ** 40 + 1),
    ].map((r) => draws(r, 4).join(","));
    expect(new Set(streams).size).toBe(streams.length);
  });

  it("treats -0 as 0 and rejects NaN", () => {
    expect(draws(Rng.derive(-0), 3)).toEqual(draws(Rng.derive(0), 3));
    expect(() => Rng.derive(Number.NaN)).toThrow(RangeError);
    expect(() => Rng.derive(1, Number.NaN)).toThrow(RangeError);
  });

  it("fork gives keyed substreams without advancing the parent", () => {
    const a = Rng.derive(5);
    const b = Rng.derive(5);
    const f1 = a.fork(1);
    const f2 = a.fork(2);
    expect(draws(a, 5)).toEqual(draws(b, 5));
    expect(draws(f1, 5)).not.toEqual(draws(f2, 5));
    expect(draws(Rng.derive(5).fork(1), 5)).toEqual(draws(Rng.derive(5).fork(1), 5));
  });

  it("streams of neighbouring batch indices are uncorrelated", () => {
    const x = draws(Rng.derive(3, "s", 10), 20_000);
    const y = draws(Rng.derive(3, "s", 11), 20_000);
    // sd of the sample correlation is 1/sqrt(20000) = 0.007
    expect(Math.abs(sampleCorrelation(x, y))).toBeLessThan(0.035);
  });
});

describe("Rng distributions", () => {
  it("next() is uniform on [0, 1): chi-square over 100 bins", () => {
    const r = Rng.derive(11);
    const counts = new Array<number>(100).fill(0);
    let outside = 0;
    for (let i = 0; i < 200_000; i++) {
      const u = r.next();
      if (!(u >= 0 && u < 1)) outside++;
      else counts[Math.floor(u * 100)]++;
    }
    expect(outside).toBe(0);
    // 99 degrees of freedom: mean 99, sd 14; the bounds are about 4 sd.
    const chi = chiSquare(counts, new Array(100).fill(0.01));
    expect(chi).toBeGreaterThan(50);
    expect(chi).toBeLessThan(160);
  });

  it("uint32 low bits are uniform too", () => {
    const r = Rng.derive(12);
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 64_000; i++) counts[r.uint32() & 15]++;
    const chi = chiSquare(counts, new Array(16).fill(1 / 16));
    expect(chi).toBeLessThan(45); // 15 df: mean 15, sd 5.5
  });

  it("int(lo, hi) includes both ends, each value equally likely", () => {
    const r = Rng.derive(13);
    const counts = new Array<number>(7).fill(0);
    let outside = 0;
    for (let i = 0; i < 70_000; i++) {
      const v = r.int(-3, 3);
      if (!(Number.isInteger(v) && v >= -3 && v <= 3)) outside++;
      else counts[v + 3]++;
    }
    expect(outside).toBe(0);
    expect(Math.min(...counts)).toBeGreaterThan(0);
    expect(chiSquare(counts, new Array(7).fill(1 / 7))).toBeLessThan(35); // 6 df
    expect(r.int(5, 5)).toBe(5);
    expect(() => r.int(3, 2)).toThrow(RangeError);
    expect(() => r.int(0.5, 2)).toThrow(RangeError);
  });

  it("int over a span wider than 2^32 stays in range", () => {
    const r = Rng.derive(14);
    for (let i = 0; i < 1000; i++) {
      const v = r.int(0, 2 ** 40);
      expect(Number.isInteger(v) && v >= 0 && v <= 2 ** 40).toBe(true);
    }
  });

  it("normal() has mean 0, variance 1 and the 68% within one sd", () => {
    const r = Rng.derive(15);
    const n = 100_000;
    let s = 0;
    let ss = 0;
    let within = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      ss += z * z;
      if (Math.abs(z) < 1) within++;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.015); // sd of the mean: 0.003
    expect(Math.abs(ss / n - 1)).toBeLessThan(0.03);
    expect(Math.abs(within / n - 0.682689)).toBeLessThan(0.01);
    expect(Rng.derive(1).normal(10, 0)).toBe(10);
  });

  it("shuffle permutes in place, choice reaches every element", () => {
    const r = Rng.derive(16);
    const xs = Array.from({ length: 20 }, (_, i) => i);
    const ys = r.shuffle([...xs]);
    expect([...ys].sort((a, b) => a - b)).toEqual(xs);
    expect(ys).not.toEqual(xs);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(r.choice(["a", "b", "c", "d"]));
    expect(seen.size).toBe(4);
    expect(() => r.choice([])).toThrow(RangeError);
  });

  it("uniform(lo, hi) stays in [lo, hi)", () => {
    const r = Rng.derive(17);
    for (let i = 0; i < 1000; i++) {
      const v = r.uniform(-2, 5);
      expect(v >= -2 && v < 5).toBe(true);
    }
  });
});
