import { describe, expect, it } from "vitest";
import { Rng } from "../../lib/random/rng";
import { epsilonSquared, paramImportance, ranks } from "../../lib/report/importance";

function trials(n: number, f: (a: number, b: number, c: string, noise: number) => number) {
  const rng = Rng.derive(42, "importance");
  return Array.from({ length: n }, () => {
    const a = Math.round(rng.uniform(2, 200));
    const b = rng.uniform(0, 1);
    const c = rng.next() < 0.5 ? "long" : "flat";
    return { params: { a, b, c }, value: f(a, b, c, rng.uniform(-1, 1)) };
  });
}

describe("parameter importance", () => {
  it("averages tied ranks", () => {
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
  });

  it("computes the bias-corrected share (epsilon-squared), not the raw eta-squared", () => {
    // group means 1.5, 3.5, 5.5: SS_between 16, SS_total 17.5, MS_within 0.5 -> (16 - 2 * 0.5) / 17.5
    expect(epsilonSquared([1, 2, 3, 4, 5, 6], [0, 0, 1, 1, 2, 2]).eps2).toBeCloseTo(15 / 17.5, 12);
    // pure noise with few trials per group: eta-squared would be ~ (k-1)/(n-1) = 0.13; epsilon-squared ~ 0
    let sum = 0;
    for (let s = 0; s < 20; s++) {
      const rng = Rng.derive(s, "noise");
      const t = Array.from({ length: 40 }, () => ({ params: { a: rng.uniform(0, 1) }, value: rng.next() }));
      sum += paramImportance(t, ["a"])[0].importance as number;
    }
    expect(sum / 20).toBeLessThan(0.05);
  });

  it("is near 1 for the parameter that decides the objective and near 0 for noise", () => {
    const imp = paramImportance(trials(200, (a, _b, _c, noise) => a + 0.5 * noise), ["a", "b", "c"]);
    expect(imp.map((r) => r.param)).toEqual(["a", expect.any(String), expect.any(String)]);
    const by = Object.fromEntries(imp.map((r) => [r.param, r]));
    expect(by.a.importance).toBeGreaterThan(0.85);
    expect(by.a.spearman).toBeGreaterThan(0.95);
    expect(by.b.importance).toBeLessThan(0.08);
    expect(by.c.importance).toBeLessThan(0.08);
    expect(by.c.spearman).toBeNull(); // choices have no direction
    expect(by.a.groups).toBe(10);
    expect(by.c.groups).toBe(2);
  });

  it("measures a choice parameter and a decreasing effect", () => {
    const by = Object.fromEntries(paramImportance(trials(200, (_a, b, c, noise) => (c === "long" ? 5 : 0) - 2 * b + 0.1 * noise), ["a", "b", "c"]).map((r) => [r.param, r]));
    expect(by.c.importance).toBeGreaterThan(0.6);
    expect(by.b.spearman).toBeLessThan(-0.2);
    expect(by.a.importance).toBeLessThan(0.08);
  });

  it("ignores outliers' size (ranks) and failed trials", () => {
    const base = trials(120, (a) => a);
    base[0].value = 1e12;
    const withFailed = [...base, { params: { a: 1, b: 0, c: "flat" }, value: null }];
    const [a] = paramImportance(withFailed, ["a"]);
    expect(a.n).toBe(120);
    expect(a.importance).toBeGreaterThan(0.9);
  });

  it("is null with too few trials or a constant objective", () => {
    expect(paramImportance(trials(3, (a) => a), ["a"])[0].importance).toBeNull();
    expect(paramImportance(trials(50, () => 1), ["a"])[0].importance).toBeNull();
    // a parameter that never varies explains nothing
    expect(epsilonSquared([1, 2, 3, 4], [0, 0, 0, 0]).eps2).toBe(0);
  });
});
